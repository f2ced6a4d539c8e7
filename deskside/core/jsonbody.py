"""Reading JSON request bodies: the one place that decides what the API accepts as JSON.

`loads(body)` parses with the standard library and then refuses, naming where it is:

- a body that is not JSON at all (syntax, not UTF-8): `BadInput` with status 400;
- nesting deeper than `MAX_DEPTH` (a 50,000-level `[[[[...` would exhaust the stack): 400;
- `NaN`, `Infinity` and `-Infinity` (Python's json accepts them, RFC 8259 does not, and no
  database stores them in a JSON column), and numbers a 64-bit column cannot hold (`1e999`
  reads as infinity; an integer past 2**63 overflows an integer column): 422 naming the field;
- strings, values or keys, holding a NUL character (PostgreSQL text cannot store it, SQLite
  would store it and cut it short elsewhere; refused the same way on both) or a lone UTF-16
  surrogate such as `"\\udfff"` (it cannot be encoded as UTF-8, so no database takes it): 422
  naming the field.

Field names are dotted paths as the validation errors give them: `subject`, `watchers.0`,
`payload.custom_details.disk`. `Parser` plugs this into django-ninja (`NinjaAPI(parser=...)`)
and applies the NUL rule to query strings and form fields as well.
"""

import json
import math
import re
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser as NinjaParser

MAX_DEPTH = 64
"""Deepest nesting accepted: far past any real payload (Alertmanager's is 4 levels)."""

INT_LIMIT = 2**63
"""Integers must lie in (-2**63, 2**63): what a 64-bit integer column holds."""

# A NUL, or any surrogate code point: json.loads joins a valid pair (\ud83d\ude00) into one
# character, so a surrogate left in a parsed string is a lone one.
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


class BadInput(ValueError):
    """A request's input that the API refuses before any schema sees it. `field` is the dotted
    path of the value at fault (None for the body as a whole); `status_code` is 400 when the
    body is not usable JSON, 422 when a value in it is not acceptable."""

    def __init__(self, message: str, *, field: str | None = None, status_code: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status_code = status_code


class _Refused:
    """Stands in, during parsing, for a number that is refused; `check` reports its path."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:  # as written in the body (a refused alert's sample shows it)
        return self.text


def _constant(text: str) -> _Refused:
    return _Refused(text)


def _float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused(text)


def _int(text: str) -> int | _Refused:
    # Longer than any 64-bit integer: refused before int() (which also refuses past 4300 digits).
    if len(text.lstrip("-")) > 19:
        return _Refused(text)
    value = int(text)
    return value if -INT_LIMIT < value < INT_LIMIT else _Refused(text)


def _path(parent: str | None, key: object) -> str:
    return f"{parent}.{key}" if parent else str(key)


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text (a NUL, a lone surrogate), or None if it can."""
    match = _FORBIDDEN.search(value)
    if match is None:
        return None
    if match.group() == "\x00":
        return "must not contain NUL characters"
    return (
        f"contains a lone surrogate ({match.group().encode('unicode_escape').decode()}),"
        " which is not a Unicode character"
    )


def check(data: Any, field: str | None = None) -> None:
    """Raise `BadInput` for the first refused value in parsed JSON `data` (see the module
    docstring); `field` prefixes the paths reported."""
    stack: list[tuple[Any, str | None, int]] = [(data, field, 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            if (problem := text_problem(value)) is not None:
                raise BadInput(problem, field=where)
        elif isinstance(value, dict):
            if depth >= MAX_DEPTH:
                raise BadInput(
                    f"the JSON is nested deeper than {MAX_DEPTH} levels",
                    field=where,
                    status_code=400,
                )
            for key, item in value.items():
                if (problem := text_problem(key)) is not None:
                    raise BadInput(f"a key {problem}", field=where)
                stack.append((item, _path(where, key), depth + 1))
        elif isinstance(value, list):
            if depth >= MAX_DEPTH:
                raise BadInput(
                    f"the JSON is nested deeper than {MAX_DEPTH} levels",
                    field=where,
                    status_code=400,
                )
            stack.extend((item, _path(where, i), depth + 1) for i, item in enumerate(value))
        elif isinstance(value, _Refused):
            raise BadInput(
                f"{value.text} is not a number this API accepts (finite, and an integer within"
                " 64 bits)",
                field=where,
            )


def parse(body: bytes | str) -> Any:
    """`body` parsed, numbers and constants marked for `check`, without checking it: raises
    the standard library's errors for text that is not JSON (JSONDecodeError, with its line
    and column, or UnicodeDecodeError), and `BadInput` for nesting past Python's stack."""
    try:
        return json.loads(body, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise BadInput(
            f"the JSON is nested deeper than {MAX_DEPTH} levels", status_code=400
        ) from None


def loads(body: bytes | str) -> Any:
    """The JSON document in `body`, checked (see the module docstring); raises `BadInput`."""
    try:
        data = parse(body)
    except BadInput:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise BadInput(f"the body is not valid JSON ({exc})", status_code=400) from None
    check(data)
    return data


class Parser(NinjaParser):
    """django-ninja's request parser with the checks above: JSON bodies through `loads`, and
    the NUL rule for query strings and form fields (a URL cannot carry a lone surrogate:
    Django decodes broken UTF-8 in it as U+FFFD)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return loads(request.body)

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        for key, value in result.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, str) and (problem := text_problem(item)) is not None:
                    raise BadInput(problem, field=key)
        return result
