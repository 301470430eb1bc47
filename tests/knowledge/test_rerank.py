"""The learned reranker on a tiny synthetic corpus (hash embedder, in-memory store): fast, no benchmark."""

from __future__ import annotations

import joblib
import numpy as np
import pytest

from core.errors import ConfigurationError
from knowledge.documents import Document, Section
from knowledge.embedders import HashEmbedder
from knowledge.ingest import Ingestor
from knowledge.rerank import FEATURES, PassageReranker, build_groups, pair_features
from knowledge.retrieval import HybridRetriever
from knowledge.store import InMemoryStore

# (doc id, answer text, questions): the questions' words overlap their own answer most.
CORPUS = [
    ("newborn", "新生儿出生登记需要出生医学证明和父母户口簿，在户籍所在地派出所办理。",
     ["新生儿出生登记要什么材料", "孩子出生后去哪里上户口", "出生医学证明丢了还能登记吗"]),
    ("dereg", "企业注销需要先清税，再到市场监管部门申请注销登记，一般需要二十个工作日。",
     ["企业注销要多长时间", "公司注销前要清税吗", "注销登记去哪个部门"]),
    ("retire", "达到法定退休年龄后，由单位向社保经办机构申请办理退休审批。",
     ["退休手续怎么办", "退休审批找哪个机构", "到了退休年龄谁来申请"]),
    ("fund", "购房或租房可以提取住房公积金，需提供购房合同或租房证明。",
     ["租房能提取公积金吗", "提取住房公积金要什么证明", "买房怎么取公积金"]),
    ("license", "驾驶证有效期满前九十日内申请换证，需要身份证明和体检证明。",
     ["驾驶证到期怎么换证", "换驾驶证要体检吗", "驾照有效期满前多久可以换"]),
    ("medical", "异地就医需要先备案，持医保卡在定点医院直接结算。",
     ["异地就医怎么报销", "外地看病医保要备案吗", "医保卡在定点医院能直接结算吗"]),
    ("passport", "持居民身份证到出入境管理部门申请普通护照，十个工作日内出证。",
     ["办护照需要什么", "护照多久能拿到", "普通护照去哪里申请"]),
    ("jobless", "失业人员可到街道社保所办理失业登记，领取失业保险金。",
     ["失业了怎么领失业金", "失业登记在哪里办", "失业保险金怎么领取"]),
    ("shop", "个体工商户可以在网上申请营业执照，材料齐全当场办结。",
     ["个体户营业执照网上能办吗", "营业执照多久办好", "个体工商户怎么申请执照"]),
    ("residence", "在本市居住半年以上，可以到社区申请居住证。",
     ["居住证怎么申请", "住多久可以办居住证", "居住证去社区办吗"]),
    ("marriage", "双方持户口簿和身份证到婚姻登记处办理结婚登记。",
     ["结婚登记要带什么", "领结婚证去哪里", "结婚登记需要户口簿吗"]),
    ("disability", "到区残联申请残疾人证，需要先做评残鉴定。",
     ["残疾人证怎么办", "评残鉴定在哪做", "残疾证去哪个部门申请"]),
]


@pytest.fixture(scope="module")
def toy():
    store, emb = InMemoryStore(), HashEmbedder()
    docs = [Document(f"toy:{d}", "办事指南", [Section(f"toy:{d}#a", "办事指南", text)]) for d, text, _ in CORPUS]
    Ingestor(store, emb, progress=False).run(docs)
    retriever = HybridRetriever(store, emb, top_k=5, candidates=12)
    retriever.warm_up()
    pairs = [(q, {f"toy:{d}"}) for d, _, qs in CORPUS for q in qs[:2]]
    reranker = PassageReranker("logreg", folds=3).fit(build_groups(retriever, pairs, candidates=12))
    return retriever, reranker


def test_features_have_one_finite_row_per_passage(toy):
    retriever, _ = toy
    res = retriever.run("居住证怎么申请", top_k=12)
    X = pair_features(res.query, res.passages)
    assert X.shape == (len(res.passages), len(FEATURES)) and np.isfinite(X).all()
    assert pair_features(res.query, []).shape == (0, len(FEATURES))
    bm25_only = retriever.run("居住证怎么申请", top_k=12, mode="bm25")  # no dense cosines at all
    assert np.isfinite(pair_features(bm25_only.query, bm25_only.passages)).all()


def test_rerank_puts_the_answer_first_and_keeps_the_scores(toy):
    retriever, reranker = toy
    hits = 0
    for d, _, qs in CORPUS:
        res = retriever.run(qs[2], top_k=12)  # the third question of each was not trained on
        ranked = reranker.rerank(res.query, res.passages)
        hits += ranked[0].doc_id == f"toy:{d}"
        assert {p.chunk_id for p in ranked} == {p.chunk_id for p in res.passages}
        assert [p.score for p in ranked] == sorted((p.score for p in ranked), reverse=True)
        assert all(0.0 <= p.score <= 1.0 for p in ranked)
        before = {p.chunk_id: (p.dense, p.bm25) for p in res.passages}
        assert all(before[p.chunk_id] == (p.dense, p.bm25) for p in ranked)
    assert hits >= len(CORPUS) - 2


def test_answerable_drops_when_the_answer_is_removed(toy):
    retriever, reranker = toy
    drops = 0
    for d, _, qs in CORPUS:
        res = retriever.run(qs[0], top_k=12)
        with_gold = reranker.answerable(res.query, res.passages)
        without = reranker.answerable(res.query, [p for p in res.passages if p.doc_id != f"toy:{d}"])
        assert 0.0 <= without <= 1.0 and 0.0 <= with_gold <= 1.0
        drops += without < with_gold
    assert drops >= len(CORPUS) - 2
    assert reranker.answerable(res.query, []) == 0.0


def test_save_load_round_trip_keeps_scores(toy, tmp_path):
    retriever, reranker = toy
    path = tmp_path / "reranker.joblib"
    reranker.save(path)
    again = PassageReranker.load(path)
    assert again.training_sha256 == reranker.training_sha256 and len(again.training_sha256) == 64
    res = retriever.run("办护照需要什么", top_k=12)
    assert np.allclose(again.scores(res.query, res.passages), reranker.scores(res.query, res.passages))
    assert again.answerable(res.query, res.passages) == pytest.approx(reranker.answerable(res.query, res.passages))


def test_another_format_version_or_no_file_says_how_to_retrain(toy, tmp_path):
    _, reranker = toy
    path = tmp_path / "old.joblib"
    reranker.save(path)
    blob = joblib.load(path)
    blob["format_version"] = -1
    joblib.dump(blob, path)
    with pytest.raises(ConfigurationError, match="re-train") as err:
        PassageReranker.load(path)
    assert str(path) in err.value.message
    with pytest.raises(ConfigurationError, match="train"):
        PassageReranker.load(tmp_path / "missing.joblib")
    with pytest.raises(ConfigurationError):
        PassageReranker().scores(None, [])


def test_rerank_with_answerable_agrees_with_the_two_calls(toy):
    retriever, reranker = toy
    res = retriever.run("失业登记在哪里办", top_k=12)
    ranked, p = reranker.rerank_with_answerable(res.query, res.passages)
    assert [r.chunk_id for r in ranked] == [r.chunk_id for r in reranker.rerank(res.query, res.passages)]
    assert p == pytest.approx(reranker.answerable(res.query, res.passages))
