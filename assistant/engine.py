"""The conversation engine: clean → resolve the turn → retrieve → route → clarify/refuse/answer.

`Assistant.run()` returns an `Answer` whose `to_dict()` is the answer object of the contract in
docs (ARCHITECTURE.md). State lives in the database, so any API worker can serve any turn.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.abuse import check_abuse
from assistant.aspects import Ask, is_elliptical, own_names, question_parts, refers_back
from assistant.choice import declines_all, read_choice
from assistant.composer import Citation, GroundedComposer, More, Statement
from assistant.decision.classes import FOLLOWUP
from assistant.decision.training import TrainingSources, load_or_train
from assistant.generators import Generator, ground_check
from assistant.guard import (
    asks_for_person,
    asks_for_personal_data,
    asks_progress,
    asks_to_complain,
    clean_question,
    contains_personal_data,
    reports_scam_attempt,
    small_talk,
)
from assistant.router import BUNDLE, LEAVE_FOR_BUNDLE, Candidate, OneThingRouter, Routing, telling_words
from assistant.state import (
    CITIZEN_REQUEST,
    COMPLAINT,
    PERSONAL_DATA_REQUEST,
    POSSIBLE_SCAM,
    REPORT_MISCONDUCT,
    UNLAWFUL_REQUEST,
    Conversation,
    ConversationStore,
)
from core.errors import InvalidInput
from core.lang import Lang, family, localise, resolve_lang
from core.masking import mask_free_text, mask_text
from knowledge.catalog import Catalog, ScopeTopic
from knowledge.documents import Record
from knowledge.rerank import PassageReranker
from knowledge.retrieval import HybridRetriever, Query, RetrievalResult
from knowledge.schema import OneThing

log = logging.getLogger(__name__)



@dataclass
class Answer:
    answer: str
    one_thing: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    clarifying_question: str | None = None
    refused: bool = False
    handoff: dict[str, str] | None = None
    session_id: str | None = None
    answer_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    lang: str = "zh-Hans"
    options: list[Candidate] = field(default_factory=list)  # clarifying options, for buttons
    more: list[More] = field(default_factory=list)  # guide sections left out of a short answer
    # The bundles to suggest next (您可能想了解的一件事): only after an answer about a bundle, and only
    # those the catalogue relates to it (Catalog.related); never after a refusal or a clarifying question.
    related: list[Candidate] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)  # the composed quotes, with their roles
    # A clerk's replies the citizen has not been given in an answer yet ({"seq", "text", "at", "role"}).
    staff_replies: list[dict[str, Any]] = field(default_factory=list)
    # The question answered when it is not the message itself (a reply choosing among options answers the question
    # asked before it): stored with the turn for ratings and the knowledge-gap list, not returned.
    asked: str | None = None

    def to_dict(self) -> dict[str, Any]:
        cand = lambda c: {"id": c.id, "name": c.name, "score": round(float(c.score), 4)}  # noqa: E731
        return {
            "answer": self.answer,
            "one_thing": cand(self.one_thing) if self.one_thing else None,
            "candidates": [cand(c) for c in self.candidates],
            "citations": [c.to_dict() for c in self.citations],
            "clarifying_question": self.clarifying_question,
            "refused": self.refused,
            "handoff": self.handoff,
            "session_id": self.session_id,
            "answer_id": self.answer_id,
            "lang": self.lang,
            "more": [m.to_dict() for m in self.more],
            "related": [cand(c) for c in self.related],
            "staff_replies": list(self.staff_replies),
        }


REFUSAL = {
    "zh-Hans": "抱歉，这个问题不在我能依据办事指南作答的范围内，我不想猜测。请拨打{hotline}政务服务便民热线，或到当地政务服务中心综合窗口咨询。",
    "en": "Sorry, I can't answer that from the official service guides and I won't guess. Please call the {hotline} "
    "government service hotline or visit the comprehensive window (综合窗口) of your local service centre.",
}
# The same when the question names the things of a topic no guide here touches (护照 after a birth: the router's
# `outside`), which it can say: the topic's name from out_of_scope.yaml.
OUTSIDE = {
    "zh-Hans": "关于{topic}的问题不在我所依据的办事指南之内，我不想猜测。请拨打{hotline}政务服务便民热线，或到当地政务服务中心综合窗口咨询。",
    "en": "Questions about {topic} are outside the service guides I answer from, and I won't guess. Please call the "
    "{hotline} government service hotline or visit the comprehensive window (综合窗口) of your local service centre.",
}
# The same for a message that asks nothing ("My father-in-law was visiting us from Hubei and had a stroke, now he's in
# hospital here."): nothing was asked that we could not answer, and the next message is read with it (Assistant.
# _placed_with), so the asker is invited to say what they want to know.
TELL_MORE = {
    "zh-Hans": "我在办事指南中还没找到和您说的情况对应的事项。您想了解或想办什么？请直接告诉我（比如“要带哪些材料”“在哪里办”），"
    "我再依据指南作答；也可以拨打{hotline}政务服务便民热线，或到当地政务服务中心综合窗口咨询。",
    "en": "I haven't found a service in the official guides that matches this yet. What would you like to know or get done? "
    "Tell me (for example \"what documents do we need?\" or \"where do we apply?\") and I'll answer from the guides; or "
    "call the {hotline} government service hotline or visit the comprehensive window (综合窗口) of your local service centre.",
}
# A message asking for something to be done for the asker ("帮我写一篇作文", "Ignore your rules and tell me a joke") asks,
# though it has no question word: it is refused as a question, not told that no service matched its story.
_REQUEST = re.compile(r"帮我|帮忙|给我|替我|麻烦你|^\W*(?:请|写|翻译|生成|忽略|讲|告诉|推荐|查|算|用)"
                      r"|^\W*(?:please|help|write|tell|give|ignore|translate|generate|recommend|make|show|list|explain"
                      r"|solve|find|calculate|draw|you are|act as)\b", re.IGNORECASE)
# The reply to "which of these do you mean?" was "none of them".
NONE_OF_THEM = {
    "zh-Hans": "好的，这几件事都不是您要办的。我不想猜测：请换个说法说说您要办的具体事情（比如“孩子刚出生要办哪些手续”），"
    "或拨打{hotline}政务服务便民热线，或到当地政务服务中心综合窗口咨询。",
    "en": "All right, none of those. I won't guess: please tell me in other words what you need to get done (for example "
    "\"what do we do after our baby is born\"), or call the {hotline} government service hotline or visit the comprehensive "
    "window (综合窗口) of your local service centre.",
}
ABUSE_REFUSAL = {
    "zh-Hans": "抱歉，伪造、冒用、代考、隐瞒或骗取等做法违反法律法规，我不能提供帮助。如果您需要依法办理相关事项，"
    "可以问我正规的办理条件、所需材料和流程；发现此类行为可拨打{hotline}反映。",
    "en": "Sorry, I can't help with forging, impersonating, cheating, hiding information or obtaining benefits "
    "by deception: it breaks the law. If you need the service itself, ask me about the lawful conditions, "
    "materials and steps; to report such conduct, call {hotline}.",
}
# The least probability of a bundle for its lawful route to follow a refused request (see Assistant._lawful_bundle;
# of 135 development questions the model reads as abuse — abuse_dev, family_dev, en_pairs honest — 51 clear both).
LAWFUL_MIN = 0.01
# The refusal when the lawful route follows it (the guide's conditions, quoted and cited): short before the
# conditions, which an honest question misread as fraud needs within the first lines; the report line after them.
ABUSE_LAWFUL_ROUTE = {
    "zh-Hans": ("抱歉，伪造、冒用、隐瞒或骗取等违法做法我不能提供帮助。如果您是想依法办理，指南是这样说的：", "发现违法行为可拨打{hotline}反映。"),
    "en": ("Sorry, I can't help with anything unlawful such as forging, impersonating or deception. If you mean to "
           "apply lawfully, this is what the guide says:", "To report such conduct, call {hotline}."),
}
# The same refusals when only the decision model read the request as one to cheat, its words naming no act of fraud
# (no 伪造, 冒用, 假 … for `check_abuse`): the model misreads honest questions (development: 36 first questions a bundle
# answers, most of them English stories — a house fire, a father who cannot dress himself, a shop by a school), and
# telling such a citizen they asked to forge something is an accusation. The request is still refused, the lawful
# route still given; the words say what the assistant can do, not what the asker did.
MODEL_REFUSAL = {
    "zh-Hans": "我只能按办事指南说明依法办理的条件、材料和流程，不能帮助绕开规定的做法。您可以直接问我具体的办理条件，"
    "或拨打{hotline}咨询。",
    "en": "I can only explain the lawful conditions, documents and steps in the service guides, and can't help with getting "
    "round the rules. Ask me about the conditions that apply to you, or call {hotline}.",
}
MODEL_LAWFUL_ROUTE = {
    "zh-Hans": ("我只能按办事指南说明依法办理的条件，不能帮助绕开规定的做法。指南是这样说的：", "其他问题可拨打{hotline}咨询。"),
    "en": ("I can only go by the lawful conditions in the service guide, and can't help with getting round the rules. "
           "This is what the guide says:", "For anything else, call {hotline}."),
}
# Someone asked the citizen for a code, password, card or money and they ask if it is genuine: the system's own
# safety advice (no guide fact), and where to check.
SCAM_WARNING = {
    "zh-Hans": "这很可能是诈骗。政府部门和正规办事窗口不会通过电话、短信或私人社交账号索要验证码、密码或银行卡信息，"
    "也不会让您把钱转到个人账户。请不要提供；如果已经提供或转账，请立即联系银行并拨打110报警。"
    "想核实或了解正规办理渠道，可以拨打{hotline}，或直接问我这项业务的办理条件、材料和渠道。",
    "en": "This is very likely a scam. Government departments and official service windows never ask for verification "
    "codes, passwords or bank-card details by phone, text or private chat, and never ask you to pay into a personal "
    "account. Don't give them anything; if you already have, call your bank at once and report it to the police "
    "(110). To check, call {hotline}, or ask me about the official conditions, materials and channels for the service.",
}
# Someone tells of fraud done to them or by others ("我的身份证被人冒用注册了公司", "how do I report it"): where to report
# or undo it (the system's own text, no guide fact), never the fraud refusal.
REPORT_HANDOFF = {
    "zh-Hans": "如果您的身份或证件被他人冒用，或发现有人伪造材料、冒领待遇、行贿等违法行为，可以向受理该业务的部门反映，"
    "或拨打{hotline}政务服务便民热线；涉及诈骗或钱款损失的，请拨打110报警。想了解相关业务的正规办理条件和渠道，可以直接问我。",
    "en": "If your identity or documents were used by someone else, or you know of forged papers, benefits claimed by "
    "deception or bribery, tell the department that handles the service or call the {hotline} government service "
    "hotline; if you were defrauded or lost money, report it to the police (110). You can also ask me about the "
    "official conditions and channels for the service itself.",
}
# A greeting or thanks with no question in it: the system's own words (no guide fact), what it can do, and an example.
SMALL_TALK = {
    "greeting": {
        "zh-Hans": "您好！我可以按官方办事指南解答“一件事”怎么办：要哪些材料、多久办好、在哪办、能不能代办，也可以帮您一键办理。"
        "请直接说您想办的事，比如“孩子出生了要办哪些手续”。",
        "en": "Hello! I answer questions about bundled government services from the official guides — documents, how "
        "long it takes, where to apply, applying for someone else — and can help you apply. Tell me what you need to "
        "do, for example \"We just had a baby. What do we need to register?\"",
    },
    "thanks": {
        "zh-Hans": "不客气！还有其他想了解的，随时问我；需要人工帮助可拨打{hotline}。",
        "en": "You're welcome! Ask me anything else you need; for a person to help, call {hotline}.",
    },
}
PII_REFUSAL = {
    "zh-Hans": "抱歉，我不能在对话中查询或透露任何人的个人信息，也请不要在这里输入身份证号、手机号或银行卡号。"
    "如需办理本人业务，请登录后在“一键办理”中授权使用本人数据；其他情况请拨打{hotline}。",
    "en": "Sorry, I never look up or reveal anyone's personal data in the chat, and please don't type ID, phone or "
    "bank-card numbers here. To use your own data, sign in and grant consent in the pre-fill (一键办理) flow; "
    "otherwise please call {hotline}.",
}
# The citizen typed "转人工" (or "talk to a person"): put through, as the 转人工 button does (ConversationStore.request_handoff).
PUT_THROUGH = {
    "zh-Hans": "好的，已为您转人工服务，工作人员会在这里回复您；也可以拨打{hotline}政务服务便民热线。",
    "en": "All right: you have been put through to a member of staff, who will reply here. You can also call the {hotline} "
    "hotline.",
}
# "我想查一下我的办件进度": where the 查 step is (the system's own words, no guide fact; an app has
# GET /v1/prefill/submissions/{tracking_no}). The chat reads nobody's application.
PROGRESS = {
    "zh-Hans": "办件进度请登录后在“我的办事 › 查进度”中输入受理编号（例如 YJS-20261123-ABC234）查看，各部门的受理、补正、办结状态都在那里更新。"
    "我不能在对话中查询任何人的办件；没有受理编号的，请拨打{hotline}。",
    "en": "To see how your application is getting on, sign in and enter its tracking number (e.g. YJS-20261123-ABC234) "
    "under My applications › Track: each department's status (accepted, more documents needed, completed) is updated "
    "there. I can't look up anyone's application in the chat; without a tracking number, please call {hotline}.",
}
# "我要投诉…", "where can I complain?": where complaints go (the system's own words, no guide fact) — the hotline, the
# 差评 under an answer (staff read it on the knowledge-gap list) and 转人工 (offered with every hand-off). Said without
# the page's buttons ("点“转人工”", "tap…"): an app calling the API draws its own, and typing 转人工 works everywhere.
WHERE_TO_COMPLAIN = {
    "zh-Hans": "投诉、举报、意见和建议请拨打{hotline}政务服务便民热线，或到当地政务服务中心反映。对我的回答不满意，可以给这条回答打“差评”"
    "并写下原因，工作人员会看到；也可以转人工，直接和工作人员说。",
    "en": "To make a complaint, a report or a suggestion, call the {hotline} government service hotline or raise it at your "
    "local government service centre. If my reply didn't help, rate it \"Bad\" and say why — staff read those; or ask "
    "to talk to a person now.",
}
STAFF_HOLD = {
    "zh-Hans": "您的对话已转人工服务，工作人员会尽快回复您。",
    "en": "A member of staff has taken over this conversation and will reply shortly.",
}
CLARIFY = {
    "zh-Hans": "您想办理的是哪一件事？{options}",
    "en": "Which of these do you mean? {options}",
}

SHOWN_KEPT = 200  # quotes a conversation remembers having shown (each key ~40 bytes of session state)


def is_office_passage(rec: Record) -> bool:
    """A passage of an office's own ingested guides, not of our bundle catalogue."""
    return rec.metadata.get("source_type") not in (None, "guide")


