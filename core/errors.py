"""The `AssistantError` family: specific errors that name the bad value and the fix.

The API turns them into one JSON error shape, the UI into `gr.Error`, the CLI into a non-zero exit.
Messages must never contain unmasked personal data (use `core.masking` helpers when quoting).
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class. `status` is the HTTP status the API edge uses; `code` a stable machine name."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(AssistantError):
    """The caller sent something we cannot accept (empty, too long, wrong format)."""

    status = 422
    code = "invalid_input"


class NotFound(AssistantError):
    status = 404
    code = "not_found"


class ConfigurationError(AssistantError):
    """A setting is missing or wrong; the message names the setting (e.g. YJS_EMBEDDER_MODEL_PATH)."""

    status = 500
    code = "configuration_error"


class ServiceUnavailable(AssistantError):
    """A dependency (chroma, the shared-data database, a generator endpoint) is unreachable."""

    status = 503
    code = "service_unavailable"


class ConsentRequired(AssistantError):
    """Personal data was requested without a grant for that source and purpose."""

    status = 403
    code = "consent_required"


class Forbidden(AssistantError):
    status = 403
    code = "forbidden"


class Unauthorized(AssistantError):
    status = 401
    code = "unauthorized"


class Conflict(AssistantError):
    """The action is not allowed in the current state (e.g. submit before confirm)."""

    status = 409
    code = "conflict"


class LicenceNotFound(Conflict):
    """The 电子证照库 holds no licence of the kind asked for this person (yet): upload the material instead."""

    code = "licence_not_found"


class RateLimited(AssistantError):
    """Too many requests; `retry_after` is the number of seconds until one more is allowed."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, field: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
