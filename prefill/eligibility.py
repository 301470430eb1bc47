"""免申办's eligibility rules as code: one small rule per (bundle, life event), deterministic, no model.

In the spirit of OpenFisca: a rule reads named facts, decides, and explains itself. Each rule

- names the life events that trigger it and whose event it is (the person's own, a close
  relative's, or an enterprise they represent);
- cites its legal basis: the law named in the guide (``knowledge/data/one_things/<id>.yaml``,
  the service item's ``legal_basis``) and the guide's own words for the condition, quoted verbatim
  (tests check every quote against the guide);
- returns the facts it used (``Fact``: what, value, which source and record) — the "why you are
  eligible" the citizen sees — or None when a condition fails.

Rules read the recipient's data only through `PersonData`, which the matcher backs with reads
under the person's standing opt-in (each read audited); a relative's birth date or death shows up
only as the person's own population record lists it (家庭关系).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from prefill.events import ELDERLY_AGE, RETIREMENT_AGE, LifeEvent, add_years
from prefill.sources import SourceRecord

log = logging.getLogger(__name__)

Recipient = Literal["self", "relative", "enterprise"]

# What matching may read about a person who granted the standing opt-in: one list, shown to the
# citizen when they grant it and used by `PersonData` (nothing else is read).
PROACTIVE_FIELDS: dict[str, list[str]] = {
    "population": ["birth_date", "sex", "household_region_code", "death_date", "relations"],
    "social_insurance": ["pension_type", "status", "contribution_months"],
    "e_licence": ["veteran_cert.discharge_date", "veteran_cert.placement"],
    "enterprise": ["legal_rep_of"],
}
RETIREMENT_LEAD_DAYS = 90  # "一般可在达到退休年龄前按当地规定提前申报": offered up to 90 days ahead
# Hand-set (no guide gives a figure): the bundles for a new enterprise and a new veteran are about the
# transition, so an enterprise counts as 新设立 for 90 days and a discharge as recent for a year.
NEW_ENTERPRISE_DAYS = 90
RECENT_DISCHARGE_DAYS = 365


@dataclass(frozen=True)
class Basis:
    """Where a condition comes from: the guide and service item, the law the guide names (if any)
    and the guide's wording of the condition (a verbatim substring of the guide file)."""

    one_thing_id: str
    service_id: str | None
    law: str | None
    quote: str
    # English for the UI (glossary_en.yaml terms); the Chinese above stays the authority the tests check.
    law_en: str | None = None
    quote_en: str = ""


@dataclass(frozen=True)
class Fact:
    """One fact a rule used: shown to the citizen as part of "why you are eligible", in Chinese and English."""

    key: str
    label: str
    value: str
    source: str
    record_id: str
    label_en: str = ""
    value_en: str = ""


# Registry values a fact may show, in English (glossary_en.yaml where it has the term); any other value
# is shown as the registry holds it.
VALUE_EN = {
    "男": "male", "女": "female", "城镇职工基本养老保险": "basic pension insurance for urban employees",
    "城乡居民基本养老保险": "basic pension insurance for urban and rural residents", "参保缴费": "contributing",
    "存续": "in operation", "自主就业": "self-employment", "个体工商户": "individual industrial and commercial household",
    "有限责任公司（自然人投资或控股）": "limited liability company (invested or controlled by natural persons)",
}


def value_en(value: str) -> str:
    return VALUE_EN.get(value, value)


@dataclass(frozen=True)
class Match:
    rule_id: str
    one_thing_id: str
    person_id: str
    event: LifeEvent
    facts: tuple[Fact, ...]
    subjects: dict[str, str] = field(default_factory=dict)


