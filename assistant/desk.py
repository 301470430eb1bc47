"""The staff smart help-desk (智能帮办) service: queue, transcript, take-over, suggested reply,
ticket routing, 帮办代办.

`StaffDesk` holds the help-desk actions once, for both edges: the REST routes (app/routers/staff.py)
and the staff page of the web UI (ui/staff.py) call the same methods, so every action is checked and
audited in one place. Each action takes the signed-in `Principal`, refuses anyone but staff, and
writes one row to the staff audit log (who, what, which conversation; counts and labels, never the
text).

Citizen text is shown to staff with ID, phone and bank-card numbers masked: answering a question
about a guide never needs them.

帮办代办: `act_for` redeems the citizen's consent code for a citizen principal with ``via_staff``
set, so the pre-fill service audits every step as ``staff:<clerk> for citizen:<id>``; `assist`
starts or continues that citizen's application, `update_submission_status` moves a department's
status. Each is also a row in the staff audit log.
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.reply_draft import draft_reply
from assistant.state import StaffAuditLog, knowledge_gaps_by_topic
from assistant.tickets import TicketModel
from core.errors import AssistantError, Conflict, Forbidden, InvalidInput, ServiceUnavailable
from core.identity import Principal
from core.masking import mask_text

log = logging.getLogger(__name__)

QUEUE_ORDER = {"handoff": 0, "staff": 1, "bot": 2, "closed": 3}
PREVIEW_CHARS = 60


def _mask(text: str) -> str:
    return mask_text(text or "")


# --- the desk ------------------------------------------------------------------------------------
class StaffDesk:
    """Help-desk actions over the conversation store, each checked and audited."""

    def __init__(self, assistant, tickets: TicketModel | None = None, prefill=None) -> None:
        self.prefill = prefill  # the PrefillService (帮办代办, submission status); None when it is down
        self.assistant = assistant
        self.store = assistant.conversations
        self.catalog = assistant.catalog
        self.tickets = tickets
        self.audit = StaffAuditLog(self.store)

    @staticmethod
    def _check(actor: Principal | None) -> str:
        if actor is None or actor.kind != "staff":
            raise Forbidden("this needs a staff sign-in")
        return actor.subject

    def _one_thing(self, one_thing_id: str | None) -> dict[str, Any] | None:
        o = self.catalog.get(one_thing_id) if one_thing_id else None
        if o is None:
            return None
        return {"id": o.id, "name": o.name, "name_en": o.name_en,
                "materials": [{"name": m.name, "e_licence": m.e_licence, "required": m.required,
                               "tolerance": m.tolerance, "note": m.note} for m in o.materials]}

    # -- queue and conversation -------------------------------------------------------------------
    def queue(self, actor: Principal, status: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Conversations, hand-offs first, then newest; a page of `limit` from `offset` (filter by
        `status` to page through one kind). Polled every few seconds, so not audited (it shows
        metadata and a masked preview, not a conversation)."""
        self._check(actor)
        rows = self.store.list_conversations(status=status, limit=limit, offset=offset)
        previews = self.store.last_user_messages([r["id"] for r in rows])
        for r in rows:
            o = self.catalog.get(r["one_thing_id"]) if r["one_thing_id"] else None
            r["one_thing_name"] = o.name if o else None
            text = _mask(previews.get(r["id"], ""))
            r["preview"] = text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else "")
        rows.sort(key=lambda r: QUEUE_ORDER.get(r["status"], 9))  # stable: newest first within a status
        return rows

    def open(self, actor: Principal, conversation_id: str, *, audit: bool = True) -> dict[str, Any]:
        """The citizen's conversation (masked), its status, the matched one-thing and its materials.

        `audit=False` only for the desk's own refresh of a conversation the clerk already opened.
        """
        user = self._check(actor)
        turns = self.store.transcript(conversation_id)
        conv = self.store.load(conversation_id)
        if audit:
            self.audit.record(user, "view", conversation_id, {"turns": len(turns)})
        return {
            "id": conversation_id, "status": conv.status, "assigned_to": conv.assigned_to,
            "one_thing": self._one_thing(conv.state.get("active_one_thing")),
            "turns": [{"role": t["role"], "text": _mask(t["text"]) if t["role"] == "user" else t["text"],
                       "at": t["at"], "staff": (t["payload"] or {}).get("staff")} for t in turns],
        }

    def take_over(self, actor: Principal, conversation_id: str) -> dict[str, Any]:
        user = self._check(actor)
        conv = self._existing(conversation_id)
        if conv.status == "staff" and conv.assigned_to not in (None, user):
            raise Conflict(f"conversation {conversation_id!r} is already taken over by {conv.assigned_to}; "
                           "ask them to hand it back first")
        self.store.take_over(conversation_id, user)
        self.audit.record(user, "take_over", conversation_id, {"from_status": conv.status})
        return {"conversation_id": conversation_id, "status": "staff", "assigned_to": user}

    def suggest(self, actor: Principal, conversation_id: str) -> dict[str, Any] | None:
        """The assistant's draft reply to the citizen's last message (stores nothing but the audit row)."""
        user = self._check(actor)
        self._existing(conversation_id)
        ans = self._draft(conversation_id)
        self.audit.record(user, "suggest", conversation_id,
                          {"one_thing": ans.one_thing.id if ans and ans.one_thing else None,
                           "citations": len(ans.citations) if ans else 0})
        return ans.to_dict() if ans else None

    def _draft(self, conversation_id: str):
        return self.assistant.suggest(conversation_id)

    def draft_reply(self, actor: Principal, conversation_id: str) -> dict[str, Any] | None:
        """A short draft reply to the citizen's last message for the clerk to edit: the answer's lead
        quote(s), verbatim and cited, and the sources apart (`reply_draft`); None before any question."""
        user = self._check(actor)
        self._existing(conversation_id)
        question, ans = self.assistant.last_question(conversation_id), self._draft(conversation_id)
        draft = draft_reply(question, ans, self.catalog, self.assistant.hotline) if ans and question else None
        self.audit.record(user, "suggest", conversation_id,
                          {"one_thing": ans.one_thing.id if ans and ans.one_thing else None,
                           "citations": len(draft.citations) if draft else 0})
        return {**draft.to_dict(), "one_thing": ans.one_thing.id if ans.one_thing else None} if draft else None

    def reply(self, actor: Principal, conversation_id: str, text: str) -> dict[str, Any]:
        """Send a reply; the clerk must have taken the conversation over first."""
        user = self._check(actor)
        conv = self._existing(conversation_id)
        if conv.status != "staff" or conv.assigned_to != user:
            raise Conflict(f"take conversation {conversation_id!r} over before replying "
                           f"(it is {conv.status}{', with ' + conv.assigned_to if conv.assigned_to else ''})")
        self.store.staff_reply(conversation_id, user, text)
        self.audit.record(user, "reply", conversation_id, {"chars": len(text.strip())})
        return {"conversation_id": conversation_id, "status": "staff", "assigned_to": user}

    def hand_back(self, actor: Principal, conversation_id: str) -> dict[str, Any]:
        user = self._check(actor)
        conv = self._existing(conversation_id)
        if conv.status == "staff" and conv.assigned_to not in (None, user):
            raise Conflict(f"conversation {conversation_id!r} is assigned to {conv.assigned_to}; only they can hand it back")
        self.store.hand_back(conversation_id)
        self.audit.record(user, "hand_back", conversation_id, {"from_status": conv.status})
        return {"conversation_id": conversation_id, "status": "bot", "assigned_to": None}

    def _existing(self, conversation_id: str):
        self.store.transcript(conversation_id)  # NotFound names the id when there is no such conversation
        return self.store.load(conversation_id)

    # -- knowledge gaps and tickets ---------------------------------------------------------------
    def knowledge_gaps(self, actor: Principal, limit: int = 200) -> list[dict[str, Any]]:
        user = self._check(actor)
        names = {o.id: o.name for o in self.catalog}
        groups = knowledge_gaps_by_topic(self.store, names, limit=limit)
        for g in groups:
            g["questions"] = [_mask(q) for q in g["questions"]]
            g["comments"] = [_mask(c) for c in g["comments"]]
        self.audit.record(user, "knowledge_gaps", None, {"groups": len(groups)})
        return groups

    def route_ticket(self, actor: Principal, message: str) -> dict[str, Any]:
        """12345-style message → domain, department and message type with probabilities."""
        user = self._check(actor)
        router = self.tickets.get() if self.tickets else None
        if router is None:
            raise ServiceUnavailable(self.tickets.hint if self.tickets else "ticket routing is not configured")
        pred = router.run(message)
        self.audit.record(user, "route_ticket", None, {"chars": len(message), "domain": pred.domain,
                                                       "message_type": pred.message_type})
        return pred.to_dict()

    # -- 帮办代办: acting for a citizen under their consent code ----------------------------------------
    def _prefill(self):
        if self.prefill is None:
            raise ServiceUnavailable("the pre-fill service is not available: the state or shared-data database could "
                                     "not be opened (see the server log)")
        return self.prefill

    def act_for(self, actor: Principal, code: str) -> Principal:
        """Redeem the citizen's 6-digit consent code; the returned citizen principal carries ``via_staff``.

        The pre-fill audit records the redemption (or the rejected code) against the citizen; this
        row records it for the clerk."""
        user = self._check(actor)
        svc = self._prefill()
        try:
            person = svc.redeem_consent_code(actor, code)
        except AssistantError as exc:
            self.audit.record(user, "act_for_rejected", None, {"reason": exc.code})
            raise
        self.audit.record(user, "act_for", None, {"citizen": person})
        return Principal("citizen", person, via_staff=user)

    def acting_identity(self, actor: Principal, acting: Principal | None) -> dict[str, Any]:
        """The masked name and ID number of the citizen the clerk acts for, to check the person at the
        counter against (a consent code proves who made it, not who is standing there)."""
        self._acting_check(actor, acting)
        return self._prefill().acting_for(acting).model_dump()

    def assist_one_things(self, actor: Principal) -> list[tuple[str, str]]:
        """(name, id) of the one-things a clerk can start for a citizen: those with a merged form, named
        and ordered as in the catalogue (the same names the citizens' pages and the queue use)."""
        self._check(actor)
        with_form = {f.one_thing_id for f in self._prefill().forms()}
        return [(o.name, o.id) for o in self.catalog if o.id in with_form]

    def _acting_check(self, actor: Principal, acting: Principal | None) -> str:
        user = self._check(actor)
        if acting is None or acting.kind != "citizen" or acting.via_staff != user:
            raise Forbidden("enter the citizen's consent code first (帮办代办需群众本人生成的授权码)")
        return user

    def assist_drafts(self, actor: Principal, acting: Principal | None) -> list:
        """The acting-for citizen's applications not yet submitted (to continue one)."""
        user = self._acting_check(actor, acting)
        drafts = [d for d in self._prefill().my_drafts(acting) if d.status != "submitted"]
        self.audit.record(user, "assist_list", None, {"citizen": acting.subject, "drafts": len(drafts)})
        return drafts

    def assist(self, actor: Principal, acting: Principal | None, one_thing_id: str | None = None,
               draft_id: str | None = None):
        """Start (`one_thing_id`) or continue (`draft_id`) an application for the citizen the clerk acts for."""
        user = self._acting_check(actor, acting)
        svc = self._prefill()
        if draft_id:
            view, action = svc.draft(acting, draft_id), "assist_continue"
        elif one_thing_id:
            view, action = svc.start_draft(acting, one_thing_id), "assist_start"
        else:
            raise InvalidInput("one_thing_id: choose what to apply for, or a draft to continue", field="one_thing_id")
        self.audit.record(user, action, None, {"citizen": acting.subject, "draft_id": view.draft_id,
                                               "one_thing": view.one_thing_id})
        return view

    def end_acting(self, actor: Principal, acting: Principal | None) -> None:
        user = self._check(actor)
        if acting is not None and acting.via_staff == user:
            self.audit.record(user, "act_for_end", None, {"citizen": acting.subject})

    def track_submission(self, actor: Principal, tracking_no: str):
        """A submission's per-department status (any submission: staff)."""
        user = self._check(actor)
        sub = self._prefill().track(actor, tracking_no)
        self.audit.record(user, "track", None, {"tracking_no": sub.tracking_no})
        return sub

    def pending_commitments(self, actor: Principal, overdue_only: bool = False) -> list:
        """承诺办: open commitments (容缺待补) across all submissions, oldest due first; who owes each is masked."""
        user = self._check(actor)
        items = self._prefill().pending_commitments(actor, overdue_only)
        self.audit.record(user, "pending_commitments", None, {"overdue_only": overdue_only, "count": len(items)})
        return items

    def update_submission_status(self, actor: Principal, tracking_no: str, department: str, status: str,
                                 note: str = ""):
        """A department moves its part of a submission along (待受理 → 已受理 → 办理中 → 已办结 …)."""
        user = self._check(actor)
        change = self._prefill().update_status(actor, tracking_no, department, status, note)
        self.audit.record(user, "update_status", None, {"tracking_no": change.tracking_no, "department": department,
                                                        "from": change.old_status, "to": change.new_status})
        return change

    def audit_log(self, actor: Principal, conversation_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        self._check(actor)
        return self.audit.entries(conversation_id=conversation_id, limit=limit)
