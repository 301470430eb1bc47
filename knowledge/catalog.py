"""The one-thing catalogue: load and validate the YAML guides, and render them as documents.

Rendering turns each guide into short, labelled sections ("所需材料：…", "办理时限：…") so that the
answer composer can quote whole lines verbatim and every quote is a substring of its source. Each
section is built from typed parts (aspect, label, lines): the composer picks the parts it needs by
aspect (`Catalog.section(...).spans({"time"})`), never by searching the text for a label.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import ValidationError

from core.errors import ConfigurationError
from knowledge import safeyaml
from knowledge.documents import Document, Section
from knowledge.rendering import render
from knowledge.schema import ONE_THING_IDS, OneThing
from knowledge.text import normalize

__all__ = ["Catalog", "ScopeTopic", "load_one_thing", "load_out_of_scope", "render"]

log = logging.getLogger(__name__)

ONE_THINGS_SUBDIR = "one_things"
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"


@dataclass(frozen=True)
class ScopeTopic:
    """A topic people ask about that no one-thing covers (婚姻登记, 天气…): the router hands these off."""

    id: str
    name: str
    kind: str  # government | off_topic
    examples: tuple[str, ...]
    # Words that name the topic's own things (护照, 驾校, 劳动仲裁, "visa"): a question using one is about this topic
    # unless a guide it could be answered from speaks of the topic too — holds one of its words, or of the words by
    # which a guide touches it without naming it (`touch`: a guide on foreign employees speaks of their passports).
    # See assistant.router, `OneThingRouter.outside`.
    words: tuple[str, ...] = ()
    touch: tuple[str, ...] = ()
    name_en: str = ""  # for the English refusal naming the topic ("Questions about passports and travel permits…")

    @property
    def phrases(self) -> tuple[str, ...]:
        """What a question may be near to (the router's profile phrases, the decision model's out-of-scope rows): the
        name and the examples. A topic known by its words alone has none — it teaches the model nothing and only
        `outside` reads it."""
        return (self.name, *self.examples) if self.examples else ()


def load_out_of_scope(guides_dir: Path) -> list[ScopeTopic]:
    """The out-of-scope topics next to the guides; none when the file is absent (an office's own corpus)."""
    path = guides_dir / OUT_OF_SCOPE_FILE
    if not path.exists():
        return []
    try:
        raw = safeyaml.safe_load(path.read_text(encoding="utf-8")) or {}
        # Words are kept as a question is read (width and script folded, lower case), once, not on every question.
        topics = [ScopeTopic(str(t["id"]), str(t["name"]), str(t.get("kind", "off_topic")),
                             tuple(map(str, t.get("examples") or ())),
                             *(tuple(normalize(str(w)).lower() for w in t.get(key) or ()) for key in ("words", "touch")),
                             str(t.get("name_en") or ""))
                  for t in raw.get("topics", [])]
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigurationError(f"{path}: each topic needs id, name and examples or words ({exc})") from exc
    for t in topics:
        if not t.examples and not t.words:
            raise ConfigurationError(f"{path}: topic {t.id!r} needs examples or words")
    return topics


def load_one_thing(path: Path) -> OneThing:
    """Parse and validate one guide file; the error names the file and the bad field."""
    try:
        raw = safeyaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path}: expected a mapping at the top level")
    try:
        return OneThing.model_validate(raw)
    except ValidationError as exc:
        raise ConfigurationError(f"{path}: invalid guide: {exc}") from exc


