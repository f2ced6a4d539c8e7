"""The read side of staffing: who may see which team's load, and the load itself (arrivals per
local hour and channel, logged call time) read from the ticket history.

Visibility: the staffing of a team is for administrators (every team) and the team's lead (the
teams they lead). The load is counted over `visible_tickets(user)`: an agent limited to some
clients sees the load of those clients only, never a count that reveals another client's
volume (the page and the API say so: `scope` "served clients").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, FloatField, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.core.timebuckets import EpochHour
from deskside.tickets.models import Channel, EventKind, Ticket, TicketEvent
from deskside.tickets.queries import visible_tickets

# Channels whose handling time is the logged call time (a walk-up is logged as a call too).
CALL_CHANNELS = (Channel.PHONE, Channel.WALK_UP)


def teams_for(user: User) -> QuerySet[Team]:
    """Teams whose staffing `user` may see: all for an administrator, the teams they lead for
    a team lead, none for anyone else (agents without the role, customers)."""
    if is_admin(user):
        return Team.objects.all()
    if is_agent(user):
        return Team.objects.filter(lead=user)
    return Team.objects.none()


def may_use(user: User) -> bool:
    """Whether `user` may open the staffing calculator at all."""
    return is_admin(user) or (is_agent(user) and Team.objects.filter(lead=user).exists())


def is_partial(user: User) -> bool:
    """Whether the load `user` sees is only part of the desk's (a user limited to clients)."""
    return served_organization_ids(user) is not None


def _tickets(
    user: User, team: Team | None, start: datetime, end: datetime, channels: list[str]
) -> QuerySet[Ticket]:
    qs = visible_tickets(user).filter(created_at__gte=start, created_at__lt=end)
    if team is not None:
        qs = qs.filter(team=team)
    return qs.filter(channel__in=channels)


def arrivals(
    user: User,
    *,
    team: Team | None,
    start: datetime,
    end: datetime,
    channels: list[str],
    zone: ZoneInfo,
) -> dict[tuple[str, int, int], int]:
    """Tickets created in [start, end) per (channel, local weekday 0=Monday, local hour), in
    `zone`. One grouped query by UTC hour (`core.timebuckets.EpochHour`): the database
    counts, Python sees at most channels x hours-of-the-range rows, never the tickets."""
    rows = (
        _tickets(user, team, start, end, channels)
        .order_by()
        .annotate(bucket=EpochHour("created_at"))
        .values_list("channel", "bucket")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[str, int, int], int] = defaultdict(int)
    slots: dict[int, tuple[int, int]] = {}
    for channel, bucket, n in rows:
        slot = slots.get(bucket)
        if slot is None:
            local = datetime.fromtimestamp(bucket * 3600, zone)
            slot = slots[bucket] = (local.weekday(), local.hour)
        counts[(channel, *slot)] += n
    return dict(counts)


def logged_call_seconds(
    user: User, *, team: Team | None, start: datetime, end: datetime, channels: list[str]
) -> dict[str, tuple[int, float]]:
    """Per call channel (phone, walk-up) among `channels`: (tickets with logged call time, total
    seconds of the calls logged on them) for the tickets created in [start, end). Calls
    logged with 0 minutes are left out (no duration was taken)."""
    wanted = [c for c in channels if c in CALL_CHANNELS]
    if not wanted:
        return {}
    tickets = _tickets(user, team, start, end, wanted)
    minutes = Cast(KT("data__minutes"), FloatField())
    rows = (
        TicketEvent.objects.filter(kind=EventKind.CALL, ticket__in=tickets.values("id"))
        .annotate(m=minutes)
        .filter(m__gt=0)
        .values_list("ticket__channel")
        .annotate(n=Count("ticket_id", distinct=True), total=Sum("m"))
        .order_by()
    )
    return {channel: (n, (total or 0.0) * 60.0) for channel, n, total in rows}
