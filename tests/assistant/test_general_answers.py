"""General answers: a question no bundle covers is answered from an office's own ingested guide when
the reranker is confident, quoted verbatim with a citation and no bundle; otherwise it is handed off."""

from __future__ import annotations

import pytest

from core.settings import Settings

GUIDES = {
    "住房公积金提取.md": "# 住房公积金提取\n\n租房提取住房公积金，需提供租房合同和本人身份证，每月可提取一次。\n",
    "普通护照申领.md": "# 普通护照申领\n\n持居民身份证到出入境管理部门申请普通护照，七个工作日内出证。\n",
    "结婚登记.md": "# 结婚登记\n\n双方持户口簿和身份证到婚姻登记处办理结婚登记，当场领证。\n",
    "驾驶证换证.md": "# 驾驶证换证\n\n驾驶证有效期满前九十日内申请换证，需要身份证明和体检证明。\n",
}
QUESTIONS = {
    "住房公积金提取.md": ["租房能提取住房公积金吗", "提取公积金要带租房合同吗", "公积金租房提取多久一次"],
    "普通护照申领.md": ["普通护照去哪里申请", "办护照要几个工作日", "申请护照要带身份证吗"],
    "结婚登记.md": ["结婚登记要带什么", "领结婚证去哪里办", "结婚登记当场能领证吗"],
    "驾驶证换证.md": ["驾驶证到期怎么换证", "换驾驶证要体检证明吗", "驾驶证期满前多久能换"],
}


@pytest.fixture(scope="module")
def office_bot(tmp_path_factory, seed_fast_model):
    from app.pipeline import build_assistant, build_knowledge, ingest
    from knowledge.embedders import HashEmbedder
    from knowledge.rerank import train_reranker
    from knowledge.store import InMemoryStore

    tmp = tmp_path_factory.mktemp("office")
    folder = tmp / "guides"
    folder.mkdir()
    for name, text in GUIDES.items():
        (folder / name).write_text(text, encoding="utf-8")
    s = Settings(data_dir=tmp / "var", embedder="hash", extra_guides_dirs=[folder], general_answer_threshold=0.3)
    store, emb = InMemoryStore(), HashEmbedder()
    ingest(s, store=store, embedder=emb, progress=False)
    kb = build_knowledge(s, store=store, embedder=emb)
    kb.warm_up()
    seed_fast_model(s)  # the decision model of the catalogue alone: the office's guides add no bundle
    bot = build_assistant(s, knowledge=kb)
    bot.warm_up()
    assert bot.reranker is None  # no model file: general answers are off, questions are handed off
    pairs = [(q, {f"file:{name}"}) for name, qs in QUESTIONS.items() for q in qs[:2]]
    bot.reranker = train_reranker(bot.retriever, pairs, candidates=20)
    return bot


def test_answers_from_an_office_guide_with_a_verbatim_citation(office_bot):
    # A question the reranker was not trained on. (Not a 公积金 one: the hash embedder's decision model of
    # these fast tests sends them to 个人身后一件事 since lawful_4.jsonl; the product's models refuse them as out of
    # scope, with MSGABench and without, p ≥ 0.998.)
    ans = office_bot.run("结婚登记当场能领证吗")
    assert not ans.refused and ans.one_thing is None and ans.handoff is None
    assert ans.citations and all(office_bot.retriever.record(c.source_id) for c in ans.citations)
    cit = ans.citations[0]
    assert cit.quote in office_bot.retriever.record(cit.source_id).text
    assert "婚姻登记处" in ans.answer and "以当地政务服务中心公布的为准" in ans.answer


def test_nothing_in_the_index_answers_it_so_it_is_handed_off(office_bot):
    ans = office_bot.run("明天上海会下雨吗？")
    assert ans.refused and not ans.citations and ans.handoff["channel"] == "12345"


def test_a_bundle_question_still_gets_the_bundle(office_bot):
    ans = office_bot.run("新生儿出生一件事需要哪些材料？")
    assert ans.one_thing and ans.one_thing.id == "newborn"