@dataclass(frozen=True)
class Catalog:
    """All one-things, by id, in contract order."""

    one_things: tuple[OneThing, ...]

    @classmethod
    def from_dir(cls, guides_dir: Path, *, require_all: bool = False) -> Catalog:
        folder = guides_dir / ONE_THINGS_SUBDIR
        if not folder.is_dir():
            raise ConfigurationError(f"guides folder {folder} does not exist (setting YJS_GUIDES_DIR)")
        items = [load_one_thing(p) for p in sorted(folder.glob("*.yaml"))]
        ids = [o.id for o in items]
        if len(set(ids)) != len(ids):
            raise ConfigurationError(f"duplicate one-thing ids in {folder}")
        missing = [i for i in ONE_THING_IDS if i not in ids]
        if require_all and missing:
            raise ConfigurationError(f"guides missing for one-things: {missing}")
        order = {i: n for n, i in enumerate(ONE_THING_IDS)}
        items.sort(key=lambda o: (order.get(o.id, len(order)), o.id))
        return cls(tuple(items))

    @cached_property
    def by_id(self) -> dict[str, OneThing]:
        return {o.id: o for o in self.one_things}

    def get(self, one_thing_id: str) -> OneThing | None:
        return self.by_id.get(one_thing_id)

    def __iter__(self):
        return iter(self.one_things)

    def __len__(self) -> int:
        return len(self.one_things)

    @cached_property
    def _rendered(self) -> dict[str, Document]:
        return {o.id: render(o) for o in self.one_things}

    def documents(self) -> list[Document]:
        return [self._rendered[o.id] for o in self.one_things]

    def warm_up(self) -> None:
        """Read the guides as `speaks_of_all` does now (about 40 ms), not on the first question that needs it."""
        _ = self._folded_texts

    @cached_property
    def _folded_texts(self) -> dict[str, str]:
        return {i: normalize("\n".join(s.text for s in d.sections)).lower() for i, d in self._rendered.items()}

    def speaks_of_all(self, one_thing_id: str, words: set[str] | list[str]) -> bool:
        """Whether the guide (Chinese and English, both read normalised and in lower case) holds every one of `words`."""
        return self.share_held(one_thing_id, words) == 1.0

    def share_held(self, one_thing_id: str, words: set[str] | list[str]) -> float:
        """The share of `words` the guide holds, read as `speaks_of_all` reads them (1.0 for no words)."""
        text = self._folded_texts.get(one_thing_id, "")
        return sum(normalize(w).lower() in text for w in words) / len(words) if words else 1.0

    @cached_property
    def _sections_by_id(self) -> dict[str, Section]:
        return {s.source_id: s for d in self._rendered.values() for s in d.sections}

    def section_by_id(self, source_id: str) -> Section | None:
        """A rendered section by its id (``newborn#materials``, ``newborn#faq-2@en``)."""
        return self._sections_by_id.get(source_id)

    def related(self, one_thing_id: str, limit: int = 3) -> list[tuple[OneThing, float]]:
        """The bundles to suggest after an answer about `one_thing_id`, each with how closely it is related.

        Related means: for the same applicant (个人 or 企业) and in a life stage the bundle is in (see
        `LifeStage`); closest first (the share of their stages in common), then in catalogue order.
        That is a property of the catalogue, not of a question's wording: what a question happens to
        retrieve besides its bundle (员工招聘 after 孩子出生) is not something the person needs next."""
        o = self.get(one_thing_id)
        if o is None or not o.life_stages:
            return []
        mine = set(o.life_stages)
        scored = [(other, len(mine & set(other.life_stages)) / len(mine | set(other.life_stages)))
                  for other in self.one_things if other.id != o.id and other.audience == o.audience]
        ranked = sorted((x for x in scored if x[1] > 0), key=lambda x: -x[1])  # stable: catalogue order on ties
        return ranked[:limit]

    def section(self, one_thing_id: str, kind: str, lang: str = "zh") -> Section | None:
        """A guide's section of a kind that occurs once ("time_fees", "channels"…), with its typed parts,
        in Chinese or ("en") English; None when the guide has no such section in that language."""
        doc = self._rendered.get(one_thing_id)
        want = "en" if lang == "en" else "zh"
        return next((s for s in doc.sections if s.kind == kind and s.metadata.get("lang", "zh") == want),
                    None) if doc else None


def main() -> None:  # pragma: no cover - thin CLI: python -m knowledge.catalog [DIR]
    import sys

    from core.settings import DEFAULT_GUIDES_DIR

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_GUIDES_DIR
    errors = 0
    for p in sorted((folder / ONE_THINGS_SUBDIR).glob("*.yaml")):
        try:
            o = load_one_thing(p)
            print(f"ok   {o.id:32s} services={len(o.services)} faqs={len(o.faqs)} sections={len(render(o).sections)}")
        except ConfigurationError as exc:
            errors += 1
            print(f"FAIL {exc}")
    cat_ids = {p.stem for p in (folder / ONE_THINGS_SUBDIR).glob("*.yaml")}
    missing = [i for i in ONE_THING_IDS if i not in cat_ids]
    print(f"missing: {missing}" if missing else "all contract ids present")
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
