"""Support duty for small teams (issue 15 item 2): the services that set it up.

A team's support duty (`SupportDuty`, one per team) says who answers the team's desk:

- "everyone": no duty; every working member answers (the default, and what a team without a
  `SupportDuty` row has);
- "fixed": a fixed service desk of named people (`SupportDutyMember`), always on duty;
- "rotational": one chosen member at a time, in the members' order, taking turns of one day
  or one week that hand off at `handoff_time` in the duty's own zone, from `starts_on`. The
  hand-offs are computed by the rosters core (`deskside.rosters.working`) with the on-call
  engine, so a 09:00 hand-off stays 09:00 local across a DST change (a turn then lasts 23 or
  25 hours, or 167 or 169).

Who may change it: an administrator, or the team's lead. Every change writes one audit entry
(`rosters.support_duty`, by team slug) in the same transaction, with the fields that changed
(members as e-mail addresses in rotation order). Reads are in `supportduty_queries`.
"""

import re
from collections.abc import Sequence
from datetime import date

from django.db import transaction

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.core import audit, clock, versioning
from deskside.core.timezones import zone
from deskside.rosters.exceptions import InvalidInput, NotAllowed
from deskside.rosters.models import Roster, SupportDuty, SupportDutyMember

MODES = ("everyone", "fixed", "rotational")
PERIODS = ("daily", "weekly")
AUDITED = ("mode", "period", "handoff_time", "timezone", "starts_on")
OBJECT_TYPE = "rosters.support_duty"
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def can_edit(user: User | None, team: Team) -> bool:
    """Whether `user` may change `team`'s support duty: an administrator or the team's lead."""
    if not is_agent(user):
        return False
    return is_admin(user) or (team.lead_id is not None and team.lead_id == user.pk)


def snapshot(duty: SupportDuty) -> dict:
    """The audited fields of `duty`, members as e-mail addresses in rotation order."""
    values = audit.snapshot(duty, AUDITED)
    values["members"] = [
        m.user.email for m in duty.members.select_related("user").order_by("position")
    ]
    return values


def _validate(
    *,
    team: Team,
    mode: str,
    period: str,
    handoff_time: str,
    timezone: str,
    members: Sequence[User],
) -> str:
    if mode not in MODES:
        raise InvalidInput(f"mode must be one of {', '.join(MODES)}", field="mode")
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of {', '.join(PERIODS)}", field="period")
    match = _HHMM.match((handoff_time or "").strip())
    if not match:
        raise InvalidInput("the hand-off time is HH:MM (24-hour)", field="handoff_time")
    if not timezone or zone(timezone).key != timezone:
        raise InvalidInput(f"unknown time zone {timezone!r}", field="timezone")
    seen: set[int] = set()
    team_ids = set(team.members.values_list("pk", flat=True))
    for person in members:
        if not (person.is_agent and person.is_active):
            raise InvalidInput(f"{person} is not an active agent", field="members")
        if person.pk not in team_ids:
            raise InvalidInput(f"{person} is not a member of {team.name}", field="members")
        if person.pk in seen:
            raise InvalidInput(f"{person} is named twice", field="members")
        seen.add(person.pk)
    if mode != "everyone" and not members:
        raise InvalidInput(
            "a fixed service desk or a rotational duty needs at least one member",
            field="members",
        )
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def default_timezone(team: Team, actor: User | None = None) -> str:
    """The zone a new duty starts with: the team's roster's, else the actor's, else UTC."""
    roster = Roster.objects.filter(team=team).only("timezone").first()
    if roster is not None and roster.timezone:
        return roster.timezone
    return zone(getattr(actor, "timezone", None)).key


@transaction.atomic
def set_support_duty(
    *,
    actor: User,
    team: Team,
    mode: str,
    members: Sequence[User] = (),
    period: str = "weekly",
    handoff_time: str = "09:00",
    timezone: str | None = None,
    starts_on: date | None = None,
    version: int | None = None,
) -> SupportDuty:
    """Set `team`'s support duty (created on first use) and its members, in order (the
    rotation order for a rotational duty; the named service desk for a fixed one).

    `timezone` defaults to the duty's current zone, else the team's roster's, else the actor's;
    `starts_on` (the date of the first hand-off) to the current one, else today in that zone.
    Members must be active agents of the team, each once; fixed and rotational need one at
    least ("everyone" keeps the list given, so switching back restores it).

    Raises NotAllowed (403) unless the actor is an administrator or the team's lead, and
    InvalidInput (422, naming the field) for a bad mode, period, time, zone or member, and
    VersionConflict (409) when `version` (the one the editor read) is no longer the row's.
    Writes one audit entry with the changed fields (none when nothing changed)."""
    if not can_edit(actor, team):
        raise NotAllowed("only an administrator or the team's lead changes its support duty")
    # One writer per team at a time: the team row is the lock (the duty row may not exist yet).
    team = Team.objects.select_for_update().get(pk=team.pk)
    duty = SupportDuty.objects.filter(team=team).first()
    if duty is not None:
        duty = versioning.lock(duty, version)
    before = snapshot(duty) if duty is not None else None
    timezone = timezone or (duty.timezone if duty else default_timezone(team, actor))
    members = list(members)
    handoff_time = _validate(
        team=team,
        mode=mode,
        period=period,
        handoff_time=handoff_time,
        timezone=timezone,
        members=members,
    )
    if starts_on is None:
        starts_on = duty.starts_on if duty else clock.now().astimezone(zone(timezone)).date()
    values = {
        "mode": mode,
        "period": period,
        "handoff_time": handoff_time,
        "timezone": timezone,
        "starts_on": starts_on,
    }
    current: list[int] = []
    if duty is None:
        duty = SupportDuty.objects.create(team=team, updated_at=clock.now(), **values)
    else:
        current = list(duty.members.order_by("position").values_list("user_id", flat=True))
        if current != [m.pk for m in members] or any(
            getattr(duty, k) != v for k, v in values.items()
        ):
            for key, value in values.items():
                setattr(duty, key, value)
            duty.updated_at = clock.now()
            versioning.save(duty, [*values, "updated_at"])
    if current != [m.pk for m in members]:
        duty.members.all().delete()
        SupportDutyMember.objects.bulk_create(
            SupportDutyMember(duty=duty, user=person, position=i)
            for i, person in enumerate(members)
        )
    after = snapshot(duty)
    label = f"{team.name} support duty"
    if before is None:
        audit.record(actor, audit.CREATED, OBJECT_TYPE, team.slug, label=label, after=after)
    else:
        audit.record_update(actor, OBJECT_TYPE, team.slug, label=label, before=before, after=after)
    return duty
