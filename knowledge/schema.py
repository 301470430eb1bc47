"""The service-guide schema: one-things (一件事), the service items (事项) they bundle, and FAQs.

The guides under ``knowledge/data/one_things/*.yaml`` are written by this project in its own words.
Facts come from public reform documents (see each guide's ``sources``); where a region's practice
varies the guide says so and sets ``sample_data: true`` so the assistant can warn the citizen to
check locally.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

Audience = Literal["个人", "企业"]
# Stages of a person's or a company's life (the reform's 个人/企业全生命周期) a bundle belongs to: the
# assistant suggests, after an answer, only bundles that share a stage with it (see Catalog.related).
# A loss or a hardship (身后, 社会救助, 助残, 企业退出, 企业信用) and a bundle only one group can use
# (退役安置) are stages of their own, so they are offered only to whoever asks about them, never pushed
# after another question.
LifeStage = Literal[
    "养育子女", "就业参保", "安家落户", "退休养老", "身后", "社会救助", "助残", "退役安置", "消费",
    "企业开办", "企业经营", "企业退出", "企业信用",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where the facts of a guide come from (a public policy document or official guide)."""

    title: str
    url: str | None = None
    note: str | None = None


class Material(_Model):
    """One material (申请材料) a person must provide."""

    name: str
    note: str | None = None
    e_licence: bool = Field(False, description="Replaceable by an e-licence / shared data: no paper copy needed.")
    required: bool = True
    tolerance: bool = Field(False, description="容缺: may be supplied later under a written commitment.")
    licence: str | None = Field(
        None, description="The 电子证照 kind (a key of prefill.sources.LICENCE_KINDS) whose holder's own licence "
        "supplies this material: a citizen who promised it (容缺) can have it read from the licence store instead "
        "of uploading, once it is issued.")

    @model_validator(mode="after")
    def _licence_is_an_e_licence(self) -> Material:
        if self.licence is not None and not (SLUG.match(self.licence) and self.e_licence):
            raise ValueError(f"material {self.name!r}: licence {self.licence!r} must be a licence-kind slug on a "
                             "material marked e_licence: true")
        return self


class ServiceItem(_Model):
    """A single department's service (事项) that a one-thing bundles."""

    id: str
    name: str
    department: str
    legal_basis: list[str] = []
    conditions: list[str] = []
    materials: list[Material] = []
    steps: list[str] = []
    time_limit: str | None = None
    fees: str | None = None
    channels: list[str] = []

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError(f"service id {v!r} must be a lower-case slug like 'birth_registration'")
        return v


class Channels(_Model):
    """How and where to apply."""

    online: list[str] = []
    offline: list[str] = []
    cross_province: str | None = Field(None, description="跨省通办: whether and how it works across provinces.")
    proxy: str | None = Field(None, description="代办/帮办: who may apply on the person's behalf and with what.")
    tolerance: str | None = Field(None, description="容缺承诺: which materials may follow later.")


class FAQ(_Model):
    question: str
    answer: str


Scope = Literal["national", "regional"]

# Words a regional deadline uses to say that its figure is local practice ("常见为90日，以当地为准").
LOCAL_MARKERS: tuple[str, ...] = ("当地", "各地", "各省", "部分地区", "部分省份", "多地", "为例")


