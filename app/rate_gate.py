"""Rate limiting before anything reads the request body (issue 15, item 5).

FastAPI reads and parses a request's body before it resolves the route's dependencies, and the
lone-surrogate check (a middleware) reads every JSON body first of all; so a client over its budget
still had each body read (up to the 64 KB cap) before it got its 429. This pure ASGI middleware
finds the route a request is for, and charges the budget that route declares (the
`rate_limit` / `user_rate_limit` / `login_rate_limit` dependency in its dependencies; see
`app.deps.charge`) from the request line and headers alone. A spent budget is answered 429 with
``Retry-After`` without pulling a byte of the body. Routes without a budget (health, docs, the web
UI) pass through untouched.
"""

from __future__ import annotations

import fastapi.routing
from fastapi.dependencies.models import Dependant
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from app.body_limit import send_error
from app.deps import BUDGETS, charge
from core.errors import RateLimited


def _budget(dependant: Dependant) -> str | None:
    stack = [dependant]
    while stack:
        d = stack.pop()
        if d.call in BUDGETS:
            return BUDGETS[d.call]
        stack.extend(d.dependencies)
    return None


class RateLimitGate:
    """Charges each request's budget first; install it outermost (after every other middleware)."""

    def __init__(self, app: ASGIApp, *, headers: dict[str, str] | None = None) -> None:
        self.app = app
        # The security headers every response carries: this 429 is sent outside the middleware adding them.
        self.headers = dict(headers or {})
        self._routes: list[tuple[object, str | None]] | None = None

    def _table(self, scope: Scope) -> list[tuple[object, str | None]]:
        # Built on the first request, when every router (and the UI mount) is in place. FastAPI
        # 0.16x keeps included routers as branches; `iter_route_contexts` flattens them in order.
        if self._routes is None:
            routes = scope["app"].routes
            iter_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
            flat = list(iter_contexts(routes)) if iter_contexts else list(routes)
            self._routes = [(r, _budget(r.dependant) if getattr(r, "dependant", None) else None) for r in flat]
        return self._routes

    def budget_for(self, scope: Scope) -> str | None:
        """The budget of the route that would answer this request (the first full match, as the router picks)."""
        for route, budget in self._table(scope):
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return budget
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        budget = self.budget_for(scope) if scope["type"] == "http" else None
        if budget is not None:
            try:
                # Request(scope) without `receive`: it can read the headers and peer, never the body.
                # The counters may live in redis/memcached: a blocking call, so off the event loop.
                await run_in_threadpool(charge, Request(scope), budget)
            except RateLimited as exc:
                retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
                await send_error(send, exc.status, exc.code, exc.message, {**self.headers, **retry})
                return
        await self.app(scope, receive, send)
