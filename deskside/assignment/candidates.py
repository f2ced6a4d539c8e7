"""Who may get a team's ticket now: the rule engine's candidates, read from the database.

The people come ONLY from `deskside.rosters.working` (the one answer to "who works the desk"):
`working_ids(team, at)` (the support-duty people when the team has a fixed or rotational duty,
else the roster's people on shift; None when the team has no schedule: then its active
members), minus those `on_leave` at that moment, minus inactive users and customers, minus
agents limited to other clients than the ticket's (`served_organizations`). Their open tickets
(counted by priority: `engine.WEIGHTS`) and, for skills-first, their skills are read in one
query each, whatever the team's size.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from deskside.accounts.models import Team, User
from deskside.assignment.engine import Candidate, load_of
from deskside.rosters import working
from deskside.tickets.models import OPEN_STATUSES, Ticket


@dataclass(frozen=True)
class Pool:
    """The candidates of one decision, whether the team's support duty chose them (`duty`),
    and why the pool is empty when it is (`nobody`)."""

    candidates: list[Candidate]
    duty: bool
    nobody: str


def pool(
    team: Team, *, organization_id: int | None, at: datetime, skills: bool = False
) -> Pool:
    """The candidates for a ticket of `organization_id` (None: any client) in `team` at `at`."""
    on_duty = working.on_duty_ids(team, at)
    ids = working.working_ids(team, at)
    if ids is None:
        people = set(
            team.members.filter(kind=User.Kind.AGENT, is_active=True).values_list("pk", flat=True)
        )
        nobody = "the team has no active agents"
    else:
        people = set(ids)
        nobody = "nobody is on support duty now" if on_duty is not None else (
            "nobody is on shift now"
        )
    if people:
        away = working.on_leave(people, at)
        if away and not people - away:
            nobody = "everyone working is on leave"
        people -= away
    rows = list(
        User.objects.filter(pk__in=people, kind=User.Kind.AGENT, is_active=True).values_list(
            "pk", "full_name", "email"
        )
    )
    if rows and organization_id is not None:
        limited: dict[int, set[int]] = {}
        for user_id, org_id in User.served_organizations.through.objects.filter(
            user_id__in=[r[0] for r in rows]
        ).values_list("user_id", "organization_id"):
            limited.setdefault(user_id, set()).add(org_id)
        serving = [r for r in rows if r[0] not in limited or organization_id in limited[r[0]]]
        if not serving:
            nobody = "nobody working serves this client"
        rows = serving
    if not rows:
        return Pool([], on_duty is not None, nobody)
    user_ids = [r[0] for r in rows]
    counts: dict[int, list[tuple[int, int]]] = {}
    for assignee_id, priority, n in (
        Ticket.objects.filter(assignee_id__in=user_ids, status__in=OPEN_STATUSES)
        .values_list("assignee_id", "priority")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(assignee_id, []).append((priority, n))
    held: dict[int, set[str]] = {}
    if skills:
        for user_id, name in User.skills.through.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "skill__name"
        ):
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
