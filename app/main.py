"""The FastAPI app: one process serves the answer API, the pre-fill API and the Gradio UI.

`create_app()` is a factory (uvicorn --factory). The lifespan builds the pipeline once into
`Services` (``app.state.services``); routes reach it through `Depends`. Errors from the `AssistantError` family become
one JSON shape: {"error": {"code", "message", "field"?}}.
"""

from __future__ import annotations

import json
import logging
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.body_limit import BodySizeLimit
from app.openapi_docs import install_docs
from app.pipeline import build_assistant
from app.rate_gate import RateLimitGate
from app.routers import answer, catalog, openai_compat, session
from app.routers import materials as material_routes
from app.routers import offers as offer_routes
from app.routers import prefill as prefill_routes
from app.routers import staff as staff_routes
from app.routers.prefill import MAX_UPLOAD
from app.services import Services
from app.web import mount_web_ui
from core.clock import set_display_timezone
from core.errors import AssistantError
from core.identity import check_production_safety
from core.masking import mask_text
from core.settings import Settings, get_settings
from knowledge.catalog import Catalog
from prefill.service import build_prefill_service

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# The web UI's pages load nothing from elsewhere (offline by design) and nobody may frame them.
# Gradio's front end needs inline scripts and styles and eval (it does not start without
# 'unsafe-eval'), so the policy's worth is in what it shuts out: other origins, framing, plugins.
UI_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
          "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


