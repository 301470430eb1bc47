"""The API's own documentation, offline: /docs (Swagger UI) and /redoc from files on this machine, and an
OpenAPI document completed with what FastAPI cannot infer from the routes.

FastAPI's default /docs page loads Swagger UI from a CDN, so on an air-gapped government intranet it was
blank. The assets come from the `fastapi-offline` package (MIT; Swagger UI and ReDoc builds) and are
served under `/docs-static/`; the pages reference nothing else.

The OpenAPI document gets, for every operation:
- its security, read from the route's dependencies (a citizen or staff bearer token, the optional API
  key), declared as `components.securitySchemes`;
- a description: the endpoint's docstring, else the line of its router's route table, else the table
  below (routes whose module another change owns);
- the 413 (body over its limit, answered before the body is read) and 429 (rate limited, with
  `Retry-After`) responses where they apply, and the Server-Sent Events format of the streaming routes;
and an example for every schema (the model's own, else one built from its fields' examples and types).
"""

from __future__ import annotations

import copy
import importlib.resources
import re
import sys
from typing import Any

import fastapi.routing
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from app import deps

STATIC_URL = "/docs-static"

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "CitizenBearer": {
        "type": "http", "scheme": "bearer",
        "description": "A citizen's signed token: from the deployment's identity integration, from "
        "`POST /v1/prefill/demo-login` (development only), or — for a clerk acting for a citizen — from "
        "`POST /v1/prefill/consent-codes/redeem`. Also accepted as the `yjs_session` cookie of the web UI.",
    },
    "StaffBearer": {
        "type": "http", "scheme": "bearer",
        "description": "A help-desk clerk's signed token from `POST /v1/auth/staff-login`; checked against the "
        "current staff accounts on every request.",
    },
    "ApiKey": {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": "An app client's key, when the deployment sets `YJS_API_KEYS` (stored hashed); may also "
        "be sent as `Authorization: Bearer <key>`. Without configured keys these routes are open.",
    },
}

# Descriptions of routes whose modules another change owns (answer, session, OpenAI-compatible, catalogue,
# health); a docstring on the endpoint takes precedence.
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "Liveness and readiness: `status` is `ok` when the answer pipeline is up, `degraded` "
    "when only part of the app serves (the catalogue and pre-fill keep working while the index is down).",
    ("POST", "/v1/feedback"): "好差评: rate one answer of a conversation (1-5, optional comment, masked before it "
    "is stored). Low ratings feed the staff knowledge-gap list.",
    ("GET", "/v1/sources/{source_id}"): "The full text of a cited source: every citation's `quote` is a verbatim "
    "substring of it. Percent-encode the `#` of a source id (`newborn%23materials`).",
    ("GET", "/v1/one-things"): "导: every 一件事 bundle with its id, names, audience, summary and lead department.",
    ("GET", "/v1/one-things/{one_thing_id}"): "导: one bundle in full — the services it combines and replaces, "
    "materials, time limits, fees, channels, FAQs.",
    ("GET", "/v1/models"): "OpenAI-compatible model list: the one model, `yijianshi`, for SDK clients that list "
    "models first.",
    ("POST", "/v1/chat/completions"): "OpenAI-compatible chat completion (any OpenAI SDK works). The reply text "
    "carries the answer with its sources appended; `citations` and `yijianshi` (the answer object) ride "
    "alongside `choices`. With `stream: true` the response is Server-Sent Events: `data:` lines each holding "
    "a `chat.completion.chunk` JSON object, ended by `data: [DONE]`.",
    ("POST", "/v1/auth/staff-login"): "Help-desk sign-in: a staff account's user name and password give a "
    "bearer token for the `/v1/staff` routes. Rate-limited per client address, with a per-account lockout.",
}

