"""Staff sign-in with a per-account lockout (issue 15, item 8).

The per-address budget (YJS_LOGIN_ATTEMPTS_PER_MINUTE) slows one guesser; it does not stop many
addresses guessing one clerk's password. So wrong passwords are also counted per account, in the
state database (every worker sees one count): after YJS_STAFF_LOCKOUT_AFTER in a row, the account
is locked for YJS_STAFF_LOCKOUT_BASE_S seconds, doubling with each further wrong password up to
YJS_STAFF_LOCKOUT_MAX_S. While locked every attempt is refused (429 with Retry-After) before the
password is checked, the right one included; a successful sign-in resets the count.

Names that are not accounts are counted and locked just the same, so the answers never tell which
names exist; only real accounts get staff audit rows (the audit log never names a non-existent
clerk). Both edges use this class: POST /v1/auth/staff-login and the staff page of the web UI.
"""

from __future__ import annotations

import logging
import math
import time

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError

from assistant.state import ConversationStore, StaffAuditLog, StaffLoginFailureRow
from core.errors import RateLimited, Unauthorized
from core.identity import StaffDirectory

log = logging.getLogger(__name__)

STREAK_RESET_S = 24 * 3600  # a wrong password a day after the last one starts a new count


class StaffLockout:
    """Counts wrong passwords per staff user name and refuses a locked account's sign-ins."""

    def __init__(self, store: ConversationStore, *, after: int = 5, base_s: int = 60, max_s: int = 3600,
                 clock=time.time) -> None:
        if after < 1 or base_s < 1 or max_s < base_s:
            raise ValueError("lockout needs after >= 1 and 1 <= base_s <= max_s")
        self.store = store
        self.after, self.base_s, self.max_s = after, base_s, max_s
        self.clock = clock

    def sign_in(self, directory: StaffDirectory, user: str, password: str) -> str:
        """The signed-in user name; `RateLimited` while the account is locked, `Unauthorized` for a
        wrong password (which counts towards the lock)."""
        user = (user or "").strip()[:64]
        self._refuse_if_locked(user)
        try:
            name = directory.authenticate(user, password)
        except Unauthorized:
            self._failed(user, is_account=user in directory.accounts)
            raise
        self._succeeded(name)
        return name

    def lock_seconds(self, failures: int) -> int:
        """How long `failures` wrong passwords in a row lock an account (0: not locked)."""
        if failures < self.after:
            return 0
        return min(self.max_s, self.base_s * 2 ** min(failures - self.after, 30))

    def _refuse_if_locked(self, user: str) -> None:
        with self.store.session() as s:
            row = s.get(StaffLoginFailureRow, user)
            locked_until, failures = (row.locked_until, row.failures) if row else (0.0, 0)
        wait = math.ceil(locked_until - self.clock())
        if wait > 0:
            log.info("staff sign-in refused: the account is locked for %d s more", wait)
            raise RateLimited(f"this staff account is locked after {failures} wrong passwords in a row; try again "
                              f"in {wait} s (该账号连续{failures}次密码错误，已临时锁定，请{wait}秒后再试)",
                              retry_after=wait)

    def _failed(self, user: str, *, is_account: bool) -> None:
        for attempt in (1, 2):  # a second try only when another worker created the row meanwhile
            try:
                self._count_failure(user, is_account)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def _count_failure(self, user: str, is_account: bool) -> None:
        now = self.clock()
        with self.store.session() as s:
            # The UPDATE comes first, so the transaction holds the write lock before it reads the
            # count: two workers counting at once each add their one.
            stale = StaffLoginFailureRow.last_failed_at < now - STREAK_RESET_S
            done = s.execute(update(StaffLoginFailureRow).where(StaffLoginFailureRow.user == user).values(
                failures=case((stale, 1), else_=StaffLoginFailureRow.failures + 1), last_failed_at=now))
            if done.rowcount == 0:
                s.add(StaffLoginFailureRow(user=user, failures=1, last_failed_at=now, locked_until=0.0))
                s.flush()
            row = s.get(StaffLoginFailureRow, user, populate_existing=True)
            lock = self.lock_seconds(row.failures)
            if lock:
                row.locked_until = now + lock
            if is_account:
                StaffAuditLog.add(s, user, "login_failed", None, {"failures": row.failures, "locked_s": lock})
        if lock:
            log.warning("staff account locked for %d s after %d wrong passwords in a row%s", lock, row.failures,
                        "" if is_account else " (not an account)")

    def _succeeded(self, user: str) -> None:
        with self.store.session() as s:
            row = s.get(StaffLoginFailureRow, user)
            if row is not None:
                s.delete(row)
            StaffAuditLog.add(s, user, "login", None, {"after_failures": row.failures if row else 0})
