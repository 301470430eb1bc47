"""The one-thing catalogue: load and validate the YAML guides, and render them as documents.

Rendering turns each guide into short, labelled sections ("所需材料：…", "办理时限：…") so that the
answer composer can quote whole lines verbatim and every quote is a substring of its source.
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
from knowledge.documents import Document, Section
from knowledge.schema import ONE_THING_IDS, Material, OneThing, ServiceItem

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

    def documents(self) -> list[Document]:
        return [render(o) for o in self.one_things]


# --------------------------------------------------------------------------------------------
# Rendering


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


def _lines(label: str, values: Iterable[str], numbered: bool = False) -> list[str]:
    values = [v for v in values if v]
    if not values:
        return []
    if numbered:
        return [f"{label}："] + [f"{n}. {v}" for n, v in enumerate(values, 1)]
    return [f"{label}："] + [f"- {v}" for v in values]


def _service_section(o: OneThing, s: ServiceItem, meta: dict) -> Section:
    lines = [f"{s.name}（{s.department}办理，属于{o.name}）"]
    lines += _lines("办理依据", s.legal_basis)
    lines += _lines("办理条件", s.conditions)
    if s.materials:
        lines += ["所需材料："] + [_material_line(m) for m in s.materials]
    lines += _lines("办理步骤", s.steps, numbered=True)
    if s.time_limit:
        lines.append(f"办理时限：{s.time_limit}")
    if s.fees:
        lines.append(f"收费标准：{s.fees}")
    lines += _lines("办理渠道", s.channels)
    return Section(f"{o.id}#svc-{s.id}", f"{o.name} · {s.name}", "\n".join(lines), {**meta, "kind": "service"})


def render(o: OneThing) -> Document:
    """Render a guide as labelled sections (see module docstring)."""
    meta = {"one_thing_id": o.id, "audience": o.audience, "region": o.region, "source_type": "guide"}
    sec: list[Section] = []

    def add(anchor: str, title: str, lines: list[str], kind: str) -> None:
        lines = [x for x in lines if x]
        if lines:
            sec.append(Section(f"{o.id}#{anchor}", f"{o.name} · {title}", "\n".join(lines), {**meta, "kind": kind}))

    region_note = (
        f"说明：本指南的做法取材于{o.region}，各地材料、时限和渠道可能不同，请以当地政务服务中心公布为准。"
        if o.sample_data
        else f"适用地区：{o.region}"
    )
    add(
        "overview",
        "概述",
        [
            f"{o.name}：{o.summary}",
            f"也称：{'、'.join(o.aliases)}" if o.aliases else "",
            f"适用对象：{o.audience}",
            f"牵头部门：{o.lead_department}",
            f"配合部门：{'、'.join(o.cooperating_departments)}" if o.cooperating_departments else "",
            f"国家清单批次：{o.batch}" if o.batch else "",
            region_note,
        ],
        "overview",
    )
    add(
        "services",
        "联办事项",
        [f"{o.name}把以下{len(o.services)}项服务合并为一次申请："]
        + [f"{n}. {s.name}（{s.department}）" for n, s in enumerate(o.services, 1)],
        "services",
    )
    add("eligibility", "办理条件", _lines("办理条件", o.eligibility), "eligibility")
    add("materials", "所需材料", ["所需材料（一套材料，一次提交）："] + [_material_line(m) for m in o.materials], "materials")
    add(
        "replaced",
        "减少了什么",
        _lines("合并办理后不再需要", o.replaced) + ([f"改革成效：{o.savings}"] if o.savings else []),
        "replaced",
    )
    add("steps", "办理流程", _lines("办理流程", o.steps, numbered=True), "steps")
    add("time_fees", "时限与收费", [f"办理时限：{o.time_limit}", f"收费标准：{o.fees}"], "time_fees")
    ch = o.channels
    add(
        "channels",
        "办理渠道",
        _lines("线上渠道", ch.online)
        + _lines("线下渠道", ch.offline)
        + ([f"跨省通办：{ch.cross_province}"] if ch.cross_province else [])
        + ([f"代办帮办：{ch.proxy}"] if ch.proxy else [])
        + ([f"容缺受理：{ch.tolerance}"] if ch.tolerance else []),
        "channels",
    )
    for s in o.services:
        sec.append(_service_section(o, s, meta))
    for n, f in enumerate(o.faqs, 1):
        sec.append(Section(f"{o.id}#faq-{n}", f"{o.name} · 常见问题", f"问：{f.question}\n答：{f.answer}", {**meta, "kind": "faq"}))
    add("sources", "依据与来源", _lines("信息来源", [s.title for s in o.sources]), "sources")
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
