"""Support duty, read side: what the pages, the API, the navigation and the queue show.

Who is on duty is never computed here: `deskside.rosters.working` answers it (`on_duty_ids`,
`handoffs`), with the on-call engine's DST-correct hand-offs. This module only picks the teams,
names the people and shapes the rows.

Visibility: support duty is the MSP's own organisation of work, not client data, so every
agent reads every team's duty (as every agent reads every on-call schedule); customers read
none of it (the pages and the API refuse them).
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import HttpRequest

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_agent
from deskside.core import clock
from deskside.core.timezones import zone
from deskside.rosters import working
from deskside.rosters.models import Leave, SupportDuty

DUTY_SHIFT = "Support duty"
"""The shift name `working.handoffs` gives a support-duty hand-off."""

TURNS_SHOWN = 6
"""How many hand-offs the team's page and the API list after today's."""


@dataclass(frozen=True)
class HandoffRow:
    """One hand-off of a rotational duty: at `at`, `outgoing` hand over to `incoming`."""

    at: datetime
    outgoing: list[User]
    incoming: list[User]
    past: bool
    away: list[User]  # whose turn it was by the rota, on leave then (`incoming` covers them)


@dataclass(frozen=True)
class DutyOverview:
    """A team's support duty as its page shows it."""

    team: Team
    duty: SupportDuty | None
    mode: str
    on_duty: list[User]
    handoffs: list[HandoffRow]
    members: list[User]

    @property
    def next_handoff(self) -> HandoffRow | None:
        return next((h for h in self.handoffs if not h.past), None)


def teams() -> QuerySet[Team]:
    """Every team with its duty (if any) and its lead, in the directory's order."""
    return Team.objects.select_related("support_duty", "lead").order_by("tier", "name")


def duty_of(team: Team) -> SupportDuty | None:
    """`team`'s SupportDuty row, or None (the team then has no duty: "everyone")."""
    try:
        return team.support_duty
    except SupportDuty.DoesNotExist:
        return None


def mode_of(team: Team) -> str:
    duty = duty_of(team)
    return duty.mode if duty is not None else "everyone"


def users_by_id(ids: object) -> dict[int, User]:
    wanted = set(ids)  # type: ignore[call-overload]
    if not wanted:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=wanted)}


def members_of(duty: SupportDuty | None) -> list[User]:
    """The duty's members in rotation order."""
    if duty is None:
        return []
    return [m.user for m in duty.members.select_related("user").order_by("position", "pk")]


def _in_order(ids: object, people: dict[int, User]) -> list[User]:
    return sorted((people[i] for i in ids if i in people), key=lambda u: (str(u), u.pk))  # type: ignore[attr-defined]


def overview(team: Team, *, at: datetime | None = None, turns: int = TURNS_SHOWN) -> DutyOverview:
    """`team`'s duty at `at` (default now): who is on duty, today's hand-off (in the duty's
    zone) and the next `turns` ones, with who hands over to whom."""
    at = at or clock.now()
    duty = duty_of(team)
    mode = duty.mode if duty is not None else "everyone"
    on_duty_ids = working.on_duty_ids(team, at) or frozenset()
    found: list[tuple[working.Handoff, set[int]]] = []
    if duty is not None and mode == "rotational":
        local = at.astimezone(zone(duty.timezone))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        step = timedelta(days=1 if duty.period == "daily" else 7)
        planned = [
            h
            for h in working.handoffs(team, midnight, at + step * (turns + 1))
            if h.starting == DUTY_SHIFT or h.ending == DUTY_SHIFT
        ]
        shown = [h for h in planned if h.at <= at] + [h for h in planned if h.at > at][:turns]
        leave = _leave_of(shown)
        found = [_with_leave(team, h, leave) for h in shown]
    people = users_by_id(
        {*on_duty_ids, *(i for h, away in found for i in (*h.outgoing, *h.incoming, *away))}
    )
    return DutyOverview(
        team=team,
        duty=duty,
        mode=mode,
        on_duty=_in_order(on_duty_ids, people),
        handoffs=[
            HandoffRow(
                at=h.at,
                outgoing=_in_order(h.outgoing, people),
                incoming=_in_order(h.incoming, people),
                past=h.at <= at,
                away=_in_order(away, people),
            )
            for h, away in found
        ],
        members=members_of(duty),
    )


def _leave_of(found: list[working.Handoff]) -> list[tuple[int, datetime, datetime]]:
    """The leave of everyone the hand-offs name, over their span, in one query."""
    if not found:
        return []
    ids = {i for h in found for i in (*h.outgoing, *h.incoming)}
    return list(
        Leave.objects.filter(
            user_id__in=ids, starts_at__lte=found[-1].at, ends_at__gt=found[0].at - working.MICRO
        ).values_list("user_id", "starts_at", "ends_at")
    )


def _away(leave: list[tuple[int, datetime, datetime]], ids: tuple[int, ...], at: datetime) -> set:
    return {u for u, begin, end in leave if u in ids and begin <= at < end}


def _with_leave(
    team: Team, handoff: working.Handoff, leave: list[tuple[int, datetime, datetime]]
) -> tuple[working.Handoff, set[int]]:
    """The hand-off as it will happen: the rota's outgoing and incoming people, each replaced
    by who the core says is on duty then when they are on leave (the next member in order)."""
    before = handoff.at - working.MICRO
    away_out = _away(leave, handoff.outgoing, before)
    away_in = _away(leave, handoff.incoming, handoff.at)
    if not away_out and not away_in:
        return handoff, set()
    outgoing = working.on_duty_ids(team, before) if away_out else handoff.outgoing
    incoming = working.on_duty_ids(team, handoff.at) if away_in else handoff.incoming
    changed = replace(handoff, outgoing=tuple(outgoing or ()), incoming=tuple(incoming or ()))
    return changed, away_in


@dataclass(frozen=True)
class OnDuty:
    """A team with a duty (fixed or rotational) and who is on it now."""

    team: Team
    people: list[User]


def on_duty_for(team_list: list[Team], at: datetime | None = None) -> list[OnDuty]:
    """Who is on duty now for each of `team_list` that has a fixed or rotational duty (teams
    with `support_duty` selected); the names in one query for all of them."""
    at = at or clock.now()
    found = []
    for team in team_list:
        if mode_of(team) == "everyone":
            continue
        found.append((team, working.on_duty_ids(team, at) or frozenset()))
    people = users_by_id({i for _, ids in found for i in ids})
    return [OnDuty(team=team, people=_in_order(ids, people)) for team, ids in found]


def duty_teams_of(user: User) -> list[Team]:
    """The teams `user` belongs to whose desk is run by a duty (fixed or rotational)."""
    return list(
        Team.objects.filter(members=user, support_duty__isnull=False)
        .exclude(support_duty__mode="everyone")
        .select_related("support_duty")
        .order_by("tier", "name")
    )


_CACHE = "_deskside_duty_nav"


def my_duties(request: HttpRequest) -> list[OnDuty]:
    """Who is on duty now in the duty teams of the request's agent (none for anyone else),
    read once per request and kept on it: the navigation and the queue's badge share it."""
    cached = getattr(request, _CACHE, None)
    if cached is None:
        user = request.user
        cached = on_duty_for(duty_teams_of(user)) if is_agent(user) else []  # type: ignore[arg-type]
        setattr(request, _CACHE, cached)
    return cached
