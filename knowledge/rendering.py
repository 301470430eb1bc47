"""Render a guide as labelled sections of typed parts, in Chinese and — where the guide has its
English text (`OneThing.en`) — in English too.

Both languages go through one renderer and differ only in their `Labels`, so the two versions of a
guide have the same sections, the same parts and the same aspects: the composer picks "the time part
of the time_fees section" the same way in either language and quotes it verbatim.

Section kinds (a section's metadata "kind"; one section each, except "service" and "faq"):
  overview, services, eligibility, materials, replaced, steps, time_fees, deadlines, channels, service,
  faq, sources.
Part aspects, per section kind — what a reader selects by (`Section.parts`, `Section.spans`):
  overview:  summary, aliases, audience, lead_department, cooperating_departments, batch,
             region (说明：… for sample data, else 适用地区：…)
  services: services · eligibility: eligibility · materials: materials · steps: steps
  replaced:  replaced, savings · time_fees: time, fees · sources: sources · deadlines: deadline
  channels:  online, offline, cross_province, proxy, tolerance
  service:   service, legal_basis, eligibility, materials, steps, time, fees, channels
  faq:       question, answer
English sections carry metadata ``lang: en`` and ids ending in ``@en`` (``newborn#materials@en``);
Chinese ones have no ``lang`` (Chinese is the default, so their ids and fingerprints never changed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from knowledge.documents import Document, Part, Section
from knowledge.schema import Deadline, GuideEn, Material, MaterialEn, OneThing

AnyMaterial = Material | MaterialEn  # both have name and note; only the Chinese one has the flags


@dataclass(frozen=True)
class Labels:
    """Every word the renderer adds around the guide's own text, in one language."""

    suffix: str  # appended to section ids
    colon: str
    sep: str  # between list items written on one line
    paren: Callable[[str], str]
    titles: dict[str, str]  # section kind → title
    parts: dict[str, str]  # part aspect → label
    e_licence: str
    optional: str
    tolerance: str
    sample_where: Callable[[str], str]  # a guide drawn from one region's practice: which (the note's first clause)
    sample_note: Callable[[str], str]
    services_intro: Callable[[str, int], str]
    materials_heading: str
    service_line: Callable[[str, str, str], str]  # service name, department, bundle name
    deadline_line: Callable[[Deadline], str]
    audience: Callable[[str], str]
    question: str
    answer: str


# Where a deadline line goes on from what to do and by when to what missing it costs (the composer quotes the head alone).
IF_MISSED = ("；逾期：", "; if missed: ")
# Where it goes on to the law that sets it (what the composer quotes of a deadline whose clock the answer said already).
LEGAL_BASIS = ("（依据：", " (legal basis: ")


def _zh_deadline(d: Deadline) -> str:
    basis = f"{LEGAL_BASIS[0]}{d.legal_basis}）" if d.legal_basis else ""
    return f"- {d.what}：{d.within}（自{d.from_when}起算）{IF_MISSED[0]}{d.if_missed}{basis}"


def _en_deadline(d: Deadline) -> str:
    # legal_basis_en, never the Chinese legal_basis: the schema requires it wherever a deadline has both.
    basis = f"{LEGAL_BASIS[1]}{d.legal_basis_en})" if d.legal_basis_en else ""
    return f"- {d.what_en}: {d.within_en}{IF_MISSED[1]}{d.if_missed_en}{basis}"


# A sample guide's note opens with the region whose practice it describes (what an overview quotes of it).
def _zh_where(region: str) -> str:
    return f"本指南的做法取材于{region}"


def _en_where(region: str) -> str:
    return f"Practice described: {region}."


ZH = Labels(
    suffix="", colon="：", sep="、", paren=lambda s: f"（{s}）",
    titles={"overview": "概述", "services": "联办事项", "eligibility": "办理条件", "materials": "所需材料",
            "replaced": "减少了什么", "steps": "办理流程", "time_fees": "时限与收费", "deadlines": "期限提醒",
            "channels": "办理渠道", "faq": "常见问题", "sources": "依据与来源"},
    parts={"aliases": "也称", "audience": "适用对象", "lead_department": "牵头部门",
           "cooperating_departments": "配合部门", "batch": "国家清单批次", "region_sample": "说明",
           "region": "适用地区", "services": "联办事项", "eligibility": "办理条件", "materials": "所需材料",
           "replaced": "合并办理后不再需要", "savings": "改革成效", "steps": "办理流程", "time": "办理时限",
           "fees": "收费标准", "online": "线上渠道", "offline": "线下渠道", "cross_province": "跨省通办",
           "proxy": "代办帮办", "tolerance": "容缺受理", "sources": "信息来源", "legal_basis": "办理依据",
           "service_steps": "办理步骤", "service_channels": "办理渠道"},
    e_licence="可用电子证照或共享数据代替，免交纸质", optional="视情况提供", tolerance="可容缺后补",
    sample_where=_zh_where,
    sample_note=lambda region: f"{_zh_where(region)}，各地材料、时限和渠道可能不同，请以当地政务服务中心公布为准。",
    services_intro=lambda name, n: f"{name}把以下{n}项服务合并为一次申请：",
    materials_heading="所需材料（一套材料，一次提交）：",
    service_line=lambda s, dept, bundle: f"{s}（{dept}办理，属于{bundle}）",
    deadline_line=_zh_deadline, audience=lambda a: a, question="问", answer="答",
)

