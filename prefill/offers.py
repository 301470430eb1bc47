"""免申办: the standing opt-in, matching life events against the eligibility rules, and the offers.

- `OptIns` keeps each person's standing opt-in (主动服务授权) as a history; the newest row wins.
  Granting needs the citizen themself; withdrawing may be done by them or a clerk acting for them.
- `OptInGate` is matching's only path to a `DataSource`: it checks the opt-in at read time (raising
  `ConsentRequired`), reads only `PROACTIVE_FIELDS`, and appends the audit entry of the read, in the
  caller's transaction — so the read shows in the person's data-use log (我的数据使用记录).
- `Matcher` runs the events feed over the rules: for each opted-in person, in one transaction, their
  reads, the offers found and one audit entry per offer commit together. People without the opt-in
  are never read. An offer is made once per (person, rule, subject), however often the run repeats.
  With the deployer flag ``proactive_auto_grant`` a rule whose guide marks the benefit 免申即享 is
  granted without an application (status granted), logged, and the citizen may decline it.
- `Offers` is the citizen's side (list, open, accept, decline) and the staff counts. Accepting starts
  the normal pre-fill flow through the existing commands (start a draft, grant the citizen's own
  sources, pre-fill) and records the acceptance with the draft id; the citizen then reviews and
  confirms as always — nothing is submitted without that confirmation.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import AssistantError, Conflict, ConsentRequired, Forbidden, InvalidInput, NotFound
from core.identity import Principal
from core.status import OFFER_STATUS_EN, OFFER_STATUS_ZH, OFFER_TRANSITIONS, OfferStatus
from prefill.approvals import Approvals
from prefill.audit import AuditLog
from prefill.catalogue import Catalogue
from prefill.common import SOURCE_LABELS, check_id, require_citizen, require_staff
from prefill.drafts import Drafts
from prefill.eligibility import PROACTIVE_FIELDS, RULES, Match, PersonData, Rule, rule_by_id
from prefill.engine import form_sources
from prefill.events import EVENT_LABELS, EVENT_LABELS_EN, LifeEvent, LifeEventSource
from prefill.models import (
    BasisView,
    FactView,
    MatchReport,
    OfferAccepted,
    OfferStats,
    OfferStatsRow,
    OfferView,
    OptInStatus,
)
from prefill.sources import DataSource, SourceRecord
from prefill.store import OfferRow, ProactiveOptInRow, StateDB, iso
from prefill.submission import Submissions

log = logging.getLogger(__name__)

PURPOSE = "主动服务：比对是否符合可主动告知的事项（主动服务授权）"


class OptIns:
    """The standing opt-in per person; history kept, the newest decision wins."""

    def __init__(self, db: StateDB, audit: AuditLog) -> None:
        self.db = db
        self.audit = audit

    @staticmethod
    def latest(s: Session, person_id: str) -> ProactiveOptInRow | None:
        return s.scalars(select(ProactiveOptInRow).where(ProactiveOptInRow.person_id == person_id)
                         .order_by(ProactiveOptInRow.id.desc()).limit(1)).first()

    def is_granted(self, s: Session, person_id: str) -> bool:
        row = self.latest(s, person_id)
        return row is not None and row.granted

    def opted_in(self, s: Session) -> list[str]:
        """Everyone whose newest decision is a grant, in a stable order."""
        newest = select(ProactiveOptInRow.person_id, func.max(ProactiveOptInRow.id).label("mid")) \
            .group_by(ProactiveOptInRow.person_id).subquery()
        rows = s.scalars(select(ProactiveOptInRow).join(newest, ProactiveOptInRow.id == newest.c.mid)
                         .where(ProactiveOptInRow.granted.is_(True)).order_by(ProactiveOptInRow.person_id)).all()
        return [r.person_id for r in rows]

    def status(self, who: Principal) -> OptInStatus:
        require_citizen(who)
        with self.db.session() as s:
            row = self.latest(s, who.subject)
            return self._view(row)

    def decide(self, who: Principal, grant: bool) -> OptInStatus:
        require_citizen(who)
        if grant and who.via_staff:
            raise Forbidden("only the citizen, signed in themselves, can turn on proactive service (主动服务授权)")
        with self.db.session() as s:
            row = ProactiveOptInRow(person_id=who.subject, granted=grant, actor=who.actor, at=iso(utcnow()))
            s.add(row)
            self.audit.append(s, actor=who.actor, action="proactive_opt_in" if grant else "proactive_opt_out",
                              subject_id=who.subject, owner_id=who.subject, purpose=PURPOSE,
                              fields=sorted(f"{src}.{f}" for src, fs in PROACTIVE_FIELDS.items() for f in fs))
            s.flush()
            return self._view(row)

    @staticmethod
    def _view(row: ProactiveOptInRow | None) -> OptInStatus:
        granted = row is not None and row.granted
        return OptInStatus(granted=granted, since=row.at if granted else None,
                           sources={SOURCE_LABELS[k]: list(v) for k, v in PROACTIVE_FIELDS.items()})


class OptInGate:
    """Check the standing opt-in, read the source, write the audit entry — in that order, every time."""

    def __init__(self, optins: OptIns, sources: Mapping[str, DataSource], audit: AuditLog) -> None:
        self.optins = optins
        self.sources = sources
        self.audit = audit

    def read(self, s: Session, person_id: str, source: str, fields: Sequence[str], actor: str) -> SourceRecord:
        allowed = PROACTIVE_FIELDS.get(source, [])
        if not set(fields) <= set(allowed):
            raise InvalidInput(f"proactive matching may not read {sorted(set(fields) - set(allowed))} from {source}",
                               field="fields")
        if not self.optins.is_granted(s, person_id):
            raise ConsentRequired("proactive matching needs the person's standing opt-in (主动服务授权)", field=source)
        record = self.sources[source].fetch(person_id, list(fields), purpose=PURPOSE)
        self.audit.append(s, actor=actor, action="read", subject_id=person_id, owner_id=person_id, source=source,
                          fields=sorted(fields), purpose=PURPOSE,
                          detail={"proactive": True, "records": sorted({v.record_id for v in record.values.values()}),
                                  "returned": len(record.values)})
        return record


class Matcher:
    """Life events × rules, for the people with the standing opt-in only."""

    def __init__(self, db: StateDB, optins: OptIns, gate: OptInGate, feed: LifeEventSource, audit: AuditLog, *,
                 rules: Sequence[Rule] = RULES, auto_grant: bool = False,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.db = db
        self.optins = optins
        self.gate = gate
        self.feed = feed
        self.audit = audit
        self.rules = tuple(rules)
        self.auto_grant = auto_grant
        self.today = today

    def run(self, since: dt.date, until: dt.date, *, actor: str = "system:proactive") -> MatchReport:
        today = self.today()
        events = self.feed.events(since, until)
        by_subject: dict[str, list[LifeEvent]] = {}
        for ev in events:
            by_subject.setdefault(ev.subject_id, []).append(ev)
        has_enterprise_events = any(ev.subject_kind == "enterprise" for ev in events)
        with self.db.session() as s:
            people = self.optins.opted_in(s) if events else []
        created: Counter[str] = Counter()
        granted = 0
        for pid in people:
            with self.db.session() as s:  # one person: reads, offers and their audit entries together
                if not self.optins.is_granted(s, pid):  # withdrawn since the list was taken
                    continue
                who = PersonData(pid, lambda source, fields, pid=pid, s=s: self.gate.read(s, pid, source, fields, actor))
                for match in self.matches(who, by_subject, has_enterprise_events, today):
                    if self._offer(s, match, actor):
                        created[match.rule_id] += 1
                        granted += int(self._auto(match))
        return MatchReport(since=since.isoformat(), until=until.isoformat(), events=len(events),
                           people_checked=len(people), offers_created=sum(created.values()), granted=granted,
                           by_rule=dict(sorted(created.items())))

    def matches(self, who: PersonData, by_subject: dict[str, list[LifeEvent]], has_enterprise_events: bool,
                today: dt.date) -> list[Match]:
        """The person's matches: their own events, their relatives' and their enterprises'."""
        relatives = [r["person_id"] for r in who.get("population", "relations") or []]
        candidates = {"self": list(by_subject.get(who.person_id, [])),
                      "relative": [ev for rid in relatives for ev in by_subject.get(rid, [])],
                      "enterprise": []}
        if has_enterprise_events and any(r.recipient == "enterprise" for r in self.rules):
            ents = [e["enterprise_id"] for e in who.get("enterprise", "legal_rep_of") or []]
            candidates["enterprise"] = [ev for eid in ents for ev in by_subject.get(eid, [])]
        out = []
        for rule in self.rules:
            for ev in candidates[rule.recipient]:
                m = rule.match(ev, who, today)
                if m is not None:
                    out.append(m)
        return out

    def _auto(self, match: Match) -> bool:
        return self.auto_grant and rule_by_id(match.rule_id).no_application is not None

    def _offer(self, s: Session, match: Match, actor: str) -> bool:
        exists = s.scalar(select(func.count()).select_from(OfferRow).where(
            OfferRow.person_id == match.person_id, OfferRow.rule_id == match.rule_id,
            OfferRow.subject_id == match.event.subject_id))
        if exists:
            return False
        auto = self._auto(match)
        row = OfferRow(id=uuid.uuid4().hex, person_id=match.person_id, one_thing_id=match.one_thing_id,
                       rule_id=match.rule_id, subject_id=match.event.subject_id, subjects=match.subjects,
                       event_kind=match.event.kind, event_date=match.event.on.isoformat(),
                       facts=[asdict(f) for f in match.facts],
                       status=(OfferStatus.GRANTED if auto else OfferStatus.SENT).value, auto_granted=auto,
                       created_at=iso(utcnow()))
        s.add(row)
        self.audit.append(s, actor=actor, action="offer_grant" if auto else "offer_sent", subject_id=match.person_id,
                          owner_id=match.person_id, fields=[f.key for f in match.facts],
                          purpose=f"{match.one_thing_id}: 主动服务（{'免申即享' if auto else '免申办'}，规则 {match.rule_id}）",
                          detail={"offer_id": row.id, "rule_id": match.rule_id, "event": match.event.kind,
                                  "records": sorted({f.record_id for f in match.facts})})
        return True