SSE_FORMATS: dict[tuple[str, str], str] = {
    ("POST", "/v1/answer/stream"): "Server-Sent Events, one per blank-line-separated block:\n\n"
    "```\nevent: delta\ndata: {\"text\": \"<one line of the answer>\\n\"}\n\n...\n\n"
    "event: answer\ndata: <the full answer object, as from POST /v1/answer>\n```",
    ("GET", "/v1/sessions/{session_id}/staff-replies/stream"): "Server-Sent Events: one per clerk reply,\n\n"
    "```\nevent: staff\nid: <seq>\ndata: <a StaffReplyOut as JSON>\n```\n\nThe stream closes after `wait` "
    "seconds; reconnect with `?after=<last seq>`.",
    ("POST", "/v1/chat/completions"): "With `stream: true`: `data: {\"object\": \"chat.completion.chunk\", "
    "\"choices\": [{\"delta\": {\"content\": \"...\"}}], ...}` lines; the last chunk has `finish_reason: "
    "\"stop\"` with `citations` and `yijianshi`, then `data: [DONE]`.",
}

_ANSWER = {
    "answer": "新生儿出生一件事可以一次办理出生医学证明、预防接种证、户口登记、医保参保和社保卡申领。……",
    "one_thing": {"id": "newborn", "name": "新生儿出生一件事", "score": 0.93},
    "candidates": [{"id": "newborn", "name": "新生儿出生一件事", "score": 0.93}],
    "citations": [{"source_id": "newborn#services", "title": "新生儿出生一件事 · 包含事项",
                   "quote": "出生医学证明办理"}],
    "clarifying_question": None, "refused": False, "handoff": None,
    "session_id": "c2b1f0e4a9d84d3f", "answer_id": "7d9e3c1a2b4f4e6a8c0d1e2f3a4b5c6d", "lang": "zh-Hans",
    "staff_replies": [],
}
# Hand-written examples of the schemas an integrator reads first; the rest are built from their fields.
SCHEMA_EXAMPLES: dict[str, Any] = {
    "AnswerRequest": {"question": "孩子刚出生要办哪些手续？", "session_id": None, "lang": None},
    "AnswerOut": _ANSWER,
    "ErrorOut": {"error": {"code": "invalid_input", "message": "question: question is 2400 characters; the limit is 2000",
                           "field": "question"}},
    "ErrorBody": {"code": "not_found", "message": "no one-thing 'newbrn'; GET /v1/one-things lists the ids"},
    "HandoffOut": {"channel": "12345", "reason": "out_of_scope_or_weak_evidence"},
    "CandidateOut": {"id": "newborn", "name": "新生儿出生一件事", "score": 0.93},
    "CitationOut": _ANSWER["citations"][0],
}

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
RATE_LIMITED = {
    "description": "Too many requests from this client, key or account: wait the `Retry-After` seconds.",
    "headers": {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": ERROR_REF, "example": {"error": {
        "code": "rate_limited", "message": "too many requests; try again in 12 s"}}}},
}
TOO_LARGE = {
    "description": "The request body is over its limit (JSON: `YJS_MAX_BODY_KB`, 64 KB by default; uploads: "
    "8 MB), refused before it is read.",
    "content": {"application/json": {"schema": ERROR_REF, "example": {"error": {
        "code": "payload_too_large", "message": "the request body is larger than 65536 bytes"}}}},
}
_LIMITERS = {deps.rate_limit, deps.user_rate_limit, deps.login_rate_limit}
_ROW = re.compile(r"^\s+(GET|POST|PUT|PATCH|DELETE)\s+(/\S+)\s+(.+?)\s*$", re.MULTILINE)


def _api_routes(app: FastAPI):
    """Every API route with its effective path, methods and dependencies. FastAPI 0.16x keeps included
    routers as branches (`iter_route_contexts` flattens them); older versions list the routes."""
    iter_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    for item in iter_contexts(app.routes) if iter_contexts else app.routes:
        if isinstance(getattr(item, "original_route", item), APIRoute) and item.include_in_schema:
            yield item


def _calls(dependant: Dependant) -> set:
    out, stack = set(), [dependant]
    while stack:
        d = stack.pop()
        if d.call is not None:
            out.add(d.call)
        stack.extend(d.dependencies)
    return out


