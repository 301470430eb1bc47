"""导: route a question to the right one-thing — or decide that none fits, that it is an abuse
request, too vague to route, or a follow-up that leans on the conversation.

The router measures, per one-thing (see `assistant.decision.features.Signals`):
- profile: the best cosine between the question and the bundle's profile phrases (name, aliases,
  life events such as "孩子刚出生", service names, and its FAQ questions), embedded once at warm-up
  and cached on disk;
- passage: the best dense cosine of the bundle's guide passages among the retrieved candidates;
- evidence: its share of the top passages when dense and BM25 lists are rank-fused (agreement);
- mention: the question names the bundle or an alias verbatim;
and the nearest out-of-scope example (knowledge/data/out_of_scope.yaml).

The decision is learned (`assistant.decision`): a classifier over those signals and the question's
vector predicts a bundle or one of out_of_scope / abuse / ambiguous / followup,
trained on thousands of labelled questions (`python -m assistant train`). Nothing here is a
hand-fitted weight or floor; the one threshold left, `clarify_margin`, says how close the two best
bundles may be before the assistant asks instead of guessing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.abuse import says_lawful_intent
from assistant.aspects import content_words, is_elliptical, refers_back
from assistant.decision.classes import ABUSE, AMBIGUOUS, FOLLOWUP, OUT_OF_SCOPE, SPECIAL
from assistant.decision.features import Signals, feature_vector
from assistant.decision.meant import fuse
from assistant.decision.model import DecisionModel
from core.errors import ConfigurationError
from core.lang import Lang, detect_lang
from knowledge.catalog import Catalog, ScopeTopic
from knowledge.embedders import Embedder
from knowledge.retrieval import Query, RetrievalResult
from knowledge.schema import OneThing
from knowledge.text import normalize

log = logging.getLogger(__name__)

BUNDLE = "bundle"  # the verdict when a one-thing wins
# In a conversation about one bundle, a new question leaves it only when it is more likely than not
# about something out of scope (and is not an elliptical follow-up), or fairly sure to be about another bundle.
LEAVE_THREAD = 0.5
# Another bundle needs more than "more likely than not": a follow-up on a service two bundles share ("公积金账户也能
# 一起开吗" after hiring, "家里有辆旧车还能申请吗" after 低保, "他們年紀大…我可以全部幫忙代辦嗎" after moving parents' hukou)
# reads 0.51–0.61 for the other one, while the 98 development switches to another bundle (evals/datasets/followup_dev)
# read 0.85–1.0. Chosen on the development follow-ups (followup_dev and those of blind2/3/5/7/8): at 0.5 / 0.6 / 0.7 /
# 0.8 / 0.9, follow-ups led away to another bundle 4 / 2 / 1 / 1 / 1 of 12, switches kept in the thread 0 / 0 / 0 / 0
# / 1 of 98. Held out (session 33): one key fact gained, one switch of the first blind set kept in the thread (a
# switch nobody on the team wrote can read under 0.7), blind9 unchanged.
LEAVE_FOR_BUNDLE = 0.7
# The model is trained on questions asked out of context, where "那大概几天能办完" is more often an out-of-scope
# generic question than a follow-up. In a conversation about a bundle it is the other way round, so the decision
# there uses the conversation's prior (Bayes' rule): the follow-up class and the active bundle are THREAD_PRIOR
# times likelier than in training. A question clearly about something else keeps its verdict (its own class
# still dominates after the shift). Chosen on evals/datasets/followup_dev (follow-ups and switches), not the
# blind sets: see the README, "The learned decision layer".
THREAD_PRIOR = 3.0
# The learned abuse class refuses when it is at least this likely (and more likely than anything else),
# whether or not the question names a bundle. Chosen on 5-fold cross-validation of the training data and
# on the dev set (never the blind sets): the lowest threshold that refuses no lawful dev question and
# wrongly refuses no more in-scope training questions than the model before it. Dec 2, with the act cue
# (assistant.decision.act), 5,026 rows, lexicon and model together — abuse refused / in-scope wrongly
# refused (CV) / dev in-scope wrongly refused:
#   0.5: 0.756 / 2.0 %  / 0 of 208   0.6: 0.734 / 1.8 % / 0   0.7: 0.706 / 1.5 % / 0   0.8: 0.672 / 1.3 % / 0
# The model before the cue, at its threshold 0.8: 0.575 / 1.8 % / 0. A citizen wrongly refused loses more
# than an abuse request that gets the public guide, so the in-scope rate is the bound.
# The stricter 0.95 once used for questions that name a bundle was a guess: on CV it refused 30 % of the
# 23 named abuse rows (39 % at 0.8) and none of the 431 named lawful rows at any threshold from 0.5 to 0.95.
# Not met on English: honest English questions written blind are refused as abuse above that bound (Dec 3: 18 of
# 120 honest English twins in evals/datasets/en_pairs_dev, 11 of 135 English family_dev questions) — the model and
# its act cue read English stories as fraud. No threshold fixed it; English data written for it (English abuse
# requests with their honest mirrors, and honest English questions in many voices) and English words in the act
# cue brought it to 11 of 120 and 9 of 135 on Dec 4 while English abuse refused rose (README, "The learned
# decision layer"). On blind text it is still 5–7 honest questions of 100 (README, blind4 / blind5).
ABUSE_MIN = 0.7
# An English question is refused as abuse only when the act cue, too, reads an act in its wording (log-odds of
# "asks to commit fraud" at least this): the rest of the model reads English family stories as fraud ("dad is
# applying for dibao and has a 10 year old car worth 5000. does that rule him out?": p 0.81, cue −2.0).
# Chosen on the development yardsticks (abuse_dev, en_pairs_dev, family_dev, dev, blind2/3/5 first turns; Dec 5):
# English honest questions refused 25 → 20 of 353, English abuse refused 117 of 151 either way (at −0.5: 115 and
# 19; at 0: 113 and 18). Chinese has a threshold of its own, lower: there the model is seldom misled that way, and the
# same −1 costs abuse refusals (−4 of 129 for −4 of 424 honest; session 17's all-language trial lost 5 real frauds).
ENGLISH_ACT_MIN = -1.0
# In Chinese only where the cue reads no act at all: "搬屋嗰陣唔見咗個仔嘅打針簿…冇咗預防接種證會唔會報唔到名？" (a lost
# vaccination booklet before school enrolment) was refused as fraud at p 0.99 with the cue at −2.7 — the question's
# topic is where abuse rows about enrolment live. Chosen on the development yardsticks (every first-turn question of
# every development set, session 31): at −2.5 Chinese honest questions refused 14 → 12 of 1,138 and Chinese abuse
# refused 137 of 165 either way; at −2: 11 and 136; at −1 (session 17's trial): 7 and 134.
CHINESE_ACT_MIN = -2.5
# In a conversation about a bundle an English follow-up needs the cue to read an act more clearly: a short follow-up
# leaves the model little but its topic, and one about someone else's car, licence or address is where English abuse
# rows live ("My ID card will show the old address, can I get a new one in the same application?" after moving a hukou:
# p 1.00, cue +0.86). A request to cheat asked after a lawful question names the act ("can we just tick 'no outstanding
# debts'…": +1.66). Chosen on the development follow-ups (abuse_followups, followup_dev, followup_dev2, blind2/3/5/7/8;
# session 40): of the English turns the model reads as abuse at ABUSE_MIN, the three honest ones' cue is −0.1 to +0.86,
# the requests to cheat +1.48 and up. Not in Chinese: there a bribe in Cantonese ("聽講俾封利是供電所師傅就可以排前啲",
# −1.94) reads lower than an honest follow-up ("佢張銀行卡喺鄉下開嘅，可唔可以用嚟收津貼？", −1.37).
THREAD_ENGLISH_ACT_MIN = 1.0


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    score: float  # the model's probability for this one-thing


@dataclass(frozen=True)
class Routing:
    candidates: list[Candidate]  # one-things, most probable first (at most five)
    verdict: str  # BUNDLE or one of assistant.decision.classes.SPECIAL: the most probable kind
    clarify: bool  # ask which one-thing is meant instead of answering
    in_scope: bool  # some one-thing (or a follow-up of one) is what the question is about
    probabilities: dict[str, float] = field(default_factory=dict)  # of the special classes
    mentioned: list[str] = field(default_factory=list)
    continues: bool = False  # a follow-up of the conversation's active bundle (given to run())
    signals: dict[str, dict[str, float]] = field(default_factory=dict)  # of the candidates, for the staff desk
    outside: ScopeTopic | None = None  # the out-of-scope topic the question names (OneThingRouter.outside), if any

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def abuse(self) -> bool:
        return self.verdict == ABUSE


def in_thread(probs: dict[str, float], active: str, prior: float) -> dict[str, float]:
    """The model's probabilities with the conversation's prior: the follow-up class and the active bundle
    `prior` times likelier a priori, renormalised (see THREAD_PRIOR)."""
    shifted = {c: p * prior if c in (FOLLOWUP, active) else p for c, p in probs.items()}
    total = sum(shifted.values()) or 1.0
    return {c: p / total for c, p in shifted.items()}


# A follow-up the model reads as out of scope on its own ("服务员都要体检吗", "獨生子女獎勵也能一起申請嗎") still
# continues the conversation when the active bundle's guide speaks of it: one of retrieval's first SPEAKS_TOP
# passages is the active guide's, found by its words too (BM25), and holds one of the question's content words.
# Chosen on evals/datasets/followup_dev (3 and 10 tried): follow-ups continued 0.955 → 0.965 with out-of-scope
# switches still refused 0.95 (at 10: 0.92); the first blind set's follow-ups 0.911 → 0.956.
SPEAKS_TOP = 3
# A question the model is sure is out of scope leaves the thread although the active guide speaks of one of its words,
# when the guide holds fewer than half of them: "奶茶配方能申请专利吗" after opening a milk-tea shop (p 0.98; the guide
# names 奶茶, not 配方 or 专利), "How do we register a trademark for our brand name?" after starting a company (1.00).
# A follow-up as sure of it is one the guide holds the words of ("Where do we pay the deed tax…" 0.98, 3 of 3).
# (Read after the thread's prior.) Development follow-ups (603 turns of followup_dev, followup_dev2, abuse_followups and
# blind2/3/5/7/8): 4 switches to out of scope refused that were answered from the thread's guide, no follow-up lost;
# held out (blind9): out-of-scope switches refused 0.65 → 0.80, follow-ups unchanged.
SURE_OUT_OF_SCOPE = 0.95
# A bundle the model gives at least this probability may be what a question naming an out-of-scope topic's thing is
# about (`OneThingRouter.outside`): when its guide touches the topic, the question is not out of scope.
PLAUSIBLE = 0.05


def _uses_word(text: str, word: str) -> bool:
    """Whether folded, lower-case `text` uses `word` (folded as `load_out_of_scope` keeps it): an English word from
    its start ("visa" in "visas", not "nonvisa")."""
    return re.search(rf"\b{re.escape(word)}", text) is not None if word.isascii() else word in text


def telling_words(query: Query) -> set[str]:
    """The question's content words that can tell a guide's text apart: two characters or more (one, 所 or 费, is in
    every guide)."""
    return {w for w in content_words(query) if len(w) >= 2}


def speaks_of(active: str, query: Query, retrieval: RetrievalResult) -> bool:
    """Whether the active bundle's guide speaks of what the question asks about (see SPEAKS_TOP)."""
    words = telling_words(query)
    return any(rec.metadata.get("one_thing_id") == active and rec.bm25 and any(w in rec.text.lower() for w in words)
               for rec in retrieval.passages[:SPEAKS_TOP])


