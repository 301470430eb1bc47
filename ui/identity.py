"""Who the citizen is: the one place the web UI learns the signed-in person.

Today this is the demo sign-in: the person picks a synthetic identity (masked, clearly labelled
演示数据) from the pre-fill service's generated population. A real deployment replaces the body of
`current_citizen` with its single sign-on (e.g. the provincial 统一身份认证 platform) and nothing
else in ui/ changes: every callback receives the `Principal` this function returned, kept in a
server-side `gr.State`.
"""

from __future__ import annotations

import logging
from typing import Any

from core.errors import AssistantError
from core.identity import Principal, demo_login_allowed

log = logging.getLogger(__name__)


def demo_enabled(services) -> bool:
    """Demo identities are offered only with ``demo_login`` on, outside production, and a pre-fill service."""
    settings = services.settings
    svc = services.prefill
    if svc is None or not getattr(svc, "demo", False):
        return False
    return settings is None or demo_login_allowed(settings)


def current_citizen(request: Any, choice: str | None, services) -> Principal | None:
    """The citizen signed in for this browser session, or None.

    Demo (development): `choice` is the person id picked from the "选择演示身份" dropdown; it must be
    a living person of the synthetic population (`PrefillService.demo_person_exists`).

    Real deployment — put the SSO here: read the identity your gateway verified from `request`
    (a `gr.Request`: e.g. a signed header set by the 统一身份认证 reverse proxy in
    ``request.headers``, or the session of the FastAPI app via ``request.request``), map it to the
    person id the shared-data sources use, and return ``Principal("citizen", person_id)``; ignore
    `choice` and turn `demo_login` off.
    """
    if not choice or not demo_enabled(services):
        return None
    svc = services.prefill
    try:
        if not svc.demo_person_exists(choice):
            return None
    except AssistantError as exc:
        log.info("demo sign-in refused: %s", exc.message)
        return None
    return Principal("citizen", choice)
