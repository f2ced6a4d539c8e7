"""Error answers of the REST API: always JSON, `{"detail": message, "field": name-or-null}`.

`ApiErrorsAsJson`, a middleware, keeps that promise for everything under `/api/`, including
the answers Django itself makes before or after the API's own handlers see a request: an
unknown path (404), a method the route does not take (405), a request Django refuses (400),
a URI longer than `MAX_URI_LENGTH` (414, answered before any view runs), and, as a last
resort, an unexpected failure (500, logged with its traceback as usual). It also refuses a
URL path parameter holding a NUL character (422 naming the parameter), which no database can
look up.

A database that cannot be reached or is out of space (`OperationalError`, `InterfaceError`,
which includes SQLite's "database is locked" after its busy timeout) is a 503 with a
`Retry-After` header (`database_unavailable`, registered on the NinjaAPI): the request's
transaction was rolled back, nothing was stored, and the same request can be sent again.
"""

import logging
from collections.abc import Callable
from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from deskside.core.jsonbody import text_problem

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 10
# The headers that describe a body: a JSON replacement has its own.
BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding", "content-language"})
MAX_URI_LENGTH = 8000
"""The longest URI (path and query string) the API answers; a longer one is a JSON 414. The
WSGI server limits the whole request line before Deskside sees it: `deskside serve` sets
gunicorn's `--limit-request-line` to its maximum, 8190 bytes, and gunicorn answers a longer
line with its own plain-text 414 (docs/api.md, "Limits")."""

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
"""The errors of a database that is down, unreachable, busy or out of space."""


def error_body(detail: str, field: str | None = None) -> dict[str, str | None]:
    return {"detail": detail, "field": field}


def json_error(status: int, detail: str, field: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(detail, field), status=status)


def database_unavailable(request: HttpRequest, exc: Exception) -> JsonResponse:
    """The 503 for a database outage, logged (one line per failed request, with the cause)."""
    log.error("database unavailable for %s %s: %s", request.method, request.path, exc)
    response = json_error(503, "the database is unavailable; nothing was stored, try again shortly")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _detail(request: HttpRequest, response: HttpResponse) -> str:
    status = response.status_code
    if status == 404:
        return f"no such endpoint: {request.method} {request.path}"
    if status == 405:
        return f"{request.method} is not allowed here (allowed: {response.get('Allow', '')})"
    if status >= 500:
        return "internal error; it has been logged"
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "error"


def _uri_too_long(request: HttpRequest) -> JsonResponse | None:
    length = len(request.get_full_path())
    if length <= MAX_URI_LENGTH:
        return None
    return json_error(
        414, f"the URI is {length} characters long; the API takes at most {MAX_URI_LENGTH}"
    )


def _replace(response: HttpResponse, replacement: HttpResponse) -> HttpResponse:
    """`replacement`, with the headers of `response` (Allow, Retry-After, the security
    headers ...) but its own content type and length."""
    for header, value in response.items():
        if header.lower() not in BODY_HEADERS:
            replacement[header] = value
    return replacement


class ApiErrorsAsJson:
    """Under `/api/`, turns every error answer that is not JSON into a JSON one (same status)
    and refuses NUL in URL path parameters. (The 503 for a database outage is the NinjaAPI's
    exception handler, `database_unavailable`: every API view is a ninja operation.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.status_code == 404 and (too_long := _uri_too_long(request)):
            return _replace(response, too_long)  # no view ran (see process_view)
        if not _is_json(response):
            return _replace(response, json_error(response.status_code, _detail(request, response)))
        return response

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict[str, object]
    ) -> HttpResponse | None:
        if not request.path_info.startswith(API_PREFIX):
            return None
        if too_long := _uri_too_long(request):  # before the view: it does nothing
            return too_long
        for name, value in kwargs.items():
            if isinstance(value, str) and (problem := text_problem(value)) is not None:
                return json_error(422, f"{name}: {problem}", name)
        return None
