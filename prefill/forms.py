"""Merged-form schemas (多表合一、一表申请): one YAML per one-thing under ``prefill/forms/``.

A form has sections of fields. Each field says its type and validation, which department form(s)
it feeds (``departments``; ``[all]`` = every receiving department of the form), where shared data
can supply it (``source``: a data source, one of its fields, and the form role whose data it is),
and whether the registry value is ``authoritative`` (read-only, with a 纠错 report path).
A field key appears once per form: the person is asked once and every department gets the answer
(WCAG 3.3.7 redundant entry).

Roles (``subjects``) name whose data a field is: ``self`` (the applicant) is implicit; others are
resolved from shared data after consent — a relative (``relation``), the enterprise the applicant
represents (``enterprise``), or a person the applicant identifies by ID number (``by_id_number``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import ConfigurationError, NotFound
from prefill.sources import (
    ENTERPRISE_FIELDS,
    HOUSING_FUND_FIELDS,
    POPULATION_FIELDS,
    REAL_ESTATE_FIELDS,
    SOCIAL_INSURANCE_FIELDS,
    ELicenceSource,
)
from prefill.validators import FIELD_TYPES

log = logging.getLogger(__name__)

FORMS_DIR = Path(__file__).resolve().parent / "forms"
SOURCE_FIELDS: dict[str, dict[str, str]] = {
    "population": POPULATION_FIELDS, "e_licence": dict(ELicenceSource.fields), "social_insurance": SOCIAL_INSURANCE_FIELDS,
    "housing_fund": HOUSING_FUND_FIELDS, "enterprise": ENTERPRISE_FIELDS, "real_estate": REAL_ESTATE_FIELDS,
}
# A derived field: the applicant's relation to the role's person, from the relation record that resolved it.
RELATION_FIELD = "@relation"
ALL = "all"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSource(_Model):
    source: str
    field: str
    subject: str = "self"

    @model_validator(mode="after")
    def _known(self) -> FieldSource:
        if self.source not in SOURCE_FIELDS:
            raise ValueError(f"unknown source {self.source!r}; expected one of {sorted(SOURCE_FIELDS)}")
        if self.field != RELATION_FIELD and self.field not in SOURCE_FIELDS[self.source]:
            raise ValueError(f"source {self.source!r} offers no field {self.field!r}")
        if self.field == RELATION_FIELD and self.source != "population":
            raise ValueError(f"{RELATION_FIELD} comes from the population source")
        return self


class Validation(_Model):
    min_length: int | None = None
    max_length: int | None = None
    not_future: bool = False
    not_past: bool = False
    minimum: float | None = None
    maximum: float | None = None


class AskWhen(_Model):
    """Ask a field only while another (choice) field is empty or holds one of `values`: e.g. the mother's
    household booklet only when the child's hukou follows the mother (随母落户)."""

    field: str
    values: list[str] = Field(..., min_length=1)


