"""The citizen's view of the audit log (Data Tracker): who used my data, when, which fields, for what.

Entries are about the person (their data was read) or on their applications; actors are named in
words (您本人, a clerk with your consent code, a department's clerk, another applicant by number).
"""

from __future__ import annotations

import re

from core.identity import Principal
from prefill.audit import AuditLog, ChainReport
from prefill.common import ACTION_LABELS, SOURCE_LABELS, require_citizen
from prefill.forms import SOURCE_FIELDS
from prefill.models import AccessLogEntry

# Purposes are written "<one-thing id>: <why>" (prefill.forms.purpose and the offers/commitments commands).
_PURPOSE_ID = re.compile(r"^([a-z][a-z0-9_]*): ")
# Actions whose fields are a source's field names (shown with the source's labels); others are form keys.
SOURCE_FIELD_ACTIONS = ("read", "consent_grant", "consent_refuse", "identity_lookup", "representative_check",
                         "applicant_name")


def describe_actor(actor: str, me: str) -> str:
    if actor == f"citizen:{me}":
        return "您本人"
    if actor.startswith("staff:") and actor.endswith(f" for citizen:{me}"):
        return f"窗口工作人员 {actor.split(' ', 1)[0].removeprefix('staff:')}（凭您的授权码代办）"
    if actor.startswith("staff:"):
        return f"工作人员 {actor.split(' ', 1)[0].removeprefix('staff:')}"
    if actor.startswith("citizen:"):
        return f"申请人（编号 {actor.split(' ')[0].removeprefix('citizen:')}）"
    return actor


def _one_thing_of(purpose: str | None) -> str | None:
    """The one-thing id a purpose starts with, so a reader can name the bundle instead of showing its id."""
    m = _PURPOSE_ID.match(purpose or "")
    return m.group(1) if m else None


class AccessLog:
    """Reads of the audit log: the citizen's access log and the hash-chain check."""

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def my_access_log(self, who: Principal, limit: int = 200) -> list[AccessLogEntry]:
        """Who used my data, when, which fields and for what (Data Tracker); plus events on my applications."""
        require_citizen(who)
        limit = max(1, min(int(limit), 1000))
        out = []
        for e in self.audit.entries(subject_or_owner=who.subject, limit=limit):
            if e.action == "identity_lookup" and e.subject_id != who.subject:
                # That an ID number typed into my application found someone is theirs to know (it is in
                # their own log): shown here, it would tell me the number is registered before they answer.
                continue
            out.append(AccessLogEntry(
                at=e.at, who=describe_actor(e.actor, who.subject), action=e.action,
                action_label=ACTION_LABELS.get(e.action, e.action), about_you=e.subject_id == who.subject,
                source_label=SOURCE_LABELS.get(e.source) if e.source else None,
                fields=([SOURCE_FIELDS.get(e.source, {}).get(f, f) for f in e.fields]
                        if e.action in SOURCE_FIELD_ACTIONS else list(e.fields)),
                purpose=e.purpose, draft_id=e.draft_id if e.owner_id == who.subject else None,
                one_thing_id=_one_thing_of(e.purpose), source=e.source or None, field_keys=list(e.fields)))
        return out

    def verify(self) -> ChainReport:
        return self.audit.verify_chain()
