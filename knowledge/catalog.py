"""The one-thing catalogue: load and validate the YAML guides, and render them as documents.

Rendering turns each guide into short, labelled sections ("所需材料：…", "办理时限：…") so that the
answer composer can quote whole lines verbatim and every quote is a substring of its source. Each
section is built from typed parts (aspect, label, lines): the composer picks the parts it needs by
aspect (`Catalog.section(...).spans({"time"})`), never by searching the text for a label.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import ValidationError

from core.errors import ConfigurationError
from knowledge import safeyaml
from knowledge.documents import Document, Part, Section
from knowledge.schema import ONE_THING_IDS, Deadline, Material, OneThing, ServiceItem

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


def load_out_of_scope(guides_dir: Path) -> list[ScopeTopic]:
    """The out-of-scope topics next to the guides; none when the file is absent (an office's own corpus)."""
    path = guides_dir / OUT_OF_SCOPE_FILE
    if not path.exists():
        return []
    try:
        raw = safeyaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return [ScopeTopic(str(t["id"]), str(t["name"]), str(t.get("kind", "off_topic")), tuple(map(str, t["examples"])))
                for t in raw.get("topics", [])]
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigurationError(f"{path}: each topic needs id, name and examples ({exc})") from exc


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

    def section(self, one_thing_id: str, kind: str) -> Section | None:
        """A guide's section of a kind that occurs once ("time_fees", "channels"…), with its typed parts."""
        doc = self._rendered.get(one_thing_id)
        return next((s for s in doc.sections if s.kind == kind), None) if doc else None


# --------------------------------------------------------------------------------------------
# Rendering
#
# Section kinds (a section's metadata "kind"; one section each, except "service" and "faq"):
#   overview, services, eligibility, materials, replaced, steps, time_fees, deadlines, channels, service,
#   faq, sources.
# Part aspects, per section kind — what a reader selects by (`Section.parts`, `Section.spans`):
#   overview:  summary, aliases, audience, lead_department, cooperating_departments, batch,
#              region (说明：… for sample data, else 适用地区：…)
#   services: services · eligibility: eligibility · materials: materials · steps: steps
#   replaced:  replaced, savings · time_fees: time, fees · sources: sources · deadlines: deadline
#   channels:  online, offline, cross_province, proxy, tolerance
#   service:   service, legal_basis, eligibility, materials, steps, time, fees, channels
#   faq:       question, answer


def _material_line(m: Material) -> str:
    notes = []
    if m.e_licence:
        notes.append("可用电子证照或共享数据代替，免交纸质")
    if not m.required:
        notes.append("视情况提供")
    if m.tolerance:
        notes.append("可容缺后补")
    if m.note:
        notes.append(m.note)
    return f"- {m.name}" + (f"（{'；'.join(notes)}）" if notes else "")


def _line(aspect: str, label: str, value: str | None, *, always: bool = False) -> list[Part]:
    """A one-line part "label：value"; none when there is no value, unless `always`."""
    return [Part(aspect, label, (f"{label}：{value}",))] if value or always else []


def _listed(aspect: str, label: str, values: Iterable[str], numbered: bool = False) -> list[Part]:
    """A heading line "label：" and its items ("- x" or "1. x"), or no part when there are no items."""
    values = [v for v in values if v]
    if not values:
        return []
    items = [f"{n}. {v}" for n, v in enumerate(values, 1)] if numbered else [f"- {v}" for v in values]
    return [Part(aspect, label, (f"{label}：", *items))]


def _materials(label: str, heading: str, materials: list[Material]) -> list[Part]:
    return [Part("materials", label, (heading, *map(_material_line, materials)))] if materials else []


def _deadline_line(d: Deadline) -> str:
    """One deadline as a citizen needs it: what, by when, and what missing it costs."""
    basis = f"（依据：{d.legal_basis}）" if d.legal_basis else ""
    return f"- {d.what}：{d.within}（自{d.from_when}起算）；逾期：{d.if_missed}{basis}"


def _service_section(o: OneThing, s: ServiceItem, meta: dict) -> Section:
    parts = [Part("service", s.name, (f"{s.name}（{s.department}办理，属于{o.name}）",))]
    parts += _listed("legal_basis", "办理依据", s.legal_basis)
    parts += _listed("eligibility", "办理条件", s.conditions)
    parts += _materials("所需材料", "所需材料：", s.materials)
    parts += _listed("steps", "办理步骤", s.steps, numbered=True)
    parts += _line("time", "办理时限", s.time_limit)
    parts += _line("fees", "收费标准", s.fees)
    parts += _listed("channels", "办理渠道", s.channels)
    return Section.from_parts(f"{o.id}#svc-{s.id}", f"{o.name} · {s.name}", parts, {**meta, "kind": "service"})


def render(o: OneThing) -> Document:
    """Render a guide as labelled sections of typed parts (see the comment above and the module docstring)."""
    meta = {"one_thing_id": o.id, "audience": o.audience, "region": o.region, "source_type": "guide"}
    sec: list[Section] = []

    def add(anchor: str, title: str, parts: list[Part]) -> None:
        if parts:
            sec.append(Section.from_parts(f"{o.id}#{anchor}", f"{o.name} · {title}", parts, {**meta, "kind": anchor}))

    region = (
        _line("region", "说明", f"本指南的做法取材于{o.region}，各地材料、时限和渠道可能不同，请以当地政务服务中心公布为准。")
        if o.sample_data
        else _line("region", "适用地区", o.region, always=True)
    )
    add(
        "overview",
        "概述",
        _line("summary", o.name, o.summary, always=True)
        + _line("aliases", "也称", "、".join(o.aliases), always=bool(o.aliases))
        + _line("audience", "适用对象", o.audience, always=True)
        + _line("lead_department", "牵头部门", o.lead_department, always=True)
        + _line("cooperating_departments", "配合部门", "、".join(o.cooperating_departments),
                always=bool(o.cooperating_departments))
        + _line("batch", "国家清单批次", o.batch)
        + region,
    )
    intro = f"{o.name}把以下{len(o.services)}项服务合并为一次申请："
    add("services", "联办事项",
        [Part("services", "联办事项", (intro, *(f"{n}. {s.name}（{s.department}）" for n, s in enumerate(o.services, 1))))])
    add("eligibility", "办理条件", _listed("eligibility", "办理条件", o.eligibility))
    add("materials", "所需材料", [Part("materials", "所需材料", ("所需材料（一套材料，一次提交）：", *map(_material_line, o.materials)))])
    add("replaced", "减少了什么", _listed("replaced", "合并办理后不再需要", o.replaced) + _line("savings", "改革成效", o.savings))
    add("steps", "办理流程", _listed("steps", "办理流程", o.steps, numbered=True))
    # Both lines are always written, even with an empty value, as they always have been.
    add("time_fees", "时限与收费", [Part("time", "办理时限", (f"办理时限：{o.time_limit}",)),
                                   Part("fees", "收费标准", (f"收费标准：{o.fees}",))])
    add("deadlines", "期限提醒", [Part("deadline", d.what, (_deadline_line(d),)) for d in o.deadlines])
    ch = o.channels
    add(
        "channels",
        "办理渠道",
        _listed("online", "线上渠道", ch.online)
        + _listed("offline", "线下渠道", ch.offline)
        + _line("cross_province", "跨省通办", ch.cross_province)
        + _line("proxy", "代办帮办", ch.proxy)
        + _line("tolerance", "容缺受理", ch.tolerance),
    )
    for s in o.services:
        sec.append(_service_section(o, s, meta))
    for n, f in enumerate(o.faqs, 1):
        parts = [Part("question", "问", (f"问：{f.question}",)), Part("answer", "答", (f"答：{f.answer}",))]
        sec.append(Section.from_parts(f"{o.id}#faq-{n}", f"{o.name} · 常见问题", parts, {**meta, "kind": "faq"}))
    add("sources", "依据与来源", _listed("sources", "信息来源", [s.title for s in o.sources]))
    return Document(doc_id=f"guide:{o.id}", title=o.name, sections=sec, metadata=meta)


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
