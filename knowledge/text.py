"""Text normalisation for Chinese retrieval: script conversion, language detection, tokenisation.

Traditional Chinese is folded to Simplified (opencc) before matching, so 戶口遷移 finds 户口迁移.
BM25 tokens come from jieba's search mode, which also emits the sub-words of long compounds
(新生儿出生 → 新生, 新生儿, 出生), giving recall on colloquial phrasing; English words are reduced to their
Snowball stem, so "registering" finds "register" and "fees" finds "fee".
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from core.lang import to_simplified

log = logging.getLogger(__name__)


_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)

# Function words that carry no retrieval signal in service questions.
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 嘛 是 我 你 他 她 它 我们 你们 要 想 请问 请 问 一下 怎么 怎样 如何 什么 哪些 哪里 哪儿 "
    "可以 能 能否 可不可以 需要 需不需要 还 和 与 及 或 在 有 没有 都 就 也 又 吗？ 这个 那个 这 那 个 一 下 "
    "the a an of to for and or is are do does how what which can i my me in on with at be".split()
)


# Spoken Cantonese (粵語) as Hong Kong and Guangdong citizens type it, and its Mandarin words: the guides are written in
# Mandarin, and jieba, the aspects and the content words read Mandarin ("要幾耐？" asks 多久, "可唔可以幫佢辦？" is
# 可不可以帮他办). Keys after the Traditional → Simplified fold (OpenCC writes 嗰 as 𠮶); words only, and single
# characters only where they are Cantonese alone (佢, 嘅, 唔, 冇, 咗, 啲, 喺, 嚟, 嘢, 𠮶, 睇, 揾, 攞, 畀, 俾): not 系
# (关系), 仲 (仲裁), 边 (旁边) or 咁 (咁样, 咁多 are words).
_CANTONESE = {
    "可唔可以": "可不可以", "使唔使": "要不要", "要唔要": "要不要", "系唔系": "是不是", "得唔得": "行不行",
    "会唔会": "会不会", "有冇": "有没有", "几耐": "多久", "几多钱": "多少钱", "几多": "多少", "边度": "哪里",
    "喺边": "在哪", "边个": "哪个", "乜嘢": "什么", "咩嘢": "什么", "点样": "怎样", "点解": "为什么", "而家": "现在",
    "仲系": "还是", "仲要": "还要", "仲有": "还有", "佢哋": "他们", "我哋": "我们", "你哋": "你们", "搞掂": "办好",
    "啱啱": "刚刚", "一齐": "一起", "嘢": "东西", "系咪": "是不是", "点算": "怎么办", "𠮶阵": "那时", "𠮶": "那",
    "咁样": "这样", "咁多": "这么多", "咁耐": "这么久", "还返": "退还",
    # Hong Kong words for things the guides name otherwise
    "出世纸": "出生证明", "出世": "出生", "BB": "婴儿", "生果金": "高龄津贴", "老豆": "父亲", "屋企": "家里",
    "过身": "去世", "返工": "上班", "老窦": "父亲", "阿嫲": "奶奶", "嫲嫲": "奶奶",
    "唔该": "请问", "冇": "没有", "佢": "他", "嘅": "的", "唔": "不", "咗": "了", "啲": "些", "喺": "在", "嚟": "来",
    "睇": "看", "揾": "找", "攞": "拿", "畀": "给", "俾": "给",
}
_CANTONESE_WORD = re.compile("|".join(sorted(map(re.escape, _CANTONESE), key=len, reverse=True)))
# 帮手 is Cantonese for 帮忙 ("阿嫲可唔可以幫手申請？"), except where it is a helper, as in Mandarin ("找个帮手").
_CANTONESE_HELP = re.compile(r"(?<![个的位名当做找])帮手")
# A question ending in 咩 ("而家仲係咁做咩？") asks yes or no, like 吗; within it 咩 is 什么 ("要辦啲咩手續"), and so it is
# after 啲 (folded to 些) at the end too: "BB啱啱出世，要搞啲咩" asks what to do, not whether.
_CANTONESE_YES_NO = re.compile(r"(?<!些)咩(?=[?？\s]*$)")


def fold_cantonese(text: str) -> str:
    """Spoken Cantonese words in a (Simplified) question as their Mandarin words; Mandarin text is unchanged."""
    text = _CANTONESE_YES_NO.sub("吗", _CANTONESE_WORD.sub(lambda m: _CANTONESE[m.group()], text))
    return _CANTONESE_HELP.sub("帮忙", text).replace("咩", "什么")


# Death said the spoken way ("我爸昨天夜里在医院走了", "奶奶不在了"): a relative who 走了 / 不在了 / 没了 has died, which the
# guides and the embedder read only as 去世 — "我爸昨天夜里在医院走了，现在脑子一团乱，不知道先干嘛" was refused as out of scope,
# its nearest guide the one on treatment away from home (医院). Only after a word for a relative or an old person, not a
# walk or a route ("走了一趟", "走了简易程序"), and 没了 only where it ends a clause ("没了工作", "没了收入" are a loss).
_RELATIVE = ("爸|妈|父亲|母亲|爷爷|奶奶|外公|外婆|姥姥|姥爷|老人|老爷子|老太太|老伴|丈夫|老公|妻子|老婆|公公|婆婆|岳父|岳母"
             "|丈母娘|老丈人|阿公|阿婆|阿嬷|阿爷|阿嫲|嫲嫲|亲人|家人")
_PASSED = re.compile(rf"((?:{_RELATIVE})[^，。？！,.?!\s]{{0,10}}?)(?:走了(?![一几很好步路程流关后个])|不在了"
                     r"|没了(?=$|[，。？！,.?!\s]|[一二三两几半]?[个天月年周]|以后|之后|后))")


# English says it as "passed" alone ("My mother-in-law just passed, what do we need to do?" was refused as out of scope;
# "passed away" finds the guide): after "my / our / his / her" and a relative, and not before what was passed ("passed
# the driving test", "passed his exam") or "away", which is there already. Sons and daughters pass exams more often.
_RELATIVE_EN = ("dad|father|mum|mom|mother|mama|papa|grandfather|grandmother|grandpa|grandma|granny|granddad|nan|nana"
                "|husband|wife|partner|father-in-law|mother-in-law|uncle|aunt|auntie|brother|sister|parent|parents")
_PASSED_EN = re.compile(rf"\b((?:my|our|his|her)\s+(?:late\s+)?(?:{_RELATIVE_EN})\s+(?:has\s+|had\s+)?"
                        r"(?:just\s+|recently\s+|sadly\s+|suddenly\s+)?)passed(?:\s+on)?\b"
                        r"(?!\s+(?:away|the|his|her|their|my|a|an|all|it|its|this|that)\b)", re.IGNORECASE)


def fold_passing(text: str) -> str:
    """A relative's death said the spoken way as 去世了, or in English as "passed away" (a normalised, Mandarin text:
    after `fold_cantonese`, which makes 走咗 走了)."""
    return _PASSED_EN.sub(r"\1passed away", _PASSED.sub(r"\1去世了", text))


def fold_question(text: str) -> str:
    """A question as every stage reads it: width and script folded (`normalize`), spoken Cantonese as Mandarin
    (`fold_cantonese`), a relative who 走了 or "passed" as one who 去世了 / passed away (`fold_passing`)."""
    return fold_passing(fold_cantonese(normalize(text)))


def normalize(text: str) -> str:
    """Fold width (full-width ASCII → ASCII), fold Traditional → Simplified, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