class PersonData:
    """The recipient's own data for matching, read lazily and at most once per source.

    `read(source, fields)` is supplied by the matcher and goes through the opt-in gate."""

    def __init__(self, person_id: str, read: Callable[[str, list[str]], SourceRecord]) -> None:
        self.person_id = person_id
        self._read = read
        self._cache: dict[str, SourceRecord] = {}

    def record(self, source: str) -> SourceRecord:
        if source not in self._cache:
            self._cache[source] = self._read(source, PROACTIVE_FIELDS[source])
        return self._cache[source]

    def get(self, source: str, name: str) -> Any:
        return self.record(source).get(name)

    def record_id(self, source: str, name: str) -> str:
        v = self.record(source).values.get(name)
        return v.record_id if v else ""

    def relative(self, subject_id: str) -> dict | None:
        """The person's own relation entry for `subject_id` (relation is the other person's role: child, spouse …)."""
        for r in self.get("population", "relations") or []:
            if r["person_id"] == subject_id:
                return r
        return None

    def enterprise(self, enterprise_id: str) -> dict | None:
        for e in self.get("enterprise", "legal_rep_of") or []:
            if e["enterprise_id"] == enterprise_id and e.get("role") == "legal_rep":
                return e
        return None

    def alive(self) -> bool:
        return bool(self.get("population", "birth_date")) and not self.get("population", "death_date")

    def age(self, today: dt.date) -> float | None:
        born = self.get("population", "birth_date")
        return years_between(dt.date.fromisoformat(born), today) if born else None


