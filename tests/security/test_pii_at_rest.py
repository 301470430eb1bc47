"""Personal data at rest (issue 15, item 4): what a citizen types is masked before it is stored —
numbers however they are written, street addresses in transcripts — and database files are 0600."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import select

from assistant.state import FeedbackRow
from core.masking import mask_free_text, mask_text


@pytest.mark.parametrize("typed, hidden", [
    ("身份证 110105 19900101 1234", "19900101"),
    ("身份证110105-19900101-1234", "19900101"),
    ("电话138-1234-5678", "1234-5678"),
    ("手机 +86 138 1234 5678", "1234 5678"),
    ("电话１３８１２３４５６７８", "１２３４５６７８"),
    ("身份证１１０１０５１９９００１０１１２３Ｘ", "１９９００１０１"),
    ("卡号6222 0212 3456 7890 123", "3456"),
])
def test_numbers_are_recognised_however_they_are_written(typed, hidden):
    masked = mask_text(typed)
    assert hidden not in masked and "*" in masked


def test_ordinary_numbers_are_left_alone():
    for text in ("2024年12月办理", "需要20个工作日", "１０个工作日", "电话12345"):
        assert mask_text(text) == text


def test_street_addresses_are_masked_for_storage_but_not_refused():
    assert "建国路88号" not in mask_free_text("我住在朝阳区建国路88号3号楼2单元501室，孩子上学去哪报名")
    assert "5栋2单元301" not in mask_free_text("阳光小区5栋2单元301")


def test_stored_turns_gaps_and_comments_carry_no_address_or_number(fast_assistant):
    bot = fast_assistant
    ans = bot.run("我住在朝阳区建国路88号3号楼，孩子上学去哪报名？")
    assert not ans.refused or ans.handoff is not None
    turns = bot.conversations.transcript(ans.session_id)
    stored = " ".join([t["text"] for t in turns] + [str(t["payload"].get("question", "")) for t in turns])
    assert "建国路88号" not in stored
    bot.conversations.request_handoff(ans.session_id, "请打我电话 138 1234 5678")
    assert "1234 5678" not in str(bot.conversations.transcript(ans.session_id))
    bot.conversations.rate_answer(rating="差评", conversation_id=ans.session_id, answer_id=ans.answer_id,
                                  comment="地址是建国路88号，电话138-1234-5678")
    with bot.conversations.session() as s:
        comment = s.scalars(select(FeedbackRow)).all()[-1].comment
    assert "建国路88号" not in comment and "1234-5678" not in comment


def test_database_files_are_private(tmp_path):
    from core.db import make_engine

    path = tmp_path / "private" / "state.db"
    make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
