"""The composer selects typed guide parts by aspect and quotes them verbatim from the indexed chunks,
including when a section was split into several chunks or the index is older than the guide."""

import pytest

from assistant.aspects import Ask
from assistant.composer import GroundedComposer, shown_key
from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog
from knowledge.chunking import chunk_document
from knowledge.documents import Record


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(DEFAULT_GUIDES_DIR)


def _index(catalog: Catalog, max_chars: int = 400) -> dict[str, list[Record]]:
    """The guides chunked as ingest does, by section: what `records_for_source` returns."""
    by_source: dict[str, list[Record]] = {}
    for d in catalog.documents():
        for c in chunk_document(d, max_chars=max_chars):
            by_source.setdefault(c.source_id, []).append(Record(c.chunk_id, c.text, {**c.metadata, "title": c.title}))
    return by_source


def _composer(catalog: Catalog, index: dict[str, list[Record]]) -> GroundedComposer:
    return GroundedComposer(catalog, lambda source_id: index.get(source_id, []))


def _verbatim(comp, index):
    chunks = {r.chunk_id: r.text for recs in index.values() for r in recs}
    for s in comp.statements:
        assert s.quote in chunks[s.citation.source_id], (s.citation.source_id, s.quote)


def test_each_aspect_quotes_its_own_part(catalog):
    index = _index(catalog)
    comp = _composer(catalog, index)
    o = catalog.get("retirement")
    ch = o.channels
    got = comp.compose(o, Ask(["time"]), [])
    assert [s.quote for s in got.statements if s.label == "time"] == [f"办理时限：{o.time_limit}"]
    assert [s.quote for s in comp.compose(o, Ask(["fees"]), []).statements if s.label == "fees"] == [f"收费标准：{o.fees}"]
    if ch.proxy:
        proxy = comp.compose(o, Ask(["proxy"]), [])
        assert [s.quote for s in proxy.statements if s.label == "proxy"] == [f"代办帮办：{ch.proxy}"]
    cross = comp.compose(o, Ask(["cross_province"]), [])
    labels = [s.label for s in cross.statements]
    assert ("cross_province" in labels) == bool(ch.cross_province) and "eligibility" in labels
    _verbatim(cross, index)


def test_overview_is_the_bundle_in_brief_and_offers_the_rest(catalog):
    index = _index(catalog)
    o = catalog.get("newborn")
    comp = _composer(catalog, index).compose(o, Ask(what_is=True), [])
    assert comp.overview and [s.label for s in comp.statements if s.role == "lead"] == ["overview", "services"]
    assert comp.statements[0].quote == f"{o.name}：{o.summary}"
    assert [m.id for m in comp.more][:3] == ["newborn#materials", "newborn#time_fees", "newborn#channels"]
    assert [m.label for m in comp.more][:3] == ["所需材料", "办理时限", "在哪办"]
    _verbatim(comp, index)


