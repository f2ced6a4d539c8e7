"""Page-numbered pagination without a COUNT over the whole result.

At a million tickets `SELECT COUNT(*)` under a visibility filter costs more than the page
itself, so a page is fetched as `limit + 1` rows: the extra row only says whether a next page
exists. Callers get the rows of the page, the page number and the URL of the next page (or
None on the last one). The queryset must be ordered on a unique key, or rows can repeat or
be skipped between pages.

Pages stop at MAX_PAGE: a deeper offset reads (and throws away) that many rows, and a page
number like 10**20 would not even fit the database's integer. A larger page number is read
as MAX_PAGE, which never offers a next page; past it, narrow the list with filters or search.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

T = TypeVar("T")

MAX_LIMIT = 100
DEFAULT_LIMIT = 25
MAX_PAGE = 2000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results. `next` is the absolute URL of the following page, or None."""

    items: list[T]
    page: int
    next: str | None


def fetch_page(
    queryset: QuerySet, *, page: int, limit: int, first_try: QuerySet | None = None
) -> tuple[list, bool]:
    """Rows of page `page` (1-based, `limit` rows) of `queryset`, and whether a next page exists.

    One query of `limit + 1` rows. `first_try` is a cheaper query whose rows, in the same
    order, are the leading rows of `queryset` (a search narrowed to the newest tickets): when
    it fills the page, its rows are the page; otherwise `queryset` runs as usual.
    `page` is clamped to 1..MAX_PAGE (see `clamp_page`); page MAX_PAGE has no next page.
    """
    page = clamp_page(page)
    offset = (page - 1) * limit
    if first_try is not None:
        rows = list(first_try[offset : offset + limit + 1])
        if len(rows) > limit:
            return rows[:limit], page < MAX_PAGE
    rows = list(queryset[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit and page < MAX_PAGE


def clamp_page(page: int) -> int:
    """`page` within 1..MAX_PAGE: the page a list actually shows for a requested number."""
    return min(max(page, 1), MAX_PAGE)


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    page: int,
    limit: int,
    first_try: QuerySet | None = None,
) -> Page:
    """Return page `page` (1-based, clamped to MAX_PAGE) of `queryset`, `limit` rows per page
    (capped at MAX_LIMIT).

    Runs one query (plus whatever prefetches the queryset declares; see `fetch_page` for
    `first_try`). The next URL keeps every other query parameter of the request and changes
    only `page`.
    """
    page = clamp_page(page)
    limit = min(max(limit, 1), MAX_LIMIT)
    rows, has_next = fetch_page(queryset, page=page, limit=limit, first_try=first_try)
    next_url = None
    if has_next:
        params = request.GET.copy()
        params["page"] = str(page + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return Page(items=rows, page=page, next=next_url)