class Offers:
    """The citizen's offers (list, open, accept, decline) and the staff counts."""

    def __init__(self, db: StateDB, catalogue: Catalogue, audit: AuditLog, drafts: Drafts, approvals: Approvals,
                 submissions: Submissions) -> None:
        self.db = db
        self.catalogue = catalogue
        self.audit = audit
        self.drafts = drafts
        self.approvals = approvals
        self.submissions = submissions

    # -- views --------------------------------------------------------------------------------------
    def _title(self, one_thing_id: str) -> str:
        try:
            return self.catalogue.form(one_thing_id).title
        except AssistantError:  # a bundle without a form still has its rule's title
            return rule_title(one_thing_id)

    def view(self, row: OfferRow) -> OfferView:
        rule = next((r for r in RULES if r.id == row.rule_id), None)  # None: a rule retired since the offer
        title = rule.title if rule else self._title(row.one_thing_id)
        status = OfferStatus(row.status)
        title_en = rule.title_en if rule else ""
        message = (f"已为您办理{title}（免申即享），无需申请；如不需要，可以拒绝。" if status == OfferStatus.GRANTED
                   else rule.message if rule else f"您可能符合{title}的条件")
        # English beside the Chinese (a client shows what its reader reads); empty where a retired rule left none.
        message_en = ((f"{title_en} has been granted to you without an application (benefits granted without "
                       "application); if you do not want it, you may decline.") if status == OfferStatus.GRANTED and rule
                      else rule.message_en if rule else "")
        try:
            source_ids = form_sources(self.catalogue.form(row.one_thing_id))
        except AssistantError:
            source_ids = []
        return OfferView(
            offer_id=row.id, one_thing_id=row.one_thing_id, title=self._title(row.one_thing_id), rule_id=row.rule_id,
            status=status.value, status_label=OFFER_STATUS_ZH[status], message=message,
            event=EVENT_LABELS.get(row.event_kind, row.event_kind), event_date=row.event_date,
            title_en=title_en, status_label_en=OFFER_STATUS_EN[status], message_en=message_en,
            event_en=EVENT_LABELS_EN.get(row.event_kind, ""),
            why=[FactView(**f, source_label=SOURCE_LABELS.get(f["source"], f["source"])) for f in row.facts],
            legal_basis=[BasisView(**asdict(b)) for b in (rule.basis if rule else ())],
            sources_on_accept=[SOURCE_LABELS[x] for x in source_ids], source_ids_on_accept=source_ids,
            created_at=row.created_at, opened_at=row.opened_at,
            decided_at=row.decided_at, draft_id=row.draft_id, decline_reason=row.decline_reason,
            no_application=bool(row.auto_granted))

    def _owned(self, s: Session, who: Principal, offer_id: str, *, lock: bool = False) -> OfferRow:
        require_citizen(who)
        check_id(offer_id, "offer_id")
        row = s.get(OfferRow, offer_id, with_for_update=lock or None)
        if row is None or row.person_id != who.subject:
            raise NotFound(f"no offer {offer_id!r} for this user")
        return row

    def mine(self, who: Principal) -> list[OfferView]:
        require_citizen(who)
        with self.db.session() as s:
            rows = s.scalars(select(OfferRow).where(OfferRow.person_id == who.subject)
                             .order_by(OfferRow.created_at.desc(), OfferRow.id).limit(200)).all()
            return [self.view(r) for r in rows]

    # -- commands -------------------------------------------------------------------------------------
    @staticmethod
    def _advance(row: OfferRow, to: OfferStatus) -> None:
        current = OfferStatus(row.status)
        if to not in OFFER_TRANSITIONS[current]:
            nxt = " or ".join(OFFER_TRANSITIONS[current]) or "nowhere, it is final"
            raise Conflict(f"the offer is {current}; from {current} it can go to {nxt}")
        row.status = to.value

    def open(self, who: Principal, offer_id: str) -> OfferView:
        """The citizen looks at one offer; the first look marks it opened (audited)."""
        with self.db.session() as s:
            row = self._owned(s, who, offer_id, lock=True)
            if row.opened_at is None:
                row.opened_at = iso(utcnow())
                if row.status == OfferStatus.SENT:
                    self._advance(row, OfferStatus.OPENED)
                self.audit.append(s, actor=who.actor, action="offer_open", subject_id=who.subject,
                                  owner_id=who.subject, purpose=f"{row.one_thing_id}: 查看主动服务提醒",
                                  detail={"offer_id": row.id})
            return self.view(row)

    def accept(self, who: Principal, offer_id: str) -> OfferAccepted:
        """Open the offer as an application at the review step: start a draft for the offer's bundle
        (naming the child, the deceased or the enterprise the event was about), grant the sources the
        citizen decides — accepting is that consent, the offer lists them — and pre-fill. Each step is
        the normal command with its own audit entries; the acceptance is recorded last, with the draft.
        The citizen still reviews and confirms before anything is submitted."""
        row = self._check_acceptable(who, offer_id)
        draft = self.drafts.start_draft(who, row.one_thing_id, dict(row.subjects or {}) or None)
        self.approvals.grant_all(who, draft.draft_id)
        view = self.drafts.prefill(who, draft.draft_id)
        offer = self._mark_accepted(who, offer_id, draft.draft_id)
        return OfferAccepted(offer=offer, draft=view, review=self.submissions.review(who, draft.draft_id))

    def _check_acceptable(self, who: Principal, offer_id: str) -> OfferRow:
        with self.db.session() as s:
            row = self._owned(s, who, offer_id)
            current = OfferStatus(row.status)
            if OfferStatus.ACCEPTED not in OFFER_TRANSITIONS[current]:
                raise Conflict(f"the offer is {current} and cannot be accepted")
            return row

    def _mark_accepted(self, who: Principal, offer_id: str, draft_id: str) -> OfferView:
        with self.db.session() as s:
            row = self._owned(s, who, offer_id, lock=True)
            self._advance(row, OfferStatus.ACCEPTED)
            now = iso(utcnow())
            row.opened_at = row.opened_at or now
            row.decided_at = now
            row.draft_id = draft_id
            self.audit.append(s, actor=who.actor, action="offer_accept", subject_id=who.subject, owner_id=who.subject,
                              draft_id=draft_id, purpose=f"{row.one_thing_id}: 接受主动服务，按预填申请办理",
                              detail={"offer_id": row.id, "rule_id": row.rule_id})
            return self.view(row)

    def decline(self, who: Principal, offer_id: str, reason: str) -> OfferView:
        reason = (reason or "").strip()
        if len(reason) > 500:
            raise InvalidInput("reason: at most 500 characters", field="reason")
        with self.db.session() as s:
            row = self._owned(s, who, offer_id, lock=True)
            was = row.status
            self._advance(row, OfferStatus.DECLINED)
            now = iso(utcnow())
            row.opened_at = row.opened_at or now
            row.decided_at = now
            row.decline_reason = reason or "未说明"
            self.audit.append(s, actor=who.actor, action="offer_decline", subject_id=who.subject, owner_id=who.subject,
                              purpose=f"{row.one_thing_id}: 拒绝主动服务" + ("（撤销免申即享发放）" if was == "granted" else ""),
                              detail={"offer_id": row.id, "rule_id": row.rule_id, "was": was})
            return self.view(row)

    # -- staff ----------------------------------------------------------------------------------------
    def stats(self, who: Principal) -> OfferStats:
        """Per bundle: offers sent (all made), opened (ever), accepted, declined, and 免申即享 grants."""
        require_staff(who)
        with self.db.session() as s:
            rows = s.execute(select(OfferRow.one_thing_id, OfferRow.status, OfferRow.opened_at.is_not(None))).all()
        by: dict[str, OfferStatsRow] = {}
        total = OfferStatsRow(one_thing_id="*", title="合计")
        for one_thing_id, status, opened in rows:
            r = by.setdefault(one_thing_id, OfferStatsRow(one_thing_id=one_thing_id, title=self._title(one_thing_id)))
            for x in (r, total):
                x.sent += 1
                x.opened += int(bool(opened))
                if status in ("accepted", "declined", "granted"):
                    setattr(x, status, getattr(x, status) + 1)
        return OfferStats(by_bundle=[by[k] for k in sorted(by)], total=total)


def rule_title(one_thing_id: str) -> str:
    return next((r.title for r in RULES if r.one_thing_id == one_thing_id), one_thing_id)
