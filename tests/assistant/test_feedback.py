"""好差评 has one writer (ConversationStore.rate_answer / rate_submission) for the API, the chat and
the submission panel: the rated question comes from the stored conversation, comments are masked
before they are stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.state import FeedbackRow
from core.errors import InvalidInput, NotFound


def _stored(store) -> list[FeedbackRow]:
    with store.session() as s:
        return list(s.scalars(select(FeedbackRow).order_by(FeedbackRow.id)).all())


def test_rating_records_the_rated_answer_and_masks_the_comment(fast_assistant):
    ans = fast_assistant.run("孩子刚出生要办哪些手续？")
    store = fast_assistant.conversations
    store.rate_answer(rating="差评", conversation_id=ans.session_id, answer_id=ans.answer_id,
                      comment="  我的身份证110105199001011234，电话13812345678  ")
    row = _stored(store)[-1]
    assert row.question == "孩子刚出生要办哪些手续？"
    assert row.one_thing_id == (ans.one_thing.id if ans.one_thing else None)
    assert "110105199001011234" not in row.comment and "13812345678" not in row.comment
    assert row.comment.startswith("我的身份证110105********1234")


def test_rating_needs_a_real_answer(fast_assistant):
    ans = fast_assistant.run("孩子刚出生要办哪些手续？")
    store = fast_assistant.conversations
    with pytest.raises(NotFound):
        store.rate_answer(rating="好评", conversation_id=ans.session_id, answer_id="not-an-answer")
    with pytest.raises(InvalidInput):
        store.rate_answer(rating="好评", conversation_id=None, answer_id=None)


def test_submission_rating_names_the_submission(fast_assistant):
    store = fast_assistant.conversations
    store.rate_submission(rating="差评", conversation_id=None, tracking_no="YJS-1", title="新生儿出生一件事",
                          one_thing_id="newborn", comment="排队太久")
    row = _stored(store)[-1]
    assert row.answer_id == "submission:YJS-1" and "YJS-1" in row.question and row.one_thing_id == "newborn"
