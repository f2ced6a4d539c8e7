"""Macro operations: create, change, delete (each with its audit entry), preview and apply.

Every function takes keyword arguments with the acting user first and runs in one
transaction. Managing needs `queries.can_manage` (administrators: any macro; a team's lead:
that team's); applying needs the macro to be one the agent may use and the ticket one they may
see. Applying goes through the ticket services, so a macro can do nothing an agent could not
do by hand, and each step writes its own timeline event.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_agent
from deskside.core import audit, clock
from deskside.macros.exceptions import Inactive, InvalidInput, NotAllowed
from deskside.macros.models import MACRO_STATUSES, Macro, ReplyKind
from deskside.macros.placeholders import render, unknown
from deskside.macros.queries import can_manage, macros_usable_by
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority, Status, Ticket, TicketEvent
from deskside.tickets.rules import lock, require_visible
from deskside.tickets.services import TIER_ORDER

AUDITED = (
    "name",
    "team",
    "body",
    "reply_kind",
    "set_status",
    "set_priority",
    "set_team",
    "add_watcher",
    "is_active",
)
FIELDS = frozenset(AUDITED)
MAX_NAME = 100
MAX_BODY = 20_000


def _label(macro: Macro) -> str:
    return f"{macro.name} ({macro.scope_label})"


def _require_manager(actor: User, team: Team | None) -> None:
    if can_manage(actor, team):
        return
    if team is None:
        raise NotAllowed("only administrators may manage global macros", field="team")
    raise NotAllowed(f"only administrators and the lead of {team} may manage its macros")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the fields of a macro (all of them, as they will be stored)."""
    name = (values.get("name") or "").strip()
    if not name:
        raise InvalidInput("a name is required", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"the name is longer than {MAX_NAME} characters", field="name")
    body = (values.get("body") or "").strip()
    if not body:
        raise InvalidInput("the text is required", field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"the text is longer than {MAX_BODY} characters", field="body")
    if bad := unknown(body):
        names = ", ".join("{{" + n + "}}" for n in bad)
        raise InvalidInput(
            f"unknown placeholder{'s' if len(bad) > 1 else ''} {names}; use the listed ones",
            field="body",
        )
    kind = values.get("reply_kind") or ReplyKind.REPLY
    if kind not in ReplyKind.values:
        raise InvalidInput("reply_kind must be reply or note", field="reply_kind")
    status = values.get("set_status") or ""
    if status and status not in MACRO_STATUSES:
        allowed = ", ".join(MACRO_STATUSES)
        raise InvalidInput(f"set_status must be empty or one of {allowed}", field="set_status")
    if status == Status.RESOLVED and kind != ReplyKind.REPLY:
        raise InvalidInput(
            "a macro that resolves writes its text as the resolution the customer reads: "
            "make it a public reply",
            field="set_status",
        )
    priority = values.get("set_priority")
    if priority is not None and priority not in Priority.values:
        raise InvalidInput("set_priority must be one of 1, 2, 3, 4", field="set_priority")
    watcher = values.get("add_watcher")
    if watcher is not None and not is_agent(watcher):
        raise InvalidInput(f"{watcher} is not an active agent", field="add_watcher")
    return {
        **values,
        "name": name,
        "body": body,
        "reply_kind": kind,
        "set_status": status,
        "set_priority": priority,
    }


@transaction.atomic
def create_macro(
    *,
    actor: User,
    name: str,
    body: str,
    team: Team | None = None,
    reply_kind: str = ReplyKind.REPLY,
    set_status: str = "",
    set_priority: int | None = None,
    set_team: Team | None = None,
    add_watcher: User | None = None,
    is_active: bool = True,
) -> Macro:
    """A new macro of `team` (None: global). Raises NotAllowed (not a manager of that
    scope), InvalidInput naming the field (an unknown placeholder, a missing name ...)."""
    _require_manager(actor, team)
    values = _clean(
        {
            "name": name,
            "body": body,
            "team": team,
            "reply_kind": reply_kind,
            "set_status": set_status,
            "set_priority": set_priority,
            "set_team": set_team,
            "add_watcher": add_watcher,
            "is_active": is_active,
        }
    )
    macro = Macro.objects.create(**values, created_by=actor)
    audit.record(
        actor,
        audit.CREATED,
        "macros.macro",
        macro.public_id,
        label=_label(macro),
        after=audit.snapshot(macro, AUDITED),
    )
    return macro


