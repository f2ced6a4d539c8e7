"""Automatic assignment: setting a team's rule and a ticket's required skills, giving a ticket
out by its team's rule, and moving a ticket on at a shift's end.

`auto_assign` is the one path that assigns by rule. It runs in the caller's transaction (the
event hook's: the ticket's creation, or its move to a team) and first locks the team's rule
row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already hold the
database's write lock), so racing decisions of one team run one after the other, each seeing
the assignments committed before it: round-robin stays fair and no agent passes the cap.

An automatic assignment writes what `tickets.services.assign_ticket` writes (an ASSIGNED event
and the ticket's assignee) with no actor (shown as Deskside), the rule and the reason in the
event's data and body ("round-robin: next after Ben"), and leaves the ticket's status NEW:
nobody has picked it up yet. The assignee's first action on it (any event of theirs)
acknowledges it; until then, when their shift ends, the worker moves it to the incoming shift
(`move_unacknowledged`). No candidate: the ticket stays unassigned with an internal note
saying why (nobody working, everyone at the cap ...).

Support duty (a team whose `SupportDuty` mode is fixed or rotational): the candidates are the
people on duty (`rosters.working.working_ids` gives them), and a team whose rule is off still
gives its tickets to them, round-robin among several.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from deskside.accounts.models import Skill, Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.assignment import engine
from deskside.assignment.candidates import Pool, pool
from deskside.assignment.exceptions import InvalidInput, NotAllowed
from deskside.assignment.models import MAX_CAP, AssignmentRule, Mode, RequiredSkill
from deskside.core import audit, clock
from deskside.rosters import working
from deskside.tickets.models import EventKind, Status, Ticket, TicketEvent
from deskside.tickets.rules import lock, require_visible
from deskside.tickets.timeline import Happened, changed, touch, write_event

HEARS = (EventKind.CREATED, EventKind.ASSIGNED, EventKind.ESCALATED)
RULE_AUDITED = ("mode", "cap")


def can_manage(user: User, team: Team) -> bool:
    """Administrators manage every team's rule; a team lead their own team's."""
    return is_admin(user) or (is_agent(user) and team.lead_id == user.pk)


@transaction.atomic
def set_rule(*, actor: User | None, team: Team, mode: str, cap: int | None) -> AssignmentRule:
    """Set `team`'s rule (`Mode`) and cap of open tickets per agent (None: no cap), with an
    audit entry. `actor` None is the system (the demo, a command). Raises NotAllowed (not an
    administrator nor the team's lead) and InvalidInput (an unknown mode, a cap outside
    1..MAX_CAP)."""
    if actor is not None and not can_manage(actor, team):
        raise NotAllowed("only administrators and the team's lead change its assignment rule")
    if mode not in Mode.values:
        raise InvalidInput(f"mode must be one of {', '.join(Mode.values)}", field="mode")
    if cap is not None and not (isinstance(cap, int) and 1 <= cap <= MAX_CAP):
        raise InvalidInput(f"cap must be a whole number from 1 to {MAX_CAP}, or none", field="cap")
    rule = _locked_rule(team)
    label = f"assignment rule of {team.name}"
    if rule is None:
        rule = AssignmentRule.objects.create(team=team, mode=mode, cap=cap, updated_at=clock.now())
        audit.record(
            actor,
            audit.CREATED,
            "assignment.rule",
            team.slug,
            label=label,
            after=audit.snapshot(rule, RULE_AUDITED),
        )
        return rule
    before = audit.snapshot(rule, RULE_AUDITED)
    rule.mode, rule.cap, rule.updated_at = mode, cap, clock.now()
    rule.save(update_fields=["mode", "cap", "updated_at"])
    audit.record_update(
        actor,
        "assignment.rule",
        team.slug,
        label=label,
        before=before,
        after=audit.snapshot(rule, RULE_AUDITED),
    )
    return rule


def rule_of(team: Team) -> AssignmentRule:
    """`team`'s rule, or an unsaved default one (off) when it has none."""
    return AssignmentRule.objects.filter(team=team).first() or AssignmentRule(team=team)


def _locked_rule(team: Team) -> AssignmentRule | None:
    """The team's rule row, locked until the transaction ends. No join: on PostgreSQL a
    locked row read after waiting is re-checked against the rows first joined to it, so a
    join to the last assignee (which the previous holder just changed) would drop the row."""
    return AssignmentRule.objects.select_for_update().filter(team_id=team.pk).order_by().first()


