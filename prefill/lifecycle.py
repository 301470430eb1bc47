"""The draft state machine: open → confirmed → submitted, and confirmed → open (撤回确认).

The one place that answers "may this draft do that now?". `advance()` checks a move against
`core.status.DRAFT_TRANSITIONS` and applies it; `require_editable()` guards what changes a draft's
values, consent or pre-fill (only while it is open). Both refuse with `Conflict` naming the
draft's status and what that status allows, so a caller (or a clerk reading the log) sees why.
"""

from __future__ import annotations

from core.errors import Conflict
from core.status import DRAFT_EDITABLE as EDITABLE
from core.status import DRAFT_TRANSITIONS, DraftStatus
from prefill.store import DraftRow


def status_of(row: DraftRow) -> DraftStatus:
    return DraftStatus(row.status)


def is_editable(row: DraftRow) -> bool:
    return status_of(row) in EDITABLE


def _refusal(hint: str, zh: str | None, state: str) -> Conflict:
    # The Chinese wording stays last: the UI shows the part in the final parentheses to Chinese readers.
    return Conflict(f"{hint} ({state})" + (f" ({zh})" if zh else ""))


def require_editable(row: DraftRow, hint: str, zh: str | None = None) -> None:
    """Refuse a change to values, consent or pre-fill unless the draft is open."""
    current = status_of(row)
    if current not in EDITABLE:
        raise _refusal(hint, zh, f"the draft is {current}; changes are allowed only while it is "
                                 f"{' or '.join(EDITABLE)}")


def advance(row: DraftRow, to: DraftStatus, hint: str, zh: str | None = None) -> None:
    """Move the draft to `to` if its current status allows that move; otherwise raise `Conflict`.

    Only the status changes here; the command sets the timestamps that go with the move."""
    current = status_of(row)
    allowed = DRAFT_TRANSITIONS[current]
    if to not in allowed:
        nxt = " or ".join(allowed) or "nowhere, it is final"
        raise _refusal(hint, zh, f"the draft is {current}; from {current} it can go to {nxt}")
    row.status = to.value
