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
