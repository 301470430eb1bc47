"""Shared government data behind a `DataSource` Protocol: 人口库, 电子证照库, 社保/医保, 公积金, 法人库, 不动产.

Each source names the fields it offers and answers `fetch(subject_id, fields, purpose=...)` with a
`SourceRecord`: the values plus their provenance (source, record id, fetched-at). Sources know
nothing about consent: the pre-fill engine reaches them only through `prefill.consent.ConsentGate`,
which checks the grant and writes the audit entry, so no code path reads without both.

By default all six live in one SQLite database (``YJS_SHARED_DATA_URL``, seeded with synthetic
people by `prefill.seed`); a deployment points the URL at its data-sharing platform's replica or
replaces a source with an adapter to its exchange API — the Protocol is the seam.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.clock import utcnow
from core.db import Database
from core.errors import InvalidInput

log = logging.getLogger(__name__)


# --- the Protocol and its value types ---------------------------------------------------------
@dataclass(frozen=True)
class SourceValue:
    """One value and the record it came from (a licence, a relation, a registry row)."""

    value: Any
    record_id: str


@dataclass(frozen=True)
class SourceRecord:
    """What one fetch returned: values by field, each with its record id, and when it was read."""

    source: str
    subject_id: str
    fetched_at: dt.datetime
    values: dict[str, SourceValue] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        v = self.values.get(name)
        return v.value if v else None


@runtime_checkable
class DataSource(Protocol):
    """A shared-data source. `fields` maps each field it offers to its Chinese label."""

    name: str
    label: str
    fields: Mapping[str, str]

    def fetch(self, subject_id: str, fields: Sequence[str], *, purpose: str) -> SourceRecord: ...


# --- the default SQL schema ---------------------------------------------------------------------
class SharedBase(DeclarativeBase):
    pass


class PersonRow(SharedBase):
    __tablename__ = "population_person"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    sex: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[str] = mapped_column(String(10))
    ethnicity: Mapped[str] = mapped_column(String(16))
    household_address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    household_region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    residence_address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    residence_region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    marital_status: Mapped[str] = mapped_column(String(8))
    education: Mapped[str | None] = mapped_column(String(16), nullable=True)
    hukou_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    hukou_status: Mapped[str] = mapped_column(String(8))  # 正常 | 未落户 | 已注销
    death_date: Mapped[str | None] = mapped_column(String(10), nullable=True)


class RelationRow(SharedBase):
    __tablename__ = "population_relation"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("population_person.id"), index=True)
    relative_id: Mapped[str] = mapped_column(ForeignKey("population_person.id"))
    relation: Mapped[str] = mapped_column(String(8))  # spouse | child | father | mother


class LicenceRow(SharedBase):
    __tablename__ = "e_licence"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    holder_id: Mapped[str] = mapped_column(String(16), index=True)  # a person or an enterprise id
    kind: Mapped[str] = mapped_column(String(24), index=True)
    number: Mapped[str] = mapped_column(String(60))
    holder_name: Mapped[str] = mapped_column(String(80))
    issue_date: Mapped[str] = mapped_column(String(10))
    issuer: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class SocialInsuranceRow(SharedBase):
    __tablename__ = "social_insurance"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(16), unique=True)  # person (个人参保) or enterprise (单位登记)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class HousingFundRow(SharedBase):
    __tablename__ = "housing_fund"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(16), unique=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class EnterpriseRow(SharedBase):
    __tablename__ = "enterprise"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    legal_rep_id: Mapped[str] = mapped_column(ForeignKey("population_person.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class RealEstateRow(SharedBase):
    __tablename__ = "real_estate"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(16), index=True)
    cert_no: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class SeedMetaRow(SharedBase):
    __tablename__ = "seed_meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SharedDataDB(Database):
    """The shared-data database; any failure to reach or read it is a 503 that says manual entry still works."""

    def __init__(self, url: str) -> None:
        if not url:
            raise InvalidInput("YJS_SHARED_DATA_URL must not be empty", field="shared_data_url")
        super().__init__(url, SharedBase.metadata, setting="YJS_SHARED_DATA_URL", label="shared-data database",
                         unavailable_hint="pre-fill is unavailable, manual entry still works")

    def meta(self) -> dict[str, str]:
        with self.session() as s:
            return {r.key: r.value for r in s.scalars(select(SeedMetaRow)).all()}

    def count_people(self) -> int:
        from sqlalchemy import func

        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(PersonRow)) or 0)


# --- field catalogues ---------------------------------------------------------------------------
POPULATION_FIELDS = {
    "name": "姓名", "id_number": "公民身份号码", "sex": "性别", "birth_date": "出生日期", "ethnicity": "民族",
    "household_address": "户籍地址", "household_region_code": "户籍地行政区划代码", "residence_address": "居住地址",
    "residence_region_code": "居住地行政区划代码", "marital_status": "婚姻状况", "education": "文化程度",
    "hukou_no": "户号", "death_date": "死亡日期", "relations": "家庭关系（配偶、子女、父母）",
}

LICENCE_KINDS = {
    "id_card": "居民身份证", "hukou_booklet": "居民户口簿", "marriage_cert": "结婚证", "birth_cert": "出生医学证明",
    "business_licence": "营业执照", "disability_cert": "残疾人证", "driving_licence": "机动车驾驶证",
    "vehicle_licence": "机动车行驶证", "property_cert": "不动产权证书", "veteran_cert": "退役军人证件",
    "death_cert": "死亡医学证明", "food_licence": "食品经营许可证", "tobacco_licence": "烟草专卖零售许可证",
    "scrap_cert": "报废机动车回收证明", "elderly_assessment": "老年人能力评估结果",
}
# Attributes of each licence kind offered as `<kind>.<attr>`; number/issue_date/issuer/holder_name are common.
LICENCE_ATTRS = {
    "id_card": {"valid_until": "有效期至"},
    "hukou_booklet": {},
    "marriage_cert": {"spouse_name": "配偶姓名"},
    "birth_cert": {"child_name": "新生儿姓名", "sex": "新生儿性别", "birth_date": "出生日期",
                   "birth_place": "出生地点", "father_name": "父亲姓名", "mother_name": "母亲姓名"},
    "business_licence": {},
    "disability_cert": {"category": "残疾类别", "level": "残疾等级"},
    "driving_licence": {"class": "准驾车型", "valid_until": "有效期至", "file_no": "档案编号"},
    "vehicle_licence": {"plate": "号牌号码", "vin": "车辆识别代号", "model": "品牌型号", "register_date": "注册日期",
                        "usage": "使用性质", "vehicle_type": "车辆类型"},
    "property_cert": {},
    "veteran_cert": {"discharge_cert_no": "退出现役证号", "enlist_date": "入伍时间", "discharge_date": "退役时间",
                     "placement": "安置方式"},
    "death_cert": {"death_date": "死亡日期", "death_place": "死亡地点"},
    "food_licence": {"valid_until": "有效期至", "scope": "经营项目"},
    "tobacco_licence": {"valid_until": "有效期至"},
    "scrap_cert": {"plate": "原号牌号码", "vin": "原车辆识别代号", "scrap_date": "报废日期", "recycler": "回收企业"},
    # 民政部门's 老年人能力评估 (GB/T 42195-2022 grades); issued as a result the care subsidies can read.
    "elderly_assessment": {"level": "能力等级"},
}
_COMMON_LICENCE = {"number": "证照编号", "issue_date": "发证日期", "issuer": "发证机关", "holder_name": "持证人"}

SOCIAL_INSURANCE_FIELDS = {
    "ssc_card_no": "社会保障卡卡号", "pension_type": "养老保险类型", "medical_type": "医疗保险类型",
    "enrol_date": "首次参保日期", "contribution_months": "累计缴费月数", "employer_name": "参保单位",
    "contact_phone": "联系电话", "bank_name": "待遇发放银行", "bank_account": "待遇发放账户",
    "bank_account_kind": "待遇发放账户类型",
    "insured_region_code": "参保地行政区划代码", "status": "参保状态",
    "unit_no": "单位社保登记编号", "unit_insured_count": "单位参保人数",
}
HOUSING_FUND_FIELDS = {
    "account_no": "个人公积金账号", "status": "账户状态", "employer_name": "缴存单位", "monthly_deposit": "月缴存额（元）",
    "balance": "账户余额（元）", "open_date": "开户日期", "unit_account_no": "单位公积金账号",
}
ENTERPRISE_FIELDS = {
    "uscc": "统一社会信用代码", "name": "名称", "kind": "类型", "legal_rep_name": "法定代表人（经营者）",
    "legal_rep_id_number": "法定代表人身份证号码", "registered_address": "住所（经营场所）",
    "region_code": "住所行政区划代码", "capital": "注册资本（万元）", "business_scope": "经营范围",
    "established": "成立日期", "status": "登记状态", "phone": "联系电话", "employees": "从业人数",
    "registration_authority": "登记机关", "abnormal_reason": "列入经营异常名录原因", "abnormal_date": "列入日期",
    "penalty_no": "行政处罚决定书文号", "penalty_authority": "处罚机关", "penalty_date": "处罚日期",
    "bankruptcy_case_no": "破产案件案号", "court": "受理法院", "administrator_name": "管理人",
    "legal_rep_of": "担任法定代表人（经营者、管理人）的市场主体",
}
REAL_ESTATE_FIELDS = {
    "cert_no": "不动产权证书号", "address": "坐落", "region_code": "坐落行政区划代码", "area": "建筑面积（平方米）",
    "usage": "用途", "registered_date": "登记日期", "unit_no": "不动产单元号",
    "water_account": "供水户号", "power_account": "供电户号", "gas_account": "燃气户号",
}


def _licence_fields() -> dict[str, str]:
    out = {}
    for kind, label in LICENCE_KINDS.items():
        for attr, attr_label in {**_COMMON_LICENCE, **LICENCE_ATTRS[kind]}.items():
            out[f"{kind}.{attr}"] = f"{label}·{attr_label}"
    return out


def _check_fields(source: DataSource, fields: Sequence[str]) -> None:
    unknown = [f for f in fields if f not in source.fields]
    if unknown:
        raise InvalidInput(f"source {source.name} offers no field(s) {unknown}", field="fields")


class _SqlSource:
    """Shared plumbing: a database handle and the provenance stamp."""

    name = ""
    label = ""
    fields: Mapping[str, str] = {}

    def __init__(self, db: SharedDataDB) -> None:
        self.db = db

    def _record(self, subject_id: str, values: dict[str, SourceValue]) -> SourceRecord:
        return SourceRecord(self.name, subject_id, utcnow(), values)


class PopulationSource(_SqlSource):
    """人口库: identity, household registration and family relations of a person."""

    name = "population"
    label = "人口库（公安户籍）"
    fields = POPULATION_FIELDS

    def fetch(self, subject_id: str, fields: Sequence[str], *, purpose: str) -> SourceRecord:
        _check_fields(self, fields)
        out: dict[str, SourceValue] = {}
        with self.db.session() as s:
            row = s.get(PersonRow, subject_id)
            if row is None:
                return self._record(subject_id, out)
            for f in fields:
                if f == "relations":
                    rels = s.scalars(select(RelationRow).where(RelationRow.person_id == subject_id)
                                     .order_by(RelationRow.id)).all()
                    people = {p.id: p for p in s.scalars(
                        select(PersonRow).where(PersonRow.id.in_([r.relative_id for r in rels])))}
                    value = [{"relation": r.relation, "person_id": r.relative_id, "record_id": r.id,
                              "birth_date": people[r.relative_id].birth_date,
                              "deceased": people[r.relative_id].death_date is not None,
                              "hukou_status": people[r.relative_id].hukou_status} for r in rels]
                    out[f] = SourceValue(value, row.id)
                else:
                    value = getattr(row, f)
                    if value is not None:
                        out[f] = SourceValue(value, row.id)
        return self._record(subject_id, out)

    def find_by_id_number(self, id_number: str) -> str | None:
        """The person id holding this ID number (identity resolution; returns no personal data)."""
        with self.db.session() as s:
            return s.scalar(select(PersonRow.id).where(PersonRow.id_number == id_number))


class ELicenceSource(_SqlSource):
    """电子证照库: licences and certificates held by a person or an enterprise (latest of each kind)."""

    name = "e_licence"
    label = "电子证照库"
    fields = _licence_fields()

    def fetch(self, subject_id: str, fields: Sequence[str], *, purpose: str) -> SourceRecord:
        _check_fields(self, fields)
        kinds = sorted({f.split(".", 1)[0] for f in fields})
        out: dict[str, SourceValue] = {}
        with self.db.session() as s:
            rows = s.scalars(select(LicenceRow).where(LicenceRow.holder_id == subject_id, LicenceRow.kind.in_(kinds))
                             .order_by(LicenceRow.issue_date, LicenceRow.id)).all()
            latest = {r.kind: r for r in rows}
            for f in fields:
                kind, attr = f.split(".", 1)
                row = latest.get(kind)
                if row is None:
                    continue
                value = getattr(row, attr) if attr in _COMMON_LICENCE else (row.data or {}).get(attr)
                if value is not None:
                    out[f] = SourceValue(value, row.id)
        return self._record(subject_id, out)


class _JsonRowSource(_SqlSource):
    """A source whose rows keep their attributes in one JSON column, keyed by subject id."""

    row_type: type = SocialInsuranceRow

    def fetch(self, subject_id: str, fields: Sequence[str], *, purpose: str) -> SourceRecord:
        _check_fields(self, fields)
        out: dict[str, SourceValue] = {}
        with self.db.session() as s:
            row = s.scalar(select(self.row_type).where(self.row_type.subject_id == subject_id))
            if row is not None:
                for f in fields:
                    value = (row.data or {}).get(f)
                    if value is not None:
                        out[f] = SourceValue(value, row.id)
        return self._record(subject_id, out)


class SocialInsuranceSource(_JsonRowSource):
    """社保/医保: enrolment, card, contributions, contact phone and the benefit account."""

    name = "social_insurance"
    label = "社会保险和医疗保障信息库"
    fields = SOCIAL_INSURANCE_FIELDS
    row_type = SocialInsuranceRow


class HousingFundSource(_JsonRowSource):
    """住房公积金: personal or unit account."""

    name = "housing_fund"
    label = "住房公积金信息库"
    fields = HOUSING_FUND_FIELDS
    row_type = HousingFundRow


class EnterpriseSource(_SqlSource):
    """法人库: the market-entity register (with its credit records); `legal_rep_of` for a person."""

    name = "enterprise"
    label = "法人库（市场主体登记）"
    fields = ENTERPRISE_FIELDS

    def fetch(self, subject_id: str, fields: Sequence[str], *, purpose: str) -> SourceRecord:
        _check_fields(self, fields)
        out: dict[str, SourceValue] = {}
        with self.db.session() as s:
            if "legal_rep_of" in fields:
                rows = s.scalars(select(EnterpriseRow).order_by(EnterpriseRow.id).where(
                    (EnterpriseRow.legal_rep_id == subject_id)
                    | (EnterpriseRow.data["administrator_id"].as_string() == subject_id))).all()
                out["legal_rep_of"] = SourceValue(
                    [{"enterprise_id": r.id, "kind": r.kind, "status": r.status, "record_id": r.id,
                      "role": "administrator" if r.legal_rep_id != subject_id else "legal_rep",
                      "flags": list((r.data or {}).get("flags", []))} for r in rows], subject_id)
            row = s.get(EnterpriseRow, subject_id)
            if row is not None:
                rep = s.get(PersonRow, row.legal_rep_id)
                base = {"uscc": row.uscc, "name": row.name, "kind": row.kind, "status": row.status,
                        "legal_rep_name": rep.name if rep else None,
                        "legal_rep_id_number": rep.id_number if rep else None, **(row.data or {})}
                for f in fields:
                    if f != "legal_rep_of" and base.get(f) is not None:
                        out[f] = SourceValue(base[f], row.id)
        return self._record(subject_id, out)


class RealEstateSource(_SqlSource):
    """不动产登记: the subject's registered property (first by registration date)."""

    name = "real_estate"
    label = "不动产登记信息库"
    fields = REAL_ESTATE_FIELDS

    def fetch(self, subject_id: str, fields: Sequence[str], *, purpose: str) -> SourceRecord:
        _check_fields(self, fields)
        out: dict[str, SourceValue] = {}
        with self.db.session() as s:
            row = s.scalars(select(RealEstateRow).where(RealEstateRow.owner_id == subject_id)
                            .order_by(RealEstateRow.id)).first()
            if row is not None:
                base = {"cert_no": row.cert_no, **(row.data or {})}
                for f in fields:
                    if base.get(f) is not None:
                        out[f] = SourceValue(base[f], row.id)
        return self._record(subject_id, out)


SOURCE_TYPES: tuple[type[_SqlSource], ...] = (
    PopulationSource, ELicenceSource, SocialInsuranceSource, HousingFundSource, EnterpriseSource, RealEstateSource,
)


def build_sources(db: SharedDataDB) -> dict[str, DataSource]:
    """The six default sources over one database, by name."""
    return {t.name: t(db) for t in SOURCE_TYPES}


def count_rows(db: SharedDataDB) -> dict[str, int]:
    """Rows per table (for the CLI and health checks)."""
    from sqlalchemy import func

    with db.session() as s:
        return {t.__tablename__: int(s.scalar(select(func.count()).select_from(t)) or 0)
                for t in (PersonRow, RelationRow, LicenceRow, SocialInsuranceRow, HousingFundRow, EnterpriseRow,
                          RealEstateRow)}

