"""The REST API under /api/v1/: one NinjaAPI that mounts each app's router.

Authentication is a bearer token (`Authorization: Bearer <token>`), stored hashed. Errors are
JSON: `{"detail": message, "field": name-or-null}` with a 4xx status, never a traceback; a
database outage is a 503 with `Retry-After`. JSON bodies and query strings are read by
`deskside.core.jsonbody.Parser` (depth limit; no NUL, lone surrogate, NaN or Infinity), and
`deskside.core.errors.ApiErrorsAsJson` keeps the errors Django answers itself JSON too.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from deskside.accounts.api import router as directory_router
from deskside.accounts.exceptions import AccountsError
from deskside.accounts.models import User
from deskside.accounts.services import user_for_token
from deskside.alerts.api import router as alerts_router
from deskside.core.errors import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    database_unavailable,
    error_body,
)
from deskside.core.jsonbody import BadInput, Parser
from deskside.core.versioning import Gone, VersionConflict
from deskside.duty.api import router as duty_router
from deskside.mail.api import router as mail_router
from deskside.paging.api import router as paging_router
from deskside.sla.api import router as sla_router
from deskside.sla.exceptions import SlaError
from deskside.tickets.api import router as tickets_router
from deskside.tickets.exceptions import TicketError
from deskside.webhooks.api import router as webhooks_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Deskside API",
    version="1",
    description="Tickets, timelines and the directory of a Deskside service desk.",
    auth=BearerToken(),
    urls_namespace="api",
    parser=Parser(),
)
# The alert intake first: its two routes take the volume (Django tries URL patterns in order).
api.add_router("/", alerts_router)
api.add_router("/tickets", tickets_router)
api.add_router("/", directory_router)
# /calendars, /contracts and /organizations/{slug}/sla (the SLA set-up and report).
api.add_router("/", sla_router)
# /mail/messages, /mail/inbound, /mail/outbox (the email channel's records).
api.add_router("/", mail_router)
# /schedules and /oncall (on-call schedules).
api.add_router("/", duty_router)
# /paging/... (policies, rules, escalations, pages) and /tickets/{number}/acknowledge.
api.add_router("/", paging_router)
# /webhooks (outbound subscriptions and their delivery log).
api.add_router("/", webhooks_router)


@api.exception_handler(TicketError)
def ticket_error(request: HttpRequest, exc: TicketError) -> HttpResponse:
    response = api.create_response(
        request, error_body(exc.message, exc.field), status=exc.status_code
    )
    if exc.status_code in (503, 507):  # a file could not be stored: nothing kept, send it again
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(VersionConflict)
def version_conflict(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
    """A stale edit (see core.versioning): 409 with the row's current version."""
    body = {**error_body(exc.message, exc.field), "version": exc.current}
    return api.create_response(request, body, status=409)


@api.exception_handler(Gone)
def gone(request: HttpRequest, exc: Gone) -> HttpResponse:
    """An edit of a row deleted since it was read: 404, as for any row that is not there."""
    return api.create_response(request, error_body(exc.message, exc.field), status=404)


@api.exception_handler(AccountsError)
def accounts_error(request: HttpRequest, exc: AccountsError) -> HttpResponse:
    return api.create_response(request, error_body(exc.message, exc.field), status=422)


@api.exception_handler(SlaError)
def sla_error(request: HttpRequest, exc: SlaError) -> HttpResponse:
    return api.create_response(request, error_body(exc.message, exc.field), status=exc.status_code)


def _field_name(loc: tuple | list) -> str | None:
    """`("query", "limit")` -> "limit"; `("body", "payload", "subject")` -> "subject": a JSON
    body is one schema parameter, whose name the client never sees."""
    parts = list(loc[2:] if loc and loc[0] == "body" else loc[1:])
    return ".".join(str(p) for p in parts) or None


def _message(error: dict) -> str | None:
    loc = error.get("loc", ())
    if len(loc) == 2 and loc[0] == "body":  # the body as a whole: missing, or not an object
        return f"the request needs a JSON object body ({error.get('msg')})"
    return error.get("msg")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Pydantic's errors, each naming its field (the last part of its location)."""
    errors = [{"field": _field_name(e.get("loc", ())), "message": _message(e)} for e in exc.errors]
    first = errors[0] if errors else {"field": None, "message": "invalid input"}
    body = {
        "detail": f"{first['field']}: {first['message']}" if first["field"] else first["message"],
        "field": first["field"],
        "errors": errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        error_body("a valid bearer token is required (Authorization: Bearer <token>)"),
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Also what a caller gets for an object they may not see: its existence is not confirmed."""
    return api.create_response(request, error_body(str(exc) or "not found"), status=404)


@api.exception_handler(BadInput)
def bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
    """What the parser refused: not JSON, too deep (400); NUL, lone surrogate, NaN (422)."""
    return api.create_response(request, error_body(exc.message, exc.field), status=exc.status_code)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja wraps whatever the parser raises in HttpError(400, "Cannot parse ..."):
    # answer with the parser's own message and field.
    if isinstance(exc.__cause__, BadInput):
        return bad_input(request, exc.__cause__)
    return api.create_response(request, error_body(str(exc)), status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(
        request, error_body(f"the request body is too large ({exc})"), status=413
    )


for _exc in DATABASE_UNAVAILABLE:  # 503 with Retry-After: the transaction was rolled back
    api.add_exception_handler(_exc, database_unavailable)
