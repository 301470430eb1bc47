"""What the web UI needs from the running app, as a Protocol: the UI holds this object and reads a
part at call time (a part is None until the lifespan built it, or when it could not start).

`app.services.Services` is the real one; UI tests may pass any object with these attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # types only: the UI never builds these parts itself
    from assistant.desk import StaffDesk
    from assistant.engine import Assistant
    from core.identity import StaffDirectory
    from core.settings import Settings
    from prefill.service import PrefillService


class Limiter(Protocol):
    def check(self, client: str) -> None: ...


class UIServices(Protocol):
    settings: Settings
    assistant: Assistant | None
    prefill: PrefillService | None
    staff_directory: StaffDirectory
    login_limiter: Limiter

    def desk(self) -> StaffDesk: ...

    def sign_in_staff(self, user: str, password: str) -> str: ...