def required_skill_names(ticket: Ticket) -> list[str]:
    return list(
        RequiredSkill.objects.filter(ticket=ticket)
        .order_by("skill__name")
        .values_list("skill__name", flat=True)
    )


@transaction.atomic
def set_required_skills(*, actor: User, ticket: Ticket, skills: Iterable[Skill]) -> list[str]:
    """Set the skills `ticket` needs (what skills-first matches), with a CHANGED event on its
    timeline. Agents who see the ticket only. Returns the skill names, sorted. Raises
    NotAllowed; setting the same skills again changes nothing and writes nothing."""
    lock(ticket)
    if not is_agent(actor):
        raise NotAllowed("only agents set a ticket's required skills")
    require_visible(actor, ticket)
    wanted = {skill.pk: skill for skill in skills}
    have = dict(RequiredSkill.objects.filter(ticket=ticket).values_list("skill_id", "skill__name"))
    new_names = sorted(skill.name for skill in wanted.values())
    if set(have) == set(wanted):
        return new_names
    RequiredSkill.objects.filter(ticket=ticket).exclude(skill_id__in=wanted).delete()
    RequiredSkill.objects.bulk_create(
        [RequiredSkill(ticket=ticket, skill=s) for pk, s in wanted.items() if pk not in have]
    )
    old_names = sorted(have.values())
    write_event(
        ticket,
        EventKind.CHANGED,
        actor,
        data={
            "changes": {
                "required skills": [", ".join(old_names) or None, ", ".join(new_names) or None]
            },
            "values": {"required_skills": changed(sorted(have), sorted(wanted))},
        },
    )
    touch(ticket)
    return new_names


# -- giving tickets out ---------------------------------------------------------------------


def event_written(happened: Happened) -> None:
    """The `assignment.auto` handler: a ticket that is now in a team with nobody assigned
    (created so, handed to another team, escalated to a team) is given out by the team's rule.
    An agent who unassigns a ticket within its team is left alone: that was their choice."""
    ticket = happened.ticket
    if ticket.team_id is None or ticket.assignee_id is not None or not ticket.is_open:
        return
    data = happened.data
    if happened.kind == EventKind.ASSIGNED and data.get("team_from") == data.get("team_to"):
        return
    if happened.kind == EventKind.ESCALATED and not data.get("team"):
        return
    auto_assign(ticket=ticket)


def decide(
    team: Team,
    *,
    rule: AssignmentRule | None,
    organization_id: int | None,
    required: list[str],
    at: datetime,
    exclude: frozenset[int] = frozenset(),
    people: frozenset[int] | None = None,
) -> tuple[engine.Decision, Pool]:
    """Who gets a ticket of `organization_id` in `team` at `at` by `rule`, and the pool of
    candidates that decision saw. Reads only (`preview` and `auto_assign` share it)."""
    mode = rule.mode if rule is not None else Mode.OFF
    if mode == Mode.OFF:
        if working.on_duty_ids(team, at) is None:
            return engine.decide(Mode.OFF, []), Pool([], False, "")
        mode = Mode.ROUND_ROBIN  # support duty: its people get the tickets, in turn
    found = pool(
        team,
        organization_id=organization_id,
        at=at,
        skills=mode == Mode.SKILLS_FIRST and bool(required),
        people=people,
    )
    candidates = [c for c in found.candidates if c.user_id not in exclude]
    last = rule.last_user if rule is not None and rule.last_user_id else None
    decision = engine.decide(
        mode,
        candidates,
        cap=rule.cap if rule is not None and rule.pk else None,
        last_user_id=last.pk if last else None,
        last_user_name=last.get_full_name() if last else "",
        required=required,
        nobody=found.nobody if not found.candidates else "nobody else is working",
    )
    if found.duty:
        decision = engine.Decision(
            decision.user_id, decision.rule, f"support duty, {decision.reason}", decision.name
        )
    return decision, found


def preview(
    *, team: Team, ticket: Ticket | None = None, at: datetime | None = None
) -> engine.Decision:
    """Who would get `ticket` (None: a new ticket of a client everyone serves, needing no
    skill) in `team` now, and why. Writes nothing."""
    return decide(
        team,
        rule=AssignmentRule.objects.select_related("last_user").filter(team=team).first(),
        organization_id=ticket.organization_id if ticket is not None else None,
        required=required_skill_names(ticket) if ticket is not None else [],
        at=at or clock.now(),
    )[0]