class Deadline(_Model):
    """A time limit the citizen or business must meet, and what is lost by missing it.

    ``national`` deadlines are set by national law or a national rule and name it in ``legal_basis``;
    ``regional`` ones are a common local figure that varies, and ``within`` must say so (当地/各地/为例…).
    The ``*_en`` fields are short English renderings in official terms (see the glossary). ``legal_basis_en``
    gives the law's official English name and articles with the Chinese title in parentheses, to look it up:
    "Article 7 of the Regulations on Household Registration (《中华人民共和国户口登记条例》)". A deadline with
    English and a ``legal_basis`` must have it, so the English guide never cites a law in Chinese only.
    """

    what: str = Field(..., min_length=1, description="The action to take, e.g. 申报出生登记（落户）.")
    within: str = Field(..., min_length=1, description="How long, e.g. 出生后1个月内.")
    from_when: str = Field(..., min_length=1, description="The event the period runs from, e.g. 婴儿出生之日.")
    if_missed: str = Field(..., min_length=1, description="What happens if the deadline is missed.")
    legal_basis: str | None = Field(None, description="Law and article; null only for a local rule.")
    scope: Scope = Field(..., description="national: set by national law; regional: a local figure that varies.")
    conditional: bool = Field(False, description="Applies only in some cases (an appeal, a renewal, an optional early "
                              "retirement): not a deadline the bundle's life event itself starts.")
    what_en: str | None = None
    within_en: str | None = None
    if_missed_en: str | None = None
    legal_basis_en: str | None = None

    @model_validator(mode="after")
    def _scope_is_honest(self) -> Deadline:
        if self.scope == "national" and not self.legal_basis:
            raise ValueError(f"national deadline {self.what!r} must name its legal_basis")
        if self.scope == "regional" and not any(m in self.within for m in LOCAL_MARKERS):
            raise ValueError(
                f"regional deadline {self.what!r}: 'within' must say the figure is local practice "
                f"(use one of {', '.join(LOCAL_MARKERS)})"
            )
        return self

    @model_validator(mode="after")
    def _basis_in_english(self) -> Deadline:
        # The English guide renders legal_basis_en; without it an English reader would get the Chinese citation.
        if self.legal_basis and self.what_en and not self.legal_basis_en:
            raise ValueError(
                f"deadline {self.what!r} has English text and a legal_basis but no legal_basis_en: give the law's "
                f"English name and articles with the Chinese title in parentheses, e.g. 'Article 7 of the "
                f"Regulations on Household Registration (《中华人民共和国户口登记条例》)'"
            )
        if self.legal_basis_en and not self.legal_basis:
            raise ValueError(f"deadline {self.what!r} has a legal_basis_en but no legal_basis to translate")
        return self


class MaterialEn(_Model):
    name: str = Field(..., min_length=1)
    note: str | None = None


class ServiceItemEn(_Model):
    """The English text of one service item; `id` names the Chinese item it renders."""

    id: str
    name: str = Field(..., min_length=1)
    department: str = Field(..., min_length=1)
    legal_basis: list[str] = []
    conditions: list[str] = []
    materials: list[MaterialEn] = []
    steps: list[str] = []
    time_limit: str | None = None
    fees: str | None = None
    channels: list[str] = []


class ChannelsEn(_Model):
    online: list[str] = []
    offline: list[str] = []
    cross_province: str | None = None
    proxy: str | None = None
    tolerance: str | None = None


class GuideEn(_Model):
    """The guide in English, written by the project in its own words with the official terms of
    ../shared/reference/glossary_en.yaml. Parallel to the Chinese fields: every list has the same
    length and order as its Chinese twin and every text the Chinese has is here too (checked by
    `OneThing`), so an English answer quotes the same facts the Chinese one would."""

    summary: str = Field(..., min_length=1)
    lead_department: str = Field(..., min_length=1)
    cooperating_departments: list[str] = []
    services: list[ServiceItemEn]
    eligibility: list[str] = []
    materials: list[MaterialEn]
    replaced: list[str] = []
    savings: str | None = None
    steps: list[str] = []
    time_limit: str = Field(..., min_length=1)
    fees: str = Field(..., min_length=1)
    channels: ChannelsEn
    region: str | None = Field(None, description="The region the guide's practice is drawn from, in English.")
    faqs: list[FAQ]


def _parallel_problems(zh: BaseModel, en: BaseModel, where: str) -> list[str]:
    """Fields where an English twin does not mirror its Chinese model: a list of another length, a
    text missing (or present where the Chinese has none). Recurses into lists of models."""
    problems = []
    for name in type(en).model_fields:
        if not hasattr(zh, name):
            continue
        a, b = getattr(zh, name), getattr(en, name)
        if isinstance(a, list):
            if len(a) != len(b):
                problems.append(f"{where}{name}: {len(b)} English items for {len(a)} Chinese")
            else:
                for n, (x, y) in enumerate(zip(a, b, strict=True)):
                    if isinstance(x, BaseModel):
                        problems += _parallel_problems(x, y, f"{where}{name}[{n}].")
        elif isinstance(a, BaseModel):
            problems += _parallel_problems(a, b, f"{where}{name}.")
        elif isinstance(a, str) and name != "id" and bool(a) != bool(b):
            problems.append(f"{where}{name}: {'missing in English' if a else 'English text where the Chinese has none'}")
    return problems