def _security(calls: set) -> list[dict[str, list]] | None:
    if deps.current_citizen in calls:
        return [{"CitizenBearer": []}]
    if deps.current_staff in calls:
        return [{"StaffBearer": []}]
    if deps.current_principal in calls:
        return [{"CitizenBearer": []}, {"StaffBearer": []}]
    if deps.require_api_key in calls:
        return [{"ApiKey": []}, {}]  # {}: no key needed when the deployment configures none
    return None


def _route_table(route) -> dict[tuple[str, str], str]:
    doc = getattr(sys.modules.get(route.endpoint.__module__), "__doc__", None) or ""
    return {(m, p): text for m, p, text in _ROW.findall(doc)}


def _example(schema: dict, schemas: dict, depth: int = 0) -> Any:
    """A plausible value for a JSON schema: its own example, else one built from its parts."""
    if "$ref" in schema:
        target = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return _example(target, schemas, depth + 1) if depth < 6 else {}
    for key in ("example", "default", "const"):
        if schema.get(key) is not None:
            return schema[key]
    if schema.get("examples"):
        ex = schema["examples"]
        return ex[0] if isinstance(ex, list) else next(iter(ex.values()), None)
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example(options[0], schemas, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        if not props and isinstance(schema.get("additionalProperties"), dict):
            return {"key": _example(schema["additionalProperties"], schemas, depth + 1)}
        return {name: _example(p, schemas, depth + 1) for name, p in props.items()} if depth < 6 else {}
    if kind == "array":
        return [_example(schema.get("items", {}), schemas, depth + 1)] if depth < 6 else []
    if kind == "string":
        return {"date-time": "2026-12-02T09:30:00Z", "date": "2026-12-02", "binary": "<file>"}.get(schema.get("format"), "string")
    return {"integer": 1, "number": 0.5, "boolean": True, "null": None}.get(kind)


def complete_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with security, descriptions, 413/429, SSE formats and examples."""
    spec = copy.deepcopy(get_openapi(title=app.title, version=app.version, description=app.description,
                                     routes=app.routes, tags=app.openapi_tags))
    components = spec.setdefault("components", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    schemas = components.setdefault("schemas", {})
    for route in _api_routes(app):
        calls = _calls(route.dependant)
        table = _route_table(route)
        for method in route.methods:
            op = spec["paths"].get(route.path_format, {}).get(method.lower())
            if op is None:
                continue
            key = (method, route.path_format)
            if not op.get("description"):
                op["description"] = table.get(key) or DESCRIPTIONS.get(key) or op.get("summary", "")
            if key in SSE_FORMATS:
                op["description"] += "\n\n" + SSE_FORMATS[key]
                ok = op["responses"].setdefault("200", {"description": "Successful Response"})
                ok.setdefault("content", {})["text/event-stream"] = {
                    "schema": {"type": "string"}, "example": SSE_FORMATS[key].split("```")[1].strip("\n")
                    if "```" in SSE_FORMATS[key] else SSE_FORMATS[key]}
            security = _security(calls)
            if security is not None:
                op["security"] = security
            if calls & _LIMITERS:
                op["responses"]["429"] = RATE_LIMITED
            if method in ("POST", "PUT", "PATCH"):
                op["responses"]["413"] = TOO_LARGE
    for name, schema in schemas.items():
        schema.setdefault("description", f"{name}: " + (", ".join(schema.get("properties", {})) or schema.get("type", "value")))
        if name in SCHEMA_EXAMPLES:
            schema["examples"] = [SCHEMA_EXAMPLES[name]]
        elif not schema.get("examples") and "example" not in schema:
            schema["examples"] = [_example({k: v for k, v in schema.items() if k != "description"}, schemas)]
    return spec


def install_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc from local assets and the completed OpenAPI document (create the app
    with docs_url=None and redoc_url=None)."""
    assets = importlib.resources.files("fastapi_offline") / "static"
    app.mount(STATIC_URL, StaticFiles(directory=str(assets)), name="docs-static")
    redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — Swagger UI", oauth2_redirect_url=redirect,
            swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js", swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png")

    @app.get(redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — ReDoc",
                              redoc_js_url=f"{root}{STATIC_URL}/redoc.standalone.js",
                              redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png", with_google_fonts=False)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
