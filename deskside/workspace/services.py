"""Saved views: create, change (rename, share, new filter), delete. Keyword-only arguments
with the actor first, one transaction each.

Who may do what: every agent keeps personal views and may share one with a team they belong
to; the person who shared a view and administrators manage a team's views (rename, unshare,
delete); the default views are nobody's to change. A view that is or becomes shared is team
configuration: its changes write an audit entry (core.audit) in the same transaction.
Personal views are a person's own preference and are not audited.
"""

from typing import Any

from django.db import transaction

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.core import audit, clock
from deskside.tickets.forms import QUEUE_COLUMNS, parse_columns
from deskside.tickets.queries import QUEUES, SORTS
from deskside.workspace.exceptions import InvalidInput, NotAllowed
from deskside.workspace.models import FILTER_KEYS, SavedView

MAX_NAME = 80
AUDITED = ("name", "team", "filters", "sort", "columns")
UNSET: Any = object()


# The built-in queues as saved views: shared with every agent, listed first, never deleted.
DEFAULT_VIEWS = [
    ("mine", "Assigned to me"),
    ("team", "My teams"),
    ("unassigned", "Unassigned"),
    ("open", "All open"),
    ("all", "All tickets"),
]


def ensure_default_views(**_: Any) -> None:
    """Create the default views that are missing (idempotent). Run after every `migrate` and
    after a database flush (post_migrate, as Django creates its content types), so the
    built-in queues exist whatever emptied the table."""
    for position, (queue, name) in enumerate(DEFAULT_VIEWS):
        SavedView.objects.get_or_create(
            is_default=True,
            name=name,
            defaults={"filters": {"queue": queue}, "position": position},
        )


def _name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise InvalidInput("a view needs a name", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"the name is longer than {MAX_NAME} characters", field="name")
    return name


def clean_filters(filters: dict[str, Any]) -> dict[str, str]:
    """The filter keys the queue knows, with a value; an unknown key or queue is refused."""
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise InvalidInput(f"unknown filter {sorted(unknown)[0]!r}", field="filters")
    cleaned = {k: str(v).strip() for k, v in filters.items() if v not in (None, "")}
    if cleaned.get("queue", "open") not in QUEUES:
        raise InvalidInput(f"queue must be one of {', '.join(QUEUES)}", field="filters")
    return {k: v for k, v in cleaned.items() if v}


def _sort(value: str | None) -> str:
    sort = value or "newest"
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    return sort


def _columns(value: list[str] | None) -> list[str]:
    if not value:
        return []
    unknown = [c for c in value if c not in QUEUE_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"unknown column {unknown[0]!r}; choose from {', '.join(QUEUE_COLUMNS)}",
            field="columns",
        )
    return parse_columns(value)


def _share_with(actor: User, team: Team | None) -> None:
    if team is not None and not is_admin(actor) and not actor.teams.filter(pk=team.pk).exists():
        raise NotAllowed(f"you are not a member of {team.name}", field="team")


def can_manage(actor: User, view: SavedView) -> bool:
    """Whether `actor` may rename, share, change or delete `view`."""
    if view.is_default or not is_agent(actor):
        return False
    if view.owner_id == actor.pk:
        return True
    return view.team_id is not None and is_admin(actor)


def require_manager(actor: User, view: SavedView) -> None:
    if view.is_default:
        raise NotAllowed("the default views cannot be changed")
    if not can_manage(actor, view):
        raise NotAllowed("only the person who saved this view or an administrator may change it")


def _audit(actor: User, action: str, view: SavedView, **kw: Any) -> None:
    audit.record(actor, action, "workspace.savedview", view.public_id, label=view.name, **kw)


@transaction.atomic
def create_view(
    *,
    actor: User,
    name: str,
    filters: dict[str, Any],
    sort: str | None = None,
    columns: list[str] | None = None,
    team: Team | None = None,
) -> SavedView:
    """Save a queue filter as a view: personal, or shared with `team` (a team of the actor's,
    any team for an administrator). Raises NotAllowed (not an agent, not in the team),
    InvalidInput (name, filters, sort or columns the queue does not know)."""
    if not is_agent(actor):
        raise NotAllowed("only agents keep saved views")
    _share_with(actor, team)
    view = SavedView.objects.create(
        name=_name(name),
        owner=actor,
        team=team,
        filters=clean_filters(filters),
        sort=_sort(sort),
        columns=_columns(columns),
        position=100,
    )
    if team is not None:
        _audit(actor, audit.CREATED, view, after=audit.snapshot(view, AUDITED))
    return view


@transaction.atomic
def update_view(
    *,
    actor: User,
    view: SavedView,
    name: str = UNSET,
    team: Team | None = UNSET,
    filters: dict[str, Any] = UNSET,
    sort: str = UNSET,
    columns: list[str] = UNSET,
) -> SavedView:
    """Change the fields given: rename, share with a team (`team`) or make personal again
    (team=None), or replace the filter, sort or columns. Raises NotAllowed, InvalidInput."""
    view = SavedView.objects.select_for_update().get(pk=view.pk)
    require_manager(actor, view)
    before = audit.snapshot(view, AUDITED)
    was_shared = view.team_id is not None
    if name is not UNSET:
        view.name = _name(name)
    if team is not UNSET:
        if team is not None and team.pk != view.team_id:
            _share_with(actor, team)
        view.team = team
    if filters is not UNSET:
        view.filters = clean_filters(filters)
    if sort is not UNSET:
        view.sort = _sort(sort)
    if columns is not UNSET:
        view.columns = _columns(columns)
    view.updated_at = clock.now()
    view.save()
    if was_shared or view.team_id is not None:
        audit.record_update(
            actor,
            "workspace.savedview",
            view.public_id,
            label=view.name,
            before=before,
            after=audit.snapshot(view, AUDITED),
        )
    return view


@transaction.atomic
def delete_view(*, actor: User, view: SavedView) -> None:
    """Delete a view (never a default one). Raises NotAllowed."""
    view = SavedView.objects.select_for_update().get(pk=view.pk)
    require_manager(actor, view)
    if view.team_id is not None:
        _audit(actor, audit.DELETED, view, before=audit.snapshot(view, AUDITED))
    view.delete()
