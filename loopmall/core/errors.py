"""One error shape for the whole API: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the business refused the request. Services raise it; the API turns it into 4xx."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class OutOfStock(Conflict):
    code = "out_of_stock"


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "field": field}}


NOT_AUTHENTICATED = _("Sign in first.")