@transaction.atomic
def update_macro(*, actor: User, macro: Macro, **changes: Any) -> Macro:
    """Change the given fields (names of `FIELDS`). Moving a macro to another scope needs
    the right to manage both. Raises as `create_macro`."""
    if extra := set(changes) - FIELDS:
        raise InvalidInput(f"unknown field {sorted(extra)[0]}", field=sorted(extra)[0])
    macro = Macro.objects.select_for_update(of=("self",)).select_related("team").get(pk=macro.pk)
    _require_manager(actor, macro.team)
    if "team" in changes and changes["team"] != macro.team:
        _require_manager(actor, changes["team"])
    before = audit.snapshot(macro, AUDITED)
    values = _clean({name: getattr(macro, name) for name in FIELDS} | changes)
    for name, value in values.items():
        setattr(macro, name, value)
    macro.updated_at = clock.now()
    macro.save()
    audit.record_update(
        actor,
        "macros.macro",
        macro.public_id,
        label=_label(macro),
        before=before,
        after=audit.snapshot(macro, AUDITED),
    )
    return macro


@transaction.atomic
def delete_macro(*, actor: User, macro: Macro) -> None:
    """Delete a macro for good (timeline events never point to one; deactivating keeps its
    usage count). Raises NotAllowed."""
    macro = Macro.objects.select_for_update(of=("self",)).select_related("team").get(pk=macro.pk)
    _require_manager(actor, macro.team)
    audit.record(
        actor,
        audit.DELETED,
        "macros.macro",
        macro.public_id,
        label=_label(macro),
        before=audit.snapshot(macro, AUDITED),
    )
    macro.delete()


