"""The error half of the OpenAPI document: every operation lists the errors it can answer.

django-ninja documents what an operation returns when it succeeds (its `response=`); the
errors come from the API's shared exception handlers (`deskside.api`) and from
`deskside.core.errors.ApiErrorsAsJson`, so they are added here, once, from what each operation
declares, instead of in every app's router:

- 400 for an operation with a JSON body: the parser refuses a body that is not JSON or nests
  too deep;
- 401 for an operation with a security requirement (a bearer token): no token, or an unknown
  or revoked one;
- 404 for an operation with a path parameter: no such object, or one the caller may not see;
- 405 for an operation whose path template also matches a literal path that does not take its
  method (`GET /integrations/events` is the alert intake's URL, which takes POST only);
- 413 for an operation that reads a request body: the body is larger than the server's limit;
- 422 for an operation with any parameter or body: a value that does not validate;
- 409 for an operation whose JSON body has a `version` property: a settings object that
  changed since the version the client read (`deskside.core.versioning`);
- 503 for every operation: the database is unavailable (with `Retry-After`);

and the statuses an operation answers because of what it does (403 for a customer's token on
an agents-only operation, 409 for a state conflict or a reused idempotency key, 429 for a
rate limit, 507 for a full disk), which the API passes in by operation id (`extra`).

A status the operation itself declares (`response={403: ...}` on the route, as the alert
intake does for its own bodies) is kept as declared; every added one is the shared `Error`
schema: `{"detail": message, "field": name-or-null}`, plus an `errors` list of every problem
for a 422 of malformed input. The document's promises are checked by schemathesis
(tests/api/test_schemathesis.py).

django-ninja files every schema under its class name in `components/schemas`, and a second
class with the same name silently replaces the first, so one operation ends up described with
another's schema. `schema_name_clashes` finds such pairs (tests/api/test_contract.py
fails on any).
"""

import enum
import re
import typing
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel

ERROR_SCHEMA_NAME = "Error"
ERROR_REF = f"#/components/schemas/{ERROR_SCHEMA_NAME}"

ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "description": "Every error answer of the API (4xx and 5xx), whatever its cause.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "field": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "The input at fault (a dotted path into the body, a query, path or "
            "header parameter's name), or null when no one input is.",
        },
        "errors": {
            "type": "array",
            "description": "Every problem found in the input (422 for malformed input).",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "message": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": ["detail", "field"],
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending the same request again.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}

WHY = {
    400: "The body is not JSON (syntax, not UTF-8) or nests too deep.",
    401: "No bearer token, or an unknown or revoked one.",
    403: "The caller may see this but not do it (a customer's token on an agents-only "
    "operation, an agent on an administrators-only one).",
    404: "No such object, or one the caller may not see.",
    409: "The object's state does not allow it, the Idempotency-Key was used for another "
    "request, or the object changed since the `version` sent (the body's `version` is the "
    "current one).",
    405: "The identifier given is the name of another endpoint, which does not take this "
    "method (`Allow` lists those it takes).",
    413: "The request body is larger than the server's limit.",
    422: "Invalid input: `field` names it.",
    429: "Too many requests of this kind: wait for `Retry-After` seconds.",
    503: "The database (or the file store) is unavailable: nothing was stored; send the same "
    "request again after `Retry-After` seconds.",
    507: "The server's disk is full: nothing was stored.",
}
WITH_RETRY_AFTER = {429, 503}


def _body_properties(body: Mapping[str, Any], schemas: Mapping[str, Any]) -> set[str]:
    """The property names of a JSON request body's schema (following one `$ref`)."""
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    if ref := schema.get("$ref"):
        schema = schemas.get(ref.rpartition("/")[2], {})
    return set(schema.get("properties", {}))


