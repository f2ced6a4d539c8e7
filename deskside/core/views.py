"""Helpers every app's pages share: one page of a list.

Lists never count the table: a page fetches one row more than it shows to know whether there
is a next page (`deskside.core.pagination.fetch_page`), so a queue stays fast at a million
rows. Who may open a page is `deskside.accounts.permissions` (`agent_required`): core knows no
roles.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from deskside.core.pagination import clamp_page, fetch_page

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    """One page of rows; `has_next` comes from fetching one row more, not from a COUNT."""

    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def page_number(value: str | None) -> int:
    """The page a `?page=` value asks for: 1 when missing or not a number, at most MAX_PAGE."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return clamp_page(number)  # deep offsets get slow; past MAX_PAGE, filter or search


def paginate(
    qs: QuerySet, number: int, size: int | None = None, *, first_try: QuerySet | None = None
) -> Page:
    """Fetch page `number` (1-based) of `qs` in one query of size + 1 rows."""
    rows, has_next = fetch_page(qs, page=number, limit=size or PAGE_SIZE, first_try=first_try)
    return Page(rows=rows, number=number, has_next=has_next)


def download(field_file: FieldFile, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download that can never run as a page of this site (an uploaded HTML
    or SVG file): `attachment` disposition, `nosniff`, a sandboxing CSP, not cached.
    Http404 when the file is missing from storage. Who may download it is the caller's check.
    """
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("the file is missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
