"""Consent commands: the applicant decides the sources they decide (for themselves and whom they act
for); any other adult whose own data a form needs approves or refuses from their own sign-in.

A decision, its audit entry and what it unlocks at once (resolving a family member now visible, the
ask sent to them) commit together; "同意全部" grants every source in one transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from core.identity import Principal
from prefill.audit import AuditLog
from prefill.catalogue import Catalogue
from prefill.common import (
    SOURCE_LABELS,
    check_id,
    draft_state,
    owned_draft,
    purpose,
    require_citizen,
    store_state,
)
from prefill.consent import ConsentStore
from prefill.engine import PrefillEngine, clear_source_values, fields_for_grantor
from prefill.forms import SOURCE_FIELDS, MergedForm
from prefill.lifecycle import is_editable, require_editable
from prefill.models import ConsentRequest, PendingApproval
from prefill.store import DraftRow, StateDB
from prefill.views import DraftViews, applicant_display, departments_for, field_refs


class Approvals:
    """Consent requests, the applicant's decisions, and other people's approvals of their own data."""

    def __init__(self, state: StateDB, catalogue: Catalogue, consents: ConsentStore, engine: PrefillEngine,
                 audit: AuditLog, views: DraftViews) -> None:
        self.state = state
        self.catalogue = catalogue
        self.consents = consents
        self.engine = engine
        self.audit = audit
        self.views = views

    def consent_request(self, who: Principal, draft_id: str) -> ConsentRequest:
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id)
            return self.views.consent_request(s, row, self.catalogue.form(row.one_thing_id))

    def decide_consent(self, who: Principal, draft_id: str, source: str, grant: bool) -> ConsentRequest:
        """The applicant grants or refuses one source (for themselves and whom they act for)."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            form = self.catalogue.form(row.one_thing_id)
            self._decide(s, who, row, form, source, grant)
            return self.views.consent_request(s, row, form)

    def grant_all(self, who: Principal, draft_id: str) -> ConsentRequest:
        """Grant every source the applicant decides (the "同意全部" button), all or none. A source the
        applicant explicitly refused stays refused: only its own switch can reverse that."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            form = self.catalogue.form(row.one_thing_id)
            decided = self.consents.decisions(s, row.id)
            for source in self.views.consent_request(s, row, form).your_sources:
                earlier = decided.get((source, who.subject))
                if earlier is not None and not earlier.granted:
                    continue
                self._decide(s, who, row, form, source, True)
            return self.views.consent_request(s, row, form)

    def _decide(self, s: Session, who: Principal, row: DraftRow, form: MergedForm, source: str, grant: bool) -> None:
        require_editable(row, "consent cannot change after the form is confirmed")
        fields = fields_for_grantor(form, source, row.bindings, row.owner_id, row.values or {})
        if source not in SOURCE_FIELDS or not fields:
            raise InvalidInput(f"source: this application does not ask you about {source!r}", field="source")
        self.consents.decide(s, draft_id=row.id, source=source, grantor_id=who.subject, granted=grant,
                             fields=fields, actor=who.actor)
        self.audit.append(s, actor=who.actor, action="consent_grant" if grant else "consent_refuse",
                          subject_id=who.subject, owner_id=row.owner_id, draft_id=row.id, source=source,
                          fields=fields, purpose=purpose(form), detail={"departments": form.departments})
        st = draft_state(row)
        if grant:  # family members found now get their asks
            self.engine.resolve(s, st, form, who.actor)
        else:  # a withdrawal clears at once every value read from that source under this grant
            roles = {r for r, b in st.bindings.items() if b.get("grantor_id") == who.subject}
            clear_source_values(st, source, roles)
        store_state(row, st)

    def pending_approvals(self, who: Principal) -> list[PendingApproval]:
        """Requests from other applicants to use this person's own data, not yet decided."""
        require_citizen(who)
        with self.state.session() as s:
            return self._pending(s, who)

    def _pending(self, s: Session, who: Principal) -> list[PendingApproval]:
        out = []
        for ask in self.consents.asks_for_grantor(s, who.subject):
            decided = self.consents.decisions(s, ask.draft_id).get((ask.source, who.subject))
            if decided is not None and decided.covers(ask.fields):
                continue  # answered; asked again only when a choice since needs more of their data
            row = s.get(DraftRow, ask.draft_id)
            if row is None or not is_editable(row):
                continue
            form = self.catalogue.form(row.one_thing_id)
            out.append(PendingApproval(
                draft_id=row.id, applicant_display=applicant_display(row, form), one_thing_id=form.one_thing_id,
                title=form.title, purpose=form.purpose, source=ask.source, source_label=SOURCE_LABELS[ask.source],
                roles=[form.role_label(r) for r in ask.roles], fields=field_refs(ask.source, ask.fields),
                departments=departments_for(form, ask.source, ask.roles), asked_at=ask.at))
        return out

    def approve(self, who: Principal, draft_id: str, source: str, grant: bool) -> list[PendingApproval]:
        """A family member (or buyer, employee …) grants or refuses use of their own data for a draft."""
        require_citizen(who)
        check_id(draft_id, "draft_id")
        with self.state.session() as s:
            ask = next((a for a in self.consents.asks_for_grantor(s, who.subject)
                        if a.draft_id == draft_id and a.source == source), None)
            row = s.get(DraftRow, draft_id, with_for_update=True)
            if ask is None or row is None:
                raise NotFound("no such approval request for this user")
            require_editable(row, "the application is already confirmed; the decision can no longer change it")
            form = self.catalogue.form(row.one_thing_id)
            self.consents.decide(s, draft_id=draft_id, source=source, grantor_id=who.subject, granted=grant,
                                 fields=ask.fields, actor=who.actor)
            self.audit.append(s, actor=who.actor, action="consent_grant" if grant else "consent_refuse",
                              subject_id=who.subject, owner_id=row.owner_id, draft_id=draft_id, source=source,
                              fields=ask.fields, purpose=purpose(form),
                              detail={"departments": departments_for(form, source, ask.roles)})
            return self._pending(s, who)
