"""Pieces every app's API router shares, none about a domain: the `Text` input type, the
page parameters and page of a list (`PageParams`, `PageOut`, `page_out`) and `get_or_404`, the
look-up of one object by its identifier (public id, slug ...) that answers the API's 404 when
the caller may not see it or it does not exist. The typed references to the directory's
objects (`UserRef`, `TeamRef` ...) are `deskside.accounts.schemas`.
"""

from typing import Annotated, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from deskside.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, Page

T = TypeVar("T")
M = TypeVar("M", bound=Model)


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here as bad input instead of failing in SQL.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""Every free-text input (body fields, query and path parameters) is a `Text`."""

PublicId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{12}$")]
"""A path parameter naming an object by its public id (`core.ids.new_public_id`: 12 URL-safe
characters). Its pattern is in the OpenAPI document, so a client (or a fuzzer) never sends a
word that is the literal path of a neighbouring operation (`/workorders/projects` is a list,
not the work order "projects")."""


class PageParams(Schema):
    """Query parameters of every list: the page number and its size."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1 to 2000.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (max 100).")


class PageOut(Schema, Generic[T]):
    """A page of a list. There is no total count: follow `next` until it is null."""

    items: list[T]
    next: str | None = Field(description="URL of the next page; null on the last page.")
    page: int


def page_out(page: Page) -> dict[str, object]:
    return {"items": page.items, "next": page.next, "page": page.page}


def get_or_404(qs: "QuerySet[M]", detail: str, **lookup: object) -> M:
    """The one row of `qs` (already narrowed to what the caller may see) matching `lookup`, or
    Http404(`detail`), which the API answers as `{"detail": detail, "field": null}` with 404:
    get_or_404(calendars_visible_to(user), f"no calendar {public_id!r}", public_id=public_id).
    """
    row = qs.filter(**lookup).first()
    if row is None:
        raise Http404(detail)
    return row