_ADDED: set[str] = set()  # the words add_words taught jieba in this process


def add_words(words: list[str]) -> None:
    """Teach the segmenter domain terms (one-thing names, aliases) so they stay whole. Each word once:
    jieba adds a word's frequency to its total on every call, so adding the same words again (a second
    retriever in one process) would shift how everything else is segmented."""
    jb = _jieba()
    for w in words:
        if w and len(w) <= 12 and w not in _ADDED:
            jb.add_word(w, freq=20000)
            _ADDED.add(w)


_ENGLISH_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _english_stemmer():
    import Stemmer  # PyStemmer: the Snowball stemmers (the one bm25s documents)

    return Stemmer.Stemmer("english")


def english_stem(word: str) -> str:
    """The Snowball stem of one lower-case English word: "employer", "employed" → "employ"."""
    return _english_stemmer().stemWord(word)


@lru_cache(maxsize=8192)
def english_stems(text: str) -> frozenset[str]:
    """The stems of a text's English words (lower-cased), for matching a question's words against a
    passage whatever their endings: "registered" finds "registration" (regist), "fees" finds "fee"."""
    return frozenset(_english_stemmer().stemWords(_ENGLISH_TOKEN.findall(text.lower())))


def segment(text: str) -> list[str]:
    """jieba's plain (accurate-mode) words of a text, as typo repair learns its vocabulary from."""
    return _jieba().lcut(text)


class SegmentationCache:
    """Segmentations of indexed texts kept in a file between processes (`folder` None: this process only).

    Segmenting every chunk — BM25's search-mode tokens and typo repair's words — was most of a process's
    start (about 5 s of CPU for the catalogue), paid again by every API worker, every restart and every test
    server. An entry is keyed by a hash of its text; the file is named by what decides a segmentation
    (jieba's version, the words taught to it, the stopwords), so a changed text or word list is segmented
    afresh. Only the entries used by the last build are written back, so the file does not grow with
    re-ingests; a file that cannot be read or written costs time, never a start."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / f"segments-{_segmenter_signature()}.json" if folder is not None else None
        self._stored = self._read()
        self._used: dict[str, list[str]] = {}

    def _read(self) -> dict[str, list[str]]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("segmentation cache %s unreadable (%s): segmenting afresh", self.path, exc)
            return {}

    def get(self, kind: str, text: str, segmenter: Callable[[str], list[str]]) -> list[str]:
        key = f"{kind}:{hashlib.blake2b(text.encode('utf-8'), digest_size=16).hexdigest()}"
        if key not in self._used:
            hit = self._stored.get(key)
            self._used[key] = hit if isinstance(hit, list) else segmenter(text)
        return self._used[key]

    def save(self) -> None:
        """Write the entries of this build back, when they differ from the file's (atomically: several
        workers may start at once)."""
        if self.path is None or self._used == self._stored:
            return
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(self._used, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("segmentation cache %s not written (%s): the next start segments again", self.path, exc)
            tmp.unlink(missing_ok=True)


def _segmenter_signature() -> str:
    import jieba
    import Stemmer

    # The stemmer's version beside jieba's: an upgrade that stems otherwise must not reuse the old tokens.
    payload = json.dumps([jieba.__version__, sorted(_ADDED), sorted(STOPWORDS), f"snowball-english-{Stemmer.version()}"],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def tokenize(text: str) -> list[str]:
    """Search-mode tokens of the normalised text, lower-cased, without punctuation or stopwords."""
    return tokenize_normalized(normalize(text))


def tokenize_normalized(text: str) -> list[str]:
    """`tokenize` for text that has already been through `normalize` (a `Query`'s): not folded twice."""
    toks = _jieba().lcut_for_search(text.lower())
    return [english_stem(t) if t.isascii() and t.isalpha() else t
            for t in (x.strip() for x in toks) if t and t not in STOPWORDS and not _PUNCT.match(t)]
