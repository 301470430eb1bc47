"""Request-body limits, enforced before anything reads the body.

A JSON API needs kilobytes; a certificate photo needs megabytes. Without a cap, a 100 MB JSON body
was read whole (by the lone-surrogate check, then by FastAPI's parser), and six at once took the
server from 0.6 to 2.5 GB. This pure ASGI middleware answers 413 as soon as the declared length, or
the bytes actually received on a chunked upload, pass the limit for that kind of body.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """`api_bytes` for the JSON API (/v1/...), `upload_bytes` for multipart uploads, `other_bytes`
    for the rest (the web UI posts its chat history with each event, so it gets more room)."""

    def __init__(self, app: ASGIApp, *, api_bytes: int, upload_bytes: int, other_bytes: int) -> None:
        self.app = app
        self.api_bytes = api_bytes
        self.upload_bytes = upload_bytes
        self.other_bytes = other_bytes

    def _limit(self, scope: Scope) -> int:
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
        if ctype.startswith("multipart/form-data"):
            return self.upload_bytes
        return self.api_bytes if scope.get("path", "").startswith("/v1/") else self.other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reject(send, limit)
            return
        if declared is not None:
            await self.app(scope, receive, send)  # the server holds the client to its declared length
            return
        # Chunked upload, no length declared: read it here, bounded by the limit, then replay it.
        messages, received = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > limit:
                await _reject(send, limit)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _reject(send: Send, limit: int) -> None:
    await send_error(send, 413, "payload_too_large", f"the request body is larger than {limit // 1024} KB; send "
                     "less (questions are at most a few thousand characters, photos at most 8 MB)")


async def send_error(send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    """The API's one error shape, sent straight from ASGI middleware (which runs outside FastAPI's
    exception handlers)."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})
