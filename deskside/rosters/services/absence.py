"""Leave (the person, their lead or an administrator) and cover (administrators and the
team's lead), cover refused when it breaks a working-time rule (`deskside.rosters.rules`).
Each one transaction with its audit entry."""

from datetime import datetime, timedelta

from django.db import transaction

from deskside.accounts.models import User
from deskside.core import audit, clock
from deskside.rosters import rules, working
from deskside.rosters.exceptions import InvalidInput, NotAllowed, RuleBroken
from deskside.rosters.models import Cover, Leave, Roster
from deskside.rosters.services.common import (
    COVER_AUDITED,
    LEAVE_AUDITED,
    MAX_LEAVE,
    _aware,
    _member,
    can_manage_leave,
    require_editor,
)

# -- leave -------------------------------------------------------------------------------------


def _leave_audit(actor: User, action: str, leave: Leave, **values: object) -> None:
    audit.record(
        actor,
        action,
        "rosters.leave",
        str(leave.pk),
        label=f"{leave.user}: {leave.get_kind_display()}",
        **values,
    )


@transaction.atomic
def record_leave(
    *,
    actor: User,
    user: User,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    reason: str,
) -> Leave:
    """Leave or absence of `user` in [starts_at, ends_at): holiday, sick, training or other,
    with a reason. It takes the person off every shift it overlaps (`working`); the gap it
    opens is `queries.leave_gaps`. Overlapping leave of the same person is refused."""
    if not can_manage_leave(actor, user):
        raise NotAllowed("only the person, their team lead or an administrator records leave")
    if not user.is_agent:
        raise InvalidInput("leave is for agents", field="user")
    if kind not in Leave.Kind.values:
        raise InvalidInput(f"the kind is one of {', '.join(Leave.Kind.values)}", field="kind")
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise InvalidInput("the end must be after the start", field="ends_at")
    if ends_at - starts_at > MAX_LEAVE:
        raise InvalidInput("leave is at most 366 days at a time", field="ends_at")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required", field="reason")
    if len(reason) > 200:
        raise InvalidInput("at most 200 characters", field="reason")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one leave at a time per person
    if Leave.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise InvalidInput(f"{user} is on leave in part of that period already", field="starts_at")
    leave = Leave.objects.create(
        user=user,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
        created_at=clock.now(),
    )
    _leave_audit(actor, audit.CREATED, leave, after=audit.snapshot(leave, LEAVE_AUDITED))
    return leave


@transaction.atomic
def cancel_leave(*, actor: User, leave: Leave) -> None:
    """Cancel leave (the person is back on their shifts); covers made for it stay."""
    if not can_manage_leave(actor, leave.user):
        raise NotAllowed("only the person, their team lead or an administrator cancels leave")
    _leave_audit(actor, "cancelled", leave, before=audit.snapshot(leave, LEAVE_AUDITED))
    leave.delete()


# -- cover -------------------------------------------------------------------------------------


def find_slot(roster: Roster, code: str, starts_at: datetime) -> working.Slot:
    """The shift instance of `roster` with `code` starting at `starts_at` (InvalidInput if
    there is none)."""
    starts_at = _aware(starts_at, "starts_at")
    for slot in working.slots(roster.team, starts_at, starts_at + timedelta(minutes=1)):
        if slot.code == code and slot.start == starts_at:
            return slot
    raise InvalidInput(
        f"{roster.team.name} has no {code or 'shift'} starting at {starts_at:%Y-%m-%d %H:%M}Z",
        field="starts_at",
    )


@transaction.atomic
def add_cover(
    *,
    actor: User,
    roster: Roster,
    user: User,
    code: str,
    starts_at: datetime,
    covers_for: User | None = None,
    reason: str = "",
) -> Cover:
    """Put `user` on the shift instance (`code` starting at `starts_at`) of the roster.
    Refused (RuleBroken, naming the rule) when they work then already, are on leave, would
    rest less than the roster's `rest_hours` before or after, or would pass the weekly hours
    cap in the ISO week (in the roster's zone) of the shift. A shift that is over is no
    longer covered (InvalidInput)."""
    require_editor(actor, roster.team)
    roster = Roster.objects.select_for_update().select_related("team").get(pk=roster.pk)
    user = _member(roster, user)
    code = (code or "").strip().upper()
    slot = find_slot(roster, code, starts_at)
    if slot.end <= clock.now():
        raise InvalidInput("that shift is over; cover is for shifts to come", field="starts_at")
    User.objects.select_for_update().filter(pk=user.pk).first()  # two covers of one person: one
    refusal = rules.refusal(roster, user, slot.start, slot.end)
    if refusal is not None:
        raise RuleBroken(refusal, field="user")
    reason = (reason or "").strip()[:200]
    cover = Cover.objects.create(
        roster=roster,
        user=user,
        code=code,
        starts_at=slot.start,
        ends_at=slot.end,
        covers_for=covers_for,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        actor,
        audit.CREATED,
        "rosters.cover",
        str(cover.pk),
        label=f"{roster.team.name}: {user} on {code}",
        after=audit.snapshot(cover, COVER_AUDITED),
    )
    return cover


@transaction.atomic
def remove_cover(*, actor: User, cover: Cover) -> None:
    """Take a cover away again."""
    roster = cover.roster
    require_editor(actor, roster.team)
    audit.record(
        actor,
        audit.DELETED,
        "rosters.cover",
        str(cover.pk),
        label=f"{roster.team.name}: {cover.user} on {cover.code}",
        before=audit.snapshot(cover, COVER_AUDITED),
    )
    cover.delete()