# -- preview and apply -------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One action a macro takes besides its text: `action` (status, priority, team, watcher),
    the raw `value` and a `label` for people ("set status Pending customer")."""

    action: str
    value: Any
    label: str


@dataclass(frozen=True)
class Preview:
    text: str
    missing: tuple[str, ...]
    reply_kind: str
    steps: tuple[Step, ...]
    unchanged: tuple[str, ...] = field(default=())  # actions that would change nothing

    @property
    def resolves(self) -> bool:
        return any(s.action == "status" and s.value == Status.RESOLVED for s in self.steps)

    @property
    def posted_as(self) -> str:
        if self.reply_kind == ReplyKind.NOTE:
            return "an internal note"
        return "the resolution (public)" if self.resolves else "a public reply"


def _steps(macro: Macro, ticket: Ticket) -> tuple[list[Step], list[str]]:
    steps: list[Step] = []
    unchanged: list[str] = []
    if macro.set_status:
        label = Status(macro.set_status).label
        if ticket.status == macro.set_status:
            unchanged.append(f"status is already {label}")
        else:
            steps.append(Step("status", macro.set_status, f"set status {label}"))
    if macro.set_priority is not None:
        label = Priority(macro.set_priority).label
        if ticket.priority == macro.set_priority:
            unchanged.append(f"priority is already {label}")
        else:
            steps.append(Step("priority", macro.set_priority, f"set priority {label}"))
    if macro.set_team is not None:
        if ticket.team_id == macro.set_team_id:
            unchanged.append(f"team is already {macro.set_team.name}")
        else:
            steps.append(Step("team", macro.set_team, f"hand to team {macro.set_team.name}"))
    if macro.add_watcher is not None:
        name = macro.add_watcher.get_full_name()
        if ticket.watchers.filter(pk=macro.add_watcher_id).exists():
            unchanged.append(f"{name} already watches")
        else:
            steps.append(Step("watcher", macro.add_watcher, f"add watcher {name}"))
    return steps, unchanged


def _usable(actor: User, macro: Macro) -> Macro:
    """The macro as stored, if `actor` may use it (NotAllowed otherwise; the adapters look
    macros up through `macros_usable_by` first, so this is defence in depth)."""
    found = macros_usable_by(actor).filter(pk=macro.pk).first()
    if found is None:
        if Macro.objects.filter(pk=macro.pk, is_active=False).exists():
            raise Inactive(f"the macro {macro.name!r} is deactivated", field="macro")
        raise NotAllowed(f"you may not use the macro {macro.name!r}", field="macro")
    return found


def preview_macro(*, actor: User, ticket: Ticket, macro: Macro) -> Preview:
    """What applying `macro` to `ticket` would post and change, without changing anything:
    the rendered text, the placeholders that rendered empty, and the actions."""
    require_visible(actor, ticket)
    macro = _usable(actor, macro)
    rendered = render(macro.body, ticket=ticket, agent=actor)
    steps, unchanged = _steps(macro, ticket)
    return Preview(
        text=rendered.text,
        missing=rendered.missing,
        reply_kind=macro.reply_kind,
        steps=tuple(steps),
        unchanged=tuple(unchanged),
    )


@transaction.atomic
def apply_macro(
    *, actor: User, ticket: Ticket, macro: Macro, body: str | None = None
) -> list[TicketEvent]:
    """Post the macro's text (`body`: the text as the agent edited it after the preview;
    None: the macro's text rendered for this ticket) as a reply or a note, then take its
    actions, each through its ticket service (same permission and transition rules, each its
    own timeline event), and count one use. All in one transaction: an action the ticket
    services refuse (a status change the ticket's status does not allow, a watcher who does not
    serve the client, a team of a higher tier) raises their error and leaves nothing done.

    A macro that resolves posts its text as the resolution (one public event, one mail to the
    customer) instead of a reply. Handing to a team of a higher tier is an escalation, which
    needs triage notes a canned text cannot give: refused (InvalidInput, field "set_team").

    Returns the events written, in order. Raises NotAllowed, Inactive and the ticket
    services' errors."""
    lock(ticket)
    macro = _usable(actor, macro)
    require_visible(actor, ticket)
    if body is None:
        body = render(macro.body, ticket=ticket, agent=actor).text
    last = ticket.events.order_by("-id").values_list("id", flat=True).first() or 0
    steps, _ = _steps(macro, ticket)
    resolves = any(s.action == "status" and s.value == Status.RESOLVED for s in steps)
    if resolves:
        tickets.resolve_ticket(actor=actor, ticket=ticket, resolution=body)
    elif macro.reply_kind == ReplyKind.NOTE:
        tickets.add_note(actor=actor, ticket=ticket, body=body)
    else:
        tickets.add_reply(actor=actor, ticket=ticket, body=body)
    for step in steps:
        _take(actor, ticket, step)
    Macro.objects.filter(pk=macro.pk).update(
        usage_count=F("usage_count") + 1, last_used_at=clock.now()
    )
    return list(ticket.events.filter(id__gt=last).select_related("actor").order_by("id"))


def _take(actor: User, ticket: Ticket, step: Step) -> None:
    if step.action == "status":
        if step.value == Status.RESOLVED:
            return  # done with the text, above
        if ticket.status == step.value:
            return  # the reply itself moved it there
        if ticket.status == Status.RESOLVED and step.value == Status.OPEN:
            tickets.reopen_ticket(actor=actor, ticket=ticket)
        else:
            tickets.set_status(actor=actor, ticket=ticket, status=step.value)
    elif step.action == "priority":
        tickets.update_ticket(actor=actor, ticket=ticket, priority=step.value)
    elif step.action == "team":
        team: Team = step.value
        if TIER_ORDER[team.tier] > TIER_ORDER[ticket.tier]:
            raise InvalidInput(
                f"{team} is a {team.tier} team and {ticket.number} is at {ticket.tier}: "
                "escalate it with triage notes instead",
                field="set_team",
            )
        tickets.assign_ticket(actor=actor, ticket=ticket, assignee=ticket.assignee, team=team)
    elif step.action == "watcher":
        watchers = [*ticket.watchers.all(), step.value]
        tickets.set_watchers(actor=actor, ticket=ticket, watchers=watchers)
