"""The dev-set evaluation says, in aggregate, why in-scope questions were refused."""

import argparse
import json
from types import SimpleNamespace

import evals.__main__ as cli
from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog


class _RefusingBot:
    """Refuses everything: as fraud when the question says 假, else as out of scope."""

    catalog = Catalog.from_dir(DEFAULT_GUIDES_DIR)

    def run(self, question, session_id=None):
        reason = "unlawful_request" if "假" in question else "out_of_scope_or_weak_evidence"
        return SimpleNamespace(candidates=[], one_thing=None, clarifying_question=None, refused=True, options=[],
                               handoff={"channel": "12345", "reason": reason}, citations=[], session_id="s")


def test_in_scope_refusals_are_counted_by_reason(tmp_path, monkeypatch):
    cases = tmp_path / "cases.jsonl"
    rows = [{"id": "a", "question": "新生儿上户口要带什么", "expected": "newborn"},
            {"id": "b", "question": "假如孩子没有出生证明怎么上户口", "expected": "newborn"},
            {"id": "c", "question": "退休要多久", "expected": "retirement"},
            {"id": "d", "question": "今天天气怎么样", "expected": "refuse"}]
    cases.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    monkeypatch.setattr(cli, "_assistant", lambda args: _RefusingBot())
    m = cli._dev_eval(argparse.Namespace(cases=cases, show_failures=False), answers=False)
    assert m["in_scope_refused_unlawful_request"] == 1
    assert m["in_scope_refused_out_of_scope_or_weak_evidence"] == 2  # the out-of-scope question is no in-scope refusal
    assert m["routing_top1"] == 0 and m["refusal_recall"] == 1.0


class _EnglishBot:
    """Answers in English, stating the case's first fact in the English guide's words early and its second late."""

    catalog = Catalog.from_dir(DEFAULT_GUIDES_DIR)

    class retriever:  # noqa: N801 - stands in for the real retriever's two methods the eval calls
        @staticmethod
        def prepare(text, embed=True):
            from knowledge.retrieval import Query
            from knowledge.text import normalize, tokenize_normalized

            n = normalize(text)
            t = tuple(tokenize_normalized(n))
            return Query(text, n, n, t, t)

        @staticmethod
        def record(source_id):
            return None

    def run(self, question, session_id=None):
        answer = "Repair is always free of charge. " + "x" * 150 + " Usually within 3 working days."
        return SimpleNamespace(candidates=[SimpleNamespace(id="credit_repair")], one_thing=SimpleNamespace(
            id="credit_repair"), clarifying_question=None, refused=False, options=[], handoff=None, citations=[],
            session_id="s", answer=answer, lang="en", statements=[])


def test_failures_list_facts_by_where_either_form_of_them_is_given(tmp_path, monkeypatch, capsys):
    cases = tmp_path / "cases.jsonl"
    row = {"id": "e", "question": "Does credit repair cost money, and how long does it take?",
           "expected": "credit_repair", "key_facts": ["一律不收费", "3个工作日"],
           "key_facts_en": ["free of charge", "within 3 working days"], "tags": ["en"]}
    cases.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(cli, "_assistant", lambda args: _EnglishBot())
    m = cli._dev_eval(argparse.Namespace(cases=cases, show_failures=True), answers=True)
    out = capsys.readouterr().out
    # The English fact is given first: not listed as missing, though its Chinese words are not in the answer.
    assert m["key_fact_recall_en_aware"] == 1.0 and m["key_fact_recall"] == 0.0
    assert "missing" not in out
    assert "after 150 chars ['3个工作日']" in out
