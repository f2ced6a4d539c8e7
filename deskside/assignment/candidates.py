"""Who may get a team's ticket now: the rule engine's candidates, read from the database.

The people come ONLY from `deskside.rosters.working` (the one answer to "who works the desk"):
`working_ids(team, at)` (the support-duty people when the team has a fixed or rotational duty,
else the roster's people on shift; None when the team has no schedule: then its active
members), minus those `on_leave` at that moment, minus inactive users and customers, minus
agents limited to other clients than the ticket's (`served_organizations`). Their open tickets
(counted by priority: `engine.WEIGHTS`) and, for skills-first, their skills are read in one
query each, whatever the team's size.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection

from deskside.accounts.models import Skill, Team, User
from deskside.assignment.engine import Candidate, load_of
from deskside.rosters import working
from deskside.tickets.models import OPEN_STATUSES, Ticket

DEFAULT_TTL = 10.0
"""Seconds a team's "who works now" answer is reused (DESKSIDE_ASSIGNMENT_WORKING_TTL)."""

# The open tickets of some agents by priority, read from the partial index
# `assignment_open_load` (migration 0002: assignee and priority of open tickets only, so the
# count never reads a ticket row). SQLite uses a partial index only when the query repeats
# its condition term for term, with the values written in, not bound: hence the literal list
# (fixed status names, never input).
OPEN_CONDITION = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))
LOAD_SQL = (
    f"SELECT assignee_id, priority, COUNT(*) FROM {Ticket._meta.db_table} "  # noqa: S608
    "WHERE assignee_id IN ({ids}) AND " + OPEN_CONDITION + " GROUP BY assignee_id, priority"
)


# The active agents among some people who serve a client (no `served_organizations`: every
# client; else the client listed), and their skills. Plain SQL like LOAD_SQL: a decision is
# a handful of small indexed queries, and building them with the ORM cost more than running
# them (the bench's p99).
_USERS = User._meta.db_table
_SERVED = User.served_organizations.through._meta.db_table
_USER_SKILLS = User.skills.through._meta.db_table
AGENTS_SQL = (
    f"SELECT u.id, u.full_name, u.email FROM {_USERS} u "  # noqa: S608 - table names only
    "WHERE u.id IN ({ids}) AND u.kind = %s AND u.is_active = %s"
)
SERVING_SQL = (
    f" AND (NOT EXISTS (SELECT 1 FROM {_SERVED} s WHERE s.user_id = u.id)"  # noqa: S608
    f" OR EXISTS (SELECT 1 FROM {_SERVED} s WHERE s.user_id = u.id AND s.organization_id = %s))"
)
SKILLS_SQL = (
    f"SELECT us.user_id, k.name FROM {_USER_SKILLS} us "  # noqa: S608 - table names only
    f"JOIN {Skill._meta.db_table} k ON k.id = us.skill_id WHERE us.user_id IN ({{ids}})"
)


def _rows(sql: str, ids: list[int], *params: object) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), [*ids, *params])
        return cursor.fetchall()


def _serving_agents(people: set[int], organization_id: int | None) -> list[tuple]:
    """(id, full name, email) of the active agents among `people` serving the client."""
    if not people:
        return []
    ids = sorted(people)
    if organization_id is None:
        return _rows(AGENTS_SQL, ids, User.Kind.AGENT.value, True)
    return _rows(AGENTS_SQL + SERVING_SQL, ids, User.Kind.AGENT.value, True, organization_id)


@dataclass(frozen=True)
class _Known:
    at: datetime
    until: datetime
    expires: float
    on_duty: frozenset[int] | None
    working: frozenset[int] | None


_known: dict[int, _Known] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop the remembered answers (tests; a process that just changed a roster)."""
    with _lock:
        _known.clear()


def who_works(team: Team, at: datetime) -> tuple[frozenset[int] | None, frozenset[int] | None]:
    """(`working.on_duty_ids`, `working.working_ids`) of `team` at `at`.

    Asking the roster costs more than the rest of a decision (a few milliseconds for a
    110-person roster of three shifts on the 1M-ticket data set), so the answer is remembered
    per team for a few seconds (DESKSIDE_ASSIGNMENT_WORKING_TTL, 0: never), and never across
    the start or end of one of the team's shifts (or a duty hand-off): a remembered answer
    serves only an `at` between the instant it was asked for and the next such change. A leave
    or cover entered meanwhile counts within the TTL."""
    ttl = float(getattr(settings, "DESKSIDE_ASSIGNMENT_WORKING_TTL", DEFAULT_TTL))
    if ttl > 0:
        known = _known.get(team.pk)
        if known is not None and known.expires > time.monotonic() and known.at <= at < known.until:
            return known.on_duty, known.working
    # One read of the team's set-up gives who works and the next shift start or end or duty
    # hand-off, past which the answer is not reused.
    now_working = working.working_at(team, at, horizon=timedelta(seconds=max(ttl, 1)))
    on_duty, ids = now_working.on_duty, now_working.ids
    if ttl > 0:
        until = at + timedelta(seconds=ttl)
        if now_working.until is not None:
            until = min(until, now_working.until)
        known = _Known(at, until, time.monotonic() + ttl, on_duty, ids)
        with _lock:
            _known[team.pk] = known
    return on_duty, ids


def open_load(user_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """{agent id: [(priority, open tickets), ...]} of `user_ids`."""
    counts: dict[int, list[tuple[int, int]]] = {}
    for assignee_id, priority, n in _rows(LOAD_SQL, user_ids) if user_ids else ():
        counts.setdefault(assignee_id, []).append((priority, n))
    return counts


@dataclass(frozen=True)
class Pool:
    """The candidates of one decision, whether the team's support duty chose them (`duty`),
    and why the pool is empty when it is (`nobody`)."""

    candidates: list[Candidate]
    duty: bool
    nobody: str


def pool(
    team: Team,
    *,
    organization_id: int | None,
    at: datetime,
    skills: bool = False,
    people: frozenset[int] | None = None,
) -> Pool:
    """The candidates for a ticket of `organization_id` (None: any client) in `team` at `at`.
    `people` replaces who works at `at` (the incoming shift of a hand-off, which on a
    business-hours desk only starts the next morning)."""
    on_duty, ids = who_works(team, at)
    if people is not None:
        ids = people
    if ids is None:
        people = set(
            team.members.filter(kind=User.Kind.AGENT, is_active=True).values_list("pk", flat=True)
        )
        nobody = "the team has no active agents"
    else:
        people = set(ids)
        nobody = "nobody is on %s now" % ("support duty" if on_duty is not None else "shift")
    if people:
        away = working.on_leave(people, at)
        if away and not people - away:
            nobody = "everyone working is on leave"
        people -= away
    rows = _serving_agents(people, organization_id)
    if not rows and organization_id is not None and _serving_agents(people, None):
        nobody = "nobody working serves this client"
    if not rows:
        return Pool([], on_duty is not None, nobody)
    user_ids = [r[0] for r in rows]
    counts = open_load(user_ids)
    held: dict[int, set[str]] = {}
    if skills:
        for user_id, name in _rows(SKILLS_SQL, user_ids):
            held.setdefault(user_id, set()).add(name)
    candidates = []
    for user_id, full_name, email in rows:
        open_count, load = load_of(counts.get(user_id, ()))
        candidates.append(
            Candidate(
                user_id=user_id,
                name=full_name or email,
                open=open_count,
                load=load,
                skills=frozenset(held.get(user_id, ())),
            )
        )
    return Pool(candidates, on_duty is not None, nobody)