class FormField(_Model):
    key: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    label: str
    label_en: str
    type: str
    required: bool = True
    options: list[str] = []
    options_en: list[str] = Field([], description="The options in English, in the same order: what an English page "
                                                  "shows (the stored value stays the Chinese option).")
    validation: Validation = Validation()
    departments: list[str] = Field(..., min_length=1)
    source: FieldSource | None = None
    authoritative: bool = False
    sensitive: bool = Field(False, description="A card or certificate number: masked on screen like an identifier.")
    help: str | None = None
    ask_when: AskWhen | None = None

    def asked(self, values: Mapping[str, Any]) -> bool:
        """Whether the form asks this field, given the form's values by key (plain values): a field whose
        condition field is still empty is asked (the person has not chosen yet)."""
        if self.ask_when is None:
            return True
        chosen = values.get(self.ask_when.field)
        return chosen is None or chosen in self.ask_when.values

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in FIELD_TYPES:
            raise ValueError(f"type {v!r} is not one of {FIELD_TYPES}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        if self.authoritative and self.source is None:
            raise ValueError(f"{self.key}: an authoritative field needs a source")
        if self.type == "enum" and not self.options:
            raise ValueError(f"{self.key}: an enum field needs options")
        if self.options_en:
            if len(self.options_en) != len(self.options):
                raise ValueError(f"{self.key}: options_en has {len(self.options_en)} entries for {len(self.options)} options "
                                 "(one English label per option, in the same order)")
            if any(not o.strip() for o in self.options_en):
                raise ValueError(f"{self.key}: options_en has an empty entry")
            dupes = sorted({o for o in self.options_en if self.options_en.count(o) > 1})
            if dupes:
                raise ValueError(f"{self.key}: options_en repeats {dupes} (each option needs its own label)")
        return self


class Section(_Model):
    key: str
    title: str
    title_en: str
    fields: list[FormField] = Field(..., min_length=1)


class SubjectRole(_Model):
    """How to find the person or enterprise a role names, starting from an already-resolved role."""

    label: str
    label_en: str
    kind: Literal["relation", "enterprise", "by_id_number"]
    of: str = "self"
    relations: list[Literal["spouse", "child", "father", "mother"]] = []
    min_age: float | None = None
    max_age: float | None = None
    deceased: bool | None = None
    hukou_status: str | None = None
    pick: Literal["youngest", "oldest", "first"] = "first"
    enterprise_kinds: list[str] = []
    enterprise_statuses: list[str] = []
    input_field: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SubjectRole:
        if self.kind == "relation" and not self.relations:
            raise ValueError("a relation role needs relations")
        if self.kind == "by_id_number" and not self.input_field:
            raise ValueError("a by_id_number role needs input_field")
        return self


class MergedForm(_Model):
    form_id: str
    one_thing_id: str
    title: str
    title_en: str
    audience: Literal["个人", "企业"]
    purpose: str = Field(..., description="The purpose shown in consent requests and written to the audit log.")
    departments: list[str] = Field(..., min_length=2)
    subjects: dict[str, SubjectRole] = {}
    sections: list[Section] = Field(..., min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _expand_all(cls, data):
        """`departments: [all]` on a field means every receiving department of the form."""
        if isinstance(data, dict) and isinstance(data.get("departments"), list):
            for sec in data.get("sections") or []:
                for f in (sec or {}).get("fields") or []:
                    if isinstance(f, dict) and f.get("departments") == [ALL]:
                        f["departments"] = list(data["departments"])
        return data

    @model_validator(mode="after")
    def _consistent(self) -> MergedForm:
        if self.form_id != f"{self.one_thing_id}_form":
            raise ValueError(f"form_id must be {self.one_thing_id}_form")
        keys = [f.key for f in self.fields()]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"field keys asked more than once: {dupes} (each field is asked once)")
        if "self" in self.subjects:
            raise ValueError("'self' is implicit; do not declare it")
        seen = {"self"}
        for role, spec in self.subjects.items():
            if spec.of not in seen:
                raise ValueError(f"role {role!r} is resolved from {spec.of!r}, which must be declared before it")
            if spec.input_field and spec.input_field not in keys:
                raise ValueError(f"role {role!r} input_field {spec.input_field!r} is not a field of the form")
            seen.add(role)
        for f in self.fields():
            bad = [d for d in f.departments if d not in self.departments]
            if bad:
                raise ValueError(f"{f.key}: departments {bad} are not receiving departments of the form")
            if f.source and f.source.subject not in seen:
                raise ValueError(f"{f.key}: source subject {f.source.subject!r} is not a declared role")
        unused = [d for d in self.departments if not any(d in f.departments for f in self.fields())]
        if unused:
            raise ValueError(f"departments {unused} receive no field")
        self._check_conditions()
        return self

    def _check_conditions(self) -> None:
        """`ask_when` names a choice field of the form and some of its options, and whatever is chosen every
        department still receives a field (its split form is never empty)."""
        by_key = {f.key: f for f in self.fields()}
        for f in self.fields():
            if f.ask_when is None:
                continue
            cond = by_key.get(f.ask_when.field)
            if cond is None or cond.type != "enum" or cond.ask_when is not None:
                raise ValueError(f"{f.key}: ask_when names {f.ask_when.field!r}, which must be an unconditional enum field")
            bad = [v for v in f.ask_when.values if v not in cond.options]
            if bad:
                raise ValueError(f"{f.key}: ask_when values {bad} are not options of {cond.key}")
            for option in cond.options:
                chosen = {cond.key: option}
                empty = [d for d in self.departments if not self.fields_for(d, chosen)]
                if empty:
                    raise ValueError(f"with {cond.key} = {option!r}, departments {empty} receive no field")

    def fields(self) -> Iterator[FormField]:
        for sec in self.sections:
            yield from sec.fields

    @cached_property
    def by_key(self) -> dict[str, FormField]:
        return {f.key: f for f in self.fields()}

    def field(self, key: str) -> FormField:
        try:
            return self.by_key[key]
        except KeyError:
            raise NotFound(f"form {self.form_id} has no field {key!r}") from None

    def section_of(self, key: str) -> Section:
        return next(s for s in self.sections if any(f.key == key for f in s.fields))

    def fields_for(self, department: str, values: Mapping[str, Any] | None = None) -> list[FormField]:
        """The department's fields; with the form's values (by key), only those the form asks given them."""
        return [f for f in self.fields() if department in f.departments and (values is None or f.asked(values))]

    def source_fields(self, source: str, role: str, values: Mapping[str, Any] | None = None) -> list[str]:
        """The source fields of `source` this form reads about `role` (without derived ones); with the form's
        values (by key), only those of fields the form asks given them — after 随父落户 the mother's household
        booklet is neither asked for in consent nor read."""
        return sorted({f.source.field for f in self.fields() if f.source and f.source.source == source
                       and f.source.subject == role and f.source.field != RELATION_FIELD
                       and (values is None or f.asked(values))})

    def asked_keys(self, values: Mapping[str, Any]) -> set[str]:
        """The keys of the fields the form asks, given its values by key."""
        return {f.key for f in self.fields() if f.asked(values)}

    def consent_choices(self) -> list[FormField]:
        """The choices to make before consent: those a pre-filled field is asked after (落户方式 decides whose
        household booklet is read), so the consent asks only for what the choice needs."""
        keys = {f.ask_when.field for f in self.fields() if f.ask_when is not None and f.source is not None}
        return [f for f in self.fields() if f.key in keys]

    def roles(self) -> list[str]:
        return ["self", *self.subjects]

    def role_label(self, role: str) -> str:
        return "申请人本人" if role == "self" else self.subjects[role].label


def plain_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A draft's stored values ({key: {"value": ..., "state": ...}}) as plain values by key."""
    return {k: (v or {}).get("value") for k, v in values.items()}


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_form(path: Path) -> MergedForm:
    """Parse and validate one form file; the error names the file and the problem."""
    try:
        stat = path.stat()
        return _load_form_cached(path, stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read form ({exc})") from exc


@lru_cache(maxsize=256)
def _load_form_cached(path: Path, _mtime_ns: int, _size: int) -> MergedForm:
    """Forms are static files: parse each version once per process."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"{path}: cannot read form ({exc})") from exc
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path}: expected a mapping at the top level")
    try:
        return MergedForm.model_validate(raw)
    except ValidationError as exc:
        raise ConfigurationError(f"{path}: invalid merged form: {exc}") from exc


@dataclass(frozen=True)
class FormLibrary:
    """All merged forms, by one-thing id."""

    forms: tuple[MergedForm, ...]

    @classmethod
    def from_dir(cls, folder: Path = FORMS_DIR) -> FormLibrary:
        if not folder.is_dir():
            raise ConfigurationError(f"merged-form folder {folder} does not exist")
        forms = tuple(load_form(p) for p in sorted(folder.glob("*.yaml")))
        ids = [f.one_thing_id for f in forms]
        if len(set(ids)) != len(ids):
            raise ConfigurationError(f"more than one form for a one-thing in {folder}")
        return cls(forms)

    @cached_property
    def by_one_thing(self) -> dict[str, MergedForm]:
        return {f.one_thing_id: f for f in self.forms}

    def get(self, one_thing_id: str) -> MergedForm:
        form = self.by_one_thing.get(one_thing_id)
        if form is None:
            raise NotFound(f"no merged form for one-thing {one_thing_id!r}; see GET /v1/prefill/forms")
        return form

    def __iter__(self):
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)