EN = Labels(
    suffix="@en", colon=": ", sep=", ", paren=lambda s: f" ({s})",
    titles={"overview": "Overview", "services": "Services handled together", "eligibility": "Eligibility conditions",
            "materials": "Required documents", "replaced": "What you no longer need", "steps": "Steps",
            "time_fees": "Time limit and fees", "deadlines": "Deadlines", "channels": "Where to apply",
            "faq": "FAQ", "sources": "Sources"},
    parts={"aliases": "Also called", "audience": "For", "lead_department": "Lead department",
           "cooperating_departments": "Cooperating departments", "batch": "National list", "region_sample": "Note",
           "region": "Region", "services": "Services handled together", "eligibility": "Eligibility conditions",
           "materials": "Required documents", "replaced": "No longer needed after bundling",
           "savings": "Reported effect", "steps": "Steps", "time": "Processing time limit", "fees": "Fees",
           "online": "Online", "offline": "In person", "cross_province": "Across provinces",
           "proxy": "Assisted and proxy service", "tolerance": "Missing materials", "sources": "Sources",
           "legal_basis": "Legal basis", "service_steps": "Steps", "service_channels": "Where to apply"},
    e_licence="an e-licence or shared data is accepted, no paper copy needed", optional="if applicable",
    tolerance="may be supplied later under a written commitment",
    sample_where=_en_where,
    sample_note=lambda region: f"{_en_where(region)} Materials, time limits and channels vary by place, "
    "so check with your local government service centre.",
    services_intro=lambda name, n: f"The {name} combines these {n} services into one application:",
    materials_heading="Required documents (one set, submitted once):",
    service_line=lambda s, dept, bundle: f"{s} (department: {dept}; part of the {bundle})",
    deadline_line=_en_deadline, audience=lambda a: {"个人": "individuals", "企业": "enterprises"}.get(a, a),
    question="Q", answer="A",
)


# Where a service's first line names its department: "X (department: D; part of the B)", "X（D办理，属于B）"
# (`Labels.service_line`), after the service's name X (which may hold parentheses of its own). Greedy up to
# the last separator: a department may hold parentheses and semicolons too.
_DEPARTMENT = (re.compile(r" \((department: .*); part of the "), re.compile(r"（(.*办理)，属于"))


def department_span(service_line: str, service: str) -> tuple[int, int] | None:
    """Where the first line of `service` names its department ("department: D", "D办理"), or None."""
    if not service_line.startswith(service):
        return None
    for pattern in _DEPARTMENT:
        if m := pattern.match(service_line, len(service)):
            return m.span(1)
    return None


class _Writer:
    """Builds the parts of one language's sections."""

    def __init__(self, L: Labels) -> None:
        self.L = L

    def line(self, aspect: str, label: str, value: str | None, *, always: bool = False) -> list[Part]:
        """A one-line part "label：value"; none when there is no value, unless `always`."""
        return [Part(aspect, label, (f"{label}{self.L.colon}{value}",))] if value or always else []

    def listed(self, aspect: str, label: str, values: Iterable[str], numbered: bool = False) -> list[Part]:
        """A heading line "label：" and its items ("- x" or "1. x"), or no part when there are no items."""
        values = [v for v in values if v]
        if not values:
            return []
        items = [f"{n}. {v}" for n, v in enumerate(values, 1)] if numbered else [f"- {v}" for v in values]
        return [Part(aspect, label, (f"{label}{self.L.colon.rstrip()}", *items))]

    def material(self, m: AnyMaterial, flags: Material) -> str:
        """A material line; the flags (e-licence, optional, 容缺) are the Chinese item's."""
        notes = [t for on, t in ((flags.e_licence, self.L.e_licence), (not flags.required, self.L.optional),
                                 (flags.tolerance, self.L.tolerance)) if on]
        notes += [m.note] if m.note else []
        sep = "；" if self.L is ZH else "; "
        return f"- {m.name}" + (self.L.paren(sep.join(notes)) if notes else "")

    def materials(self, label: str, heading: str, items: list, flags: list) -> list[Part]:
        lines = [self.material(m, f) for m, f in zip(items, flags, strict=True)]
        return [Part("materials", label, (heading, *lines))] if items else []


def _texts(o: OneThing, L: Labels) -> tuple[OneThing | GuideEn, str, str]:
    """The object holding the guide's text in this language, the bundle's name and its region."""
    if L is ZH:
        return o, o.name, o.region
    assert o.en is not None
    return o.en, o.name_en, o.en.region or o.region


