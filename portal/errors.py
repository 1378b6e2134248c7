"""Domain errors: raised by services, carrying a message that is safe to show to the user.

``error_body`` is the one JSON shape of a refusal: the API's exception handler, and the
middleware that answer ``/api/`` requests before a view runs (second factor, outage), all use it.
"""


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class DomainError(Exception):
    """A refusal the user can act on. ``code`` is stable for the API; ``field`` names the input."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class NotFound(DomainError):
    code = "not_found"
    status = 404
