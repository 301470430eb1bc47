"""`PrefillService`: the one facade the API, the staff CLI and the Gradio UI call, in process.

Flow for a citizen (every method takes the caller's `Principal` first):
``start_draft`` → consent request → ``decide_consent`` per source (family members approve their own
data with ``approve``) → ``prefill`` → ``edit`` / ``report_error`` → ``review`` → ``confirm`` →
``submit`` (fan-out to one payload per department, tracking number) → ``track``; ``document`` prints
it; ``my_access_log`` shows every use of the person's data. Staff: ``redeem_consent_code``,
``update_status``, ``department_payload``, ``verify_audit``.

A citizen only ever reaches their own drafts and submissions: anything else is "not found", so
existence is not revealed. Every command that changes state runs in one transaction with its audit
entries: it commits whole or not at all.

The work is done by small classes, one per responsibility; this facade wires them to one state
database, one shared-data database and one audit log, and keeps the public methods in one place:

- `prefill.catalogue.Catalogue` — forms, demo identities
- `prefill.drafts.Drafts` — start, pre-fill, edit, OCR, history
- `prefill.approvals.Approvals` — consent requests and decisions, other people's approvals
- `prefill.submission.Submissions` — review, 纠错, confirm / reopen (`prefill.lifecycle`), submit
- `prefill.tracking.Tracking` — progress, department status moves and payloads
- `prefill.printouts.Printouts` — the printable form
- `prefill.access_log.AccessLog` — the citizen's access log, the audit chain check
- `prefill.consent.ConsentCodes` — 帮办代办 consent codes
- `prefill.offers` — 免申办: the standing opt-in, the matcher over the life-events feed, the offers
- `prefill.commitments` — 承诺办: materials checklist, 暂缺 with a commitment (容缺待补), later supply (upload
  or the person's own e-licence)
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.clock import DEFAULT_TIMEZONE, utcnow, zone
from core.errors import AssistantError
from core.identity import Principal, demo_login_allowed, signing_secret
from core.settings import DEFAULT_GUIDES_DIR, Settings
from knowledge.catalog import Catalog
from knowledge.schema import OneThing
from prefill.access_log import AccessLog
from prefill.approvals import Approvals
from prefill.audit import AuditLog, ChainReport
from prefill.catalogue import Catalogue
from prefill.commitments import Commitments
from prefill.consent import ConsentCodes, ConsentGate, ConsentStore, CounterCheck
from prefill.documents import CITIZEN_COPY
from prefill.drafts import Drafts
from prefill.engine import PrefillEngine
from prefill.events import LifeEventSource, SharedDataEventSource
from prefill.forms import FORMS_DIR, FormLibrary, MergedForm
from prefill.models import (
    AccessLogEntry,
    ConsentCode,
    ConsentRequest,
    CorrectionReport,
    DemoPeople,
    DepartmentPayload,
    Document,
    DraftSummary,
    DraftView,
    EditRecord,
    FormSummary,
    MatchReport,
    MaterialsView,
    OfferAccepted,
    OfferStats,
    OfferView,
    OptInStatus,
    PendingApproval,
    PendingCommitment,
    PersonCheck,
    ReviewSummary,
    StatusChange,
    SubmissionView,
)
from prefill.ocr import OcrReader
from prefill.offers import Matcher, Offers, OptInGate, OptIns
from prefill.printouts import Printouts
from prefill.seed import seed_database
from prefill.sources import SharedDataDB, build_sources
from prefill.store import StateDB
from prefill.submission import Submissions
from prefill.tracking import Tracking
from prefill.views import DraftViews

log = logging.getLogger(__name__)


class PrefillService:
    """Shared data, consent, merged forms, drafts, submissions, documents and the audit log."""

    def __init__(self, *, shared_data_url: str, state_url: str, secret: str, forms_dir: Path = FORMS_DIR,
                 seed_people: int = 300, seed_enterprises: int = 60, seed: int = 20240116,
                 code_ttl_s: int = 600, demo: bool = True, clock: Callable[[], dt.datetime] | None = None,
                 auto_grant: bool = False, events: LifeEventSource | None = None,
                 guides_dir: Path = DEFAULT_GUIDES_DIR, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.shared = SharedDataDB(shared_data_url)
        self.state = StateDB(state_url)
        self.forms_dir = forms_dir
        self.seed_people = seed_people
        self.seed_enterprises = seed_enterprises
        self.seed = seed
        self.sources = build_sources(self.shared)
        self.audit = AuditLog(self.state)
        self.consents = ConsentStore(self.state)
        self.gate = ConsentGate(self.state, self.consents, self.sources, self.audit)
        self.codes = ConsentCodes(self.state, self.audit, secret, ttl_s=code_ttl_s, clock=clock or utcnow)
        self.counter_check = CounterCheck(self.state, self.audit, self.sources["population"])
        self.engine = PrefillEngine(self.gate, self.consents, self.audit, self.sources["population"])
        self.catalogue = Catalogue(self.shared, forms_dir, demo=demo)
        self.guides_dir = guides_dir
        self._guides: Catalog | None = None
        self.commitments = Commitments(self.state, self.audit, self._guide, self.catalogue.form, self.gate)
        views = DraftViews(self.catalogue, self.consents, committed=self.commitments.committed)
        self.drafts = Drafts(self.state, self.catalogue, self.engine, self.audit, views)
        self.approvals = Approvals(self.state, self.catalogue, self.consents, self.engine, self.audit, views)
        # Tracking-number dates and printed times are local (the `timezone` setting); stored times stay UTC.
        self.submissions = Submissions(self.state, self.catalogue, self.audit, views, self.commitments.blocking,
                                       tz=zone(timezone), committed=self.commitments.committed)
        self.tracking = Tracking(self.state, self.audit, views)
        self.printouts = Printouts(self.state, self.catalogue, self.audit, tz=zone(timezone))
        self.access_log = AccessLog(self.audit)
        self.optins = OptIns(self.state, self.audit)
        self.events = events or SharedDataEventSource(self.shared)
        self.matcher = Matcher(self.state, self.optins, OptInGate(self.optins, self.sources, self.audit), self.events,
                               self.audit, auto_grant=auto_grant)
        self.offers = Offers(self.state, self.catalogue, self.audit, self.drafts, self.approvals, self.submissions)

    # -- lifecycle and settings that tests and the app change after construction ------------------
    def warm_up(self) -> None:
        """Create the state tables, load the forms and seed an empty shared-data DB. Safe to call twice."""
        self.state.warm_up()
        self.catalogue.warm_up()
        try:
            self.shared.warm_up()
            seed_database(self.shared, people=self.seed_people, enterprises=self.seed_enterprises, seed=self.seed)
        except AssistantError as exc:  # data sources down: manual entry keeps working, reads retry later
            log.error("shared data unavailable at start-up: %s", exc.message)

    @property
    def ocr(self) -> OcrReader:
        """The OCR reader (rapidocr, loaded on first upload); tests put a fake here."""
        return self.drafts.ocr

    @ocr.setter
    def ocr(self, reader: OcrReader) -> None:
        self.drafts.ocr = reader

    @property
    def demo(self) -> bool:
        """Whether the synthetic demo identities may be listed (never in production)."""
        return self.catalogue.demo

    @demo.setter
    def demo(self, allowed: bool) -> None:
        self.catalogue.demo = allowed

    @property
    def forms_library(self) -> FormLibrary:
        return self.catalogue.library

    # -- catalogue ---------------------------------------------------------------------------------
    def forms(self) -> list[FormSummary]:
        return self.catalogue.forms()

    def form(self, one_thing_id: str) -> MergedForm:
        return self.catalogue.form(one_thing_id)

    def demo_people(self, limit: int = 200) -> DemoPeople:
        return self.catalogue.demo_people(limit)

    def demo_person_exists(self, person_id: str) -> bool:
        return self.catalogue.demo_person_exists(person_id)

    # -- drafts ------------------------------------------------------------------------------------
    def start_draft(self, who: Principal, one_thing_id: str, subjects: dict[str, str] | None = None) -> DraftView:
        return self.drafts.start_draft(who, one_thing_id, subjects)

    def draft(self, who: Principal, draft_id: str) -> DraftView:
        return self.drafts.draft(who, draft_id)

    def my_drafts(self, who: Principal) -> list[DraftSummary]:
        return self.drafts.my_drafts(who)

    def prefill(self, who: Principal, draft_id: str) -> DraftView:
        return self.drafts.prefill(who, draft_id)

    def edit(self, who: Principal, draft_id: str, key: str, value: Any) -> DraftView:
        return self.drafts.edit_many(who, draft_id, {key: value})

    def edit_many(self, who: Principal, draft_id: str, values: dict[str, Any]) -> DraftView:
        return self.drafts.edit_many(who, draft_id, values)

    def accept_ocr(self, who: Principal, draft_id: str, key: str) -> DraftView:
        return self.drafts.accept_ocr(who, draft_id, key)

    def ocr_field(self, who: Principal, draft_id: str, key: str, image: bytes) -> DraftView:
        return self.drafts.ocr_field(who, draft_id, key, image)

    def history(self, who: Principal, draft_id: str) -> list[EditRecord]:
        return self.drafts.history(who, draft_id)

    def raw_values(self, who: Principal, draft_id: str) -> dict[str, Any]:
        return self.drafts.raw_values(who, draft_id)

    def all_values(self, draft_id: str) -> dict[str, Any]:
        return self.drafts.all_values(draft_id)

    # -- consent -----------------------------------------------------------------------------------
    def consent_request(self, who: Principal, draft_id: str) -> ConsentRequest:
        return self.approvals.consent_request(who, draft_id)

    def decide_consent(self, who: Principal, draft_id: str, source: str, grant: bool) -> ConsentRequest:
        return self.approvals.decide_consent(who, draft_id, source, grant)

    def grant_all(self, who: Principal, draft_id: str) -> ConsentRequest:
        return self.approvals.grant_all(who, draft_id)

    def pending_approvals(self, who: Principal) -> list[PendingApproval]:
        return self.approvals.pending_approvals(who)

    def approve(self, who: Principal, draft_id: str, source: str, grant: bool) -> list[PendingApproval]:
        return self.approvals.approve(who, draft_id, source, grant)

    # -- review, confirmation, submission ------------------------------------------------------------
    def review(self, who: Principal, draft_id: str) -> ReviewSummary:
        return self.submissions.review(who, draft_id)

    def report_error(self, who: Principal, draft_id: str, key: str, note: str) -> CorrectionReport:
        return self.submissions.report_error(who, draft_id, key, note)

    def confirm(self, who: Principal, draft_id: str) -> DraftView:
        return self.submissions.confirm(who, draft_id)

    def reopen(self, who: Principal, draft_id: str) -> DraftView:
        return self.submissions.reopen(who, draft_id)

    def submit(self, who: Principal, draft_id: str) -> SubmissionView:
        return self.submissions.submit(who, draft_id)

    # -- tracking, staff -----------------------------------------------------------------------------
    def track(self, who: Principal, tracking_no: str) -> SubmissionView:
        return self.tracking.track(who, tracking_no)

    def my_submissions(self, who: Principal) -> list[SubmissionView]:
        return self.tracking.my_submissions(who)

    def update_status(self, who: Principal, tracking_no: str, department: str, status: str, note: str = "") -> StatusChange:
        return self.tracking.update_status(who, tracking_no, department, status, note)

    def department_payload(self, who: Principal, tracking_no: str, department: str) -> DepartmentPayload:
        return self.tracking.department_payload(who, tracking_no, department)

    # -- documents, access log, audit, consent codes -------------------------------------------------
    def document(self, who: Principal, draft_id: str, fmt: str = "docx", copy: str = CITIZEN_COPY) -> Document:
        return self.printouts.document(who, draft_id, fmt, copy)

    def my_access_log(self, who: Principal, limit: int = 200) -> list[AccessLogEntry]:
        return self.access_log.my_access_log(who, limit)

    def verify_audit(self) -> ChainReport:
        return self.access_log.verify()

    def issue_consent_code(self, who: Principal) -> ConsentCode:
        return self.codes.issue(who)

    def redeem_consent_code(self, who: Principal, code: str) -> str:
        """The citizen's person id; the API then issues a citizen token with via_staff set."""
        return self.codes.redeem(who, code)

    def acting_for(self, who: Principal) -> PersonCheck:
        """帮办代办: the masked name and ID number of the citizen `who` (via_staff) acts for."""
        return self.counter_check.run(who)

    # -- 免申办: standing opt-in, matcher, offers ------------------------------------------------------
    def proactive_status(self, who: Principal) -> OptInStatus:
        return self.optins.status(who)

    def set_proactive(self, who: Principal, grant: bool) -> OptInStatus:
        return self.optins.decide(who, grant)

    def run_offers(self, since: dt.date, until: dt.date, actor: str = "system:proactive") -> MatchReport:
        return self.matcher.run(since, until, actor=actor)

    def my_offers(self, who: Principal) -> list[OfferView]:
        return self.offers.mine(who)

    def open_offer(self, who: Principal, offer_id: str) -> OfferView:
        return self.offers.open(who, offer_id)

    def accept_offer(self, who: Principal, offer_id: str) -> OfferAccepted:
        return self.offers.accept(who, offer_id)

    def decline_offer(self, who: Principal, offer_id: str, reason: str = "") -> OfferView:
        return self.offers.decline(who, offer_id, reason)

    def offer_stats(self, who: Principal) -> OfferStats:
        return self.offers.stats(who)

    # -- 承诺办: materials, 暂缺 with a commitment, later supply ---------------------------------------
    def _guide(self, one_thing_id: str) -> OneThing | None:
        """The bundle's service guide (loaded once, on first use)."""
        if self._guides is None:
            self._guides = Catalog.from_dir(self.guides_dir)
        return self._guides.get(one_thing_id)

    def materials(self, who: Principal, draft_id: str) -> MaterialsView:
        return self.commitments.materials(who, draft_id)

    def commitment_preview(self, who: Principal, draft_id: str, material: str) -> str | None:
        return self.commitments.preview(who, draft_id, material)

    def mark_material_missing(self, who: Principal, draft_id: str, material: str) -> MaterialsView:
        return self.commitments.mark_missing(who, draft_id, material)

    def supply_material(self, who: Principal, draft_id: str, material: str, content: bytes) -> MaterialsView:
        return self.commitments.supply(who, draft_id, material, content)

    def supply_material_from_licence(self, who: Principal, draft_id: str, material: str, *,
                                     consent: bool) -> MaterialsView:
        return self.commitments.supply_from_licence(who, draft_id, material, consent=consent)

    def pending_commitments(self, who: Principal, overdue_only: bool = False) -> list[PendingCommitment]:
        return self.commitments.pending(who, overdue_only=overdue_only)


def build_prefill_service(settings: Settings) -> PrefillService:
    """Create the pre-fill service from settings: state tables, forms, and a seeded shared-data DB if empty."""
    service = PrefillService(
        shared_data_url=settings.resolved_shared_data_url, state_url=settings.resolved_database_url,
        secret=signing_secret(settings), seed_people=settings.seed_people,
        seed_enterprises=settings.seed_enterprises, seed=settings.seed_random,
        code_ttl_s=settings.consent_code_ttl_s, timezone=settings.timezone,
        demo=demo_login_allowed(settings), auto_grant=settings.proactive_auto_grant, guides_dir=settings.guides_dir)
    service.warm_up()
    return service