def profile_phrases(o: OneThing) -> list[str]:
    phrases = [o.name, o.name_en, *o.aliases, *o.life_events, *o.life_events_en, o.summary]
    phrases += [s.name for s in o.services]
    phrases += [f.question for f in o.faqs]
    return [normalize(p) for p in dict.fromkeys(phrases) if p]


# Profile vectors by (embedder, phrases), shared by the routers of one process: every assistant built on one
# catalogue (each API worker's, each fast test's in a data dir of its own) embeds the same ~1,150 phrases.
_PROFILE_VECTORS: dict[str, np.ndarray] = {}


class OneThingRouter:
    """Measures the signals and asks the decision model (see module docstring)."""

    def __init__(
        self,
        catalog: Catalog,
        embedder: Embedder,
        *,
        out_of_scope: list[ScopeTopic] | None = None,
        model: DecisionModel | None = None,
        clarify_margin: float = 0.15,
        thread_prior: float = THREAD_PRIOR,
        cache_dir: Path | None = None,
    ) -> None:
        if not 0 <= clarify_margin < 1:
            raise ValueError(f"clarify_margin must be in [0, 1), got {clarify_margin}")
        self.catalog = catalog
        self.embedder = embedder
        self.out_of_scope = out_of_scope or []
        self.model = model
        self.clarify_margin = clarify_margin
        if thread_prior < 1:
            raise ValueError(f"thread_prior must be at least 1, got {thread_prior}")
        self.thread_prior = thread_prior
        self.cache_dir = cache_dir
        self.bundle_ids = [o.id for o in catalog]
        # Per profile phrase row: its owner (one-thing id, or "oos:<topic id>") as an index into _owner_names;
        # and the rows of each phrase (a training example leaves its own phrase out).
        self._owner_names: list[str] = []
        self._owner_of_row: np.ndarray = np.zeros(0, dtype=np.intp)
        self._rows_of: dict[str, list[int]] = {}
        self._vecs: np.ndarray | None = None

    def warm_up(self) -> None:
        if self._vecs is not None:
            return
        self.catalog.warm_up()
        phrases, owners = [], []
        for o in self.catalog:
            for p in profile_phrases(o):
                phrases.append(p)
                owners.append(o.id)
        for t in self.out_of_scope:
            for p in t.phrases:
                phrases.append(normalize(p))
                owners.append(f"oos:{t.id}")
        # As indices, a question's best phrase per owner is one grouped maximum, not a Python loop over ~2,000
        # rows (1.1 ms a question).
        self._owner_names = list(dict.fromkeys(owners))
        index = {o: i for i, o in enumerate(self._owner_names)}
        self._owner_of_row = np.array([index[o] for o in owners], dtype=np.intp)
        rows_of: dict[str, list[int]] = defaultdict(list)
        for row, phrase in enumerate(phrases):
            rows_of[phrase].append(row)
        self._rows_of = dict(rows_of)
        self._vecs = self._embed_cached(phrases)

    def _embed_cached(self, phrases: list[str]) -> np.ndarray:
        key = hashlib.sha256(json.dumps([self.embedder.name, phrases], ensure_ascii=False).encode()).hexdigest()[:16]
        path = self.cache_dir / f"profiles-{key}.npy" if self.cache_dir else None
        vecs = _PROFILE_VECTORS.get(key)
        if vecs is None and path and path.exists():
            vecs = np.load(path)
        if vecs is None:
            # Profiles are matched against queries, so both sides use the query embedding (symmetric task).
            vecs = np.vstack([self.embedder.embed_query(p) for p in phrases]) if phrases else np.zeros((0, 1))
        if path and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vecs)
        vecs.flags.writeable = False  # shared by every router of this process with the same phrases and embedder
        _PROFILE_VECTORS[key] = vecs
        return vecs

    def signals(self, query: Query, retrieval: RetrievalResult, *, leave_out: str | None = None) -> Signals:
        """The router's measurements; `leave_out` ignores one profile phrase (training on that phrase)."""
        if query.vector is None:
            raise ValueError("routing needs the question's vector: prepare it with embed=True")
        self.warm_up()
        sims = self._vecs @ query.vector
        keep = np.ones(len(sims), dtype=bool)
        if leave_out:
            keep[self._rows_of.get(normalize(leave_out), [])] = False
        owner = self._owner_of_row[keep]
        top = np.zeros(len(self._owner_names))  # an owner's best phrase, never below 0
        np.maximum.at(top, owner, sims[keep])
        present = np.bincount(owner, minlength=len(self._owner_names)) > 0
        best = {self._owner_names[i]: float(top[i]) for i in np.flatnonzero(present)}
        oos = {k: v for k, v in best.items() if k.startswith("oos:")}
        oos_topic, oos_cos = max(oos.items(), key=lambda kv: kv[1]) if oos else (None, 0.0)
        profile = {k: v for k, v in best.items() if not k.startswith("oos:")}
        return Signals(profile, dict(retrieval.dense_by_one_thing), dict(retrieval.agreement_by_one_thing),
                       list(retrieval.mentioned_one_things), oos_cos,
                       oos_topic.removeprefix("oos:") if oos_topic else None)

    def features(self, query: Query, retrieval: RetrievalResult, lang: Lang, *, leave_out: str | None = None) -> np.ndarray:
        return feature_vector(query, self.signals(query, retrieval, leave_out=leave_out), self.bundle_ids, lang)

    def run(self, query: Query, retrieval: RetrievalResult, lang: Lang = "zh-Hans", *, active: str | None = None) -> Routing:
        """Decide for a prepared question (its vector, its words), what retrieval found, and the
        conversation's active one-thing, if any."""
        if self.model is None:
            raise ConfigurationError("the router has no decision model: call Assistant.warm_up() (which loads or "
                                     "trains one) or `python -m assistant train`", field="YJS_DATA_DIR")
        sig = self.signals(query, retrieval)
        probs = self.model.predict(feature_vector(query, sig, self.bundle_ids, lang), query.text)
        # Abuse is decided on the question's own wording, whatever the conversation (at >= ABUSE_MIN > 0.5
        # it is also the most probable class).
        abusive = probs.get(ABUSE, 0.0) >= ABUSE_MIN
        english = detect_lang(query.text) == "en"
        act_min = (THREAD_ENGLISH_ACT_MIN if active else ENGLISH_ACT_MIN) if english else CHINESE_ACT_MIN
        if abusive and (says_lawful_intent(query.text) or self.model.act_log_odds(query.text) < act_min):
            # Not abuse after all (the asker says they mean the open way, or the words name no act): the other
            # classes as the model ranks them, given that it is not.
            abusive, rest = False, max(1.0 - probs[ABUSE], 1e-12)
            probs = {c: (0.0 if c == ABUSE else p / rest) for c, p in probs.items()}
        if active and self.thread_prior != 1:
            probs = in_thread(probs, active, self.thread_prior)
        ranked = sorted(((p, b) for b, p in probs.items() if b not in SPECIAL), reverse=True)
        candidates = [Candidate(b, self.catalog.get(b).name, round(p, 4)) for p, b in ranked[:5] if self.catalog.get(b)]
        special = {c: probs.get(c, 0.0) for c in SPECIAL}
        mentioned = sig.mentioned[:1]
        others = {c: p for c, p in special.items() if c != ABUSE}
        best_special = max(others, key=others.get)
        p1 = candidates[0].score if candidates else 0.0
        verdict = ABUSE if abusive else BUNDLE if p1 >= special[best_special] else best_special
        if mentioned and verdict != ABUSE:
            # Naming a bundle outright ("户口迁移一件事…") is in scope and about that bundle.
            verdict = BUNDLE
            named = next((c for c in candidates if c.id == mentioned[0]), None) or Candidate(
                mentioned[0], self.catalog.get(mentioned[0]).name, round(probs.get(mentioned[0], 0.0), 4))
            candidates = [named, *(c for c in candidates if c.id != named.id)][:5]
        if verdict in (AMBIGUOUS, FOLLOWUP):
            # The model is sure it is vague, so its bundle probabilities are all near zero and their order says
            # little: offer what the question could mean (assistant.decision.meant).
            candidates = [Candidate(b, self.catalog.get(b).name, round(probs.get(b, 0.0), 4))
                          for b in self._meant(query, sig)[:5]]
        p2 = candidates[1].score if len(candidates) > 1 else 0.0
        close = verdict == BUNDLE and not mentioned and p1 - p2 < self.clarify_margin
        clarify = verdict == AMBIGUOUS or close
        # A close call between another bundle and the conversation's own ("How long do we have to register their social
        # insurance…" after an answer on hiring: 企业开办 0.52, 员工招聘 0.41) is no clear switch: the thread decides it,
        # where on its own the question would be asked which one is meant.
        near_thread = close and len(candidates) > 1 and candidates[1].id == active
        continues = bool(active) and (near_thread or self._continues(
            active, verdict, candidates, special, mentioned, query,
            verdict in (OUT_OF_SCOPE, BUNDLE) and speaks_of(active, query, retrieval),
            verdict == BUNDLE and self._names(active, query),
            holds=verdict != OUT_OF_SCOPE or self.catalog.speaks_of_all(active, content_words(query)),
            elsewhere=verdict == OUT_OF_SCOPE and self._sure_elsewhere(active, special[OUT_OF_SCOPE], query)))
        # The bundles the answer could come from: the thread's or the model's pick, with any other the model finds
        # plausible ("My wife died… She had a driving licence, a dibao…" read as 低保 at 0.81 and after a death at 0.08,
        # whose guide names 驾驶证); or, when it would ask which one is meant, the ones it would offer.
        if continues or (verdict == BUNDLE and not clarify):
            could_answer = [active if continues else candidates[0].id,
                            *(c.id for c in candidates[:3] if c.score >= PLAUSIBLE)]
        else:
            could_answer = [c.id for c in candidates[:3]] if verdict not in (OUT_OF_SCOPE, ABUSE) else []
        topic = self.outside(could_answer, query) if could_answer and not mentioned else None
        if topic is not None:
            # The question names another topic's own thing, which no guide it could be answered from touches (see
            # `outside`): out of scope, whatever the thread or the model's topic ("小孩办护照要什么材料" is not asked
            # whether it means the newborn, school or childcare-subsidy bundle).
            verdict, clarify, continues = OUT_OF_SCOPE, False, False
        elif verdict == OUT_OF_SCOPE and not continues and candidates and not mentioned:
            topic = self.outside([candidates[0].id], query)  # refused anyway: the refusal can name what it is about
        signals = {c.id: {"profile_cos": round(sig.profile.get(c.id, 0.0), 4),
                          "passage_cos": round(sig.passage.get(c.id, 0.0), 4),
                          "evidence": round(sig.evidence.get(c.id, 0.0), 4),
                          "mention": float(c.id in mentioned)} for c in candidates}
        return Routing(candidates, verdict, clarify, verdict in (BUNDLE, AMBIGUOUS, FOLLOWUP),
                       {k: round(v, 4) for k, v in special.items()}, mentioned, continues, signals, topic)

    def _meant(self, query: Query, sig: Signals) -> list[str]:
        """The bundles a vague question could mean, likeliest first: those whose profile phrases and passages come
        nearest, fused with the votes of the labelled questions nearest to it."""
        by_text = sorted(self.bundle_ids, key=lambda b: -(sig.profile.get(b, 0.0) + sig.passage.get(b, 0.0)))
        votes = self.model.neighbours.vote(query.vector)
        by_votes = sorted((b for b in votes if b in self.bundle_ids), key=lambda b: -votes[b])
        return fuse(by_text, by_votes)

    def outside(self, one_thing_ids: list[str], query: Query) -> ScopeTopic | None:
        """The out-of-scope topic the question names by one of its `words` ("BB辦護照要幾耐": 护照) when none of the
        bundles' guides holds any of that topic's words or `touch` words (knowledge.catalog.ScopeTopic) — so "他驾照要注销
        吗" stays with the after-death guide, which speaks of 驾驶证, while "驾校报名要体检吗" does not."""
        text = query.normalized.lower()
        for topic in self.out_of_scope:
            if any(_uses_word(text, w) for w in topic.words) and not any(
                    self.catalog.share_held(b, (*topic.words, *topic.touch)) for b in one_thing_ids):
                return topic
        return None

    def _sure_elsewhere(self, active: str, p_out_of_scope: float, query: Query) -> bool:
        """Whether a question read as out of scope is so surely, and so little in the active guide, that the guide's
        speaking of one of its words does not keep it in the thread (see SURE_OUT_OF_SCOPE)."""
        return p_out_of_scope >= SURE_OUT_OF_SCOPE and self.catalog.share_held(active, telling_words(query)) < 0.5

    def _names(self, active: str, query: Query) -> bool:
        """Whether the question names a word of the active bundle's own name ("这个多久之内必须去变更" in a conversation
        about 个体工商户变更经营者: 变更, though 企业信息变更 names it too)."""
        o = self.catalog.get(active)
        # (Not the word every bundle's name has: "bundle", 一件事.)
        name = normalize(f"{o.name} {o.name_en}").lower().replace("一件事", " ").replace("bundle", " ") if o else ""
        return any(w in name for w in telling_words(query))

    @staticmethod
    def _continues(active: str, verdict: str, candidates: list[Candidate], special: dict[str, float],
                   mentioned: list[str], query: Query, speaks: bool = False, names: bool = False,
                   holds: bool = True, elsewhere: bool = False) -> bool:
        """Does a question in a conversation about `active` continue it? Yes, unless it names another
        bundle, or is clearly about another bundle or about something out of scope (which a question the active
        guide `speaks` of is not; for another bundle, only when the question also refers back by a pronoun: "那他户口
        咋恢复" after a veteran's return asks about his hukou, while "信用中国上还挂着我们公司的处罚" after a listing check
        is the credit-repair bundle, though the listing guide names 信用中国. Development sets: followup_dev 0.970 →
        0.975, no switch lost; three answers of 2,752 changed, all to the thread's guide). A pronoun with a word of the
        active bundle's own name (`names`) keeps the thread too: "这个多久之内必须去变更" after a 个体工商户变更经营者 answer
        (企业信息变更 0.92 on its own). An elliptical question read as out of scope continues only when the active
        guide `holds` its content word: "那社保卡呢？" leans on the conversation, "法律援助怎么申请" after a utility connection
        names a topic of its own in one word (development sets: 2 switches to out of scope kept in the thread before,
        none now, and no follow-up lost). And the guide's speaking of it does not keep a question the model is sure is out
        of scope when the guide holds fewer than half of its words (`elsewhere`, see SURE_OUT_OF_SCOPE)."""
        if verdict == ABUSE or mentioned[:1] not in ([], [active]):
            return False
        if verdict == BUNDLE and candidates[0].id != active:
            return candidates[0].score < LEAVE_FOR_BUNDLE or is_elliptical(query) or ((speaks or names) and refers_back(query))
        if verdict == OUT_OF_SCOPE:
            return special[OUT_OF_SCOPE] < LEAVE_THREAD or (is_elliptical(query) and holds) or (speaks and not elsewhere)
        return True
