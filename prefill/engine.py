"""The pre-fill engine: resolve whose data each form role is, then fill fields from granted sources.

Resolution and filling both read only through `ConsentGate`, so a role whose lookup is not granted
stays unresolved and its fields stay to-be-entered. Every filled value carries provenance (source,
record id, fetched-at, role) and a state: authoritative (read-only, 纠错 path), prefilled
(editable) or to_be_entered. Values the person typed, edited or confirmed from OCR are never
overwritten by a later pre-fill. A registry value that fails the form's own rules is kept as read
but marked prefilled (editable), never authoritative: the person can correct it and the review flags it.

The engine writes nothing itself outside the session it is handed: consent asks, the audit entries
of reads and identity look-ups go into the caller's transaction, so a command's reads are logged
together with the change they lead to (and a command that fails leaves neither).

Who decides (the grantor) for a resolved role: the applicant for their own data, for a minor child
(guardian), for a deceased relative (next of kin) and for an enterprise they represent; any other
adult decides for themselves and gets an ask to approve from their own sign-in.

Who may apply for an enterprise: only a representative the market-entity register names (法定代表人,
经营者 or 管理人 — `check_representative`), so nobody starts an employer's form, and sends approval
requests in its name, for an enterprise they do not represent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import ConsentRequired, Forbidden, InvalidInput, ServiceUnavailable
from core.masking import mask_id_number, mask_name
from prefill.audit import AuditLog
from prefill.consent import ConsentGate, ConsentStore
from prefill.forms import RELATION_FIELD, FormField, MergedForm, SubjectRole, plain_values
from prefill.models import PREFILLED_STATES
from prefill.sources import PopulationSource, SourceRecord
from prefill.store import iso
from prefill.validators import validate_field

log = logging.getLogger(__name__)

USER_STATES = ("entered", "edited", "ocr")
# The applicant's relation to a role's person, from that person's relation to the one it was found from.
RELATION_LABEL = {"father": "子女", "mother": "子女", "child": "父母", "spouse": "配偶"}


@dataclass
class DraftState:
    """The mutable part of a draft that the engine works on (the service persists it)."""

    id: str
    owner_id: str
    bindings: dict[str, dict[str, Any]] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    requested: dict[str, str] = field(default_factory=dict)


def age_years(birth_date: str, today: dt.date) -> float:
    return (today - dt.date.fromisoformat(birth_date)).days / 365.25


def owner_binding(owner_id: str) -> dict[str, Any]:
    return {"subject_id": owner_id, "kind": "person", "relation": "self", "record_id": None, "grantor_id": owner_id,
            "minor": False, "deceased": False, "display": None, "resolved_at": iso(utcnow())}


def may_be_applicant(spec: SubjectRole) -> bool:
    """A parent of someone the applicant is related to (the newborn's father or mother): until resolved,
    the applicant may be that very person."""
    return spec.kind == "relation" and spec.of != "self" and set(spec.relations) <= {"father", "mother"}


def owner_decides(spec: SubjectRole) -> bool:
    """Whether the applicant decides for a role before it is resolved (guardian, heir, representative)."""
    if spec.kind == "enterprise" or spec.deceased:
        return True
    if spec.kind == "relation" and spec.relations == ["child"] and spec.max_age is not None and spec.max_age <= 18:
        return True
    return may_be_applicant(spec)


def owner_roles(form: MergedForm, bindings: dict[str, dict]) -> list[str]:
    roles = ["self"]
    for role, spec in form.subjects.items():
        b = bindings.get(role)
        if (b and b["grantor_id"] == bindings["self"]["subject_id"]) or (b is None and owner_decides(spec)):
            roles.append(role)
    return roles


def lookup_fields(form: MergedForm, source: str, roles: list[str]) -> list[str]:
    """Fields read to resolve roles from one of `roles` (family relations, represented enterprises)."""
    out = []
    for spec in form.subjects.values():
        if spec.of in roles and spec.kind == "relation" and source == "population":
            out.append("relations")
        if spec.of in roles and spec.kind == "enterprise" and source == "enterprise":
            out.append("legal_rep_of")
    return sorted(set(out))


def fields_for_grantor(form: MergedForm, source: str, bindings: dict[str, dict], grantor: str,
                       values: dict[str, dict] | None = None) -> list[str]:
    """The source fields a grantor decides about in this draft; with the draft's stored values, only those the
    choices made so far still need (see `MergedForm.source_fields`)."""
    owner = bindings["self"]["subject_id"]
    roles = owner_roles(form, bindings) if grantor == owner else \
        [r for r, b in bindings.items() if b["grantor_id"] == grantor]
    plain = None if values is None else plain_values(values)
    fields = {f for r in roles for f in form.source_fields(source, r, plain)}
    if grantor == owner:
        fields |= set(lookup_fields(form, source, roles))
    return sorted(fields)


def form_sources(form: MergedForm) -> list[str]:
    out: list[str] = []
    for f in form.fields():
        if f.source and f.source.source not in out:
            out.append(f.source.source)
    if form.subjects and any(s.kind == "relation" for s in form.subjects.values()) and "population" not in out:
        out.append("population")
    if any(s.kind == "enterprise" for s in form.subjects.values()) and "enterprise" not in out:
        out.append("enterprise")
    return out


def field_value(value: Any, state: str, provenance: dict | None = None) -> dict[str, Any]:
    return {"value": value, "state": state, "provenance": provenance}


def clear_source_values(st: DraftState, source: str, roles: set[str]) -> None:
    """Forget every value read from `source` about one of `roles` (a withdrawn consent); values the
    citizen typed, edited or confirmed from a photo are theirs and stay."""
    for key, v in st.values.items():
        prov = v.get("provenance") or {}
        if prov.get("source") == source and prov.get("subject_role") in roles and v.get("state") not in USER_STATES:
            st.values[key] = field_value(None, "to_be_entered")


def prefill_rate(form: MergedForm, values: dict[str, dict]) -> float:
    fields = list(form.fields())
    filled = sum(1 for f in fields if (values.get(f.key) or {}).get("state") in PREFILLED_STATES)
    return round(filled / len(fields), 4) if fields else 0.0


class PrefillEngine:
    """Resolves roles and fills a draft's fields; reads only through the consent gate."""

    def __init__(self, gate: ConsentGate, consents: ConsentStore, audit: AuditLog,
                 population: PopulationSource | None, *, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.gate = gate
        self.consents = consents
        self.audit = audit
        self.population = population
        self.today = today

    # -- who may apply ---------------------------------------------------------------------------
    def check_representative(self, s: Session, form: MergedForm, owner_id: str, requested: dict[str, str],
                             actor: str) -> None:
        """An enterprise form (a role of kind enterprise, found from the applicant) may be started only by
        a representative the market-entity register names for an enterprise fitting that role — the one
        named in `requested`, when named. Raises Forbidden otherwise, with the same words whether a named
        enterprise exists or not. The check reads the applicant's own registry role (audited, in their
        access log); it needs no grant, as a sign-in check needs none."""
        roles = {r: spec for r, spec in form.subjects.items() if spec.kind == "enterprise" and spec.of == "self"}
        if not roles:
            return
        source = self.gate.sources.get("enterprise")
        if source is None:
            raise ServiceUnavailable("the market-entity register (法人库) is not configured: enterprise forms cannot "
                                     "check who represents the enterprise")
        why = f"{form.one_thing_id}: 核验申请人是否为市场主体登记的法定代表人（经营者、管理人）"
        represented = source.fetch(owner_id, ["legal_rep_of"], purpose=why).get("legal_rep_of") or []
        self.audit.append(s, actor=actor, action="representative_check", subject_id=owner_id, owner_id=owner_id,
                          source="enterprise", fields=["legal_rep_of"], purpose=why)
        for role, spec in roles.items():
            fits = [c for c in represented
                    if (not spec.enterprise_kinds or c["kind"] in spec.enterprise_kinds)
                    and (not spec.enterprise_statuses or c["status"] in spec.enterprise_statuses)
                    and (role not in requested or c["enterprise_id"] == requested[role])]
            if not fits:
                raise Forbidden(f"only a representative of the {spec.label_en} registered in the market-entity "
                                f"register (法定代表人、经营者或管理人) may apply for {form.title}; 只有市场主体登记的"
                                f"{spec.label}法定代表人（经营者、管理人）本人可以办理", field="subjects")

    def applicant_display(self, s: Session, owner_id: str, actor: str, draft_id: str, form: MergedForm) -> str | None:
        """The applicant's masked name (张*), read once from the population register when a draft starts, so
        every approval request it sends names who asks. Only the masked form is kept."""
        if self.population is None:
            return None
        why = f"{form.one_thing_id}: 在授权请求中显示申请人（遮掩后的）姓名"
        try:
            name = self.population.fetch(owner_id, ["name"], purpose=why).get("name")
        except (ServiceUnavailable, SQLAlchemyError):
            return None  # the request then says 申请人; the registry may be back when the name is next needed
        if not name:
            return None
        self.audit.append(s, actor=actor, action="applicant_name", subject_id=owner_id, owner_id=owner_id,
                          draft_id=draft_id, source="population", fields=["name"], purpose=why)
        return mask_name(name)

    # -- role resolution -------------------------------------------------------------------------
    def resolve(self, s: Session, st: DraftState, form: MergedForm, actor: str) -> None:
        """Bind every role that can be bound now; create asks for roles whose person decides themselves."""
        st.bindings.setdefault("self", owner_binding(st.owner_id))
        for role, spec in form.subjects.items():
            if role in st.bindings:
                continue
            base = st.bindings.get(spec.of)
            if base is None:
                continue
            binding = self._resolve_role(s, st, form, role, spec, base, actor)
            if binding is None:
                continue
            st.bindings[role] = binding
        self.refresh_asks(s, st, form)

    def refresh_asks(self, s: Session, st: DraftState, form: MergedForm) -> None:
        """Ask every other person whose own data the form reads for exactly what the choices made so far need:
        a choice changed after the ask (随母落户 after 随父落户) changes what that person is asked."""
        plain = plain_values(st.values)
        for grantor in sorted({b["grantor_id"] for b in st.bindings.values()} - {st.owner_id}):
            for source in form_sources(form):
                roles = [r for r, b in st.bindings.items()
                         if b["grantor_id"] == grantor and form.source_fields(source, r, plain)]
                self.consents.ask(s, draft_id=st.id, source=source, grantor_id=grantor, roles=roles,
                                  fields=fields_for_grantor(form, source, st.bindings, grantor, st.values))

    def _read(self, s: Session, st: DraftState, form: MergedForm, role: str, binding: dict, source: str,
              fields: list[str], actor: str) -> SourceRecord:
        return self.gate.read(session=s, draft_id=st.id, owner_id=st.owner_id, role=role, subject_id=binding["subject_id"],
                              grantor_id=binding["grantor_id"], source=source, fields=fields, actor=actor,
                              purpose=f"{form.one_thing_id}: {form.purpose}")

    def _relation_consented(self, s: Session, st: DraftState, form: MergedForm, role: str) -> bool:
        spec = (form.subjects or {}).get(role)
        base = st.bindings.get(spec.of) if spec is not None else None
        if base is None:
            return False
        try:
            self.gate.consents.check(s, draft_id=st.id, source="population", grantor_id=base["grantor_id"],
                                     fields=["relations"])
        except ConsentRequired:
            return False
        return True

    def _resolve_role(self, s: Session, st: DraftState, form: MergedForm, role: str, spec: SubjectRole, base: dict,
                      actor: str) -> dict | None:
        if spec.kind == "by_id_number":
            return self._resolve_by_id(s, st, form, role, spec, actor)
        source, lookup = ("population", "relations") if spec.kind == "relation" else ("enterprise", "legal_rep_of")
        try:
            record = self._read(s, st, form, spec.of, base, source, [lookup], actor)
        except ConsentRequired:
            return None
        candidates = record.get(lookup) or []
        today = self.today()
        if spec.kind == "relation":
            candidates = [c for c in candidates if c["relation"] in spec.relations and self._fits(spec, c, today)]
            if spec.pick != "first":
                candidates.sort(key=lambda c: c["birth_date"], reverse=spec.pick == "youngest")
        else:
            candidates = [c for c in candidates if (not spec.enterprise_kinds or c["kind"] in spec.enterprise_kinds)
                          and (not spec.enterprise_statuses or c["status"] in spec.enterprise_statuses)]
        wanted = st.requested.get(role)
        key = "person_id" if spec.kind == "relation" else "enterprise_id"
        if wanted:
            candidates = [c for c in candidates if c[key] == wanted]
        if not candidates:
            return None
        c = candidates[0]
        subject = c[key]
        minor = spec.kind == "relation" and age_years(c["birth_date"], today) < 18
        deceased = bool(c.get("deceased"))
        owner = st.owner_id
        grantor = owner if (subject == owner or spec.kind == "enterprise" or deceased
                            or (minor and c["relation"] == "child" and base["subject_id"] == owner)) else subject
        return {"subject_id": subject, "kind": "person" if spec.kind == "relation" else "enterprise",
                "relation": c.get("relation") or c.get("role"), "record_id": c["record_id"], "grantor_id": grantor,
                "minor": minor, "deceased": deceased, "display": None, "resolved_at": iso(utcnow())}

    @staticmethod
    def _fits(spec: SubjectRole, c: dict, today: dt.date) -> bool:
        age = age_years(c["birth_date"], today)
        return ((spec.deceased is None or c["deceased"] == spec.deceased)
                and (spec.min_age is None or age >= spec.min_age) and (spec.max_age is None or age < spec.max_age)
                and (spec.hukou_status is None or c["hukou_status"] == spec.hukou_status))

    def _resolve_by_id(self, s: Session, st: DraftState, form: MergedForm, role: str, spec: SubjectRole,
                       actor: str) -> dict | None:
        typed = (st.values.get(spec.input_field) or {}).get("value")
        if not typed or self.population is None:
            return None
        person = self.population.find_by_id_number(typed)
        if person is None:
            return None
        # The person found will see this lookup in their own access log.
        self.audit.append(s, actor=actor, action="identity_lookup", subject_id=person, owner_id=st.owner_id,
                          draft_id=st.id, source="population", fields=["id_number"],
                          purpose=f"{form.one_thing_id}: 按申请人填写的身份证号识别{spec.label}以请其本人授权")
        grantor = st.owner_id if person == st.owner_id else person
        return {"subject_id": person, "kind": "person", "relation": "other", "record_id": None, "grantor_id": grantor,
                "minor": False, "deceased": False, "display": mask_id_number(typed), "resolved_at": iso(utcnow())}

    def unbind(self, st: DraftState, form: MergedForm, input_field: str) -> None:
        """A by-ID-number role's input changed: forget the old person and the values read about them."""
        for role, spec in form.subjects.items():
            if spec.kind == "by_id_number" and spec.input_field == input_field and role in st.bindings:
                del st.bindings[role]
                for f in form.fields():
                    if f.source and f.source.subject == role and (st.values.get(f.key) or {}).get("state") not in USER_STATES:
                        st.values[f.key] = field_value(None, "to_be_entered")

    # -- filling -------------------------------------------------------------------------------
    def prefill(self, s: Session, st: DraftState, form: MergedForm, actor: str) -> None:
        self.resolve(s, st, form, actor)
        self.forget_unasked(st, form)
        self.fill_from_sources(s, st, form, actor)
        self._fill_rest(s, st, form)

    def fill_from_sources(self, s: Session, st: DraftState, form: MergedForm, actor: str,
                          only: set[str] | None = None) -> None:
        """Read the fields the form asks (of `only`, when given) from their granted sources, one read per source
        and role; a field without a grant, or with nothing on record, is to be entered. Typed values stay."""
        plain = plain_values(st.values)
        groups: dict[tuple[str, str], list[FormField]] = {}
        for f in form.fields():
            if (f.source and f.source.field != RELATION_FIELD and f.asked(plain)
                    and (only is None or f.key in only)):
                groups.setdefault((f.source.source, f.source.subject), []).append(f)
        for (source, role), flds in groups.items():
            binding = st.bindings.get(role)
            record = None
            if binding is not None:
                try:
                    record = self._read(s, st, form, role, binding, source, sorted({f.source.field for f in flds}),
                                        actor)
                except ConsentRequired:
                    record = None
            for f in flds:
                if (st.values.get(f.key) or {}).get("state") in USER_STATES:
                    continue
                sv = record.values.get(f.source.field) if record else None
                if sv is None:
                    st.values[f.key] = field_value(None, "to_be_entered")
                    continue
                prov = {"source": source, "record_id": sv.record_id, "fetched_at": iso(record.fetched_at),
                        "subject_role": role}
                value, valid = normalise_registry_value(f, sv.value, today=self.today())
                state = "authoritative" if f.authoritative and valid else "prefilled"
                st.values[f.key] = field_value(value, state, prov)

    def _fill_rest(self, s: Session, st: DraftState, form: MergedForm) -> None:
        """Relations (read with the role's resolution) and the fields no source fills."""
        for f in form.fields():
            current = st.values.get(f.key) or {}
            if current.get("state") in USER_STATES:
                continue
            if f.source and f.source.field == RELATION_FIELD:
                b = st.bindings.get(f.source.subject)
                label = RELATION_LABEL.get(b["relation"]) if b else None
                # The relation was read from the population register about the role it hangs off:
                # shown only while that consent still stands (a withdrawal must not leave it behind).
                if label and b.get("record_id") and self._relation_consented(s, st, form, f.source.subject):
                    prov = {"source": "population", "record_id": b["record_id"], "fetched_at": b["resolved_at"],
                            "subject_role": f.source.subject}
                    st.values[f.key] = field_value(label, "authoritative", prov)
                else:
                    st.values[f.key] = field_value(None, "to_be_entered")
            elif f.key not in st.values:
                st.values[f.key] = field_value(None, "to_be_entered")

    @staticmethod
    def forget_unasked(st: DraftState, form: MergedForm) -> None:
        """Drop what was read for a field the form no longer asks (the mother's booklet once 随父落户 is chosen):
        it is not shown or sent, so it is not kept either. What the person typed stays theirs."""
        plain = plain_values(st.values)
        for f in form.fields():
            v = st.values.get(f.key) or {}
            if f.source and not f.asked(plain) and v.get("value") is not None and v.get("state") not in USER_STATES:
                st.values[f.key] = field_value(None, "to_be_entered")


def normalise_registry_value(f: FormField, value: Any, *, today: dt.date | None = None) -> tuple[Any, bool]:
    """A shared-data value through the field's own validator: (normalised value, True), or, when the
    registry holds something the form does not accept (a birth date in the future), (the value as
    text, False) — kept so the person sees what the registry says, and left for them to correct."""
    try:
        return validate_field(f, value, today=today), True
    except InvalidInput as exc:
        log.warning("shared-data value for %s does not validate: %s", f.key, exc.message)
        return str(value), False
