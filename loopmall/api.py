"""The JSON API under /api/v1 (OpenAPI docs at /api/v1/docs). Each app contributes a router."""

from django.db import DataError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from loopmall.accounts.auth import ApiTokenAuth, SessionCsrfAuth, staff_required, user_auth
from loopmall.core.errors import DomainError, error_body

# Routers protect operations with `user_auth` (bearer token, or the session cookie plus CSRF);
# staff-only operations also call `staff_required(request)` (403 for customers).
__all__ = ["ApiTokenAuth", "SessionCsrfAuth", "api", "staff_required", "user_auth"]


def _nul_field(value, path: str = "") -> str | None:
    """The first field holding a NUL character (which no database text column can store)."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return path or key
        found = _nul_field(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


class StrictParser(Parser):
    """JSON and query parsing that refuses NUL characters up front, with the field named."""

    def _check(self, data):
        field = _nul_field(data)
        if field is not None:
            raise DomainError("Text must not contain NUL characters.", field=field or None)
        return data

    def parse_body(self, request: HttpRequest):
        return self._check(super().parse_body(request))

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        return self._check(super().parse_querydict(data, list_fields, request))


api = NinjaAPI(
    parser=StrictParser(),
    title="LoopMall API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    description='Shop, social, growth and insight API. Errors: {"error": {"code", "message", "field"}}.',
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = ("body", "query", "path", "payload", "form", "header", "cookie", "filters")
    loc = [str(p) for p in first.get("loc", []) if p not in where]
    field = ".".join(loc) or None
    message = first.get("msg", "invalid input")
    return api.create_response(request, error_body("invalid", message, field), status=422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: Exception):
    # A value the database cannot store (a NUL in a path segment, an id beyond 64 bits) is bad
    # input, not a crash.
    return api.create_response(
        request, error_body("invalid", "Invalid characters or value out of range."), status=400
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, error_body("not_authenticated", "Sign in or send a valid token."), status=401
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(
        request, error_body("http_" + str(exc.status_code), str(exc)), status=exc.status_code
    )


@api.get("/health", tags=["meta"], auth=None)
def health(request: HttpRequest) -> dict:
    return {"status": "ok"}


def _mount_routers() -> None:
    from loopmall.accounts.api import router as accounts_router
    from loopmall.analytics.api import router as analytics_router
    from loopmall.catalog.api import router as catalog_router
    from loopmall.insight.api import router as insight_router
    from loopmall.orders.api import router as orders_router
    from loopmall.profiles.api import router as profiles_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/", orders_router)
    api.add_router("/insight", insight_router)
    api.add_router("/analytics", analytics_router)
    api.add_router("/profiles", profiles_router)


_mount_routers()