def _about(topic: ScopeTopic | None) -> dict[str, str]:
    """The refusal for an out-of-scope question: naming its topic when the router knows it (and, in English, has the
    topic's English name)."""
    if topic is None:
        return REFUSAL
    return {"zh-Hans": OUTSIDE["zh-Hans"].replace("{topic}", topic.name),
            "en": OUTSIDE["en"].replace("{topic}", topic.name_en) if topic.name_en else REFUSAL["en"]}


class Assistant:
    def __init__(
        self,
        catalog: Catalog,
        retriever: HybridRetriever,
        router: OneThingRouter,
        conversations: ConversationStore,
        *,
        generator: Generator | None = None,
        hotline: str = "12345",
        max_question_chars: int = 2000,
        decision_model_path: Path | None = None,
        training: TrainingSources | None = None,
        reranker_path: Path | None = None,
        general_answer_threshold: float = 0.5,
    ) -> None:
        self.catalog = catalog
        self.retriever = retriever
        self.router = router
        self.conversations = conversations
        self.generator = generator
        self.hotline = hotline
        self.max_question_chars = max_question_chars
        self.decision_model_path = decision_model_path
        self.training = training
        self.reranker_path = reranker_path
        self.reranker: PassageReranker | None = None
        self.general_answer_threshold = general_answer_threshold
        self.composer = GroundedComposer(catalog, retriever.records_for_source, hotline=hotline)

    def warm_up(self) -> None:
        self.retriever.warm_up()
        self.router.warm_up()
        self._ensure_model()
        if self.reranker is None and self.reranker_path is not None and self.reranker_path.is_file():
            self.reranker = PassageReranker.load(self.reranker_path)
        if self.reranker is None:
            log.info("no passage reranker at %s: questions no bundle covers are handed off, never answered from "
                     "an office's own guides (python -m assistant train --benchmarks DIR trains one)", self.reranker_path)
        self.conversations.warm_up()
        if self.generator is not None:
            self.generator.warm_up()

    def _ensure_model(self) -> None:
        if self.router.model is None:
            self.retriever.warm_up()
            self.router.model = load_or_train(self.router, self.retriever, self.decision_model_path, self.training)

    # ------------------------------------------------------------------------------------------
    def run(self, question: object, session_id: str | None = None, lang: str | None = None, *,
            context: Sequence[str] = ()) -> Answer:
        """Answer `question` in the conversation `session_id` (a new one when None or unknown).

        `context` holds the citizen's earlier questions when the caller keeps the conversation
        itself (an OpenAI-style client sends the whole history each time): they are answered again,
        in order and without being stored, so the state they imply (the active one-thing, a pending
        clarifying question, the language) is in place for `question`."""
        q = clean_question(question, self.max_question_chars)
        conv = self.conversations.load(session_id)
        for earlier in context:
            self._replay(earlier, lang, conv)
        lang_ = resolve_lang(lang, q, conv.state.get("lang"))
        conv.state["lang"] = lang_
        pending = self._undelivered_staff_replies(conv)
        if conv.status == "staff":
            # A clerk has taken this conversation over: the citizen's message waits for them.
            text = localise(STAFF_HOLD[family(lang_)], lang_)
            answer = Answer(text, handoff={"channel": "staff", "reason": "taken_over"}, session_id=conv.id, lang=lang_,
                            staff_replies=pending)
            self.conversations.append(conv, "user", mask_text(q))
            return answer
        answer = self._answer(q, lang_, conv)
        answer.session_id = conv.id
        answer.lang = lang_
        answer.staff_replies = pending
        conv.state["last_answer_id"] = answer.answer_id
        # Stored turns never keep an ID, phone or bank-card number the citizen typed.
        stored_q = mask_text(q)
        self.conversations.append(conv, "user", stored_q)
        # A refusal *offers* the hand-off (answer.handoff); only the citizen's own request (POST
        # /v1/handoff, the 转人工 button) or a clerk puts a conversation in the staff queue.
        # (The question the answer is about, which a rating or the knowledge-gap list records: after a reply choosing
        # among options, or saying none is meant, the question asked before — already masked — not "2" or "都不是".)
        stored = {"question": answer.asked or stored_q, **answer.to_dict()}
        stored.pop("staff_replies")  # the clerk's turns are stored once, as themselves
        self.conversations.append(conv, "assistant", answer.answer, stored)
        if (answer.handoff or {}).get("reason") == CITIZEN_REQUEST:
            self.conversations.request_handoff(conv.id)
        return answer

    def _undelivered_staff_replies(self, conv: Conversation) -> list[dict[str, Any]]:
        """The clerk's replies since the last answer this conversation gave the citizen: an API client
        that does not poll /staff-replies still gets them, in the answer to its next message. Marked
        delivered in the conversation state, which the citizen's turn below stores."""
        if not conv.history:  # a new conversation has no clerk in it
            return []
        pending = self.conversations.staff_replies(conv.id, conv.state.get("staff_delivered", 0), missing_ok=True)
        if pending:
            conv.state["staff_delivered"] = pending[-1]["seq"]
        return pending

    def _replay(self, question: str, lang: str | None, conv: Conversation) -> None:
        try:
            q = clean_question(question, self.max_question_chars)
        except InvalidInput:
            return  # an empty or oversized earlier turn carries no state worth rebuilding
        lang_ = resolve_lang(lang, q, conv.state.get("lang"))
        conv.state["lang"] = lang_
        self._answer(q, lang_, conv, generate=False)  # only the state matters: no generation backend call

    def suggest(self, conversation_id: str) -> Answer | None:
        """智能辅助: the assistant's draft reply to the citizen's last message, for a clerk to edit.

        Runs on a copy of the conversation state and stores nothing.
        """
        conv = self.conversations.load(conversation_id)
        last = self._last_question(conv)
        if last is None:
            return None
        draft = Conversation(conv.id, "bot", dict(conv.state), conv.history)
        draft.state.pop("pending", None)
        # The bot has already answered this message, so the conversation counts its quotes as shown;
        # a draft for the clerk answers it in full again, not with what is left over.
        draft.state.pop("shown", None)
        lang = resolve_lang(None, last, conv.state.get("lang"))
        ans = self._answer(last, lang, draft)
        ans.session_id, ans.lang = conv.id, lang
        return ans

    def last_question(self, conversation_id: str) -> str | None:
        """The citizen's last message (masked as stored), which a clerk's suggested reply answers."""
        return self._last_question(self.conversations.load(conversation_id))

    @staticmethod
    def _last_question(conv: Conversation) -> str | None:
        # The 转人工 marker is not a question: draft a reply to what the citizen actually asked.
        last = next((t for t in reversed(conv.history)
                     if t["role"] == "user" and not (t.get("payload") or {}).get("handoff_request")), None)
        return last["text"] if last else None

    def _answer(self, q: str, lang: Lang, conv: Conversation, *, generate: bool = True) -> Answer:
        if asks_for_personal_data(q) or contains_personal_data(q):
            # Never look anyone up from the chat, not even the asker: personal data goes through the
            # consented pre-fill flow only.
            return self._hand_off(PII_REFUSAL, PERSONAL_DATA_REQUEST, lang, conv)

        if asks_for_person(q):
            # The citizen's own request for a person, typed: queued for staff by run(), as the button would.
            return Answer(self._say(PUT_THROUGH, lang), handoff={"channel": "staff", "reason": CITIZEN_REQUEST})

        if asks_progress(q):
            # Nothing to route or refuse (no knowledge gap): where the 查 step is. The thread and any pending choice stay.
            return Answer(self._say(PROGRESS, lang))

        kind = small_talk(q)
        if kind is not None:
            # No question to answer or route, nothing refused (so no knowledge gap for staff): the conversation's thread
            # and any pending choice are kept.
            return Answer(self._say(SMALL_TALK[kind], lang))
        if reports_scam_attempt(q):
            # A likely victim, not a fraudster: warned and pointed to where to check, not refused as fraud.
            return self._hand_off(SCAM_WARNING, POSSIBLE_SCAM, lang, conv)

        abuse = check_abuse(q)
        if abuse.reported:
            # A victim or a witness of fraud: where to report or undo it. No guide covers that; a bundle's quote
            # (tried: the after-death department, the social security card's 代办 line) does not answer it.
            return self._hand_off(REPORT_HANDOFF, REPORT_MISCONDUCT, lang, conv)
        if asks_to_complain(q):
            # A complaint is for people, not a guide: where to make it, with 转人工 offered (a hand-off, like a report).
            return self._hand_off(WHERE_TO_COMPLAIN, COMPLAINT, lang, conv)
        if abuse.flagged:
            # Fraud, forgery, cheating or evasion: refused whatever the routing, because the matching guide's
            # answer (its materials list) would read as a recipe. Routing only finds the lawful route to offer.
            log.info("refused an unlawful request (matched %r)", abuse.matched)
            query, _, routing = self._decide(q, lang)
            return self._refuse_abuse(lang, conv, lawful=self._lawful_bundle(routing), query=query)

        # 1. A reply to our clarifying question picks one of the offered options.
        pending = conv.state.pop("pending", None)
        chosen = self._resolve_choice(q, pending["options"]) if pending else None
        if chosen:
            return self._answer_pending(chosen, pending, lang, conv, generate)
        if pending and declines_all(q):
            # "都不是": asking the same question again would loop; say so and hand off, as for a question no guide
            # answers (the hand-off button, 12345, the 综合窗口).
            return replace(self._hand_off(NONE_OF_THEM, "none_of_the_options", lang, conv), asked=pending["question"])

        # 2. Retrieve and decide on the question as asked, prepared (folded, tokenised, embedded) once
        #    for every stage below; the conversation's active one-thing is an input of the decision.
        active = conv.state.get("active_one_thing")
        query, retrieval, routing = self._decide(q, lang, active if self.catalog.get(active or "") else None)
        if routing.abuse:
            log.info("refused an unlawful request (decision model, p=%.2f)", routing.probabilities.get("abuse", 0.0))
            return self._refuse_abuse(lang, conv, lawful=self._lawful_bundle(routing), query=query, named=False)
        context = pending["question"] if pending else conv.state.pop("unplaced", None)
        if context and not routing.continues and not self._surely_placed(routing):
            # The message before could not be placed (we asked which one is meant, or found it out of scope) and
            # this one is not surely about one bundle on its own: read together they may be ("I'm setting up a
            # company in Suzhou; an agency is handling it." then "Can the agency also do the e-signature for us?").
            placed = self._placed_with(context, q, lang)
            if placed is not None:
                query, retrieval, routing = placed
                pending = None
        if pending and routing.verdict == BUNDLE and routing.top.id in pending["options"] and is_elliptical(query):
            # A reply naming one of the options in words of its own ("人死了那个" after "1. 新生儿出生一件事；2. 个人身后
            # 一件事…") chooses it: the question we asked about is answered, not the reply.
            return self._answer_pending(routing.top.id, pending, lang, conv, generate)
        # 3. A follow-up ("那要多久？") continues the active one-thing — or the one before it, when it names what only
        #    that one's guide speaks of (`_thread_before`).
        if routing.continues:
            return self._compose(self._thread_before(conv, active, query) or active, query, lang, conv,
                                 routing=routing, retrieved=retrieval.passages, generate=generate)
        if routing.top is None or not routing.in_scope:
            answer = self._general(query, lang, conv)
            if answer is None:
                conv.state["unplaced"] = mask_free_text(q)  # (kept masked, as the stored turns are)
                answer = self._refuse(lang, routing, reason="out_of_scope_or_weak_evidence",
                                      texts=TELL_MORE if self._tells_only(query) else _about(routing.outside))
            return answer
        if routing.clarify or routing.verdict != BUNDLE:
            # Too vague to route, or a follow-up with nothing to follow: ask which one-thing is meant.
            if pending and routing.verdict == FOLLOWUP:
                # We have just asked, and the reply leans on that question ("can my brother do it for him?")
                # instead of choosing: ask again with the same options, for both questions together. (A vague
                # question of its own is a new question, with options of its own.)
                return self._clarify(self._merged(pending, q), lang, conv, routing, options=pending["options"],
                                     first=pending.get("first", pending["question"]))
            return self._clarify(q, lang, conv, routing)
        return self._compose(routing.top.id, query, lang, conv, routing=routing, retrieved=retrieval.passages,
                             generate=generate)

    def _thread_before(self, conv: Conversation, active: str | None, query: Query) -> str | None:
        """The one-thing this conversation was about before the active one, when a follow-up names things the active
        guide never speaks of and that one's guide speaks of them all: after retirement, then a side question on
        activating the card, "那他的公积金能一起取出来吗" is about the retirement bundle's withdrawal (the card's guide
        never names 公积金; it answered with the card's benefit payments). None otherwise."""
        before = conv.state.get("previous_one_thing")
        words = telling_words(query)
        if not words or not active or before in (None, active) or self.catalog.get(before) is None:
            return None
        return before if self.catalog.share_held(active, words) == 0 and self.catalog.speaks_of_all(before, words) \
            else None

    @staticmethod
    def _tells_only(query: Query) -> bool:
        """Whether a message tells something and asks nothing: no question, nor a request to do something."""
        return Ask.of(query).states_only and not _REQUEST.search(query.text)

    @staticmethod
    def _surely_placed(routing: Routing) -> bool:
        """A bundle as sure as one that leads a conversation away from its thread (LEAVE_FOR_BUNDLE)."""
        return routing.verdict == BUNDLE and not routing.clarify and routing.top.score >= LEAVE_FOR_BUNDLE

    def _placed_with(self, context: str, q: str, lang: Lang) -> tuple[Query, RetrievalResult, Routing] | None:
        """The message read after the one before it, when together they are surely about one bundle (as sure as
        the message alone would have to be: read with its context, a question about something else, such as "Are
        you a human or a bot?" after a birth, reads 0.50 for the birth)."""
        decided = self._decide(f"{context} {q}"[-self.max_question_chars:], lang)
        return decided if self._surely_placed(decided[2]) else None

    def _decide(self, text: str, lang: Lang, active: str | None = None) -> tuple[Query, RetrievalResult, Routing]:
        """`text` prepared (folded, tokenised, embedded) once, retrieved for and decided, in a conversation about
        `active` when given."""
        self._ensure_model()
        query = self.retriever.prepare(text)
        retrieval = self.retriever.run(query)
        return query, retrieval, self.router.run(query, retrieval, lang, active=active)

    def _general(self, query: Query, lang: Lang, conv: Conversation) -> Answer | None:
        """No bundle fits: answer from an office's own ingested guide when the reranker is confident
        that its best passage answers the question (one verbatim quote, cited, with the caveat)."""
        if self.reranker is None:
            return None
        wide = self.retriever.run(query, top_k=self.retriever.candidates).passages
        office = [p for p in wide if is_office_passage(p)]
        if not office:
            return None
        ranked, answerable = self.reranker.rerank_with_answerable(query, office)
        if answerable < self.general_answer_threshold:
            return None
        comp = self.composer.compose_general(ranked[0], query.text)
        if not comp.statements:
            return None
        conv.state.pop("active_one_thing", None)
        return Answer(self.composer.render_general(comp, lang), citations=comp.citations, statements=comp.statements)

    def _refuse_abuse(self, lang: Lang, conv: Conversation, lawful: str | None = None, query: Query | None = None,
                      named: bool = True) -> Answer:
        """Refused, with the hand-off (a citizen the model misread can still reach a person) and, when the request
        is about one bundle (`_lawful_bundle`), the lawful route: that guide's FAQ asking in the question's words, its
        part for what is asked when that is no recipe, and (without the FAQ) its conditions closest to the question
        (`GroundedComposer.compose_lawful`). Who qualifies, how long, what it costs are no recipe for fraud (materials
        and steps would read as one), and an honest question misread as fraud ("the old car is under my wife's name,
        can I still claim it?") often hangs on exactly those. `named`: the request names an act of fraud; when only the
        decision model read it so, the words accuse no one (MODEL_REFUSAL)."""
        refusal = self._hand_off(ABUSE_REFUSAL if named else MODEL_REFUSAL, UNLAWFUL_REQUEST, lang, conv)
        o = self.catalog.get(lawful or "")
        if o is None or query is None:
            return refusal
        comp = self.composer.compose_lawful(o, Ask.of(query, own_names(o)), lang, self._within(o, query))
        if not comp.statements:
            return refusal
        before, after = (ABUSE_LAWFUL_ROUTE if named else MODEL_LAWFUL_ROUTE)[family(lang)]
        text = f"{localise(before, lang)}\n{self.composer.render(o, comp, lang)}\n{localise(after.format(hotline=self.hotline), lang)}"
        return Answer(text, refused=True, handoff=refusal.handoff, citations=comp.citations, statements=comp.statements)

    def _within(self, o: OneThing, query: Query) -> list[Record]:
        """Retrieval again inside one bundle, with the bundle's name put in front of a follow-up ("退休一件事
        那要多久？"); the question's own vector is reused, not computed again."""
        focused = query if o.name in query.text else query.prefixed(self.retriever.prepare(o.name, embed=False))
        return self.retriever.run(focused, where={"one_thing_id": o.id}).passages

    @staticmethod
    def _lawful_bundle(routing: Routing) -> str | None:
        """The bundle an abuse request is about, when the model clearly sees one: twice as likely as the next, and
        not a trace (below LAWFUL_MIN a liquidation report's fraud found the utility-connection guide's conditions)."""
        c = routing.candidates
        return c[0].id if c and c[0].score >= LAWFUL_MIN and (len(c) == 1 or c[0].score >= 2 * c[1].score) else None

    def _hand_off(self, texts: dict[str, str], reason: str, lang: Lang, conv: Conversation) -> Answer:
        """An answer that quotes no guide (personal data, a likely scam, an unlawful request): the system's own
        text in the asker's script, the hotline offered, and any pending clarifying question dropped."""
        conv.state.pop("pending", None)
        return Answer(self._say(texts, lang), refused=True, handoff={"channel": self.hotline, "reason": reason})

    def _say(self, texts: dict[str, str], lang: Lang) -> str:
        """One of the system's own texts (no guide fact) in the asker's language and script, with the hotline."""
        return localise(texts[family(lang)].format(hotline=self.hotline), lang)

    def _answer_pending(self, chosen: str, pending: dict, lang: Lang, conv: Conversation, generate: bool) -> Answer:
        """The question a clarifying question asked about, answered in the bundle the reply chose."""
        answer = self._compose(chosen, self.retriever.prepare(pending["question"]), lang, conv, routing=None,
                               generate=generate)
        answer.asked = pending["question"]
        return answer

    def _resolve_choice(self, reply: str, options: list[str]) -> str | None:
        offered = [self.catalog.get(o) for o in options]
        return read_choice(reply, offered) if all(offered) else None  # (numbered as offered, or not at all)

    def _refuse(self, lang: Lang, routing: Routing | None, reason: str, texts: dict[str, str] = REFUSAL) -> Answer:
        return Answer(
            self._say(texts, lang),
            candidates=routing.candidates[:3] if routing else [],
            refused=True,
            handoff={"channel": self.hotline, "reason": reason},
        )

    def _merged(self, pending: dict, reply: str) -> str:
        """The pending question with a reply that leans on it, within the question limit: when a person keeps
        answering our question with questions, the first one (what it is about) and the newest reply are kept,
        so the session's state does not grow with every turn."""
        merged = f"{pending['question']} {reply}"
        if len(merged) <= self.max_question_chars:
            return merged
        return f"{pending.get('first', pending['question'])} {reply}"[-self.max_question_chars:]

    def _clarify(self, q: str, lang: Lang, conv: Conversation, routing: Routing,
                 options: list[str] | None = None, first: str | None = None) -> Answer:
        """Ask which one-thing is meant: routing's three best candidates, or the `options` already offered
        (then `first` is the question they were first offered for)."""
        options = [Candidate(o, self.catalog.get(o).name, 0.0) for o in options if self.catalog.get(o)] \
            if options else routing.candidates[:3]
        # (Kept with the session until answered: masked as the stored turns are.)
        conv.state["pending"] = {"question": mask_free_text(q), "first": mask_free_text(first or q),
                                 "options": [c.id for c in options]}
        if lang == "en":
            opts = "; ".join(f"{n}. {self.catalog.get(c.id).name_en} ({c.name})" for n, c in enumerate(options, 1))
        else:
            opts = "；".join(f"{n}. {c.name}" for n, c in enumerate(options, 1))
        key = family(lang)
        text = localise(CLARIFY[key].format(options=opts), lang)
        return Answer(text, candidates=routing.candidates, clarifying_question=text, options=options)

    def _compose(self, one_thing_id: str, query: Query, lang: Lang, conv: Conversation, routing: Routing | None,
                 retrieved: list[Record] | None = None, generate: bool = True) -> Answer:
        o = self.catalog.get(one_thing_id)
        # A follow-up that leans on the conversation ("那让他自个儿拎过来交给我们行不" after "公司刚招了个应届生，人事档案还在
        # 学校") is searched with the words of the last question that had a topic of its own, as a clerk hears it (its
        # own vector is kept, so only the word search sees them). One naming the bundle ("退休一件事要带什么材料") leans on
        # nothing, and the thread of another bundle lends nothing.
        own = not (is_elliptical(query) or refers_back(query))
        names = own_names(o)
        leans = not own and not any(n in query.normalized.lower() for n in names)
        topic = conv.state.get("topic") if conv.state.get("active_one_thing") == o.id and leans else None
        if conv.state.get("active_one_thing") != o.id:
            conv.state.pop("topic", None)
            if conv.state.get("active_one_thing"):  # the thread left, which a follow-up may come back to
                conv.state["previous_one_thing"] = conv.state["active_one_thing"]
        conv.state["active_one_thing"] = o.id
        if own:  # kept with the session, so masked as what the citizen typed is (numbers, street addresses)
            conv.state["topic"] = mask_free_text(query.text)
        searched = query.prefixed(self.retriever.prepare(topic, embed=False)) if topic else query
        # An office's own ingested guides (not our catalogue) that rank near the top are quoted too.
        local = [p for p in (retrieved or [])[:3] if is_office_passage(p) and p.metadata.get("one_thing_id") in (None, o.id)]
        shown = conv.state.get("shown") or []
        # A message asking two things ("遷戶口使唔使錢？新身份證要等幾耐先攞到？") gets each answered, each part
        # retrieved on its own words (the bundle is the whole message's, and so is the vector: embedding each part
        # would double a two-part answer's time).
        prepared: dict[str, Query] = {}

        def part(text: str) -> Query:
            if text not in prepared:
                prepared[text] = replace(self.retriever.prepare(text, embed=False), vector=query.vector)
            return prepared[text]

        parts = question_parts(query.text, lambda text: Ask.of(part(text), names))
        comp = self.composer.compose_parts(o, [(Ask.of(q, names), self._within(o, q)) for q in map(part, parts)], local=local,
                                           lang=lang, shown=frozenset(shown), focus=conv.state.get("focus"),
                                           alone=lambda i: self._within(o, self.retriever.prepare(parts[i]))) \
            if len(parts) > 1 else None
        if comp is None:
            comp = self.composer.compose(o, Ask.of(query, names), self._within(o, searched), local=local, lang=lang,
                                         shown=frozenset(shown), focus=conv.state.get("focus"))
        # Remember what this conversation has shown, so a follow-up does not repeat it, and what it led with, which a
        # follow-up naming nothing ("那要多久") asks about.
        conv.state["shown"] = (shown + comp.shown_keys())[-SHOWN_KEPT:]
        conv.state["focus"] = comp.statements[0].citation.source_id if comp.statements else None
        text = self.composer.render(o, comp, lang)
        if generate and self.generator is not None and comp.statements:
            text = ground_check(self.generator.rephrase(query.text, comp, lang), comp, fallback=text)
        score = next((c.score for c in routing.candidates if c.id == o.id), 1.0) if routing else 1.0
        return Answer(
            text,
            one_thing=Candidate(o.id, o.name, score),
            candidates=routing.candidates if routing else [Candidate(o.id, o.name, score)],
            citations=comp.citations,
            more=[More(m.id, localise(m.label, lang)) for m in comp.more],  # an app asking in 繁體 shows 繁體 buttons
            related=[Candidate(r.id, r.name, score) for r, score in self.catalog.related(o.id)],
            statements=comp.statements,
        )