def sample_where(o: OneThing, lang: str) -> str:
    """The first clause of a sample guide's note, as rendered in `lang` ("zh" or "en"): which region's practice it
    describes. (The rest says that other places differ, which the composer's caveat line says shorter.)"""
    L = EN if lang == "en" and o.en is not None else ZH
    return L.sample_where(_texts(o, L)[2])


def render_sections(o: OneThing, L: Labels) -> list[Section]:
    """One language's sections of a guide (see the module docstring)."""
    g, name, region = _texts(o, L)
    w, P = _Writer(L), L.parts
    meta = {"one_thing_id": o.id, "audience": o.audience, "region": o.region, "source_type": "guide"}
    if L is not ZH:
        meta["lang"] = "en"
    sec: list[Section] = []

    def add(anchor: str, parts: list[Part]) -> None:
        if parts:
            sec.append(Section.from_parts(f"{o.id}#{anchor}{L.suffix}", f"{name} · {L.titles[anchor]}", parts,
                                          {**meta, "kind": anchor}))

    region_part = (w.line("region", P["region_sample"], L.sample_note(region)) if o.sample_data
                   else w.line("region", P["region"], region, always=True))
    add("overview",
        w.line("summary", name, g.summary, always=True)
        + (w.line("aliases", P["aliases"], "、".join(o.aliases), always=bool(o.aliases)) if L is ZH else [])
        + w.line("audience", P["audience"], L.audience(o.audience), always=True)
        + w.line("lead_department", P["lead_department"], g.lead_department, always=True)
        + w.line("cooperating_departments", P["cooperating_departments"], L.sep.join(g.cooperating_departments),
                 always=bool(g.cooperating_departments))
        # The national list's batch name ("2024-第一批") has no English form: the English text leaves it out.
        + (w.line("batch", P["batch"], o.batch) if L is ZH else [])
        + region_part)
    services = [f"{n}. {s.name}{L.paren(s.department)}" for n, s in enumerate(g.services, 1)]
    add("services", [Part("services", P["services"], (L.services_intro(name, len(g.services)), *services))])
    add("eligibility", w.listed("eligibility", P["eligibility"], g.eligibility))
    add("materials", w.materials(P["materials"], L.materials_heading, g.materials, o.materials)
        or [Part("materials", P["materials"], (L.materials_heading,))])
    add("replaced", w.listed("replaced", P["replaced"], g.replaced) + w.line("savings", P["savings"], g.savings))
    add("steps", w.listed("steps", P["steps"], g.steps, numbered=True))
    # Both lines are always written, even with an empty value, as they always have been.
    add("time_fees", [Part("time", P["time"], (f"{P['time']}{L.colon}{g.time_limit}",)),
                      Part("fees", P["fees"], (f"{P['fees']}{L.colon}{g.fees}",))])
    add("deadlines", [Part("deadline", d.what_en if L is EN else d.what, (L.deadline_line(d),)) for d in o.deadlines])
    ch = g.channels
    add("channels",
        w.listed("online", P["online"], ch.online) + w.listed("offline", P["offline"], ch.offline)
        + w.line("cross_province", P["cross_province"], ch.cross_province) + w.line("proxy", P["proxy"], ch.proxy)
        + w.line("tolerance", P["tolerance"], ch.tolerance))
    for s, zs in zip(g.services, o.services, strict=True):
        parts = [Part("service", s.name, (L.service_line(s.name, s.department, name),))]
        parts += w.listed("legal_basis", P["legal_basis"], s.legal_basis)
        parts += w.listed("eligibility", P["eligibility"], s.conditions)
        parts += w.materials(P["materials"], f"{P['materials']}{L.colon.rstrip()}", s.materials, zs.materials)
        parts += w.listed("steps", P["service_steps"], s.steps, numbered=True)
        parts += w.line("time", P["time"], s.time_limit)
        parts += w.line("fees", P["fees"], s.fees)
        parts += w.listed("channels", P["service_channels"], s.channels)
        sec.append(Section.from_parts(f"{o.id}#svc-{s.id}{L.suffix}", f"{name} · {s.name}", parts,
                                      {**meta, "kind": "service"}))
    for n, f in enumerate(g.faqs, 1):
        parts = [Part("question", L.question, (f"{L.question}{L.colon}{f.question}",)),
                 Part("answer", L.answer, (f"{L.answer}{L.colon}{f.answer}",))]
        sec.append(Section.from_parts(f"{o.id}#faq-{n}{L.suffix}", f"{name} · {L.titles['faq']}", parts,
                                      {**meta, "kind": "faq"}))
    if L is ZH:  # the sources are titles of Chinese documents: not translated
        add("sources", w.listed("sources", P["sources"], [s.title for s in o.sources]))
    return sec


def render(o: OneThing) -> Document:
    """A guide as one document: its Chinese sections, then its English ones when it has English text."""
    sections = render_sections(o, ZH) + (render_sections(o, EN) if o.en else [])
    meta = {"one_thing_id": o.id, "audience": o.audience, "region": o.region, "source_type": "guide"}
    return Document(doc_id=f"guide:{o.id}", title=o.name, sections=sections, metadata=meta)