def _error(status: int, code: str, message: str, field: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    # Messages may quote what the caller sent (an unknown draft id, a department name); an ID,
    # phone or bank-card number typed there must not come back unmasked in the error body.
    # Capped too: a 10,000-character id quoted back would only echo the caller's input.
    body = {"code": code, "message": mask_text(message)[:600]}
    if field:
        body["field"] = mask_text(field)
    return JSONResponse(status_code=status, content={"error": body}, headers=headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}


def _has_lone_surrogate(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False  # not JSON at all: FastAPI's own parsing reports that
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            if any("\ud800" <= ch <= "\udfff" for ch in x):
                return True
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return False


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def _assistant_error(_: Request, exc: AssistantError) -> JSONResponse:
        if exc.status >= 500:
            log.error("%s: %s", exc.code, exc.message)
        retry_after = getattr(exc, "retry_after", None)
        return _error(exc.status, exc.code, exc.message, exc.field,
                      headers={"Retry-After": str(retry_after)} if retry_after else None)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in first.get("loc", []) if x != "body"]
        field = ".".join(loc) or None
        msg = first.get("msg", "invalid request")
        if first.get("type") == "json_invalid":
            msg, field = "the request body is not valid JSON", None  # loc is a character position, not a field
        return _error(422, "invalid_input", f"{field}: {msg}" if field else msg, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Routing errors (unknown path, wrong method) use the same one error shape as everything else.
        code = _HTTP_CODES.get(exc.status_code, "invalid_input" if exc.status_code < 500 else "internal_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 400 and message == "There was an error parsing the body":
            message = "the request body could not be parsed: send UTF-8 encoded JSON (not nested too deeply)"
        return _error(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    async def _database_down(_: Request, exc: OperationalError) -> JSONResponse:
        # A database that is unreachable, locked too long or out of disk is an outage, not a bug:
        # 503 with a message (the conversation store raises SQLAlchemy's errors as they are).
        log.error("database unavailable: %s", type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__)
        return _error(503, "service_unavailable", "a database is unavailable right now; please try again shortly "
                      "or call 12345 (operators: check YJS_DATABASE_URL and the server log)")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        ref = uuid.uuid4().hex[:8]
        log.exception("unhandled error (ref %s): %s", ref, type(exc).__name__)
        return _error(500, "internal_error", f"internal error (reference {ref}); please try again or call 12345")


def _build_parts(services: Services) -> None:
    """Build what was not passed in. A part that cannot start stays None (its routes answer 503) and
    the rest of the app (health, catalogue, pre-fill) keeps serving."""
    settings = services.settings
    if services.assistant is None:
        try:
            bot = build_assistant(settings)
            bot.warm_up()
            services.assistant = bot
        except (AssistantError, SQLAlchemyError, OSError) as exc:
            # e.g. chroma down, or the conversation database cannot be opened.
            log.error("answer pipeline unavailable: %s",
                      exc.message if isinstance(exc, AssistantError) else type(exc).__name__)
            # The catalogue is read from the guide files, not the index: keep serving it.
            try:
                services.fallback_catalog = Catalog.from_dir(settings.guides_dir)
            except AssistantError as cexc:
                log.error("catalogue unavailable: %s", cexc.message)
    if services.prefill is None:
        try:
            services.prefill = build_prefill_service(settings)
        except AssistantError as exc:
            log.error("pre-fill service unavailable: %s", exc.message)


def create_app(settings: Settings | None = None, *, assistant=None, prefill=None, mount_ui: bool = True) -> FastAPI:
    settings = settings or get_settings()
    _check_production(settings)
    set_display_timezone(settings.timezone)  # every time shown (UI, staff desk) in the one configured zone

    services = Services.from_settings(settings, assistant=assistant, prefill=prefill)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _build_parts(services)
        yield

    app = FastAPI(
        title="一件事助手 API",
        version="0.1.0",
        description="Grounded answers about 高效办成一件事 service bundles, with citations; pre-fill of merged forms.",
        lifespan=lifespan,
        # /docs and /redoc are served from local files (app.openapi_docs): the CDN ones are blank offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    install_error_handlers(app)
    # Always installed, even with no origins: it answers cross-origin requests with "not allowed",
    # and the mounted Gradio app then defers to it instead of adding its own, laxer policy.
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "PUT", "PATCH"],
                       allow_headers=["Authorization", "Content-Type", "X-API-Key"], allow_credentials=False)

    @app.middleware("http")
    async def reject_lone_surrogates(request: Request, call_next):
        # JSON may carry "\ud800" escapes that decode to half a UTF-16 pair: Python keeps them in str,
        # but they cannot be encoded to UTF-8 again, so OpenCC, SQLite or a response would fail with
        # a 500 deep inside. Refuse them at the edge with a 422 that names the problem.
        if request.method in ("POST", "PUT", "PATCH") and "json" in request.headers.get("content-type", ""):
            body = await request.body()
            if b"\\u" in body and len(body) <= 1_000_000 and _has_lone_surrogate(body):
                return _error(422, "invalid_input", "the request contains invalid Unicode (a lone UTF-16 "
                              "surrogate such as \\ud800); send proper UTF-8 text")
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if request.url.path == "/ui" or request.url.path.startswith("/ui/"):
            response.headers.setdefault("Content-Security-Policy", UI_CSP)
        return response

    # Added last, so they are the outermost, in this order: a client over its request budget gets its
    # 429 first, then a body over its limit is refused, both before any middleware or route reads it.
    app.add_middleware(BodySizeLimit, api_bytes=settings.max_body_kb * 1024, upload_bytes=MAX_UPLOAD + 64 * 1024,
                       other_bytes=2 * 1024 * 1024)
    app.add_middleware(RateLimitGate, headers=SECURITY_HEADERS)

    @app.get("/healthz", tags=["health"], summary="Liveness and readiness of each part")
    async def healthz(request: Request) -> dict:
        parts = request.app.state.services
        return {
            "status": "ok" if parts.assistant is not None else "degraded",
            "answer": parts.assistant is not None,
            "prefill": parts.prefill is not None,
        }

    app.include_router(answer.router)
    app.include_router(catalog.router)
    app.include_router(openai_compat.router)
    app.include_router(session.router)
    app.include_router(prefill_routes.router)
    app.include_router(staff_routes.router)
    app.include_router(offer_routes.router)
    app.include_router(material_routes.router)
    install_docs(app)
    if mount_ui:
        mount_web_ui(app, services)
    return app


def _check_production(settings: Settings) -> None:
    if settings.environment == "production":
        check_production_safety(settings)