@transaction.atomic(savepoint=False)
def auto_assign(
    *,
    ticket: Ticket,
    at: datetime | None = None,
    exclude: frozenset[int] = frozenset(),
    data: dict[str, Any] | None = None,
    why: str = "Assigned automatically",
    people: frozenset[int] | None = None,
) -> engine.Decision:
    """Give `ticket` (in a team, locked or new in this transaction) to whoever its team's rule
    picks among the candidates at `at` (default now), leaving out `exclude`; writes the
    ASSIGNED event naming the rule and the reason, or a note when nobody can take it. A team
    whose rule is off (and no support duty) writes nothing."""
    team = ticket.team
    at = at or clock.now()
    rule = _locked_rule(team)
    if rule is None and working.on_duty_ids(team, at) is not None:
        # Support duty with no rule: the round-robin's place needs a row (and the lock).
        AssignmentRule.objects.get_or_create(
            team=team, defaults={"mode": Mode.OFF, "updated_at": clock.now()}
        )
        rule = _locked_rule(team)
    decision, _found = decide(
        team,
        rule=rule,
        organization_id=ticket.organization_id,
        required=required_skill_names(ticket),
        at=at,
        exclude=exclude,
        people=people,
    )
    extra = {"rule": f"assignment.{decision.rule}", "reason": decision.reason, **(data or {})}
    if decision.user_id is None:
        if decision.rule != Mode.OFF:
            write_event(
                ticket,
                EventKind.NOTE,
                None,
                body=f"Not {why[0].lower()}{why[1:]}: {decision.reason}.",
                data=extra,
            )
        return decision
    assignee = User.objects.get(pk=decision.user_id)
    old = ticket.assignee
    ticket.assignee = assignee
    write_event(
        ticket,
        EventKind.ASSIGNED,
        None,
        body=f"{why}: {decision.reason}.",
        data={
            **extra,
            "from": old.get_full_name() if old else None,
            "to": assignee.get_full_name(),
            "team_from": team.name,
            "team_to": team.name,
        },
    )
    touch(ticket, "assignee")
    if rule is not None:  # always, for a decision other than off: the round-robin's place
        rule.last_user, rule.last_assigned_at = assignee, clock.now()
        rule.save(update_fields=["last_user", "last_assigned_at"])
    return decision


# -- the shift's end ------------------------------------------------------------------------


def unacknowledged(ticket_ids: Iterable[int]) -> list[int]:
    """The tickets among `ticket_ids` (status NEW, assigned) whose assignee wrote no event on
    them since their last assignment."""
    ids = list(ticket_ids)
    if not ids:
        return []
    last_assigned: dict[int, int] = {}
    for ticket_id, event_id in TicketEvent.objects.filter(
        ticket_id__in=ids, kind=EventKind.ASSIGNED
    ).values_list("ticket_id", "id"):
        last_assigned[ticket_id] = max(event_id, last_assigned.get(ticket_id, 0))
    assignees = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "assignee_id"))
    acted = {
        (ticket_id, actor_id, event_id)
        for ticket_id, actor_id, event_id in TicketEvent.objects.filter(
            ticket_id__in=ids, actor_id__isnull=False
        ).values_list("ticket_id", "actor_id", "id")
    }
    seen = {
        ticket_id
        for ticket_id, actor_id, event_id in acted
        if actor_id == assignees.get(ticket_id) and event_id > last_assigned.get(ticket_id, 0)
    }
    return [pk for pk in ids if pk not in seen]


@transaction.atomic(savepoint=False)
def move_unacknowledged(
    *,
    ticket: Ticket,
    going: frozenset[int],
    incoming: frozenset[int],
    at: datetime,
    handoff: str,
) -> engine.Decision | None:
    """Move `ticket` from its assignee, who went off shift at `at` (`going`: the outgoing
    people) without acknowledging it, to the `incoming` shift by the team's rule. Rechecks
    everything on the locked row; None when there is nothing to move any more. With nobody to
    take it, it stays with its assignee and a note says so."""
    lock(ticket)
    if (
        ticket.status != Status.NEW
        or ticket.team_id is None
        or ticket.assignee_id not in going
        or not unacknowledged([ticket.pk])
    ):
        return None
    return auto_assign(
        ticket=ticket,
        at=at,
        exclude=going,
        people=incoming,
        data={"handoff": handoff, "shift_end": at.isoformat()},
        why=f"Moved at the end of {ticket.assignee}'s shift ({handoff}), not acknowledged",
    )