class OneThing(_Model):
    """A bundle of several departments' services handled as one (一件事)."""

    id: str
    name: str
    name_en: str = Field(..., description="English name, used for English answers and routing.")
    aliases: list[str] = Field([], description="Other names people use, e.g. 出生一件事, 新生儿落户.")
    life_events: list[str] = Field([], description="Colloquial triggers: 孩子刚出生, 爸爸去世了, 想开个奶茶店.")
    life_events_en: list[str] = Field(
        [], description="The same in English (we just had a baby, my father passed away), for English routing."
    )
    audience: Audience
    life_stages: list[LifeStage] = Field(
        [], description="The life stages it belongs to (养育子女, 退休养老, 企业开办…): related bundles share one."
    )
    summary: str
    batch: str | None = Field(None, description="National list the item appeared in, e.g. 2024-第一批.")
    lead_department: str
    cooperating_departments: list[str] = []
    services: list[ServiceItem]
    eligibility: list[str] = []
    merged_form_id: str
    materials: list[Material] = Field(..., description="The bundle's one set of materials (after bundling).")
    replaced: list[str] = Field([], description="What the bundle removes: separate forms, trips, paper proofs.")
    savings: str | None = Field(None, description="Reported effect, e.g. 跑动4→1次 (with its region).")
    steps: list[str] = []
    time_limit: str
    fees: str
    channels: Channels
    region: str = Field("全国", description="Region whose practice the guide describes.")
    sample_data: bool = Field(True, description="True where details follow one region's practice and vary locally.")
    effective_date: dt.date
    sources: list[Source]
    faqs: list[FAQ] = Field(..., min_length=5)
    deadlines: list[Deadline] = Field(
        [], description="Time limits a citizen or business can miss and lose something by (empty when none is set)."
    )
    en: GuideEn | None = Field(None, description="The guide in English, parallel to the Chinese fields.")

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError(f"one-thing id {v!r} must be a lower-case slug like 'newborn'")
        return v

    @model_validator(mode="after")
    def _unique_services(self) -> OneThing:
        ids = [s.id for s in self.services]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"one-thing {self.id!r} has duplicate service ids: {sorted(dupes)}")
        if len(self.services) < 2:
            raise ValueError(f"one-thing {self.id!r} must bundle at least two services")
        return self

    @model_validator(mode="after")
    def _english_is_parallel(self) -> OneThing:
        if self.en is None:
            return self
        problems = _parallel_problems(self, self.en, "en.")
        problems += [f"en.services[{n}].id: {e.id!r} is not {z.id!r}"
                     for n, (z, e) in enumerate(zip(self.services, self.en.services, strict=False)) if z.id != e.id]
        problems += [f"deadlines[{n}]: what_en/within_en/if_missed_en missing" for n, d in enumerate(self.deadlines)
                     if not (d.what_en and d.within_en and d.if_missed_en)]
        if problems:
            raise ValueError(f"one-thing {self.id!r}: English text not parallel to the Chinese: " + "; ".join(problems))
        return self

    def service(self, service_id: str) -> ServiceItem:
        for s in self.services:
            if s.id == service_id:
                return s
        raise KeyError(service_id)


# The contract list of one-thing ids (see the knowledge issue). Order = catalogue order.
ONE_THING_IDS: tuple[str, ...] = (
    "newborn", "school_enrollment", "social_security_card", "disability_services", "retirement",
    "after_death", "veteran_retirement", "hardship_assistance", "car_trade_in_subsidy",
    "house_transfer_utilities", "hukou_migration", "flexible_employment", "childcare_subsidy",
    "elderly_welfare", "cross_region_medical", "start_business", "enterprise_info_change",
    "open_restaurant", "open_transport_company", "employee_recruitment", "utility_connection",
    "credit_repair", "bankruptcy_info_check", "listing_compliance_check", "enterprise_relocation",
    "self_employed_operator_change", "enterprise_deregistration",
)