def years_between(born: dt.date, today: dt.date) -> int:
    """Completed years (周岁)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def minimum_contribution_months(today: dt.date) -> int:
    """最低缴费年限: 15 years, from 2030 raised by 6 months a year up to 20 years."""
    return min(240, 180 + 6 * max(0, today.year - 2029))


class Rule:
    """A rule: `evaluate` returns the facts used when every condition holds, else None."""

    id: str = ""
    one_thing_id: str = ""
    title: str = ""
    title_en: str = ""
    triggers: tuple[str, ...] = ()
    recipient: Recipient = "self"
    basis: tuple[Basis, ...] = ()
    no_application: Basis | None = None  # the guide marks the benefit 免申即享
    message: str = ""
    message_en: str = ""
    subject_role: str | None = None  # the form role the event's subject fills (start_draft's subjects)

    def evaluate(self, event: LifeEvent, who: PersonData, today: dt.date) -> tuple[Fact, ...] | None:
        raise NotImplementedError

    def subjects(self, event: LifeEvent) -> dict[str, str]:
        return {self.subject_role: event.subject_id} if self.subject_role else {}

    def match(self, event: LifeEvent, who: PersonData, today: dt.date) -> Match | None:
        if event.kind not in self.triggers:
            return None
        facts = self.evaluate(event, who, today)
        if facts is None:
            return None
        return Match(self.id, self.one_thing_id, who.person_id, event, facts, self.subjects(event))


def _relation_fact(rel: dict, label: str, value: str, label_en: str, value_en: str) -> Fact:
    return Fact("relation", label, value, "population", rel["record_id"], label_en, value_en)


def _event_fact(event: LifeEvent, key: str, label: str, label_en: str) -> Fact:
    return Fact(key, label, event.on.isoformat(), event.source, event.record_id, label_en, event.on.isoformat())


class _ChildRule(Rule):
    """A child of the person had a birth registered; age and hukou decide which bundle."""

    recipient = "relative"
    triggers = ("birth_registered",)
    subject_role = "child"
    max_age_years = 0
    hukou_status = ""

    def evaluate(self, event: LifeEvent, who: PersonData, today: dt.date) -> tuple[Fact, ...] | None:
        rel = who.relative(event.subject_id)
        if rel is None or rel["relation"] != "child" or rel["deceased"] or not who.alive():
            return None
        born = dt.date.fromisoformat(rel["birth_date"])
        if years_between(born, today) >= self.max_age_years or rel["hukou_status"] != self.hukou_status:
            return None
        months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
        registered = rel["hukou_status"] == "正常"
        return (_relation_fact(rel, "您与孩子的关系", "父母（监护人）", "Your relation to the child", "parent (guardian)"),
                _event_fact(event, "birth_cert", "孩子的出生医学证明签发日期",
                            "Date the child's medical birth certificate was issued"),
                Fact("child_birth_date", "孩子出生日期", rel["birth_date"], "population", rel["record_id"],
                     "Child's date of birth", rel["birth_date"]),
                Fact("child_age", "孩子年龄", f"{months // 12}岁{months % 12}个月（未满{self.max_age_years}周岁）",
                     "population", rel["record_id"], "Child's age",
                     f"{months // 12} years {months % 12} months (under {self.max_age_years})"),
                Fact("child_hukou", "孩子户口", "已落户" if registered else "尚未落户", "population", rel["record_id"],
                     "Child's household registration (hukou)", "registered" if registered else "not yet registered"))


class NewbornRule(_ChildRule):
    id = "newborn.birth_registered"
    one_thing_id = "newborn"
    title = "新生儿出生一件事"
    title_en = "Newborn birth bundle"
    max_age_years = 1
    hukou_status = "未落户"
    basis = (
        Basis("newborn", "birth_registration", "《中华人民共和国户口登记条例》第七条",
              "婴儿出生后1个月内向常住地户口登记机关申报出生登记",
              "Regulations on Household Registration, Article 7",
              "A baby's birth is registered with the household registration authority of the place of residence "
              "within one month of birth"),
        Basis("newborn", None, None, "新生儿一般未满1周岁（部分地区为6个月内）", None,
              "The newborn is generally under one year old (in some places, under six months)"),
    )
    message = "孩子已取得出生医学证明，可以一次办理出生登记（落户）、医保参保、社保卡等新生儿出生一件事 — 已为您预填，核对后确认即可"
    message_en = ("Your child has a medical birth certificate: birth registration (hukou), medical insurance, the social "
                  "security card and the rest of the newborn bundle can be done in one go — pre-filled for you, just "
                  "check and confirm")


class ChildcareRule(_ChildRule):
    id = "childcare_subsidy.birth_registered"
    one_thing_id = "childcare_subsidy"
    title = "育儿补贴申领一件事"
    title_en = "Childcare subsidy bundle"
    max_age_years = 3
    hukou_status = "正常"
    basis = (
        Basis("childcare_subsidy", "subsidy_application", "《育儿补贴制度实施方案》", "婴幼儿未满3周岁，且符合法律法规规定生育",
              "Implementation Plan for the Childcare Subsidy System",
              "The infant is under three years old and was born in line with laws and regulations"),
        Basis("childcare_subsidy", "birth_hukou_verification", "《中华人民共和国户口登记条例》",
              "婴幼儿已办理出生登记（落户）；尚未落户的需先办理出生登记",
              "Regulations on Household Registration",
              "The infant's birth registration (hukou) is done; an infant not yet registered needs birth registration first"),
    )
    message = "孩子已完成出生登记，可以申领育儿补贴 — 已为您预填，核对后确认即可"
    message_en = ("Your child's birth registration is done: you can claim the childcare subsidy — pre-filled for you, "
                  "just check and confirm")


class ElderlyRule(Rule):
    id = "elderly_welfare.turning_80"
    one_thing_id = "elderly_welfare"
    title = "老年人福利补贴申请一件事（高龄津贴）"
    title_en = "Elderly welfare allowances bundle (old-age allowance)"
    triggers = ("turning_80",)
    basis = (
        Basis("elderly_welfare", "longevity_allowance", "《中华人民共和国老年人权益保障法》",
              "达到当地规定的高龄年龄线（多地为80周岁以上，部分地区不同）",
              "Law on the Protection of the Rights and Interests of the Elderly",
              "Has reached the local old-age line (80 or over in many places; it differs in some)"),
        Basis("elderly_welfare", "longevity_allowance", "《中华人民共和国老年人权益保障法》",
              "具有当地户籍或符合当地规定的居住条件",
              "Law on the Protection of the Rights and Interests of the Elderly",
              "Has local household registration or meets the local residence conditions"),
    )
    no_application = Basis("elderly_welfare", "longevity_allowance", None, "部分地区达到年龄后“免申即享”，次月起发放",
                           None, "In some places it is a benefit granted without application once the age is reached, "
                                 "paid from the next month")
    message = "您已年满80周岁，可以申领高龄津贴 — 已为您预填，核对后确认即可"
    message_en = "You have turned 80: you can claim the old-age allowance — pre-filled for you, just check and confirm"

    def evaluate(self, event: LifeEvent, who: PersonData, today: dt.date) -> tuple[Fact, ...] | None:
        if event.subject_id != who.person_id or not who.alive():
            return None
        age = who.age(today)
        region = who.get("population", "household_region_code")
        if age is None or age < ELDERLY_AGE or not region:
            return None
        rid = who.record_id("population", "birth_date")
        born = who.get("population", "birth_date")
        return (Fact("birth_date", "出生日期", born, "population", rid, "Date of birth", born),
                Fact("age", "年龄", f"{age}周岁（高龄年龄线{ELDERLY_AGE}周岁）", "population", rid,
                     "Age", f"{age} (the old-age line is {ELDERLY_AGE})"),
                Fact("household_region_code", "户籍地行政区划代码", region, "population",
                     who.record_id("population", "household_region_code"),
                     "Region code of your household registration", region))


class RetirementRule(Rule):
    id = "retirement.retirement_age"
    one_thing_id = "retirement"
    title = "退休一件事"
    title_en = "Retirement bundle"
    triggers = ("retirement_age",)
    basis = (
        Basis("retirement", "retirement_approval", "《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》",
              "达到最低缴费年限的，可自愿弹性提前退休，最多比法定退休年龄提前3年，但不得早于原法定退休年龄（男60周岁，女55周岁或50周岁）",
              "Decision of the NPC Standing Committee on Gradually Raising the Statutory Retirement Age",
              "With the minimum contribution period, one may choose flexible early retirement up to 3 years before the "
              "statutory retirement age, but not before the original statutory age (men 60, women 55 or 50)"),
        Basis("retirement", "retirement_approval", "《中华人民共和国社会保险法》",
              "基本养老保险累计缴费达到最低缴费年限（2030年起由15年每年提高6个月，逐步提高到20年）",
              "Social Insurance Law",
              "Basic pension insurance contributions reach the minimum period (15 years, raised by 6 months a year "
              "from 2030 up to 20 years)"),
        Basis("retirement", None, None, "一般可在达到退休年龄前按当地规定提前申报", None,
              "You can generally apply before reaching retirement age, as local rules allow"),
    )
    message = "您即将（或已经）达到退休年龄，养老保险缴费年限已满，可以办理退休一件事 — 已为您预填，核对后确认即可"
    message_en = ("You are reaching (or have reached) retirement age and your pension contributions are complete: the "
                  "retirement bundle can be done in one go — pre-filled for you, just check and confirm")

    def evaluate(self, event: LifeEvent, who: PersonData, today: dt.date) -> tuple[Fact, ...] | None:
        if event.subject_id != who.person_id or not who.alive():
            return None
        sex, born = who.get("population", "sex"), who.get("population", "birth_date")
        if sex not in RETIREMENT_AGE or not born:
            return None
        reaches = add_years(dt.date.fromisoformat(born), RETIREMENT_AGE[sex])
        if reaches > today + dt.timedelta(days=RETIREMENT_LEAD_DAYS):
            return None
        pension, status = who.get("social_insurance", "pension_type"), who.get("social_insurance", "status")
        months = who.get("social_insurance", "contribution_months")
        need = minimum_contribution_months(today)
        if pension != "城镇职工基本养老保险" or status != "参保缴费" or not str(months or "").isdigit() \
                or int(months) < need:
            return None
        prid, srid = who.record_id("population", "birth_date"), who.record_id("social_insurance", "status")
        return (Fact("sex", "性别", sex, "population", prid, "Sex", value_en(sex)),
                Fact("birth_date", "出生日期", born, "population", prid, "Date of birth", born),
                Fact("reaches_age", f"达到原法定退休年龄（{RETIREMENT_AGE[sex]}周岁）的日期", reaches.isoformat(),
                     "population", prid, f"Date you reach the original statutory retirement age ({RETIREMENT_AGE[sex]})",
                     reaches.isoformat()),
                Fact("pension_type", "养老保险类型", pension, "social_insurance", srid, "Pension insurance", value_en(pension)),
                Fact("status", "参保状态", status, "social_insurance", srid, "Insurance status", value_en(status)),
                Fact("contribution_months", "累计缴费月数", f"{months}个月（最低{need}个月）", "social_insurance", srid,
                     "Months of contributions", f"{months} months (minimum {need})"))


class AfterDeathRule(Rule):
    id = "after_death.death_registered"
    one_thing_id = "after_death"
    title = "个人身后一件事"
    title_en = "After-death affairs bundle"
    triggers = ("death_registered",)
    recipient = "relative"
    subject_role = "deceased"
    basis = (
        Basis("after_death", None, None, "逝者的近亲属、法定继承人或指定受益人均可申请", None,
              "A close relative, legal heir or designated beneficiary of the deceased may apply"),
        Basis("after_death", "hukou_cancellation", "《中华人民共和国户口登记条例》", "一般应在安葬前（农村在一个月内）申报死亡登记并注销户口",
              "Regulations on Household Registration",
              "The death is generally registered and the household registration cancelled before burial (within one "
              "month in rural areas)"),
        Basis("after_death", "pension_survivor_benefits", "《中华人民共和国社会保险法》", "由法定继承人、指定受益人或遗属申领",
              "Social Insurance Law", "Claimed by the legal heirs, designated beneficiaries or surviving family"),
    )
    message = "您的亲人已办理死亡登记，我们深表哀悼。户口注销、养老保险、公积金等身后事可以一次办理 — 已为您预填，核对后确认即可"
    message_en = ("The death of your relative has been registered; please accept our deepest condolences. Cancellation of "
                  "household registration, pension, housing provident fund and other affairs can be done in one go — "
                  "pre-filled for you, just check and confirm")
    _RELATION = {"father": "父亲", "mother": "母亲", "spouse": "配偶"}
    _RELATION_EN = {"father": "father", "mother": "mother", "spouse": "spouse"}

    def evaluate(self, event: LifeEvent, who: PersonData, today: dt.date) -> tuple[Fact, ...] | None:
        rel = who.relative(event.subject_id)
        if rel is None or rel["relation"] not in self._RELATION or not rel["deceased"] or not who.alive():
            return None
        age = who.age(today)
        if age is None or age < 18:
            return None
        return (_relation_fact(rel, "逝者与您的关系", self._RELATION[rel["relation"]] + "（近亲属）",
                               "The deceased's relation to you", self._RELATION_EN[rel["relation"]] + " (close relative)"),
                _event_fact(event, "death_date", "死亡登记日期", "Date the death was registered"),
                Fact("adult", "您已成年", f"{age}周岁", "population", who.record_id("population", "birth_date"),
                     "You are an adult", f"{age} years old"))


class VeteranRule(Rule):
    id = "veteran_retirement.discharged"
    one_thing_id = "veteran_retirement"
    title = "军人退役一件事"
    title_en = "Military discharge bundle"
    triggers = ("discharged",)
    basis = (
        Basis("veteran_retirement", "discharge_reporting", "《中华人民共和国退役军人保障法》",
              "依法退出现役，回到安置地（一般为入伍时户籍所在地，另有规定的从其规定）",
              "Law on the Protection of Veterans",
              "Discharged from active service according to law and returned to the place of resettlement (generally the "
              "place of household registration at enlistment, unless otherwise provided)"),
        Basis("veteran_retirement", "discharge_reporting", "《退役军人安置条例》", "一般应自退出现役之日起30日内到安置地报到",
              "Regulations on the Resettlement of Veterans",
              "Generally report to the place of resettlement within 30 days of discharge from active service"),
    )
    message = "您已退出现役，欢迎回家！退役报到、落户、保险关系接续等可以一次办理 — 已为您预填，核对后确认即可"
    message_en = ("You have been discharged from active service — welcome home! Reporting, household registration, "
                  "transfer of insurance and the rest can be done in one go — pre-filled for you, just check and confirm")

    def evaluate(self, event: LifeEvent, who: PersonData, today: dt.date) -> tuple[Fact, ...] | None:
        if event.subject_id != who.person_id or not who.alive():
            return None
        discharged = who.get("e_licence", "veteran_cert.discharge_date")
        if not discharged:
            return None
        day = dt.date.fromisoformat(discharged)
        if not 0 <= (today - day).days <= RECENT_DISCHARGE_DAYS:
            return None
        rid = who.record_id("e_licence", "veteran_cert.discharge_date")
        report_by = (day + dt.timedelta(days=30)).isoformat()
        facts = [Fact("discharge_date", "退出现役时间", discharged, "e_licence", rid,
                      "Date of discharge from active service", discharged),
                 Fact("report_by", "报到期限（退出现役之日起30日内）", report_by, "e_licence", rid,
                      "Report by (within 30 days of discharge)", report_by)]
        placement = who.get("e_licence", "veteran_cert.placement")
        if placement:
            facts.append(Fact("placement", "安置方式", placement, "e_licence", rid, "Placement", value_en(placement)))
        return tuple(facts)


class StartBusinessRule(Rule):
    id = "start_business.enterprise_registered"
    one_thing_id = "start_business"
    title = "企业开办一件事（领照后事项）"
    title_en = "Business start-up bundle (after the business licence)"
    triggers = ("enterprise_registered",)
    recipient = "enterprise"
    subject_role = "enterprise"
    basis = (
        Basis("start_business", None, None, "在本地新设立的有限责任公司、股份有限公司、合伙企业、个人独资企业等经营主体", None,
              "A business newly established here: a limited liability company, company limited by shares, "
              "partnership, sole proprietorship enterprise or other market entity"),
        Basis("start_business", "employer_social_insurance", "《中华人民共和国社会保险法》", "企业已取得营业执照",
              "Social Insurance Law", "The enterprise has its business licence"),
        Basis("start_business", "housing_fund_registration", "《住房公积金管理条例》", "企业已取得营业执照",
              "Regulations on the Administration of Housing Provident Fund", "The enterprise has its business licence"),
    )
    message = "您的企业已领取营业执照，公章刻制、发票申领、社保和公积金登记、银行开户预约可以一次办理 — 已为您预填，核对后确认即可"
    message_en = ("Your enterprise has its business licence: official seal engraving, invoice application, social "
                  "insurance and housing provident fund registration and a bank account appointment can be done in one "
                  "go — pre-filled for you, just check and confirm")

    def evaluate(self, event: LifeEvent, who: PersonData, today: dt.date) -> tuple[Fact, ...] | None:
        ent = who.enterprise(event.subject_id)
        if ent is None or ent["status"] != "存续" or ent["kind"] == "个体工商户" or not who.alive():
            return None
        if not 0 <= (today - event.on).days <= NEW_ENTERPRISE_DAYS:
            return None
        return (Fact("legal_rep", "您是该企业的法定代表人", "是", "enterprise", ent["record_id"],
                     "You are the enterprise's legal representative", "yes"),
                Fact("kind", "企业类型", ent["kind"], "enterprise", ent["record_id"], "Enterprise type", value_en(ent["kind"])),
                Fact("status", "登记状态", ent["status"], "enterprise", ent["record_id"], "Registration status",
                     value_en(ent["status"])),
                _event_fact(event, "established", "成立日期（营业执照）", "Date established (business licence)"))


RULES: tuple[Rule, ...] = (NewbornRule(), ChildcareRule(), ElderlyRule(), RetirementRule(), AfterDeathRule(),
                           VeteranRule(), StartBusinessRule())


def rule_by_id(rule_id: str) -> Rule:
    for r in RULES:
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)