def test_an_english_overview_leaves_its_long_services_list_one_click_away(catalog):
    """"What is the newborn birth bundle?" in English: the summary names the services; the list, each department in
    full, took the answer to ~1,600 characters and is a "more" button. A Chinese summary and list fit together."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    for o in catalog:
        comp = composer.compose(o, Ask(what_is=True, text=f"what is the {o.name_en}?"), [], lang="en")
        assert [s.label for s in comp.statements if s.role == "lead"] == ["overview"], o.id
        assert f"{o.id}#services@en" in [m.id for m in comp.more], o.id
        _verbatim(comp, index)
        zh = composer.compose(o, Ask(what_is=True, text=f"{o.name}是什么"), [])
        assert [s.label for s in zh.statements if s.role == "lead"] == ["overview", "services"], o.id


def test_an_english_first_question_naming_only_its_life_event_gets_the_overview(catalog):
    """"My father passed away last week." reads no aspect and shares no word with any passage (the guide says "dies"):
    what the bundle is and does answers it, not the first passage retrieval ranks (a service's department line). A
    word shared, an aspect, a yes/no or a conversation already under way keep the passage answer."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("after_death")
    passages = [r for sid, recs in index.items() if sid.startswith(f"{o.id}#svc-") and sid.endswith("@en") for r in recs]
    assert passages
    event = Ask(topic_words={"father", "pass", "away", "last", "week"}, text="my father passed away last week.")
    comp = composer.compose(o, event, passages, lang="en")
    # (Its English list of services, each department in full, is one click away: it would pass the overview's budget.)
    assert comp.overview and [s.label for s in comp.statements if s.role == "lead"] == ["overview"]
    assert "after_death#services@en" in [m.id for m in comp.more]
    _verbatim(comp, index)
    assert not composer.compose(o, event, passages, lang="en", shown={"after_death#x|y"}).overview
    assert not composer.compose(o, Ask(topic_words={"cremat"}, text="my father passed away. cremation?"), passages,
                                lang="en").overview


def test_a_follow_up_naming_nothing_after_the_overview_gets_a_passage_not_the_main_points_are_above(catalog):
    """"她一定要跟我一起去吗" after the overview names nothing a passage names (一定, 跟): it got "主要内容上面已经介绍过"
    (the overview again, all shown). Retrieval's passages of the bundle answer it instead, the first not shown; a
    first question naming nothing still gets the overview."""
    from assistant.composer import OVERVIEW, shown_key

    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("self_employed_operator_change")
    passages = [r for sid, recs in index.items() if sid.startswith(f"{o.id}#faq-") for r in recs]
    ask = Ask(topic_words={"一定", "跟"}, yes_no=True, text="她一定要跟我一起去吗")
    assert composer.compose(o, ask, passages).overview
    shown = {shown_key(r.chunk_id, q) for want in OVERVIEW for r, q in composer._quotes(o, want, "zh")}
    comp = composer.compose(o, ask, passages, shown=shown)
    assert not comp.overview and comp.statements[0].citation.source_id == passages[0].chunk_id
    _verbatim(comp, index)


def test_a_first_message_stating_only_the_life_event_gets_the_overview_and_the_first_deadline(catalog):
    """"我们工作室刚招了3个人，下周一正式入职" asks nothing: it led with the conditions (or the list of what bundling
    replaced), which rank first for want of anything asked. The guide's first deadline, what the bundle is and what
    it covers answer it. A question ("…要办什么吗"), or a conversation under way, keeps the passage answer."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("employee_recruitment")
    passages = [r for sid, recs in index.items() if sid in (f"{o.id}#eligibility", f"{o.id}#replaced") for r in recs]
    stated = Ask(topic_words={"工作室", "入职"}, text="我们工作室刚招了3个人，下周一正式入职")
    assert stated.states_only
    comp = composer.compose(o, stated, passages)
    assert comp.overview and [s.label for s in comp.statements if s.role == "lead"] == ["overview", "services"]
    deadline = [s for s in comp.statements if s.label == "deadline"]
    assert deadline and o.deadlines[0].within in deadline[0].quote and o.deadlines[1].within not in deadline[0].quote
    assert o.deadlines[0].if_missed not in deadline[0].quote  # what and by when; what missing it costs is one click away
    assert f"{o.id}#deadlines" in [m.id for m in comp.more]
    # The clock the event started comes first (on a phone, the first line), then what the bundle is and covers.
    assert [s.label for s in comp.statements][:3] == ["deadline", "overview", "services"]
    _verbatim(comp, index)
    asked = Ask(topic_words={"工作室", "入职"}, yes_no=True, text="我们工作室刚招了3个人，要办什么吗")
    assert not asked.states_only and not composer.compose(o, asked, passages).overview
    assert not composer.compose(o, stated, passages, shown={"x|y"}).overview


def test_a_deadline_left_to_local_rules_follows_the_summary_of_a_stated_life_event(catalog):
    """A first deadline with no figure ("按当地规定的认证周期", the elderly allowance's periodic check) says less than
    what the bundle is: "爷爷下周就满80岁了" hears the summary first, the deadline right after it."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("elderly_welfare")
    assert not any(ch.isdigit() for ch in next(d for d in o.deadlines if not d.conditional).within)
    passages = [r for sid, recs in index.items() if sid in (f"{o.id}#eligibility", f"{o.id}#replaced") for r in recs]
    stated = Ask(topic_words={"爷爷", "80岁"}, text="爷爷下周就满80岁了")
    assert stated.states_only
    comp = composer.compose(o, stated, passages)
    assert comp.overview and [s.label for s in comp.statements][:2] == ["overview", "deadline"]
    _verbatim(comp, index)


def test_a_stated_life_event_hears_the_deadline_it_starts_not_one_that_applies_only_in_some_cases(catalog):
    """退休 lists the notice for an optional early retirement first and 低保 only an appeal window (`conditional`):
    "下个月就退休了" hears when to apply (the guide's first deadline for everyone), "家里没收入了" no deadline at all."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    for oid, text in (("retirement", "下个月就退休了，在厂里干了三十年"), ("hardship_assistance", "老伴走了以后家里没收入了")):
        o = catalog.get(oid)
        passages = [r for sid, recs in index.items() if sid in (f"{o.id}#eligibility", f"{o.id}#replaced") for r in recs]
        comp = composer.compose(o, Ask(topic_words={"收入"}, text=text), passages)
        assert comp.overview
        _verbatim(comp, index)
        deadline = [s.quote for s in comp.statements if s.label == "deadline"]
        event = [d for d in o.deadlines if not d.conditional]
        assert [d.within for d in event[:1]] == [d.within for d in o.deadlines if d.within in "".join(deadline)], deadline
        assert all(d.within not in "".join(deadline) for d in o.deadlines if d.conditional), deadline


def test_a_stated_life_event_whose_best_passage_is_a_service_gets_the_overview(catalog):
    """"I'm retiring next month after 30 years at the factory." ranked a service first and got its department line and
    1,470 characters of its conditions; what the bundle is answers a stated life event. An FAQ ranked first still answers
    (a stated problem: "出差时住了院没做备案")."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("retirement")
    service = [r for sid, recs in index.items() if sid.startswith(f"{o.id}#svc-") and sid.endswith("@en") for r in recs]
    stated = Ask(topic_words={"retir", "month", "factori"}, text="i'm retiring next month after 30 years at the factory.")
    comp = composer.compose(o, stated, service, lang="en")
    assert comp.overview and comp.statements[0].label == "overview", comp.statements[:1]
    _verbatim(comp, index)
    # The English list of services (each department in full) would take it past the overview's budget: the summary names
    # them and the list is one click away. (The Chinese list fits: see the test above.)
    assert "services" not in [s.label for s in comp.statements] and f"{o.id}#services@en" in [m.id for m in comp.more]
    faq = [r for sid, recs in index.items() if sid.startswith(f"{o.id}#faq-") and sid.endswith("@en") for r in recs]
    assert not composer.compose(o, stated, faq, lang="en").overview


def test_a_message_states_only_when_nothing_in_it_asks():
    for q in ("我爸昨天夜里在医院走了", "我们工作室刚招了3个人，下周一正式入职", "下个月退休，在厂里做了廿几年",
              "my son finally came home yesterday, done with his 2 years in the army"):
        assert _ask(q).states_only, q
    for q in ("我爸走了要办啥", "退休要几天", "我们公司要注销吗", "孩子出生了要办什么", "my son came home, what now",
              "is there anything to do after my son's discharge"):
        assert not _ask(q).states_only, q


def test_a_message_telling_what_happened_and_asking_what_to_do_reads_as_told():
    for q in ("我爸上周去世了，要办什么", "儿子下个月退伍回家，回来要办哪些手续", "We just had a baby, what should we do?",
              "Someone in my family died, what now?", "My dad passed away yesterday. What do I need to do?",
              "My grandfather passed away last week. What paperwork is there?",
              "My husband died on Sunday. Where do I begin?",
              "宝宝刚出生，要搞些什么"):  # 搞, the spoken 办
        assert _ask(q).what_to_do, q
    # Not what a named bundle covers, nor a problem (怎么办 follows one as often as a life event), nor a question of
    # anything else or of how to do one thing ("What do I need to do to start my pension?": the steps).
    for q in ("新生儿出生一件事可以一起办哪些事？", "社保卡落出租车上了咋办", "我爸去世了，要带什么材料", "要办什么",
              "What do I need to do to start my pension?", "孩子出生了要办什么吗", "Where do I begin?",
              "My husband died on Sunday. What paperwork do I need to bring?", "孩子出生了，在哪办"):
        assert not _ask(q).what_to_do, q
    # Paperwork there is to do is the procedures (what 什么手续 asks), paperwork to bring the materials.
    assert _ask("What paperwork is there?").aspects == ["services"]
    assert _ask("What paperwork do I need to bring?").aspects == ["materials"]


def test_a_first_message_asking_what_to_do_after_a_life_event_gets_the_overview_and_its_deadline(catalog):
    """"我爸上周去世了，要办什么" got the services list alone, and "My dad passed away yesterday. What do I need to do?" its
    1,100 English characters: no word of the deadline the death started. Told what happened and asked only what to
    do, the assistant answers as to a message that only tells it; later in a conversation, the list answers."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("after_death")
    passages = [r for sid, recs in index.items() if sid in (f"{o.id}#eligibility", f"{o.id}#faq-1") for r in recs]
    for q, lang in (("我爸上周去世了，要办什么", "zh-Hans"), ("My dad passed away yesterday. What do I need to do?", "en")):
        comp = composer.compose(o, _ask(q), passages, lang=lang)
        assert comp.overview and comp.statements[0].label == "deadline", q
        assert "overview" in [s.label for s in comp.statements], q
        _verbatim(comp, index)
    later = composer.compose(o, _ask("我爸上周去世了，要办什么"), passages, shown={"x|y"})
    assert not later.overview and later.statements[0].label == "services"


def test_a_first_message_telling_a_plan_gets_the_overview(catalog):
    """"准备注册一家公司" and "想注册个做软件的科技公司" got the FAQ "可以请人代办注册公司吗？" (it names 注册 and 公司), "We're planning to
    open a small restaurant" the one on sole traders: a plan told asks what the bundle is and covers, which no FAQ on
    one case answers; no clock has started, so the summary leads. A plan with a snag in it is a problem an FAQ may answer."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("start_business")
    faq = [r for sid, recs in index.items() if sid == f"{o.id}#faq-7" for r in recs]
    assert "代办" in faq[0].text
    for q in ("准备注册一家公司", "想注册个做软件的科技公司"):
        assert _ask(q).intends, q
        comp = composer.compose(o, _ask(q), faq)
        assert comp.overview and comp.statements[0].label == "overview", q
        _verbatim(comp, index)
    assert _ask("We're planning to open a small restaurant").intends and _ask("I want to start a software company").intends
    for q in ("想退休但是缴费年限不够", "我们工作室刚招了3个人", "想注册公司没有办公室", "准备注册一家公司，要带什么"):
        assert not _ask(q).intends, q


def test_an_overview_takes_supporting_quotes_only_while_all_it_quotes_fits(catalog):
    """"What is this bundle?" stays short: the summary, the services and the region note always; a
    supporting passage only while everything quoted, the note and the caveat line included, is within OVERVIEW_BUDGET."""
    from assistant.composer import LOCAL_CAVEAT, OVERVIEW_BUDGET

    index = _index(catalog)
    composer = _composer(catalog, index)
    supported = 0
    for o in catalog:
        passages = [r for sid, recs in index.items() if sid.startswith((f"{o.id}#faq-", f"{o.id}#svc-")) for r in recs]
        comp = composer.compose(o, Ask(what_is=True, topic_words={"办理", "窗口"}), passages)
        assert comp.overview and [s.label for s in comp.statements if s.role == "lead"] == ["overview", "services"]
        assert any(s.role == "note" for s in comp.statements) == o.sample_data
        if any(s.role == "support" for s in comp.statements):
            supported += 1
            caveat = len(LOCAL_CAVEAT["zh"]) if o.sample_data else 0
            assert sum(len(s.quote) for s in comp.statements) + caveat <= OVERVIEW_BUDGET, o.id
        _verbatim(comp, index)
    assert supported  # the budget leaves room for a short passage


def test_an_overview_quotes_which_region_its_guide_follows_and_the_caveat_says_the_rest(catalog):
    """A sample guide's note says which region's practice it describes, then that materials, time limits and channels
    differ by place — what the one-line caveat of every other answer says in fewer words (in English 104 characters
    against 77, of an overview's 600). The overview quotes the region and closes with the caveat line."""
    from assistant.composer import LOCAL_CAVEAT

    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("newborn")
    assert o.sample_data
    for lang, key, ask in (("zh-Hans", "zh", Ask(what_is=True, text="新生儿出生一件事是什么")),
                           ("en", "en", Ask(what_is=True, text="what is the newborn birth bundle?"))):
        comp = composer.compose(o, ask, [], lang=lang)
        [note] = [s.quote for s in comp.statements if s.role == "note"]
        region = o.en.region if key == "en" else o.region
        assert note.endswith(region + ("." if key == "en" else "")), note
        assert "vary by place" not in note and "可能不同" not in note
        text = composer.render(o, comp, lang)
        assert text.splitlines()[-1] == LOCAL_CAVEAT[key] and text.count(LOCAL_CAVEAT[key]) == 1, text
        _verbatim(comp, index)


def test_the_quote_that_answers_comes_first_and_the_answer_stays_short(catalog):
    index = _index(catalog)
    o = catalog.get("retirement")
    faq = next(r for r in index["retirement#faq-1"])
    comp = _composer(catalog, index).compose(o, Ask(["time"], {"退休"}, yes_no=False), [faq])
    assert comp.statements[0].quote == f"办理时限：{o.time_limit}"
    assert sum(len(s.quote) for s in comp.statements if s.role == "support") <= 350
    # The whole answer, its closing lines too (which guide, that practice varies), stays within the budget:
    # "入学报名要多久" gets the time limit and only the supporting quotes that fit (counting quotes alone, 373).
    school = catalog.get("school_enrollment")
    timed = _composer(catalog, index).compose(school, Ask(["time"], set(), yes_no=False), index["school_enrollment#faq-1"][:1])
    assert timed.statements[0].quote.startswith("办理时限")
    marks = 4 * len(timed.statements)  # " [1]" after each quote
    assert len(_composer(catalog, index).render(school, timed, "zh-Hans")) <= 350 + marks
    assert "retirement#time_fees" not in [m.id for m in comp.more]
    # A yes/no question on a topic its FAQ covers leads with that FAQ.
    q, a = o.faqs[0].question, o.faqs[0].answer
    words = {w for w in (q[i:i + 2] for i in range(len(q) - 1)) if w in faq.text}
    yes = _composer(catalog, index).compose(o, Ask([], words, yes_no=True), [faq])
    assert yes.statements[0].citation.source_id == "retirement#faq-1" and a in yes.statements[0].quote


def test_a_specific_answer_starts_with_its_answer_and_names_the_guide_after_it(catalog):
    index = _index(catalog)
    composer, o = _composer(catalog, index), catalog.get("retirement")
    for lang, name in (("zh-Hans", o.name), ("en", o.name_en)):
        comp = composer.compose(o, Ask(["time"], set()), [], lang=lang)
        text = composer.render(o, comp, lang)
        assert text.startswith(comp.statements[0].quote), text
        assert name in text.splitlines()[-2 if comp.caveat else -1], text
        overview = composer.compose(o, Ask([], set(), what_is=True), [], lang=lang)
        lines = composer.render(o, overview, lang).splitlines()
        # An overview is introduced by the bundle's name, once: the summary opens with it.
        assert overview.overview and lines[0].startswith(name) and lines[0] != f"{name}:", lines[:2]
        # Once a conversation: a follow-up on the same bundle does not name its guide again.
        again = composer.compose(o, Ask(["materials"], set()), [], lang=lang, shown=set(comp.shown_keys()))
        assert again.statements and name not in composer.render(o, again, lang)


def test_a_yes_no_question_about_one_item_of_a_long_list_gets_that_item(catalog):
    index = _index(catalog)
    composer, o = _composer(catalog, index), catalog.get("retirement")
    question = "my employer went bust. can i still retire on time?"
    whole = catalog.section("retirement", "eligibility", "en").text
    assert len(whole) > 350  # the English list of conditions: too long for a specific answer
    yes_no = composer.compose(o, Ask(["eligibility"], {"employer", "retire"}, yes_no=True, text=question), [], lang="en")
    lead = yes_no.statements[0].quote
    assert "employer's agreement" in lead and len(lead) < 350 and lead in whole
    _verbatim(yes_no, index)
    # Asked for the list itself, the list comes whole.
    listed = composer.compose(o, Ask(["eligibility"], {"conditions"}, text="what are the conditions?"), [], lang="en")
    assert listed.statements[0].quote == whole


def test_an_faq_asking_the_same_leads_any_kind_of_question_unless_a_service_answers_it(catalog):
    index = _index(catalog)
    o = catalog.get("elderly_welfare")
    n, faq = next((n, f) for n, f in enumerate(o.faqs, 1) if "多大年龄" in f.question)
    passages = index[f"elderly_welfare#faq-{n}"] + index["elderly_welfare#eligibility"]
    # Not a yes/no question: its topic (老人, 高龄) and what it asks (the age) are the FAQ's own question's.
    comp = _composer(catalog, index).compose(
        o, Ask(["eligibility"], {"老人", "岁数", "高龄", "奶奶"}, asked=frozenset({"eligibility"}),
               text="我奶奶今年82了，老人多大岁数开始能领高龄补贴"), passages)
    assert comp.statements[0].citation.source_id.startswith(f"elderly_welfare#faq-{n}")
    assert faq.answer in "".join(s.quote for s in comp.statements[:2])
    # The same topic asking something else (the materials) is not answered by that FAQ.
    other = _composer(catalog, index).compose(
        o, Ask(["materials"], {"老人", "高龄"}, asked=frozenset({"materials"}), text="老人领高龄补贴要带什么"), passages)
    assert not other.statements[0].citation.source_id.startswith(f"elderly_welfare#faq-{n}")
    _verbatim(comp, index)


def test_whether_services_are_done_together_is_decided_by_the_list_unless_an_faq_asks_the_same(catalog):
    """"户口和医保能一起办吗": an FAQ whose answer names 医保 but whose question is about the age limit does
    not decide it (the services list does); an FAQ asking the same in its own question does."""
    index = _index(catalog)
    composer = _composer(catalog, index)

    def lead(one_thing: str, faq_question: str, words: set[str]) -> str:
        o = catalog.get(one_thing)
        n = next(i for i, f in enumerate(o.faqs, 1) if f.question == faq_question)
        faq = index[f"{one_thing}#faq-{n}"][0]
        assert sum(w in faq.text for w in words) >= 2  # it shares the question's words, in its answer at least
        comp = composer.compose(o, Ask(["services"], words, yes_no=True, asked=frozenset({"services"}),
                                      text="户口和医保能一起办吗"), [faq])
        return comp.statements[0].citation.source_id

    assert lead("newborn", "孩子超过1周岁还能用一件事办吗？", {"孩子", "户口", "医保"}) == "newborn#services"
    assert lead("veteran_retirement", "户口和医保能跟报到一起办吗？", {"户口", "医保", "报到"}).startswith(
        "veteran_retirement#faq-")


def test_a_follow_up_does_not_repeat_what_the_conversation_has_shown(catalog):
    from assistant.composer import shown_key

    index = _index(catalog)
    o = catalog.get("newborn")
    composer = _composer(catalog, index)
    first = composer.compose(o, Ask(what_is=True), [])
    shown = set(first.shown_keys())
    assert any(s.role == "note" for s in first.statements)  # the overview quotes which region the guide follows
    again = composer.compose(o, Ask(), [], shown=shown)
    assert not again.statements and "上面已经介绍过" in composer.render(o, again, "zh-Hans")
    time = composer.compose(o, Ask(["time"]), [], shown=shown)
    assert time.statements and not any(shown_key(s.citation.source_id, s.quote) in shown for s in time.statements)
    assert "各地做法可能不同" not in composer.render(o, time, "zh-Hans")  # the caveat was given once already
    fresh = composer.compose(o, Ask(["time"]), [])
    assert not any(s.role == "note" for s in fresh.statements) and "各地做法可能不同" in composer.render(o, fresh, "zh-Hans")


def test_a_lead_shown_before_is_quoted_again_only_as_the_part_that_answers_now(catalog):
    """"父母的身份证要带吗" after the materials list: its 身份证 line, not the list again (unless the list is what is
    asked again); an FAQ shown before leads again with its answer only; a short lead (a time limit) is still the
    answer, whole."""
    from assistant.composer import shown_key

    index = _index(catalog)
    o = catalog.get("newborn")
    composer = _composer(catalog, index)
    first = composer.compose(o, Ask(["materials"], text="上户口要带什么材料"), [])
    shown = set(first.shown_keys())
    listed = first.statements[0].quote
    again = composer.compose(o, Ask(["materials"], {"身份证"}, yes_no=True, text="父母的身份证要带吗"), [], shown=shown)
    _verbatim(again, index)
    lead = again.statements[0]
    assert lead.role == "lead" and "身份证" in lead.quote and lead.quote in listed and len(lead.quote) < 60
    assert not any(shown_key(s.citation.source_id, s.quote) in shown for s in again.statements)
    # Asked for the list again ("那材料呢"), the list again: not its heading alone, which names the materials and
    # lists none.
    relisted = composer.compose(o, Ask(["materials"], text="那材料呢"), [], shown=shown).statements[0].quote
    assert relisted == listed, relisted

    from assistant.composer import Citation, Composition, Statement

    def recalled(source_id: str, question: str) -> list[str]:
        rec = index[source_id][0]
        comp = Composition(statements=[Statement("faq", rec.text, Citation(rec.chunk_id, rec.title, rec.text))])
        composer._recall(comp, question, {shown_key(rec.chunk_id, rec.text)})
        return [st.quote for st in comp.statements]

    answer = "答：长三角等已开通跨省通办的地区可以一次申请；其他地区请先咨询户籍地政务服务中心，必要时分别办理出生医学证明和落户。"
    assert recalled("newborn#faq-1", "那外省出生的能一起办吗") == [answer]
    time_limit = index["retirement#time_fees"][0].text
    assert len(time_limit) <= 120 and recalled("retirement#time_fees", "那要多久") == [time_limit]  # still the answer
    # An English follow-up sharing no word with any line gets the list again, not a line sharing two letters with it
    # ("Which office issues it?" and "Medical insurance benefits for retirees…" share "ic", "ce", "is").
    services = index["retirement#services@en"][0].text
    assert len(services) > 120 and recalled("retirement#services@en", "Which office issues it?") == [services]


def test_a_guide_missing_a_part_reports_it(catalog):
    o = catalog.get("newborn")
    o = o.model_copy(update={"channels": o.channels.model_copy(update={"proxy": None})})
    one = Catalog((o,))
    comp = _composer(one, _index(one)).compose(o, Ask(["proxy", "time"]), [])
    assert comp.missing == ["proxy"] and [s.label for s in comp.statements][:1] == ["time"]


def test_parts_are_cut_where_a_section_was_split_into_chunks(catalog):
    """With small chunks, a wanted run of parts spans several chunks: one verbatim quote per chunk."""
    index = _index(catalog, max_chars=40)
    o = catalog.get("newborn")
    chunks = index[f"{o.id}#channels"]
    assert len(chunks) > 1
    comp = _composer(catalog, index).compose(o, Ask(["channels"]), [])
    quotes = [s for s in comp.statements if s.label == "channels"]
    section = catalog.section(o.id, "channels")
    [(start, end)] = section.spans({"online", "offline"})  # where to apply: online and offline
    assert len(quotes) > 1 and [s.citation.source_id for s in quotes] == [r.chunk_id for r in chunks][:len(quotes)]
    assert "".join(s.quote for s in quotes).replace("\n", "") == section.text[start:end].replace("\n", "")
    # Only some parts: each chunk quotes just its share of them.
    ch = o.channels
    proxy = [s for s in _composer(catalog, index).compose(o, Ask(["proxy"]), []).statements if s.label == "proxy"]
    assert "".join(s.quote for s in proxy).replace("\n", "") == f"代办帮办：{ch.proxy}"
    assert len(proxy) > 1 and all(s.quote in {r.chunk_id: r.text for r in chunks}[s.citation.source_id] for s in proxy)
    _verbatim(comp, index)


def test_an_index_older_than_the_guide_quotes_only_what_it_still_says(catalog):
    o = catalog.get("newborn")
    index = _index(catalog)
    [chunk] = index[f"{o.id}#time_fees"]
    stale = Record(chunk.chunk_id, chunk.text.replace(o.fees, "旧的收费说明"), chunk.metadata)
    index[f"{o.id}#time_fees"] = [stale]
    comp = _composer(catalog, index).compose(o, Ask(["time", "fees"]), [])
    assert [s.label for s in comp.statements if s.label in ("time", "fees")] == ["time"]
    assert comp.missing == ["fees"]
    _verbatim(comp, index)


def test_a_long_general_answer_is_cut_to_the_sentences_that_answer():
    from assistant.composer import answering_span

    text = ("住房公积金提取分为多种情形。" * 3 + "租房提取住房公积金，需提供租房合同和本人身份证，每月可提取一次。"
            + "购房提取需要购房合同和发票，办理时间为五个工作日。" * 4 + "离职提取需满半年。" * 5)
    span = answering_span(text, "租房提取公积金要带什么材料", max_chars=80)
    assert span == "租房提取住房公积金，需提供租房合同和本人身份证，每月可提取一次。"
    assert span in text  # verbatim, so it can be cited
    assert answering_span("短的回答。", "随便问问") == "短的回答。"  # a short passage is quoted whole


def _ask(text: str, names: tuple[str, ...] = ()) -> Ask:
    """Ask.of for a question, tokenised as the retriever does (without embedding it)."""
    import jieba

    from knowledge.retrieval import Query
    from knowledge.text import normalize

    n = normalize(text)
    tokens = tuple(t.strip().lower() for t in jieba.lcut_for_search(n) if t.strip())
    return Ask.of(Query(text, n, n, tokens, tokens), names)


def test_what_is_asked_leads_and_what_is_only_mentioned_supports():
    bundled = _ask("宝宝出生后那一堆手续一起办 一般几个工作日能办好")
    assert bundled.aspects == ["time", "services"] and bundled.asked == {"time"}
    assert bundled.leads("time") and not bundled.leads("services")
    # The longer trigger wins: "多少天内要办" is a deadline, not a processing time.
    within = _ask("股东会决议之后多少天内要办")
    assert within.aspects == ["deadline"]
    # Within how long it must be done, in other words: the clock, not how long the office takes.
    for q in ("孩子出生多久内要上户口？", "出生后多久要办户口", "多长时间要年审", "认缴了，什么时候必须实缴？",
              "另外户口要几时之前注销？", "什么时候以前要报到"):
        assert _ask(q).aspects == ["deadline"], q
    for q in ("要多久能办好", "多久能拿到", "需要多长时间", "多久要多少钱才能办", "什么时候能拿到证"):
        assert "deadline" not in _ask(q).aspects, q
    assert _ask("孩子多大以内能领").aspects == ["eligibility"]
    assert _ask("殘疾人證是哪個單位發的？").aspects == ["departments"]
    # English keywords are whole words: "app" is not in "apply"; "fees" is a keyword, not a topic.
    food = _ask("How long does the food business licence take after we apply?")
    assert food.aspects == ["time"] and food.topic_words == {"food", "business", "licence"}
    assert "fees" not in _ask("Do public schools charge tuition fees?").topic_words
    # "How long do we have to …" asks for a deadline, and "what if we are late" for what missing it costs.
    late = _ask("How long do we have to register a newborn's hukou, and what if we are late?")
    assert late.aspects == ["deadline"] and late.leads("deadline")
    assert _ask("What happens if we miss the registration?").aspects == ["deadline"]
    assert "deadline" not in _ask("What if one document is missing?").aspects
    # Nothing in particular asked: every aspect named leads.
    assert _ask("新生儿出生一件事所需材料").leads("materials")


def test_whether_it_is_one_trip_or_one_per_department_is_asking_for_the_services_list():
    for q in ("孩子生下来要上户口、办医保，是不是得一个个窗口去跑", "刻章、弄税务啥的，能不能一趟搞定",
              "公司改了名字，税务、社保那边是不是都得挨个跑去改", "Can we register the birth and get the hukou done with one application?",
              "Do we have to update the tax and social insurance records separately?"):
        assert "services" in _ask(q).aspects, q
    assert "services" not in _ask("我是一个个体户，要交社保吗").aspects  # 一个个 of 一个个体户 is not "one by one"


def test_spoken_function_words_are_no_topic_so_a_bare_aspect_question_is_a_follow_up():
    # jieba glues spoken function words into tokens ("那要", "啥", "那得交"): none says what the question is about.
    for q in ("那要带啥材料？", "那这个得带啥去？", "大概几天能办完", "那得交多少钱", "在哪办"):
        assert _ask(q).topic_words == set(), q
    assert _ask("那社保卡呢").topic_words == {"社保卡"}
    assert {"户口", "我爸"} <= _ask("我爸走了户口咋办").topic_words  # a topic of its own: a new question


def test_english_inflections_and_a_question_after_a_clause():
    assert "eligibility" in _ask("Who qualifies for the nursing care subsidy?").aspects  # qualify → qualifies
    # The yes/no question may follow a clause; "one by one" asks whether one application covers them all.
    changed = _ask("After we change our company name, do I have to go to tax and social insurance one by one?")
    assert changed.yes_no and "services" in changed.aspects
    assert "time" in _ask("啥时候能拿到").aspects
    assert _ask("契税啥时候必须交").aspects == ["deadline"]  # by when it must be paid
    assert "fees" not in _ask("养老金账户里的钱怎么取").aspects and "fees" in _ask("办这个要交钱吗").aspects
    # English says what the Chinese keywords say: 多快 / how quickly, 多少钱 / how much, 后补 / hand in later.
    assert _ask("How quickly is the application processed?").aspects[0] == "time"
    assert _ask("How much does it cost?").aspects == ["fees"]
    assert "tolerance" in _ask("Can the death certificate be handed in later?").aspects
    # A document that may come later is a question of 容缺; the materials list it names only supports.
    for q in ("My dad passed away. Can the death certificate be handed in later?", "死亡证明能后补吗"):
        assert _ask(q).aspects == ["tolerance", "materials"] and not _ask(q).leads("materials"), q
    assert _ask("How many working days does the whole process take?").aspects == ["time"]  # as 全流程要几天
    assert _ask("What is the processing time?").aspects == ["time"]  # "processing" holds "process": no steps to drop
    assert _ask("How much time do we have to register?").aspects == ["deadline"]  # the longer keyword wins
    assert _ask("Can my son apply for my dibao on my behalf?").aspects == ["proxy"]  # not only "on behalf"


def test_english_words_match_a_passage_whatever_their_ending():
    from assistant.composer import _mentions
    from knowledge.text import tokenize

    assert _mentions("Can a flexibly employed person apply online?", "employer")  # employ
    assert _mentions("The fee is waived.", "fees") and _mentions("Registering the birth", "register")
    assert not _mentions("Proof of identity", "id")  # a whole word, not a prefix
    assert _mentions("You may retire early", "earli")  # a topic word is a stem already ("earli" stems to "ear")
    assert tokenize("Registering fees") == tokenize("register fee") == ["regist", "fee"]  # BM25 alike


def test_english_asks_in_its_question_sentence_and_the_story_around_it_only_mentions():
    # "fee" is in the story, not the question: the channels lead, the fees do not.
    story = _ask("I've been freelancing for years and paid the fee for my own pension contributions, no employer. "
                 "Who files my retirement application - can I do it online by myself?")
    assert story.leads("channels") and not story.leads("fees") and "fees" in story.aspects
    assert story.yes_no  # "… - can I do it online by myself?": a yes/no question after a dash
    assert _ask("We pay our staff monthly. How much does the card cost?").leads("fees")
    # A yes/no question after a sentence of its own; which body issues it; how many days one has.
    assert _ask("We're hiring an engineer from Germany. Can he be registered for social insurance?").yes_no
    assert _ask("Which organisation actually issues the certificate?").aspects[0] == "departments"
    assert _ask("Once we arrive, how many days do we have to register there?").aspects == ["deadline"]
    # Having to go back to where one's hukou or file is: the cross-province part answers it.
    assert "cross_province" in _ask("Can I sort out her paperwork without travelling back?").aspects


def test_spoken_yes_no_ending_and_going_back_to_the_hometown():
    back = _ask("户口要从河南老家迁到杭州，还得回老家派出所开迁移证不")
    assert back.yes_no and "cross_province" in back.aspects
    assert _ask("公司要从合肥搬到上海，得先回合肥把档案调出来吗").aspects == ["cross_province"]
    assert _ask("户口不在这边，能在这边申请救助不").yes_no
    assert not _ask("材料交了以后等通知").yes_no


def test_what_is_this_bundle_in_english_and_when_is_not_what():
    # Every English bundle name ends in "bundle": the word is the topic, not a request for the services list.
    what = _ask("What is the Newborn birth bundle?")
    assert what.what_is and "services" not in what.aspects
    assert "services" in _ask("Which services does the Newborn birth bundle include?").aspects
    # "是什么时候" asks when something happens, not what the bundle is.
    assert not _ask("新生儿医保是什么时候开始算的").what_is
    assert _ask("新生儿出生一件事是什么").what_is and _ask("这个一件事是啥").what_is


def test_the_bundles_own_name_is_its_topic_not_an_aspect_asked(catalog):
    """异地 in 异地就医备案 is no question about other provinces, nor "procedures" in the retirement bundle's English name a
    question about its steps: named, the bundle is what is asked about."""
    from assistant.aspects import own_names

    medical, retirement = catalog.get("cross_region_medical"), catalog.get("retirement")
    assert _ask("异地就医备案一件事是什么？").aspects  # read without the names, the name asks something
    what = _ask("异地就医备案一件事是什么？", own_names(medical))
    assert what.what_is and what.aspects == []
    assert _ask(f"What is the {retirement.name_en}?", own_names(retirement)).aspects == []
    # What is asked beside the name still is.
    assert _ask("异地就医备案要带什么材料？", own_names(medical)).aspects == ["materials"]
    assert "cross_province" in _ask("异地就医备案能跨省通办吗？", own_names(medical)).aspects
    # A keyword that reaches past the name asks: "如何申请" in "如何申请低保" (an alias: 申请低保).
    assert _ask("如何申请低保", own_names(catalog.get("hardship_assistance"))).aspects == ["steps"]


def test_a_list_quotes_the_item_closest_to_the_question(catalog):
    index = _index(catalog)
    o = catalog.get("newborn")
    comp = _composer(catalog, index).compose(o, _ask("新生儿出生一件事最晚多久之内要去落户？"), [])
    lead = comp.statements[0]
    assert lead.citation.source_id.startswith("newborn#deadlines")
    assert "出生后1个月内" in lead.quote and "医疗保险" not in lead.quote  # not the other deadlines
    _verbatim(comp, index)


def _about_newborn_service(catalog, index, name_part: str, question: str):
    """The newborn bundle, its service whose name holds `name_part`, and the composition for `question`
    when retrieval found that service's passage."""
    o = catalog.get("newborn")
    service = next(s for s in o.services if name_part in s.name)
    passage = index[f"newborn#svc-{service.id}"][0]
    return o, service, _composer(catalog, index).compose(o, _ask(question), [passage])


def test_a_question_about_one_service_leads_with_that_services_part(catalog):
    index = _index(catalog)
    o, service, comp = _about_newborn_service(catalog, index, "社会保障卡", "新生儿的社保卡要多久能办好")
    lead = comp.statements[0]
    assert lead.citation.source_id.startswith(f"newborn#svc-{service.id}") and lead.label == "service"
    assert lead.quote.startswith("办理时限") and service.time_limit in lead.quote
    # The bundle's own time limit supports it; the rendered answer says which service the part is of.
    assert any(s.quote == f"办理时限：{o.time_limit}" for s in comp.statements[1:])
    assert f"{service.name} — 办理时限" in _composer(catalog, index).render(o, comp, "zh-Hans")
    _verbatim(comp, index)


def test_which_department_handles_a_service_is_that_services_own_line(catalog):
    index = _index(catalog)
    _, service, comp = _about_newborn_service(catalog, index, "社会保障卡", "新生儿社会保障卡是哪个部门发的")
    lead = comp.statements[0]
    assert lead.citation.source_id.startswith(f"newborn#svc-{service.id}") and service.department in lead.quote
    assert len(lead.quote) < 120  # the service's line, not the bundle's whole list of services
    _verbatim(comp, index)


def test_a_list_that_mostly_repeats_the_lead_is_not_quoted_again(catalog):
    """"上户口要带什么材料": the registration's own materials lead; the bundle's materials list, which names
    most of the same documents again, is left out rather than shown as a second list."""
    index = _index(catalog)
    _, service, comp = _about_newborn_service(catalog, index, "出生登记", "孩子出生了，上户口要带什么材料")
    lead = comp.statements[0]
    assert lead.citation.source_id.startswith(f"newborn#svc-{service.id}") and "所需材料" in lead.quote
    assert not any(s.quote.startswith("所需材料（") for s in comp.statements[1:]), [s.quote for s in comp.statements]
    _verbatim(comp, index)


def _lead(catalog, bundle: str, retrieved: list[str], question: str, lang: str = "zh-Hans"):
    """The first statement composed for `question` when retrieval found the first chunks of `retrieved` (in
    that order); the composition's quotes are checked to be verbatim."""
    index = _index(catalog)
    passages = [index[source_id][0] for source_id in retrieved]
    comp = _composer(catalog, index).compose(catalog.get(bundle), _ask(question), passages, lang=lang)
    _verbatim(comp, index)
    return comp.statements[0]


def test_a_condition_stated_of_one_service_is_supported_by_that_services_conditions(catalog):
    """"我妈65岁了，高龄补贴怎么领": the allowance's steps lead, and its own conditions ("多地为80周岁以上") come next,
    not the bundle's eligibility for all of its subsidies, which never says the allowance's age line."""
    index = _index(catalog)
    retrieved = ["elderly_welfare#svc-longevity_allowance", "elderly_welfare#eligibility", "elderly_welfare#steps",
                 "elderly_welfare#channels"]
    passages = [index[sid][0] for sid in retrieved]
    comp = _composer(catalog, index).compose(catalog.get("elderly_welfare"), _ask("我妈65岁了，高龄补贴怎么领"), passages)
    _verbatim(comp, index)
    lead, support = comp.statements[0], next(s for s in comp.statements if s.role == "support")
    assert lead.citation.source_id.startswith("elderly_welfare#svc-longevity_allowance") and "步骤" in lead.quote, lead
    assert support.citation.source_id.startswith("elderly_welfare#svc-longevity_allowance"), support
    assert "80周岁以上" in support.quote, support
    assert not any(s.citation.source_id.startswith("elderly_welfare#eligibility") for s in comp.statements)


def test_who_may_use_the_joint_service_is_decided_by_its_faq_not_the_services_list(catalog):
    """"这种开餐饮店的联办我也能用吗" names the joint service (联办) as a whole and joins nothing: the FAQ asking whether a
    个体户 may use it answers, not the list of what it bundles. Things done together still get the list first."""
    retrieved = ["open_restaurant#faq-6", "open_restaurant#services"]
    lead = _lead(catalog, "open_restaurant", retrieved, "我只是个体户，没有开公司，这种开餐饮店的联办我也能用吗？")
    assert lead.citation.source_id == "open_restaurant#faq-6", lead
    lead = _lead(catalog, "open_restaurant", retrieved, "个体户的执照和食品经营许可能一起办吗？")
    assert lead.citation.source_id == "open_restaurant#services", lead


def test_whether_something_happens_is_decided_by_an_faq_not_by_a_services_parts(catalog):
    """Asked whether the family must go to the police station or the hukou is cancelled by itself, the
    cancellation service names one word more than the FAQ that says the police station cancels it from the
    shared death details; the service's department and materials do not answer yes or no, the FAQ does."""
    ids = ["after_death#svc-hukou_cancellation@en", "after_death#faq-5@en"]
    q = "My mother died last week. Do we have to go to the police station to cancel her hukou, or is it automatic?"
    lead = _lead(catalog, "after_death", ids, q, lang="en")
    assert lead.citation.source_id.startswith("after_death#faq-5@en") and "shared death details" in lead.quote, lead
    # A choice in the last clause asks the same in Chinese.
    assert _ask("户口要我们去派出所销吗，还是自动注销").yes_no and _ask("医保是自动办的还是要自己去办").yes_no
    assert not _ask("户口注销要带什么材料").yes_no


def test_a_follow_up_naming_nothing_is_not_answered_with_the_last_answer_again(catalog):
    """"我老伴也要单独办吗" shares no word with any passage; retrieval's top one (the bundle's "no longer needed"
    list) was quoted in the last answer, so the next on-topic passage leads instead of the same list again."""
    from assistant.composer import shown_key

    index = _index(catalog)
    composer, o = _composer(catalog, index), catalog.get("cross_region_medical")
    top, faq = index["cross_region_medical#replaced"][0], index["cross_region_medical#faq-6"][0]
    ask = _ask("我老伴也要单独办吗")
    first = composer.compose(o, ask, [top, faq])
    assert first.statements[0].citation.source_id == top.chunk_id, first.statements[0]
    shown = {shown_key(top.chunk_id, s.quote) for s in first.statements if s.citation.source_id == top.chunk_id}
    again = composer.compose(o, ask, [top, faq], shown=shown)
    assert again.statements and all(shown_key(s.citation.source_id, s.quote) not in shown for s in again.statements)
    assert again.statements[0].citation.source_id == faq.chunk_id, again.statements[0]
    _verbatim(again, index)


def test_a_word_the_guide_does_not_use_is_read_without_its_head_character(catalog):
    """"丧葬费去哪儿领": the guide says 丧葬补助金, never 丧葬费; read as 丧葬, the word finds the service that
    pays it, whose own channels answer — not the bundle's list of windows."""
    lead = _lead(catalog, "after_death", ["after_death#svc-hukou_cancellation",
                                          "after_death#svc-pension_survivor_benefits"], "丧葬费去哪儿领啊")
    assert lead.citation.source_id.startswith("after_death#svc-pension_survivor_benefits"), lead.citation.source_id
    assert "社会保险经办窗口" in lead.quote


def test_only_a_three_character_word_is_read_without_its_head_character(catalog, fast_assistant):
    """A longer compound cut by one character is no word: "公司注销" read as "公司注" found "公司注册后一直没开业…" and made
    that FAQ share two words with "公司注销后还能用原来的名字再注册吗"."""
    index = _index(catalog)
    passages = [index["enterprise_deregistration#faq-1"][0]]
    o = catalog.get("enterprise_deregistration")
    query = fast_assistant.retriever.prepare("公司注销后还能用原来的名字再注册吗", embed=False)  # as the engine reads it
    assert "公司注销" in query.tokens
    words = _composer(catalog, index)._topic_words(o, Ask.of(query), "zh", passages)
    assert "公司注" not in words and "名字" in words, words


def test_the_service_naming_most_of_the_question_answers_it_whatever_its_rank(catalog):
    """A migrant family asking what to bring: retrieval ranks the registration service first, but the
    residence-permit check names their situation (随迁子女) and its own materials answer them."""
    lead = _lead(catalog, "school_enrollment", ["school_enrollment#svc-online_registration",
                                                "school_enrollment#svc-residence_permit_verification"],
                 "我们是随迁子女家庭，在这边报名要带什么材料")
    assert lead.citation.source_id.startswith("school_enrollment#svc-residence_permit_verification"), lead.citation.source_id
    assert "所需材料" in lead.quote


def test_a_service_heads_its_parts_once(catalog):
    """Two parts of one service in a row (its materials, then its steps; or a list cut where its section was
    split into chunks) are headed by the service's name once."""
    from assistant.composer import Citation, Composition, Statement

    o = catalog.get("newborn")
    service = o.services[0]
    title = f"{o.name} · {service.name}"
    parts = ["所需材料：\n- 出生医学证明", "办理步骤：\n1. 提交申请"]
    comp = Composition([Statement("service", q, Citation(f"newborn#svc-{service.id}", title, q)) for q in parts])
    text = _composer(catalog, {}).render(o, comp, "zh-Hans")
    assert text.count(service.name) == 1 and text.startswith(f"{service.name} — 所需材料"), text


def test_an_faq_asking_the_same_of_the_questions_only_topic_word_leads(catalog):
    """"And how long is it valid?" after a question on the food licence: one topic word (valid), and the FAQ
    that asks how long the licence is valid answers it, not the bundle's processing time."""
    index = _index(catalog)
    faq = next(k for k in index if k.startswith("open_restaurant#faq-") and "有效期" in index[k][0].text.split("答")[0])
    lead = _lead(catalog, "open_restaurant", [faq, "open_restaurant#svc-food_business_licence"], "那有效期是多久")
    assert lead.citation.source_id.startswith(faq), lead.citation.source_id


def test_of_faqs_sharing_as_many_words_the_one_asking_what_is_asked_decides(catalog):
    """A yes/no question asking the fee: retrieval ranks an FAQ on other websites first, but an FAQ on the topic
    that asks about paying shares as many words and answers it. (The story in the FAQ's own question about paid
    deletion names the fee only outside its sentence ending in "?", so none asks it: the fee part answers.)"""
    q = "An agency says it can delete our record from Credit China for 5k RMB. Does the official repair cost money?"
    lead = _lead(catalog, "credit_repair", ["credit_repair#faq-4@en", "credit_repair#faq-5@en"], q, lang="en")
    assert not lead.citation.source_id.startswith("credit_repair#faq-4@en"), lead.citation
    assert "free of charge" in lead.quote, lead.quote
    asking = "Does the official credit repair cost money? An agency wants 5k RMB."
    assert _lead(catalog, "credit_repair", ["credit_repair#faq-4@en", "credit_repair#faq-5@en"], asking,
                 lang="en").citation.source_id.startswith(("credit_repair#faq-5@en", "credit_repair#time_fees@en"))


def test_how_long_it_takes_and_within_how_long_are_the_same_question_for_an_faq(catalog):
    """"最多可以拖多久" reads as a time question, the FAQ "多久之内要处理好？" as a deadline one: they ask the same."""
    lead = _lead(catalog, "credit_repair", ["credit_repair#faq-7", "credit_repair#svc-abnormal_list_removal"],
                 "公司被列入经营异常名录，最多可以拖多久处理")
    assert lead.citation.source_id.startswith("credit_repair#faq-7"), lead.citation.source_id


def test_how_long_something_stays_valid_asks_when_to_renew_not_how_long_it_takes():
    for q in ("How long is the food business licence valid?", "食品经营许可证有效期多久？", "備案有效期多長時間"):
        assert _ask(q).aspects == ["deadline"] and _ask(q).asked == {"deadline"}, q
    assert _ask("How long does the food business licence take after we apply?").aspects == ["time"]


def test_how_long_something_lasts_asks_its_validity_without_a_time_word(catalog):
    """"那证能管几年" names no time word and nothing a passage names: the guide's one FAQ on how long something
    stays valid answers it; a question naming what it asks about ("健康证能管几年") is answered by the passages
    naming it."""
    assert _ask("那证能管几年").aspects == ["deadline"] and _ask("那证能管几年").asked == {"deadline"}
    index = _index(catalog)
    faq = next(k for k in index if k.startswith("open_restaurant#faq-") and "有效期" in index[k][0].text.split("答")[0])
    health = next(k for k in index if k.startswith("open_restaurant#faq-") and "健康证" in index[k][0].text.split("答")[0])
    ids = [health, "open_restaurant#svc-food_business_licence", faq]
    assert _lead(catalog, "open_restaurant", ids, "那证能管几年").citation.source_id.startswith(faq)
    assert not _lead(catalog, "open_restaurant", ids, "健康证能管几年").citation.source_id.startswith(faq)


def test_other_words_for_what_to_bring_and_for_going_in_person():
    assert _ask("要带哪些东西").asked == {"materials"} and _ask("得拿什么去").asked == {"materials"}
    assert "channels" in _ask("Do I need to go to the social security office in person to apply?").asked
    assert "channels" in _ask("必须本人亲自去吗").aspects


def test_retrievals_best_faq_asking_what_is_asked_leads_before_a_service_naming_more_words(catalog):
    """An administrator asks how soon the joint check's results come back. The enterprise-registration service
    names more of the question's words (administrator, joint, check, results) and its time limit says only
    "with the joint check"; retrieval's best passage, the FAQ asking how soon the results come, answers it."""
    q = "As the administrator, we sent in the joint check online. How soon will we have the results?"
    lead = _lead(catalog, "bankruptcy_info_check", ["bankruptcy_info_check#faq-3@en",
                                                    "bankruptcy_info_check#svc-enterprise_registration_query@en"],
                 q, lang="en")
    assert lead.citation.source_id.startswith("bankruptcy_info_check#faq-3@en"), lead.citation
    # A licence's processing time is not answered by the FAQ on how long the licence stays valid.
    faq = next(k for k in _index(catalog) if k.startswith("open_restaurant#faq-") and k.endswith("@en")
               and "valid" in _index(catalog)[k][0].text.split("A:")[0])
    lead = _lead(catalog, "open_restaurant", [faq, "open_restaurant#svc-food_business_licence@en"],
                 "How long does the food business licence take after we apply?", lang="en")
    assert lead.citation.source_id.startswith("open_restaurant#svc-food_business_licence@en"), lead.citation


def test_a_service_is_quoted_by_its_department_not_its_whole_first_line(catalog):
    """A service's first line runs to ~430 characters in English ("… (department: …; part of the … bundle (…))");
    the lead quotes only the department it names, and a follow-up on the same service does not repeat it."""
    from assistant.composer import shown_key

    index = _index(catalog)
    q = "A foreign engineer joins us next month. What does HR need for his employee medical insurance?"
    sid = "employee_recruitment#svc-employee_medical_insurance@en"
    comp = _composer(catalog, index)
    got = comp.compose(catalog.get("employee_recruitment"), _ask(q), [index[sid][0]], lang="en")
    _verbatim(got, index)
    head, *rest = got.statements
    assert head.quote.startswith("department: ") and len(head.quote) < 80 and "part of the" not in head.quote, head.quote
    assert rest and rest[0].quote.startswith("Required documents"), rest[0].quote
    text = comp.render(catalog.get("employee_recruitment"), got, "en")
    assert text.startswith("Registration for basic medical insurance for employees — department: "), text[:120]
    shown = {shown_key(head.citation.source_id, head.quote)}
    again = comp.compose(catalog.get("employee_recruitment"), _ask("And what are the steps for that registration?"),
                         [index[sid][0]], lang="en", shown=shown)
    assert again.statements and all(s.quote != head.quote for s in again.statements)


def test_an_faq_on_how_long_a_licence_stays_valid_does_not_answer_how_long_it_takes_to_get():
    """"多久能批下来" asks a time, "有效期多久" a deadline; FAQs asking either answer a question of the other
    (最多拖多久 / 多久之内), but not when only the FAQ asks how long something stays valid."""
    catalog = Catalog.from_dir(DEFAULT_GUIDES_DIR)
    index = _index(catalog)
    faq = next(k for k in index if k.startswith("open_restaurant#faq-") and "有效期" in index[k][0].text.split("答")[0])
    lead = _lead(catalog, "open_restaurant", [faq, "open_restaurant#svc-food_business_licence"], "开个小饭馆，食品经营许可证多久能批下来")
    assert not lead.citation.source_id.startswith(faq), lead.quote
    lead = _lead(catalog, "open_restaurant", [faq, "open_restaurant#svc-food_business_licence"], "那食品经营许可证有效期多久")
    assert lead.citation.source_id.startswith(faq), lead.quote


def test_what_getting_a_certificate_costs_is_answered_by_the_fee_not_by_an_faq_on_something_else(catalog):
    """"certificate" names the document here, not the list of materials; and of the FAQs sharing the question's
    words none asks the fee, so the guide's fee part answers rather than the FAQ on applying in another province."""
    q = "Does getting a disability certificate cost anything?"
    assert _ask(q).asked == {"fees"} and "materials" in _ask(q).aspects
    assert _ask("开证明要钱吗").asked == {"fees"} and _ask("办残疾证要带什么证明材料，要多久").asked == {"materials", "time"}
    # So do how, where and who issues it: "How do I get a disability certificate?" asks the steps (it got 1,072
    # characters of materials lists), "这个证明去哪弄" where.
    assert _ask("How do I get a disability certificate?").asked == {"steps"}
    assert _ask("Which organisation issues the disability certificate?").asked == {"departments"}
    assert _ask("这个证明去哪弄").asked == {"channels"}
    lead = _lead(catalog, "disability_services", ["disability_services#faq-3@en",
                                                  "disability_services#svc-disability_certificate@en"], q, lang="en")
    assert lead.quote.startswith("Fees: ") and "disability certificate" in lead.quote, lead.quote


def test_an_office_in_the_story_does_not_ask_where_to_go():
    """"our Shenzhen office", "its registered office": English stories name offices far more often than they ask
    where to apply; such a question asks nothing of the channels ("which office" asks for the department)."""
    q = "A foreign designer is joining our Shenzhen office. What does HR need for his employee medical insurance?"
    assert "channels" not in _ask(q).aspects
    assert "departments" in _ask("Which office handles changing the operator on the licence?").aspects


def test_an_english_story_names_the_situation_the_question_hangs_on_not_its_documents_or_fees():
    """When the sentence ending in "?" names no aspect, of the story's only the asker's situation counts."""
    assert _ask("We lost his vaccination certificate when we moved. Can he still start school?").aspects == []
    born = _ask("My child was born in another province. Can I still use the newborn birth one-thing service?")
    assert born.aspects == ["cross_province"]
    # A question naming an aspect keeps the story's as mentioned; with no sentence ending in "?", all count.
    assert _ask("I pay my own contributions. Can I do it online?").asked == {"channels"}
    assert _ask("documents for newborn registration").aspects == ["materials"]


def test_a_few_days_of_the_askers_own_are_no_question_of_time():
    """"我在深圳上班回不去几天…能在网上帮着弄不" asks whether it can be done online, not how long it takes."""
    assert "time" not in _ask("我在深圳上班回不去几天，后面那些手续我能在网上帮着弄不").aspects
    assert "time" not in _ask("只能请几天假，手续交给谁办").aspects
    assert _ask("办下来要几天").asked == {"time"} and _ask("大概几天能办完").asked == {"time"}


def test_the_citizens_word_finds_the_guides_word_for_the_same_thing():
    """"他的退休金还在照发" is about the 养老金 of the FAQ "老人去世后养老金多发了要退吗？"; 医保 is left to itself (every newborn
    passage names 医疗保险 or 医保, and matching both moved a newborn answer to the wrong FAQ)."""
    from assistant.composer import _mentions

    assert _mentions("问：老人去世后养老金多发了要退吗？", "退休金") and _mentions("问：老人去世后养老金多发了要退吗？", "过世")
    assert _mentions("申请最低生活保障的条件", "低保") and _mentions("换法定代表人需要准备哪些材料", "法人")
    assert not _mentions("城乡居民基本医疗保险参保登记", "医保") and not _mentions("办理社会保障卡", "退休金")
    # "我想早点退休，可以吗" asks the FAQ "能自己选择提前或推迟退休吗？".
    assert _mentions("问：能自己选择提前或推迟退休吗？", "早点")


def test_a_missed_time_limit_is_a_deadline_question():
    """"错过了网上报名怎么办" and "We missed the online sign-up. Is there any way…?" hang on what happens when the
    time limit is missed: the guide's deadlines say (a later round, a place arranged by the education bureau)."""
    assert "deadline" in _ask("错过了网上报名怎么办").aspects and "deadline" in _ask("没赶上落户期限咋整").aspects
    assert "deadline" in _ask("My wife missed the online sign-up window. Is there any way to still get him a place?").aspects
    assert "deadline" not in _ask("Some documents are missing. Can I bring them later?").aspects
    # Having missed it asks what now: the deadline leads, not where to register online.
    assert _ask("错过了网上报名怎么办").asked == {"deadline"}


def test_a_qualification_certificate_is_a_document_not_a_question_of_who_qualifies():
    """"从业资格证几年要换一次" asks when to renew a document: the FAQ "驾驶员还没有从业资格证怎么办？" does not ask it
    (both read as eligibility questions, and that FAQ led instead of the renewal deadline)."""
    assert _ask("货车司机的从业资格证几年要换一次？要提前多久去换？").aspects == ["deadline"]  # (提前多久: a deadline too)
    assert "eligibility" not in _ask("His qualification certificate expires soon. How early must he renew it?").aspects
    assert _ask("我有没有资格申请").aspects == ["eligibility"] and _ask("Do I qualify?").asked == {"eligibility"}


def test_of_services_naming_as_many_words_the_one_whose_name_is_asked_about_answers(catalog):
    """Retrieval ranks the tax registration's change above a later chunk of the licence's change (its materials,
    without the service's name); both share as many of the question's words, but the question names the
    licence: the licence's own time limit answers."""
    index = _index(catalog)
    passages = [index["enterprise_info_change#svc-tax_info_update"][0],
                index["enterprise_info_change#svc-business_licence_change"][-1]]
    for question in ("公司变更地址后，新的营业执照多久能发下来", "公司信息变更以后，更新后的营业执照多久能拿到"):
        comp = _composer(catalog, index).compose(catalog.get("enterprise_info_change"), _ask(question), passages)
        lead = comp.statements[0]
        assert lead.citation.source_id.startswith("enterprise_info_change#svc-business_licence_change"), question
        assert "办理时限" in lead.quote
        _verbatim(comp, index)


def test_how_long_the_whole_process_takes_is_the_bundles_time_limit_not_one_services(catalog):
    o = catalog.get("start_business")
    for question in ("开公司全流程一共要几天", "How many working days does the whole process of setting up a company take?"):
        lang = "en" if question.isascii() else "zh-Hans"
        suffix = "@en" if lang == "en" else ""
        lead = _lead(catalog, "start_business", [f"start_business#svc-business_registration{suffix}"], question, lang)
        assert lead.citation.source_id.startswith("start_business#time_fees"), (question, lead.citation.source_id)
    # Where all of it is done in one go is where the bundle is applied for, not one service's window.
    lead = _lead(catalog, "newborn", ["newborn#svc-birth_registration@en"],
                 "My wife will give birth at a hospital next month. Where do we start all the baby paperwork in one go?", "en")
    assert lead.citation.source_id.startswith("newborn#channels"), lead.citation.source_id
    # ...and what it includes is no second lead beside the where ("in one go" says for all of it); asked alone, it is.
    where = _ask("Where do we start all the baby paperwork in one go?")
    assert where.leads("channels") and not where.leads("services")
    assert _ask("Which services can we do in one go?").leads("services")
    # One service's time is still that service's ("营业执照要几天能拿到").
    lead = _lead(catalog, "start_business", ["start_business#svc-business_registration"], "营业执照要几天能拿到")
    assert lead.citation.source_id.startswith("start_business#svc-business_registration")
    assert o.time_limit


def test_an_faq_asking_what_is_asked_leads_with_its_answer_alone(catalog):
    """The citizen asked the FAQ's question already: its answer leads, verbatim, without the question and the
    answer's label; the whole FAQ is not quoted again as support."""
    index = _index(catalog)
    o = catalog.get("after_death")
    faq = next(f for f in o.faqs if "1个月" in f.answer or "一个月" in f.answer)
    source = f"after_death#faq-{o.faqs.index(faq) + 1}"
    comp = _composer(catalog, index).compose(o, _ask("老人在农村去世了，户口最晚多久内要注销？"), [index[source][0]])
    lead = comp.statements[0]
    assert lead.citation.source_id.startswith(source) and lead.quote == faq.answer, lead.quote
    assert not any(faq.question in s.quote for s in comp.statements)
    _verbatim(comp, index)
    # Chosen for sharing the question's words only (a yes/no question asking no aspect), an FAQ keeps its question.
    kept = _composer(catalog, index).compose(o, _ask("老人在农村去世了，户口得去派出所注销吗？"), [index[source][0]])
    assert kept.statements[0].citation.source_id.startswith(source) and faq.question in kept.statements[0].quote


def test_an_faq_answer_opening_with_a_bare_verdict_keeps_its_question(catalog):
    """"可以。…" or "Yes. …" answers the FAQ's own question, which may differ from the citizen's in what decides it."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    bare = [(o, n) for o in catalog for n, f in enumerate(o.faqs, 1) if f.answer.startswith(("可以。", "要。", "需要。", "不用。"))]
    assert bare
    for o, n in bare[:5]:
        blocks = [(r, r.text) for r in index[f"{o.id}#faq-{n}"]]
        assert composer._answer_only(blocks) == blocks, (o.id, n)


def test_what_there_is_to_do_is_asking_for_the_services_list():
    """"老人去世了，要办什么手续" and "证照都要办啥" ask what there is to do: the things one application covers
    (they led with the conditions before)."""
    for q in ("孩子出生了要办什么", "老人去世了，要办什么手续", "打算在家附近开家拉面馆，证照都要办啥", "退休要做哪些事"):
        assert _ask(q).aspects == ["services"], q


def test_working_days_as_taiwan_writes_them_ask_how_long():
    """"幾個工作天可以開通" asks the time, as "几个工作日" does; it read no aspect and got an FAQ on applying at once."""
    for q in ("新店面申請接自來水跟瓦斯，大概幾個工作天可以開通？", "要多少工作天"):
        assert _ask(q).aspects == ["time"], q


def test_how_to_claim_asks_for_the_steps_as_how_do_i_claim_does():
    """"育儿补贴怎么领" asks how to claim it, as "How do we claim the childcare subsidy?" does (the steps); it led with
    the conditions. Where to claim it and how much there is ask something else."""
    for q in ("育儿补贴怎么领", "退休了养老金怎么领", "国家那个补贴咋领", "丧葬补助金如何领取", "How do we claim the childcare subsidy?"):
        assert _ask(q).aspects == ["steps"], q
    assert _ask("丧葬费去哪领").aspects == ["channels"]
    assert "steps" not in _ask("育儿补贴一年能领多少钱").aspects


def test_phrases_naming_the_topic_ask_an_aspect_and_leave_the_topic_a_content_word():
    """"能领什么补贴" asks which benefits there are (the services), "能上门办吗" for 代办 at home, "What licences do we
    need?" for the services; 补贴, 上门 and "licences" still say what the question is about (content words, which the
    decision model counts)."""
    import jieba

    from assistant.aspects import content_words
    from knowledge.retrieval import Query
    from knowledge.text import normalize

    for q, aspect, word in (("我是残疾人，能领什么补贴", "services", "补贴"), ("高龄津贴能上门办吗", "proxy", "上门"),
                            ("What licences do we need?", "services", "licences"), ("户口迁移要交费吗", "fees", "交费")):
        assert _ask(q).aspects == [aspect], q
        n = normalize(q)
        tokens = tuple(t.strip().lower() for t in jieba.lcut_for_search(n) if t.strip())
        assert word in content_words(Query(q, n, n, tokens, tokens)), q


def test_someone_close_sent_to_do_it_asks_for_the_proxy_part():
    """"可以让我女儿去办吗" after a question about a lost card got the bundle overview and its service list: a relative
    sent, or doing it for someone, asks about 代办. A relative who does their own errand ("我妈去办退休要带什么") does not,
    nor does the 请 of 申请 ("爸爸申请还是妈妈申请")."""
    for q in ("可以让我女儿去办吗", "我女儿能帮我去办吗", "叫我儿子替我跑一趟行吗", "我老伴能替我领吗", "我能帮她在网上申请吗",
              "我可以代兒子辦退伍報到嗎"):
        assert "proxy" in _ask(q).aspects, q
    for q in ("我妈去办退休要带什么", "爸爸申请还是妈妈申请", "儿子出生了要办什么"):
        assert "proxy" not in _ask(q).aspects, q
    # English: the asker applying for someone with the thing in between, or helping them with it.
    for q in ("can I apply for my grandma's old-age allowance for her?", "can I help him with the registration paperwork?",
              "can our property management company file the joint application for us?"):
        assert "proxy" in _ask(q).aspects, q
    for q in ("my mum applied for the allowance last year, how long does it take?", "what papers do I need for him to register?"):
        assert "proxy" not in _ask(q).aspects, q


def test_what_happens_when_late_is_the_deadline_not_how_long_it_takes(catalog):
    """"上户口晚了会怎样" asks what happens when the deadline is missed: the FAQ on how long the hukou booklet takes to
    arrive (it names 户口 and asks 多久) led it. Nor is "户口多久之内要上" (within how long) answered by it: the five working
    days the office takes hid the one-month clock. A question of how long it takes still is."""
    retrieved = ["newborn#faq-4", "newborn#services"]
    for q in ("上户口晚了会怎样", "户口多久之内要上", "孩子出生多久内要上户口？"):
        lead = _lead(catalog, "newborn", retrieved, q)
        assert lead.citation.source_id.startswith("newborn#deadlines"), (q, lead)
    lead = _lead(catalog, "newborn", retrieved, "户口簿多久能拿到")
    assert lead.citation.source_id.startswith("newborn#faq-4"), lead


def test_what_happens_past_the_deadline_asks_the_deadline_not_who_qualifies():
    """"公司被列入經營異常名錄，最多可以拖多久處理？超過的話會怎樣？": 超过 is a keyword of who qualifies (超过60岁), so the second
    part asked the conditions, and the answer showed them, not the three-year deadline and what follows when it passes.
    Past the deadline and what then is the deadline; past an age is still who qualifies."""
    for q in ("最多可以拖多久处理？超过的话会怎样？", "过了期限怎么办", "错过了时间会罚款吗"):
        assert "deadline" in _ask(q).aspects and "eligibility" not in _ask(q).aspects, q
    assert _ask("超过60岁了怎么办").aspects == ["eligibility"]


def test_what_to_bring_in_other_words_asks_for_the_materials():
    """"那去派出所上户口得带些啥" asked nothing the keywords knew: after the clarifying question it got an FAQ on a parent
    from another province and the police station's channels, not the birth registration's materials."""
    for q in ("那去派出所上户口得带些啥", "要带上什么", "得准备好哪些"):
        assert "materials" in _ask(q).aspects, q
    assert "materials" not in _ask("能带孩子一起去吗").aspects


def test_how_long_until_it_is_in_hand_asks_the_time_not_a_waiting_period():
    """"開貨運公司，道路運輸經營許可證要多久才能辦下來？" got the permit's conditions: "多久才能" is a waiting period (a condition)
    before something may be done, but not before a result is in hand."""
    for q in ("道路运输经营许可证要多久才能办下来", "换新身份证要多久才能拿到", "水电燃气的户名要多久才能改过来"):
        assert _ask(q).aspects == ["time"], q
    assert _ask("要等多久才能申请信用修复").aspects == ["eligibility"]


def test_something_done_late_asks_for_the_deadline():
    """"what happens if I register the baby's hukou late?" asks the deadline; "my late father" is no deadline."""
    for q in ("what happens if I register the baby's hukou late?", "we signed up late for school, what now?"):
        assert _ask(q).aspects == ["deadline"], q
    assert "deadline" not in _ask("My late father's pension is still being paid. What do we do?").aspects
    # Something not yet done and what it leads to: "孩子出生两个月了还没上户口，会不会有影响" got the conditions first.
    for q in ("孩子出生两个月了还没上户口，会不会有影响", "退休手续拖了半年才办，有影响吗"):
        assert "deadline" in _ask(q).aspects, q
    assert "deadline" not in _ask("户口迁过来对孩子上学有影响吗").aspects


def test_when_a_licence_must_be_renewed_asks_for_the_deadline():
    """"司機嘅從業資格證幾時要去換？" led with how long getting the certificate takes (几时 reads as time); when something
    must be renewed or runs out is its renewal deadline. When a result comes is still the time."""
    for q in ("司机的从业资格证几时要去换？", "健康证什么时候到期", "when does my driver's qualification certificate need renewing?",
              "when does the food business licence expire?"):
        assert _ask(q).aspects == ["deadline"], (q, _ask(q).aspects)
    assert _ask("从业资格证什么时候能办下来").aspects == ["time"]


def test_what_penalty_there_is_asks_for_the_deadline_and_what_missing_it_costs(catalog):
    """"如果被查到让他上岗，要求改正又没改，会罚多少？" named no aspect and got an FAQ on who needs a health certificate; the
    deadline's if-missed line says the fine. A past penalty told ("我们去年被罚了款", "we paid off a fine") asks nothing."""
    for q in ("帮工没办健康证就上班了，会罚多少？", "不按时登记社保会被罚款吗", "is there a penalty for late birth registration",
              "If we still don't register, what fine are we looking at?", "will we be fined if we open before the check?"):
        assert _ask(q).aspects == ["deadline"], (q, _ask(q).aspects)
    for q in ("我们去年被罚了款，信用怎么修复", "we paid off a fine from the market regulator, where do we go?"):
        assert "deadline" not in _ask(q).aspects, q
    lead = _lead(catalog, "open_restaurant", ["open_restaurant#faq-1"], "帮工没办健康证就先上班了，被查到会罚多少？")
    assert lead.label == "deadline" and "5000元以上5万元以下罚款" in lead.quote, lead


def test_something_not_done_in_time_asks_what_missing_the_deadline_costs(catalog):
    """"老人走了没及时报要担责吗" named no aspect and got the FAQ on relatives applying from elsewhere; what missing the
    death report costs is the deadline's if-missed line. Something done in time, or only named, asks nothing of it."""
    for q in ("老人走了没及时报要担责吗", "营业执照变更没及时去办会怎样"):
        assert _ask(q).aspects == ["deadline"], (q, _ask(q).aspects)
    assert "deadline" not in _ask("我们及时报了，还要做什么").aspects
    lead = _lead(catalog, "after_death", ["after_death#faq-1"], "老人走了没及时报要担责吗")
    assert lead.label == "deadline" and "日后须退回多领的款项" in lead.quote, lead


def test_whether_it_comes_before_or_after_another_step_asks_when_it_is_due(catalog):
    """"契税是过户前交，还是拿了证以后再交" named no aspect and got the tax service's department and materials; which comes
    first is the deadline ("办理不动产转移登记前"), asked even with no question word beside it (a choice asks)."""
    for q in ("买二手房的契税是过户前交，还是拿了证以后再交", "does it have to be paid before or after the transfer registration?"):
        assert _ask(q).aspects == ["deadline"], (q, _ask(q).aspects)
    assert _ask("公司要搬去外市，是搬过去以后再办迁移，还是搬之前就得申请").asked == {"deadline"}
    lead = _lead(catalog, "house_transfer_utilities", ["house_transfer_utilities#faq-1"], "买二手房的契税是过户前交，还是拿了证以后再交")
    assert lead.label == "deadline" and "办理不动产转移登记前" in lead.quote, lead


def test_whether_it_may_wait_until_something_else_is_done_asks_when_it_is_due(catalog):
    """"Is it fine to move in first and sort out the registration relocation afterwards?" was read as a paper handed in
    later (容缺) and got the relocation service's department line; by when it is due ("迁入新住所前") answers it. A
    paper handed in afterwards ("以后再补") is still 容缺."""
    for q in ("The lease starts next month. Is it fine to move in first and sort out the registration relocation afterwards?",
              "先搬进新办公室，之后再去办迁移登记可以吗？", "Can we move first and do the paperwork after?"):
        assert _ask(q).aspects == ["deadline"], (q, _ask(q).aspects)
    for q in ("Can I bring the assessment report afterwards?", "先交申请，评估报告以后再补可以吗"):
        assert "deadline" not in _ask(q).aspects, (q, _ask(q).aspects)
    assert _ask("Can I bring the assessment report afterwards?").aspects == ["tolerance"]
    lead = _lead(catalog, "enterprise_relocation", ["enterprise_relocation#faq-1"], "先搬进新办公室，之后再去办迁移登记可以吗？")
    assert lead.label == "deadline" and "迁入新住所前" in lead.quote, lead


def test_whether_both_must_come_asks_whether_one_may_act_for_the_other():
    """"必须我俩一起去吗 她还在坐月子" named no aspect; the 代办 line ("父母一方可代另一方办理") answers it."""
    for q in ("必须我俩一起去吗 她还在坐月子", "上户口我们两个都要去吗", "do we both have to go?"):
        assert _ask(q).aspects == ["proxy"], (q, _ask(q).aspects)


def test_whether_one_can_do_it_alone_asks_whether_one_may_act_for_the_other(catalog):
    """"Can my wife register our baby without me?" led with the FAQ on parents with no marriage certificate, and
    "我自己一个人去给孩子上户口可以吗" with the one on a parent with a hukou in another province: whether one can do it
    alone is the 代办 line's question ("父母一方可代另一方办理"), as whether both must come is. Living alone is not."""
    for q in ("我自己一个人去给孩子上户口可以吗", "我老公在外地，我一个人能办吗", "Can my wife register our baby without me?",
              "Can the transfer go ahead without her?"):
        assert "proxy" in _ask(q).aspects, (q, _ask(q).aspects)
    for q in ("我一个人在外地工作，医保怎么交", "一個人可以同時辦兩張社保卡嗎？", "Can we apply without my husband's ID card?",
              "How can he keep paying his pension and medical insurance on his own?"):
        assert "proxy" not in _ask(q).aspects, (q, _ask(q).aspects)
    lead = _lead(catalog, "newborn", ["newborn#faq-3", "newborn#faq-2"], "Can my wife register our baby without me?", "en")
    assert "One parent may apply for the other" in lead.quote, lead
    # Said beside another province's case, the FAQ on that case asks something else than the one thing asked.
    lead = _lead(catalog, "newborn", ["newborn#faq-1", "newborn#services"], "孩子刚出生，我老公在外地，我一个人能办吗")
    assert "父母一方可代另一方办理" in lead.quote, lead


def test_whether_it_can_be_done_here_asks_about_the_cross_province_service():
    """"在苏州这边能办不" (a hukou in Anhui said a turn before) asks whether it can be done where one lives: the
    cross-province line, as for "another province"."""
    for q in ("在苏州这边能办不", "她户口在河南，人跟我住杭州，在这边能办不", "I'm in Shanghai for work, can I sort it all out from here?",
              "Can I do it from Beijing? I work there."):
        assert "cross_province" in _ask(q).aspects, (q, _ask(q).aspects)
    for q in ("这边的窗口几点下班", "Can our company apply directly now, and do we need anything from him?",
              "Can I apply from home?"):
        assert "cross_province" not in _ask(q).aspects, (q, _ask(q).aspects)


def test_here_or_back_where_the_hukou_is_asks_about_the_cross_province_service():
    """"Which police station … the one in Shenzhen or the one back home?" (a hukou in a Hunan village) named no aspect
    and got the department line; as 回老家 in Chinese, going back to where the hukou is asks the cross-province line.
    Not going back to work, nor moving back to China."""
    for q in ("Which police station is supposed to cancel his household registration, the one in Shenzhen or the one "
              "back home?", "do i have to go back to gansu to get some paperwork?",
              "do we need to travel back to sichuan to apply?"):
        assert "cross_province" in _ask(q).aspects, (q, _ask(q).aspects)
    for q in ("My daughter-in-law just went back to work. Can I apply for her?",
              "We're moving back to China from abroad. Do public primary schools charge tuition?"):
        assert "cross_province" not in _ask(q).aspects, (q, _ask(q).aspects)


def test_how_someone_else_applies_asks_for_the_steps():
    """"My mum is 70, how does she claim the old-age allowance?" read no aspect and got the allowance's department and
    legal basis; as "how do I claim", how she (my brother, our son) applies asks for the steps. Not how money is paid."""
    for q in ("My mum is 70, how does she claim the old-age allowance?", "how does my brother apply for his son's junior high",
              "How can our son register for first grade?"):
        assert "steps" in _ask(q).aspects, (q, _ask(q).aspects)
    for q in ("How does the money get paid?", "How long does she have to apply?"):
        assert "steps" not in _ask(q).aspects, (q, _ask(q).aspects)


def test_coming_back_for_it_asks_about_the_cross_province_service():
    """"…原来的老板已经回河南老家了，他还得专门回来一趟吗？" read 一趟 as whether one trip covers everything and got the
    services list; someone coming back (回来 / 回去 … 一趟) asks whether it can be done from where they are. "跑一趟就办完"
    still asks about the bundle."""
    for q in ("原来的老板已经回河南老家了，他还得专门回来一趟吗？", "还得回去一次吗"):
        assert _ask(q).aspects == ["cross_province"], (q, _ask(q).aspects)
    assert _ask("能不能跑一趟就办完").aspects == ["services"]


def test_going_to_which_authority_asks_for_the_department_not_the_windows():
    """"公司要換法定代表人，這要去哪個機關辦？" read both 去哪 (the channels) and 哪个机关 (which department), and the channels led;
    the authority is asked. "要去哪里办" still asks where."""
    for q in ("公司要换法定代表人，这要去哪个机关办？", "去哪个部门办"):
        assert _ask(q).aspects == ["departments"], (q, _ask(q).aspects)
    assert _ask("要去哪里办").aspects == ["channels"]


def test_who_pays_asks_for_the_fee_part():
    """"…外面马路上接管子拉线的钱要我们出吗" (the second part of a two-part message) read no aspect, and the answer left the
    line "红线外的接入工程…不向用户收取" out; the money and who puts it up ask what is charged, and to whom."""
    for q in ("外面马路上接管子拉线的钱要我们出吗", "这笔费用由我们自己出吗", "红线外那段接入工程的钱要我们企业出吗"):
        assert "fees" in _ask(q).aspects, (q, _ask(q).aspects)
    for q in ("报销的钱要我自己出院后再去领吗", "钱什么时候能打出来"):
        assert "fees" not in _ask(q).aspects, (q, _ask(q).aspects)


def test_an_faq_about_a_special_case_does_not_lead_a_question_that_names_none(catalog):
    """The FAQ "孩子在外省出生，还能用出生一件事一次办吗？" asks whether it is one application, for a birth in
    another province; asked only what there is to do after a birth, the overview answers (the registration deadline
    first, then what the bundle is and covers), not that FAQ."""
    lead = _lead(catalog, "newborn", ["newborn#faq-1", "newborn#services"], "孩子出生了要办什么")
    assert lead.citation.source_id.startswith("newborn#deadlines"), lead
    # Asked about another province, the same FAQ leads.
    lead = _lead(catalog, "newborn", ["newborn#faq-1", "newborn#services"], "孩子在外地出生的，能一次办吗")
    assert lead.citation.source_id.startswith("newborn#faq-1"), lead


def test_an_faq_about_lacking_something_leads_only_a_question_that_says_what_it_lacks(catalog):
    """"没有领结婚证，能走联办吗？" asks about 联办 for unmarried parents: it does not answer whether the birth
    certificate and hukou can be done together after any birth, though retrieval put it first."""
    retrieved = ["newborn#faq-3", "newborn#services"]
    lead = _lead(catalog, "newborn", retrieved, "刚生完孩子，出院前能把出生证和户口一起办了吗")
    assert lead.citation.source_id.startswith("newborn#services"), lead
    for q in ("还没领证，孩子出生了能一起办吗", "我们未婚，出生证和户口能一起办吗"):
        lead = _lead(catalog, "newborn", retrieved, q)
        assert lead.citation.source_id.startswith("newborn#faq-3"), (q, lead)


def test_a_yes_no_question_is_decided_by_the_faq_about_the_same_special_case(catalog):
    """"我家老大上个月刚满3岁，还能领吗" and the FAQ "孩子超过3岁了还能领吗？" both name an age in passing and ask whether it
    still can be had: the FAQ's answer (满3周岁后不再新增发放) leads, not the eligibility list it led with before."""
    faq = next(f"childcare_subsidy#faq-{n}" for n, f in enumerate(catalog.get("childcare_subsidy").faqs, 1)
               if f.question.startswith("孩子超过3岁"))
    lead = _lead(catalog, "childcare_subsidy", [faq, "childcare_subsidy#eligibility"], "我家老大上个月刚满3岁，还能领吗")
    assert lead.citation.source_id == faq, lead
    # Only retrieval's best passage: an FAQ on the same kind of case further down is about something else.
    lead = _lead(catalog, "childcare_subsidy", ["childcare_subsidy#eligibility", faq], "我家老大上个月刚满3岁，还能领吗")
    assert lead.citation.source_id != faq, lead


def test_a_follow_up_naming_nothing_asks_about_the_service_the_last_answer_led_with(catalog):
    """After an answer led by the birth certificate's service, "谁发" and "要多久" ask about that service: its
    department and its time limit, not the bundle's list of six services or its overall time."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("newborn")
    passages = [index["newborn#services"][0]]
    focus = index["newborn#svc-birth_certificate"][0].chunk_id
    for q, part in (("谁发", "卫生健康部门"), ("要多久", "办理时限")):
        comp = composer.compose(o, _ask(q), passages, shown={"x"}, focus=focus)
        _verbatim(comp, index)
        lead = comp.statements[0]
        assert lead.citation.source_id.startswith("newborn#svc-birth_certificate") and part in lead.quote, (q, lead)
        # With no answer before it, the bundle's own part answers.
        lead = composer.compose(o, _ask(q), passages, shown={"x"}).statements[0]
        assert not lead.citation.source_id.startswith("newborn#svc-birth_certificate"), (q, lead)


def test_a_two_part_question_gets_the_part_the_deciding_faq_does_not_ask_whatever_the_length(catalog):
    """"開餐廳要辦哪些證？消防檢查一定要嗎": the fire-safety FAQ decides the second part; the first asks what licences
    there are, which only the services list answers (it was left out for length before)."""
    index = _index(catalog)
    o = catalog.get("open_restaurant")
    faq = next(f"open_restaurant#faq-{n}" for n, f in enumerate(o.faqs, 1) if "消防" in f.question)
    passages = [index[faq][0], index["open_restaurant#svc-fire_safety_check"][0]]
    comp = _composer(catalog, index).compose(o, _ask("開餐廳要辦哪些證？消防檢查一定要嗎"), passages)
    _verbatim(comp, index)
    assert comp.statements[0].citation.source_id.startswith(faq)
    assert any(s.citation.source_id.startswith("open_restaurant#services") for s in comp.statements), comp.statements


def test_a_question_is_of_the_case_of_an_faq_on_lacking_something_when_it_negates_or_shares_a_word():
    from assistant.aspects import of_the_case

    faq = "没有领结婚证，能走联办吗？"
    assert not of_the_case(faq, "出生证和户口能一起办吗", ["services"], shares_a_word=False)
    assert of_the_case(faq, "没领证能一起办吗", ["services"], shares_a_word=False)
    assert of_the_case(faq, "沒領證能一起辦嗎", ["services"], shares_a_word=False)
    assert of_the_case("I quit my job and have no employer now. How do I pay…?", "I quit my job. How do I pay?",
                       [], shares_a_word=True)
    # An FAQ on no special case is of every question's.
    assert of_the_case("可以在网上办吗？", "出生证和户口能一起办吗", ["services"], shares_a_word=False)


def test_an_english_service_is_not_quoted_whole_for_the_words_of_its_bundles_name(catalog):
    """"Can I get a social security card?" shares "social security card" with every part of the card service's
    English text: those words tell no part from another, so the question is not answered with the whole service;
    of parts still too long, the lines closest to the yes/no question are quoted ("the committee accepts it")."""
    index = _index(catalog)
    svc = "social_security_card#svc-card_application@en"
    comp = _composer(catalog, index).compose(catalog.get("social_security_card"),
                                             _ask("I'm a foreigner working in Shanghai. Can I get a social security card?"),
                                             [index[svc][0]], lang="en")
    _verbatim(comp, index)
    quoted = "\n".join(s.quote for s in comp.statements)
    assert "Human resources and social security bureau" in quoted and "Where to apply" not in quoted, quoted
    assert len(quoted) <= 350, quoted
    svc = "hardship_assistance#svc-minimum_living_allowance@en"
    comp = _composer(catalog, index).compose(catalog.get("hardship_assistance"), _ask(
        "My uncle lives alone in a village in Yunnan and he's bedridden. Can the village committee apply for dibao "
        "for him?"), [index[svc][0]], lang="en")
    _verbatim(comp, index)
    quoted = "\n".join(s.quote for s in comp.statements)
    assert "committee accepts it on your behalf" in quoted and "home visit" not in quoted, quoted


def test_how_much_more_or_less_and_who_is_in_charge_ask_no_fee_and_docs_are_documents():
    """"How much earlier can I retire" asks no price, nor does who is "in charge", who pays or paying one's own
    contributions; "how much faster is it now" asks what the reform changed, "which government department" the
    department, and how long someone else has to do something ("How long does he have to report?") the deadline,
    as the asker's own would."""
    assert "fees" not in _ask("how much earlier than the statutory age can I retire at most?").aspects
    assert _ask("从业资格证到期之前多久要去换？").aspects == ["deadline"]  # how long before a date: a deadline
    assert "fees" not in _ask("On taxes: who pays the deed tax, the buyer or the seller?").aspects
    # Paying one's own contributions, or capital in, is what the question is about, not a price.
    assert "fees" not in _ask("I quit my job. Can I pay shebao myself?").aspects
    assert "fees" not in _ask("When does he have to pay in the registered capital?").aspects
    assert "fees" in _ask("Do we have to pay for it?").aspects
    assert _ask("how much faster is it now?").aspects == ["replaced"]
    assert _ask("Which government department is in charge of the old-age allowance?").aspects == ["departments"]
    assert _ask("How long does he have to report to the veterans affairs office?").aspects == ["deadline"]
    assert _ask("Is there a postage charge, roughly how much?").aspects == ["fees"]
    assert "fees" in _ask("Is postage included in fees?").aspects  # "in" before a fee word other than charge
    assert _ask("what docs do I need for the road transport permit part?").aspects == ["materials"]
    # A paper handed in later, the verb and "later" apart, asks about 容缺.
    assert "tolerance" in _ask("Can we start the application now and hand in the assessment later?").asked


def test_how_something_works_is_answered_by_an_faq_asking_it_not_by_a_services_parts(catalog):
    """Asked how the assessment works for someone who cannot get to the hospital, with no aspect named, the certificate
    service ranks first but its parts (conditions, documents …, 1,000 characters) say what it needs; the FAQ whose own
    question names the same words (limited mobility, a doctor at home for the assessment) answers. An FAQ naming them
    only in its answer does not."""
    q = ("My mother is bedridden after a stroke and can't really be moved. For her disability certificate she needs an "
         "assessment. How does that work if she can't get to the hospital?")
    retrieved = ["disability_services#svc-disability_certificate@en", "disability_services#faq-1@en"]
    lead = _lead(catalog, "disability_services", retrieved, q, lang="en")
    assert lead.citation.source_id.startswith("disability_services#faq-1@en") and "home assessment" in lead.quote, lead


def test_an_faq_sharing_clearly_more_of_the_question_than_the_service_answers_it(catalog):
    """Asked whether a child born in September may start school this year, the registration service ranks first and
    shares one of the question's words; the FAQ on a child who turns 6 late shares three (start, year, wait) though
    its own question names one: its answer (the cut-off date) answers, not the service's department and legal basis."""
    q = ("Our son was born on 5 September 2019 and we live in Nanchang. Will he be allowed to start grade one in autumn "
         "2025 or does he have to wait a year?")
    retrieved = ["school_enrollment#svc-online_registration@en", "school_enrollment#faq-6@en"]
    lead = _lead(catalog, "school_enrollment", retrieved, q, lang="en")
    assert lead.citation.source_id.startswith("school_enrollment#faq-6@en") and "31 August" in lead.quote, lead


def test_a_message_is_split_into_the_questions_it_asks():
    from assistant.aspects import question_parts

    assert question_parts("育儿补贴一年给多少钱？孩子户口还没上 能先申请吗", _ask) == ["育儿补贴一年给多少钱？", "孩子户口还没上 能先申请吗"]
    assert question_parts("房子贷款还没还完能过户吗 过户一般要多久", _ask) == ["房子贷款还没还完能过户吗", "过户一般要多久"]
    assert question_parts("is the birth certificate free? and how long does it take?", _ask) == [
        "is the birth certificate free?", "how long does it take?"]
    # A piece that asks nothing about anything joins the question beside it: one question.
    for one in ("How do I register? My baby was born yesterday.", "孩子户口还没上，能先申请吗？", "你好？我想问一下退休要带什么材料？",
                "在吗？退休要几天", "退休要几天？？"):
        assert question_parts(one, _ask) == [one], one
    assert question_parts("要多久？要钱吗？在哪办？带什么？", _ask) == ["要多久？", "要钱吗？", "在哪办？带什么？"]
    # At a comma before "and" or 另外, when both sides ask (the connective goes: the second keeps its own word order).
    assert question_parts("How long do we have to ask for reconsideration, and what about going to court?", _ask) == [
        "How long do we have to ask for reconsideration,", "what about going to court?"]
    assert question_parts("公司注销要多久，另外要不要登报？", _ask) == ["公司注销要多久，", "要不要登报？"]
    # A question word typed without its apostrophe ("whats") is one.
    assert question_parts("do I still have to pay medical insurance once I retire? and whats the minimum number of years "
                          "of pension contributions now", _ask) == [
        "do I still have to pay medical insurance once I retire?", "whats the minimum number of years of pension contributions now"]
    # Nor a choice ("…吗，还是…"), nor a statement naming an aspect or with a relative "who" before "and".
    assert question_parts("The barber who sold me his shop still owes a quarter's taxes, and the registry won't act. Is "
                          "that right, and who has to pay?", _ask) == [
        "The barber who sold me his shop still owes a quarter's taxes, and the registry won't act. Is that right,",
        "who has to pay?"]
    for one in ("my dad and mum are both retired, and they live with us, what can they get?", "老大都四岁了，还有份不",
                "公司还欠供应商的钱，能走简易注销吗，还是必须先还清"):
        assert question_parts(one, _ask) == [one], one


def _compose_parts(catalog, one_thing_id: str, questions: list[str], section: str = ""):
    """compose_parts with each question a part, over the bundle's passages whose section id starts with `section`;
    every quote checked verbatim."""
    index = _index(catalog)
    passages = [r for sid, recs in index.items() if sid.startswith(f"{one_thing_id}#{section}") for r in recs]
    comp = _composer(catalog, index).compose_parts(catalog.get(one_thing_id), [(_ask(q), passages) for q in questions])
    _verbatim(comp, index)
    return comp


def test_each_question_of_a_two_part_message_is_answered_in_the_order_asked(catalog):
    """"迁户口要钱吗？新身份证要等多久？": what it costs, then how long the card takes — each part composed as its own
    question, its answer before any support, no quote twice."""
    comp = _compose_parts(catalog, "hukou_migration", ["迁户口要钱吗？", "新身份证要等多久？"])
    quotes = [s.quote for s in comp.statements]
    fees = next(i for i, q in enumerate(quotes) if "不收费" in q)
    days = next(i for i, q in enumerate(quotes) if "60日内" in q)
    assert fees < days <= 1 + fees and len(set(quotes)) == len(quotes), quotes
    assert all(s.role == "lead" for s in comp.statements[:days + 1])


def test_a_message_whose_part_finds_only_the_overview_is_read_as_one_question(catalog):
    index = _index(catalog)
    o = catalog.get("start_business")
    passages = [r for sid, recs in index.items() if sid.startswith(f"{o.id}#faq-") for r in recs]
    composer = _composer(catalog, index)
    assert composer.compose_parts(o, [(_ask("可以找代办帮我注册公司吗？"), passages), (_ask("有什么是一定要我本人做的？"), [])]) is None
    assert composer.compose_parts(o, [(_ask("企业开办一件事是什么？"), []), (_ask("要多久？"), passages)]).overview


def test_a_later_part_does_not_quote_again_what_an_earlier_part_quoted(catalog):
    """Two parts answered by the same FAQ: the second part's lead (its answer alone) is not quoted again after the
    first's (its question and answer)."""
    comp = _compose_parts(catalog, "childcare_subsidy", ["补贴发到哪里？", "可以发到我自己的银行卡吗？"], section="faq-")
    for i, s in enumerate(comp.statements):
        for t in comp.statements[:i]:
            assert not (t.citation.source_id == s.citation.source_id and (s.quote in t.quote or t.quote in s.quote)), s


def _contract_and_personnel_file(catalog):
    """The index, the hiring bundle, and its FAQs on when the labour contract is signed and how the file comes over."""
    index = _index(catalog)
    o = catalog.get("employee_recruitment")
    faqs = {f.question: f"{o.id}#faq-{i}" for i, f in enumerate(o.faqs, 1)}
    return index, o, index[faqs["新员工入职后，劳动合同要多久内签？"]], index[faqs["员工的档案怎么转到公司这边？"]]


def test_a_later_part_that_found_what_an_earlier_part_asked_is_retrieved_again_on_its_own(catalog):
    """"新請嘅同事幾耐之內要簽勞動合同？佢份檔案可唔可以自己攞過嚟？": searched with the whole message's vector, the second part
    found the contract's deadline again and the personnel file went unanswered. A part leading with only what an earlier
    part led with is composed again from retrieval on its own (`alone`); one with an answer of its own is not."""
    index, o, contract, personnel_file = _contract_and_personnel_file(catalog)
    composer = _composer(catalog, index)
    parts = [(_ask("新员工多久之内要签劳动合同？"), contract), (_ask("他的档案可以自己拿过来吗？"), contract)]
    asked: list[int] = []

    def alone(i: int) -> list[Record]:
        asked.append(i)
        return personnel_file

    comp = composer.compose_parts(o, parts, alone=alone)
    _verbatim(comp, index)
    assert asked == [1]
    assert any("不能个人自带" in s.quote for s in comp.statements if s.role == "lead"), [s.quote for s in comp.statements]
    # Without it (an older caller), the second part finds nothing of its own.
    assert not any("不能个人自带" in s.quote for s in composer.compose_parts(o, parts).statements)
    asked.clear()
    composer.compose_parts(o, [parts[0], (parts[1][0], personnel_file)], alone=alone)
    assert asked == []


def test_a_later_part_is_composed_knowing_what_earlier_parts_answered_not_what_they_would_add(catalog):
    """A later part does not repeat an earlier part's answer; what the earlier part would add in support may not fit
    the answer, and when it was the later part's own answer (the personnel-file FAQ, after the contract's deadline) it
    was cut to "答：…" as an answer shown already, its question dropped."""
    index, o, contract, personnel_file = _contract_and_personnel_file(catalog)
    composer = _composer(catalog, index)
    first = composer.compose(o, _ask("新员工多久之内要签劳动合同？"), contract)
    leads = {shown_key(s.citation.source_id, s.quote) for s in first.statements if s.role == "lead"}
    supports = {shown_key(s.citation.source_id, s.quote) for s in first.statements if s.role == "support"}
    assert leads and supports and set(first.shown_keys(answers_only=True)) >= leads
    assert not supports & set(first.shown_keys(answers_only=True))
    told: list[frozenset[str]] = []

    class Spy(GroundedComposer):
        def compose(self, *args, **kwargs):
            told.append(kwargs["shown"])
            return super().compose(*args, **kwargs)

    Spy(catalog, lambda source_id: index.get(source_id, [])).compose_parts(
        o, [(_ask("新员工多久之内要签劳动合同？"), contract), (_ask("他的档案可以自己拿过来吗？"), personnel_file)])
    assert told[1] >= leads and not told[1] & supports


def test_a_deadline_whose_clock_the_answer_said_is_not_listed_again(catalog):
    """"那劳动合同最晚多久内要签？": the FAQ's answer says 自用工之日起1个月内 and what a late contract costs; the deadlines
    list's line for the same contract said it all again. The law that sets it is what the line adds, and stays."""
    index = _index(catalog)
    o = catalog.get("employee_recruitment")
    faq = next(f"{o.id}#faq-{i}" for i, f in enumerate(o.faqs, 1) if f.question == "新员工入职后，劳动合同要多久内签？")
    comp = _composer(catalog, index).compose(o, _ask("那劳动合同最晚多久内要签？"), index[faq])
    _verbatim(comp, index)
    quotes = [s.quote for s in comp.statements]
    assert "自用工之日起1个月内" in quotes[0] and not any("自用工之日起1个月内" in q for q in quotes[1:]), quotes
    assert any(q.startswith("（依据：《中华人民共和国劳动合同法》") for q in quotes[1:]), quotes


def test_how_to_apply_for_a_service_is_its_steps_and_where_to_take_them(catalog):
    """"报废旧车的补贴怎么申请": the service's steps say what happens ("在补贴平台提交申请"), its channels which platform
    that is; a citizen asking how to apply needs both, as a clerk would say them."""
    o = catalog.get("car_trade_in_subsidy")
    service = o.services[0]
    index = _index(catalog)
    source = f"{o.id}#svc-{service.id}"
    comp = _composer(catalog, index).compose(o, _ask("报废旧车的补贴怎么申请"), [index[source][0]])
    leads = [s for s in comp.statements if s.role == "lead"]
    assert all(s.citation.source_id.startswith(source) for s in leads), [s.citation.source_id for s in leads]
    quoted = "".join(s.quote for s in leads)
    assert service.steps[0] in quoted and service.channels[0] in quoted
    _verbatim(comp, index)


def test_a_how_to_question_telling_its_case_is_answered_for_that_case(catalog):
    """"公司注册两年了一直没开张 想注销掉 要怎么操作" got the bundle's six steps, written for every case; the FAQ telling the same
    case in its own question ("公司注册后一直没开业，可以走简易注销吗？": the simplified route, its 20-day notice) now leads and
    the steps support. Not an FAQ on a special case the question does not tell (a company in another province)."""
    index = _index(catalog)
    composer = _composer(catalog, index)
    o = catalog.get("enterprise_deregistration")
    faq = next(sid for sid, recs in index.items() if sid.startswith(f"{o.id}#faq-") and "一直没开业" in recs[0].text)
    comp = composer.compose(o, _ask("公司注册两年了一直没开张 想注销掉 要怎么操作"), index[faq])
    assert comp.statements[0].label == "faq" and "公示20日" in comp.statements[0].quote
    assert "steps" in [s.label for s in comp.statements]
    _verbatim(comp, index)
    o = catalog.get("employee_recruitment")
    other = next(sid for sid, recs in index.items() if sid.startswith(f"{o.id}#faq-") and sid.endswith("@en")
                 and "another province" in recs[0].text)
    comp = composer.compose(o, _ask("We just hired someone who is transferring from another company. How do we register "
                                    "their employment and social insurance with us?"), index[other], lang="en")
    assert comp.statements[0].label == "steps"


def test_a_told_case_faq_answers_before_a_service_sharing_as_many_words(catalog):
    """"…never did any business and owes nothing. How do we close it through the simplified route without forming a
    liquidation group?" got the liquidation filing's steps: retrieval put that service first, sharing seven words
    with it, as many as the FAQ on a company that never traded, which tells the same case and answers."""
    lead = _lead(catalog, "enterprise_deregistration",
                 ["enterprise_deregistration#svc-liquidation_filing@en", "enterprise_deregistration#faq-1@en"],
                 "My partner and I registered a company in Suzhou two years ago but it never did any business and owes "
                 "nothing. How do we close it through the simplified route without forming a liquidation group?", "en")
    assert lead.citation.source_id.startswith("enterprise_deregistration#faq-1@en"), lead
    assert "20 days" in lead.quote, lead


def test_a_service_named_by_its_short_form_answers_for_itself_though_retrieval_missed_it(catalog):
    """"娃的出生证明去哪里开" got the bundle's channels and materials: retrieval found the registration's service, not
    出生医学证明首次签发, and 出生证明 is not in that name as written. A short form (its characters in order, at most two
    others between) names the service, and the service's own channel answers — the maternity hospital's window."""
    lead = _lead(catalog, "newborn", ["newborn#svc-birth_registration", "newborn#faq-1"], "娃的出生证明去哪里开")
    assert "助产机构出生医学证明办理窗口" in lead.quote, lead
    lead = _lead(catalog, "newborn", ["newborn#svc-birth_registration@en"],
                 "where do we get the baby's medical birth certificate?", "en")
    assert "midwifery institution" in lead.quote, lead
    # Two services named alike decide nothing (社保卡: the card's application and its replacement): the bundle's own
    # part answers.
    lead = _lead(catalog, "social_security_card", ["social_security_card#faq-1"], "社保卡去哪里办")
    assert lead.citation.source_id == "social_security_card#channels", lead


def test_a_service_is_named_by_a_short_form_but_not_by_any_scatter_of_its_characters():
    from assistant.composer import _naming

    assert _naming("出生医学证明首次签发", {"出生证明"}) == 1
    assert _naming("社会保障卡挂失、补领和换领", {"社保卡", "补领"}) == 2
    assert _naming("城乡居民基本医疗保险参保登记", {"医保"}) == 0  # two characters: left to themselves
    assert _naming("户籍所在地的口岸", {"户口本"}) == 0
    assert _naming("社会、保障卡", {"社保卡"}) == 0  # not across a stop


def test_a_support_that_says_again_what_the_lead_says_is_left_out(catalog):
    """"村里给俺家报了低保，一般多久能批下来": the FAQ on how long approval takes leads with "常见为自受理之日起30个工作日内作出
    审核确认决定"; the allowance service's own time part says the same clock in the same words and is no second support.
    The bundle's time line, which adds the other services' limits, still supports."""
    index = _index(catalog)
    ids = ["hardship_assistance#faq-4", "hardship_assistance#svc-minimum_living_allowance", "hardship_assistance#time_fees"]
    comp = _composer(catalog, index).compose(catalog.get("hardship_assistance"), _ask("村里给俺家报了低保，一般多久能批下来"),
                                             [index[i][0] for i in ids])
    _verbatim(comp, index)
    assert comp.statements[0].citation.source_id.startswith("hardship_assistance#faq-4"), comp.statements[0]
    assert not any(s.citation.source_id.startswith("hardship_assistance#svc-") for s in comp.statements), \
        [s.quote for s in comp.statements]
    assert any(s.citation.source_id.startswith("hardship_assistance#time_fees") for s in comp.statements)


def test_saying_again_is_read_by_character_pairs_in_chinese_and_word_stems_in_english(catalog):
    """The guide's English Fees line repeats the transfer-cost FAQ's first sentences word for word and adds nothing; a
    Traditional quote repeating a Simplified-read one is the same words; a quote adding its own clause is new."""
    from assistant.composer import Citation, Statement, _said_again

    def said(*quotes: str) -> list[Statement]:
        return [Statement("faq", q, Citation("x#faq-1", "x", q)) for q in quotes]

    faq = ("A: The water, power, gas and internet transfers are free. The real estate registration fee is paid at the "
           "national rate for residential property. The buyer pays deed tax; the seller pays value-added tax.")
    fees = ("Fees: The water, power, gas and internet transfers are free. The real estate registration fee is paid at "
            "the national rate for residential property.")
    assert _said_again(fees, said(faq)) and not _said_again(faq, said(fees[:60]))
    assert _said_again("辦理時限：轉移登記按當地承諾時限辦理", said("转移登记按当地承诺时限办理，多地已压缩到更短"))
    assert not _said_again("收费标准：首次申领不收费；补换卡费用按当地规定", said("首次申领不收费"))


def test_a_list_ranked_first_for_its_meaning_alone_gives_way_to_a_passage_sharing_the_questions_words(catalog):
    """Asked how to renew a lapsed temporary treatment filing, retrieval ranked the list of what bundling replaced
    (its paying first and reimbursing later) first, sharing no word with the question; the passages naming the
    hospital and the filing answer. "個體戶可唔可以直接換負責人" ranked the bundle's conditions above the FAQ on whether
    the old licence must be cancelled first ("不用")."""
    q = ("My mother-in-law's temporary treatment filing ran out while she was still doing chemo in Shanghai, and the "
         "hospital now says it can't settle directly. How does she renew it?")
    ids = ["cross_region_medical#replaced@en", "cross_region_medical#faq-3@en",
           "cross_region_medical#svc-temporary_medical_filing@en"]
    lead = _lead(catalog, "cross_region_medical", ids, q, lang="en")
    assert not lead.citation.source_id.startswith("cross_region_medical#replaced"), lead
    ids = ["self_employed_operator_change#eligibility", "self_employed_operator_change#faq-1"]
    lead = _lead(catalog, "self_employed_operator_change", ids, "阿爸間舖頭想轉俾我做，個體戶可唔可以直接換負責人？", "zh-Hant")
    assert lead.citation.source_id.startswith("self_employed_operator_change#faq-1"), lead


def test_a_service_asked_nothing_by_name_is_not_answered_with_its_legal_basis(catalog):
    """"My father passed away… What about his pension?": the pension service's English first line (236 characters)
    and its legal basis filled the budget, so the answer was the department and "Legal basis: Social Insurance Law…".
    A law's name says nothing to someone who asked nothing of it — nor when its title shares the service's words
    ("…do we need to go to the vehicle office to cancel it?" and "…Use of Motor Vehicle Driving Licences")."""
    cases = [("after_death#svc-pension_survivor_benefits@en",
              "My father passed away in Beijing last week. What about his pension?"),
             ("after_death#svc-driving_licence_cancellation@en",
              "He still had a driving licence, do we need to go to the vehicle office to cancel it?"),
             ("after_death#svc-driving_licence_cancellation", "老爸走了，驾照咋注销")]
    for source_id, q in cases:
        lang = "en" if q.isascii() else "zh-Hans"
        index = _index(catalog)
        comp = _composer(catalog, index).compose(catalog.get("after_death"), _ask(q), [index[source_id][0]], lang=lang)
        _verbatim(comp, index)
        quoted = "\n".join(s.quote for s in comp.statements)
        assert "Legal basis" not in quoted and "办理依据" not in quoted, quoted
        if "pension" in q or "驾照" in q:  # the service's own parts answer (its conditions, materials, channels…)
            assert any(s.citation.source_id.startswith(source_id) and "\n" in s.quote for s in comp.statements), quoted