def _statuses(
    operation: Mapping[str, Any], extra: Iterable[int], schemas: Mapping[str, Any]
) -> set[int]:
    """The error statuses the operation can answer, from what it declares (see the table in
    the module docstring) and `extra`."""
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    found = {503, *extra}
    if operation.get("security"):
        found.add(401)
    if parameters or body:
        found.add(422)
    if body:
        found.add(413)
        if "application/json" in body.get("content", {}):
            found.add(400)
        if "version" in _body_properties(body, schemas):
            found.add(409)
    if any(p.get("in") == "path" for p in parameters):
        found.add(404)
    return found


def _shadowing_paths(path: str, paths: Iterable[str]) -> list[str]:
    """The literal paths a templated `path` also matches (`/integrations/events` for
    `/integrations/{public_id}`): the literal one is routed first, so `GET` of it answers 405
    when the literal path does not take `GET`. No object can be named so (public ids are
    generated), but a client can send it."""
    segments = path.split("/")
    found = []
    for other in paths:
        parts = other.split("/")
        if other != path and len(parts) == len(segments):
            pairs = list(zip(segments, parts, strict=True))
            if all(a == b or (a.startswith("{") and not b.startswith("{")) for a, b in pairs):
                found.append(other)
    return found


def error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": WHY.get(status) or HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }
    if status in WITH_RETRY_AFTER:
        response["headers"] = RETRY_AFTER
    return response


def document_errors(document: dict[str, Any], extra: Mapping[str, Iterable[int]]) -> None:
    """Adds the error responses of every operation of `document` (an OpenAPI 3 dict, changed
    in place) and the shared `Error` schema. `extra` maps an operation id to the statuses it
    answers because of what it does; an unknown operation id is a ValueError, so a renamed
    view cannot silently lose its errors from the document."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    if ERROR_SCHEMA_NAME in components and components[ERROR_SCHEMA_NAME] != ERROR_SCHEMA:
        raise ValueError(f"a schema is already named {ERROR_SCHEMA_NAME!r}")
    components[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    seen: set[str] = set()
    paths = document.get("paths", {})
    for path, path_item in paths.items():
        shadowed_by = _shadowing_paths(path, paths)
        for method, operation in path_item.items():
            op_id = operation.get("operationId", "")
            seen.add(op_id)
            responses = operation.setdefault("responses", {})
            declared = {int(status) for status in responses}
            statuses = _statuses(operation, extra.get(op_id, ()), components)
            if any(method not in paths[other] for other in shadowed_by):
                statuses.add(405)
            for status in sorted(statuses - declared):
                responses[status] = error_response(status)
    if unknown := set(extra) - seen:
        raise ValueError(f"error statuses given for unknown operations: {sorted(unknown)}")


def _classes(annotation: Any, seen: set[type]) -> Iterator[type]:
    """The pydantic models and enums an annotation refers to, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        if annotation in seen:
            return
        seen.add(annotation)
        yield annotation
        if issubclass(annotation, BaseModel):
            for field in annotation.model_fields.values():
                yield from _classes(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        yield from _classes(arg, seen)


def schema_name(cls: type) -> str:
    """The name pydantic files a class under (`PageOut[TicketOut]` -> `PageOut_TicketOut_`)."""
    return re.sub(r"[^a-zA-Z0-9.\-_]", "_", cls.__name__)


def schema_name_clashes(operations: Iterable[Any]) -> dict[str, list[type]]:
    """Schema name -> the distinct classes filed under it, for every name two or more classes
    share among the inputs and outputs of `operations` (django-ninja Operation objects)."""
    seen: set[type] = set()
    by_name: dict[str, list[type]] = defaultdict(list)
    for operation in operations:
        # django-ninja wraps the parameters and each response in a model of its own, which is
        # never filed in the document: start from their fields.
        wrappers = [*operation.models, *filter(None, operation.response_models.values())]
        roots = [field.annotation for model in wrappers for field in model.model_fields.values()]
        for root in roots:
            for cls in _classes(root, seen):
                by_name[schema_name(cls)].append(cls)
    return {name: classes for name, classes in by_name.items() if len(classes) > 1}
