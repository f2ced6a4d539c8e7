"""The write side of on-call schedules: schedules, their layers (with ordered members and
restriction windows), overrides, shift swaps and the secrets of the iCalendar feeds.

Who may do what (checked here, so every adapter gets the same answer):

- schedules and layers: agents with the admin role (`is_staff`);
- overrides: an administrator puts anyone on call; any agent may put *themselves* on call
  ("I'll take tonight") and remove an override they created or that is theirs;
- swaps: an agent proposes a swap of their own shifts (an administrator may propose one for
  anyone); the partner or an administrator accepts or declines it; the requester or an
  administrator cancels it. Both people must be members of one of the schedule's layers.

Each function is one transaction. Nothing here touches tickets; paging reads the result
through `deskside.duty.oncall`.
"""

import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.core import audit, clock, versioning
from deskside.duty.exceptions import InUse, InvalidInput, NotAllowed, WrongState
from deskside.duty.models import (
    Layer,
    LayerMember,
    Override,
    PersonFeed,
    Schedule,
    Swap,
    new_feed_token,
)
from deskside.duty.oncall import loadable_zone, parse_hhmm

MAX_PERIOD = timedelta(days=366)
MAX_SHIFT = {"hours": 24 * 366, "days": 366, "weeks": 53}
MAX_MEMBERS = 100
MAX_WINDOWS = 21
RESERVED_SLUGS = {"new", "feeds", "my-feed"}  # page addresses under /oncall/


def require_agent(actor: User) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents use on-call schedules")


def require_admin(actor: User, what: str) -> None:
    if not is_admin(actor):
        raise NotAllowed(f"only administrators may {what}")


# -- validation --------------------------------------------------------------------------------


def _aware(value: datetime | None, field: str) -> datetime:
    if value is None:
        raise InvalidInput("a date and time is required", field=field)
    if value.tzinfo is None:
        raise InvalidInput("a time zone offset is required (e.g. 2026-03-02T09:00Z)", field=field)
    return value


def validate_period(
    starts_at: datetime | None,
    ends_at: datetime | None,
    *,
    start_field: str = "starts_at",
    end_field: str = "ends_at",
    max_length: timedelta | None = MAX_PERIOD,
) -> tuple[datetime, datetime]:
    """Both aware, the end after the start, at most `max_length` long."""
    starts_at = _aware(starts_at, start_field).astimezone(UTC)
    ends_at = _aware(ends_at, end_field).astimezone(UTC)
    if ends_at <= starts_at:
        raise InvalidInput("the end must be after the start", field=end_field)
    if max_length is not None and ends_at - starts_at > max_length:
        raise InvalidInput(
            f"the period may be at most {max_length.days} days long", field=end_field
        )
    return starts_at, ends_at


def validate_timezone(name: str, field: str = "timezone") -> str:
    name = (name or "").strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}", field=field) from exc
    return name


def validate_shift(shift_length: object, shift_unit: str) -> tuple[int, str]:
    """A turn of 1 to MAX_SHIFT[unit] hours, days or weeks (longer ones overflow the
    arithmetic)."""
    if shift_unit not in Layer.Unit.values:
        raise InvalidInput("the unit is hours, days or weeks", field="shift_unit")
    top = MAX_SHIFT[shift_unit]
    if isinstance(shift_length, bool) or not isinstance(shift_length, int):
        raise InvalidInput(f"a shift is 1 to {top} {shift_unit}", field="shift_length")
    if not 1 <= shift_length <= top:
        raise InvalidInput(f"a shift is 1 to {top} {shift_unit}", field="shift_length")
    return shift_length, shift_unit


def validate_local_time(value: datetime, zone_name: str, field: str = "starts_at") -> datetime:
    """Refuse a wall time that does not exist in `zone_name` (inside a spring-forward gap),
    given either in that zone (the pages) or with a fixed offset the zone has around the gap
    (2026-03-29T02:30+01:00 for Berlin). Read with fold=0 it would be an hour later than
    typed, and every later day or week hand-off with it. A time with any other offset (02:30Z)
    or in another named zone (02:30 in Lagos) names a real instant and is kept."""
    zone = zoneinfo.ZoneInfo(zone_name)
    own = getattr(value.tzinfo, "key", None)
    if own is not None and own != zone_name:
        return value
    wall = value.replace(tzinfo=None)
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return value
    offsets = {first.utcoffset(), wall.replace(tzinfo=zone, fold=1).utcoffset()}
    if value.utcoffset() in offsets:
        raise InvalidInput(
            f"{wall:%H:%M} does not exist on {wall.day} {wall:%b %Y} in {zone_name} (the "
            "clocks go forward then); choose a time before or after the change",
            field=field,
        )
    return value


def validate_restrictions(value: object, field: str = "restrictions") -> list[dict]:
    """A list of {"days": [0..6, ...], "start": "HH:MM", "end": "HH:MM"}, normalised (days
    sorted and unique, times zero-padded). Empty list: around the clock."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise InvalidInput("restrictions must be a list of windows", field=field)
    if len(value) > MAX_WINDOWS:
        raise InvalidInput(f"at most {MAX_WINDOWS} windows", field=field)
    out = []
    for index, window in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(window, dict):
            raise InvalidInput("a window is an object with days, start and end", field=where)
        unknown = set(window) - {"days", "start", "end"}
        if unknown:
            raise InvalidInput(f"unknown keys {sorted(unknown)}", field=where)
        days = window.get("days", list(range(7)))
        if not isinstance(days, list) or not days:
            raise InvalidInput("days must be a non-empty list (Monday = 0)", field=f"{where}.days")
        for day in days:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise InvalidInput(
                    f"{day!r} is not a weekday number (Monday = 0 ... Sunday = 6)",
                    field=f"{where}.days",
                )
        times = {}
        for key in ("start", "end"):
            try:
                hours, minutes = parse_hhmm(window.get(key, ""))
            except ValueError as exc:
                raise InvalidInput(str(exc), field=f"{where}.{key}") from exc
            if key == "start" and hours == 24:
                raise InvalidInput("a window cannot start at 24:00", field=f"{where}.start")
            times[key] = f"{hours:02d}:{minutes:02d}"
        out.append({"days": sorted(set(days)), "start": times["start"], "end": times["end"]})
    return out


def _slug(schedule: Schedule | None, name: str, slug: str) -> str:
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput("the name needs at least one letter or digit", field="name")
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"{slug!r} is reserved; choose another slug", field="slug")
    clash = Schedule.objects.filter(slug=slug)
    if schedule is not None:
        clash = clash.exclude(pk=schedule.pk)
    if clash.exists():
        raise InvalidInput(f"a schedule with the slug {slug!r} exists", field="slug")
    return slug


def _name(schedule: Schedule | None, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("a name is required", field="name")
    if len(name) > 100:
        raise InvalidInput("at most 100 characters", field="name")
    clash = Schedule.objects.filter(name__iexact=name)
    if schedule is not None:
        clash = clash.exclude(pk=schedule.pk)
    if clash.exists():
        raise InvalidInput(f"a schedule called {name!r} exists", field="name")
    return name


# -- schedules ---------------------------------------------------------------------------------

SCHEDULE_AUDITED = ("name", "slug", "timezone", "description", "team")
LAYER_AUDITED = ("name", "position", "timezone", "starts_at", "ends_at", "shift_length")
LAYER_AUDITED += ("shift_unit", "restrictions")
OVERRIDE_AUDITED = ("user", "starts_at", "ends_at", "reason")


def _audit(actor: User, action: str, obj: Schedule | Layer | Override, **values: object) -> None:
    """The audit entry of a change to a schedule, a layer (by its number, as its page) or an
    override (by its number, as the API)."""
    if isinstance(obj, Schedule):
        audit.record(actor, action, "duty.schedule", obj.slug, label=obj.name, **values)
        return
    kind = "duty.layer" if isinstance(obj, Layer) else "duty.override"
    label = f"{obj.schedule.name}: {obj.name if isinstance(obj, Layer) else obj.user}"
    audit.record(actor, action, kind, str(obj.pk), label=label, **values)


def _layer_snapshot(layer: Layer) -> dict:
    values = audit.snapshot(layer, LAYER_AUDITED)
    values["members"] = [
        audit.ref(m.user) for m in layer.members.select_related("user").order_by("position")
    ]
    return values


@transaction.atomic
def create_schedule(
    *,
    actor: User,
    name: str,
    slug: str = "",
    timezone: str = "UTC",
    description: str = "",
    team: Team | None = None,
) -> Schedule:
    """A new schedule without layers (nobody is on call until a layer or override exists)."""
    require_admin(actor, "create schedules")
    name = _name(None, name)
    schedule = Schedule.objects.create(
        name=name,
        slug=_slug(None, name, slug),
        timezone=validate_timezone(timezone),
        description=description.strip(),
        team=team,
    )
    _audit(actor, audit.CREATED, schedule, after=audit.snapshot(schedule, SCHEDULE_AUDITED))
    return schedule


@transaction.atomic
def update_schedule(
    *,
    actor: User,
    schedule: Schedule,
    name: str,
    slug: str = "",
    timezone: str,
    description: str = "",
    team: Team | None = None,
    version: int | None = None,
) -> Schedule:
    """Rename or re-zone a schedule. Its layers with an empty zone follow the new zone.
    `version` is the one the editor read (VersionConflict if it changed since, Gone if it was
    deleted: never re-inserted); the feed address is never written back from a stale copy."""
    require_admin(actor, "change schedules")
    versioning.lock(schedule, version)
    old = audit.snapshot(schedule, SCHEDULE_AUDITED)
    schedule.name = _name(schedule, name)
    schedule.slug = _slug(schedule, schedule.name, slug or schedule.slug)
    schedule.timezone = validate_timezone(timezone)
    schedule.description = description.strip()
    schedule.team = team
    versioning.save(schedule, ["name", "slug", "timezone", "description", "team"])
    audit.record_update(
        actor,
        "duty.schedule",
        schedule.slug,
        label=schedule.name,
        before=old,
        after=audit.snapshot(schedule, SCHEDULE_AUDITED),
    )
    return schedule


@transaction.atomic
def delete_schedule(*, actor: User, schedule: Schedule) -> None:
    """Delete a schedule with its layers, overrides and swaps. Raises InUse while an
    escalation step pages its on-call person (change the policy first)."""
    require_admin(actor, "delete schedules")
    versioning.lock(schedule)  # deleted twice at once: the second one is Gone
    _audit(actor, audit.DELETED, schedule, before=audit.snapshot(schedule, SCHEDULE_AUDITED))
    try:
        with transaction.atomic():
            schedule.delete()
    except ProtectedError as exc:
        raise InUse(
            f"{schedule.name} is used by an escalation policy; change the policy first"
        ) from exc


@transaction.atomic
def regenerate_schedule_feed(*, actor: User, schedule: Schedule) -> Schedule:
    """A new secret for the schedule's feed; the old address stops working at once."""
    require_admin(actor, "change a schedule's feed address")
    versioning.lock(schedule)  # Gone when deleted meanwhile (was a 500)
    schedule.feed_token = new_feed_token()
    versioning.save(schedule, ["feed_token"])
    _audit(actor, "feed_regenerated", schedule)  # the token itself is a secret: no values
    return schedule


# -- layers ------------------------------------------------------------------------------------


def _layer_fields(
    *,
    schedule: Schedule,
    name: str,
    position: int,
    timezone: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    shift_length: int,
    shift_unit: str,
    restrictions: object,
    members: Sequence[User],
) -> dict:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("a name is required", field="name")
    if len(name) > 100:
        raise InvalidInput("at most 100 characters", field="name")
    if not isinstance(position, int) or not 0 <= position <= 1000:
        raise InvalidInput("the position is a number from 0 to 1000", field="position")
    timezone = validate_timezone(timezone) if timezone else ""
    layer_zone = loadable_zone(timezone, schedule.timezone)
    starts_at = _aware(starts_at, "starts_at")
    validate_local_time(starts_at, layer_zone, "starts_at")
    starts_at = starts_at.astimezone(UTC)
    if ends_at is not None:
        ends_at = _aware(ends_at, "ends_at")
        validate_local_time(ends_at, layer_zone, "ends_at")
        ends_at = ends_at.astimezone(UTC)
        if ends_at <= starts_at:
            raise InvalidInput("the end must be after the first hand-off", field="ends_at")
    shift_length, shift_unit = validate_shift(shift_length, shift_unit)
    if not members:
        raise InvalidInput("a layer needs at least one member", field="members")
    if len(members) > MAX_MEMBERS:
        raise InvalidInput(f"at most {MAX_MEMBERS} members", field="members")
    for member in members:
        if not member.is_agent or not member.is_active:
            raise InvalidInput(f"{member} is not an active agent", field="members")
    return {
        "name": name,
        "position": position,
        "timezone": timezone,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "shift_length": shift_length,
        "shift_unit": shift_unit,
        "restrictions": validate_restrictions(restrictions),
    }


def _set_members(layer: Layer, members: Sequence[User]) -> None:
    layer.members.all().delete()
    LayerMember.objects.bulk_create(
        LayerMember(layer=layer, user=user, position=index) for index, user in enumerate(members)
    )


@transaction.atomic
def create_layer(
    *,
    actor: User,
    schedule: Schedule,
    name: str,
    starts_at: datetime,
    members: Sequence[User],
    position: int = 0,
    timezone: str = "",
    ends_at: datetime | None = None,
    shift_length: int = 1,
    shift_unit: str = Layer.Unit.WEEKS,
    restrictions: object = None,
) -> Layer:
    """A rotation of `members` (in this order; a person may appear twice) handing off at
    `starts_at` and every `shift_length` `shift_unit` after it."""
    require_admin(actor, "change schedules")
    fields = _layer_fields(
        schedule=schedule,
        name=name,
        position=position,
        timezone=timezone,
        starts_at=starts_at,
        ends_at=ends_at,
        shift_length=shift_length,
        shift_unit=shift_unit,
        restrictions=restrictions,
        members=members,
    )
    if not versioning.hold(schedule):  # deleted meanwhile: a 404, not a 500 at commit
        raise versioning.Gone(f"schedule {schedule}")
    layer = Layer.objects.create(schedule=schedule, **fields)
    _set_members(layer, members)
    _audit(actor, audit.CREATED, layer, after=_layer_snapshot(layer))
    return layer


@transaction.atomic
def update_layer(
    *,
    actor: User,
    layer: Layer,
    name: str,
    starts_at: datetime,
    members: Sequence[User],
    position: int = 0,
    timezone: str = "",
    ends_at: datetime | None = None,
    shift_length: int = 1,
    shift_unit: str = Layer.Unit.WEEKS,
    restrictions: object = None,
    version: int | None = None,
) -> Layer:
    """Replace every setting of a layer, its members included. The shifts it yields are
    recomputed from the settings (past shifts are not stored), so changing a layer changes
    its history too; to change a rotation from a date on, end the layer there and add one.
    `version`: the one the editor read (VersionConflict; Gone for a deleted layer, which is
    never re-inserted)."""
    require_admin(actor, "change schedules")
    versioning.lock(layer, version)
    old = _layer_snapshot(layer)
    fields = _layer_fields(
        schedule=layer.schedule,
        name=name,
        position=position,
        timezone=timezone,
        starts_at=starts_at,
        ends_at=ends_at,
        shift_length=shift_length,
        shift_unit=shift_unit,
        restrictions=restrictions,
        members=members,
    )
    for key, value in fields.items():
        setattr(layer, key, value)
    versioning.save(layer, list(fields))
    _set_members(layer, members)
    before, after = audit.changes(old, _layer_snapshot(layer))
    if before or after:
        _audit(actor, audit.UPDATED, layer, before=before, after=after)
    return layer


@transaction.atomic
def delete_layer(*, actor: User, layer: Layer, version: int | None = None) -> None:
    """Delete a layer (Gone if it already was; VersionConflict if changed since `version`)."""
    require_admin(actor, "change schedules")
    versioning.lock(layer, version)
    _audit(actor, audit.DELETED, layer, before=_layer_snapshot(layer))
    layer.delete()


# -- overrides ---------------------------------------------------------------------------------


@transaction.atomic
def create_override(
    *,
    actor: User,
    schedule: Schedule,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
) -> Override:
    """Put `user` on call on `schedule` for [starts_at, ends_at), over every layer. Where
    overrides overlap, the one created last wins. Administrators may override for anyone,
    other agents only for themselves."""
    require_agent(actor)
    if user.pk != actor.pk and not is_admin(actor):
        raise NotAllowed("only administrators may put someone else on call", field="user")
    if not is_agent(user):
        raise InvalidInput(f"{user} is not an active agent", field="user")
    starts_at, ends_at = validate_period(starts_at, ends_at)
    if ends_at <= clock.now():
        raise InvalidInput("the override would be over already", field="ends_at")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise InvalidInput("at most 200 characters", field="reason")
    if not versioning.hold(schedule):  # deleted meanwhile: a 404, not a 500 at commit
        raise versioning.Gone(f"schedule {schedule}")
    override = Override.objects.create(
        schedule=schedule,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
    )
    _audit(actor, audit.CREATED, override, after=audit.snapshot(override, OVERRIDE_AUDITED))
    return override


@transaction.atomic
def delete_override(*, actor: User, override: Override) -> None:
    """Remove an override: an administrator, its person or whoever created it."""
    require_agent(actor)
    if not (is_admin(actor) or actor.pk in (override.user_id, override.created_by_id)):
        raise NotAllowed("only administrators remove other people's overrides")
    versioning.lock(override)  # removed twice at once: the second one is Gone
    _audit(actor, audit.DELETED, override, before=audit.snapshot(override, OVERRIDE_AUDITED))
    override.delete()


# -- swaps -------------------------------------------------------------------------------------


def schedule_member_ids(schedule: Schedule) -> set[int]:
    return set(
        LayerMember.objects.filter(layer__schedule=schedule).values_list("user_id", flat=True)
    )


@transaction.atomic
def propose_swap(
    *,
    actor: User,
    schedule: Schedule,
    partner: User,
    starts_at: datetime,
    ends_at: datetime,
    return_starts_at: datetime | None = None,
    return_ends_at: datetime | None = None,
    note: str = "",
    requester: User | None = None,
) -> Swap:
    """Propose that `partner` takes `requester`'s shifts (the actor's, unless an administrator
    names someone) in [starts_at, ends_at), and for a two-way swap that the requester takes
    the partner's in the return period. It applies once accepted."""
    require_agent(actor)
    requester = requester or actor
    if requester.pk != actor.pk and not is_admin(actor):
        raise NotAllowed("only administrators propose swaps for someone else", field="requester")
    if partner.pk == requester.pk:
        raise InvalidInput("a swap needs two different people", field="partner")
    members = schedule_member_ids(schedule)
    if requester.pk not in members:
        raise InvalidInput(f"{requester} is not on this schedule's layers", field="requester")
    if partner.pk not in members:
        raise InvalidInput(f"{partner} is not on this schedule's layers", field="partner")
    starts_at, ends_at = validate_period(starts_at, ends_at, max_length=timedelta(days=90))
    if ends_at <= clock.now():
        raise InvalidInput("the period is over already", field="ends_at")
    if (return_starts_at is None) != (return_ends_at is None):
        field = "return_ends_at" if return_ends_at is None else "return_starts_at"
        raise InvalidInput("a return period needs both a start and an end", field=field)
    if return_starts_at is not None:
        return_starts_at, return_ends_at = validate_period(
            return_starts_at,
            return_ends_at,
            start_field="return_starts_at",
            end_field="return_ends_at",
            max_length=timedelta(days=90),
        )
        if return_starts_at < ends_at and return_ends_at > starts_at:
            raise InvalidInput(
                "the return period may not overlap the swapped period", field="return_starts_at"
            )
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput("at most 200 characters", field="note")
    return Swap.objects.create(
        schedule=schedule,
        requester=requester,
        partner=partner,
        starts_at=starts_at,
        ends_at=ends_at,
        return_starts_at=return_starts_at,
        return_ends_at=return_ends_at,
        note=note,
    )


def _decide(swap: Swap, actor: User, status: str) -> Swap:
    locked = Swap.objects.select_for_update().get(pk=swap.pk)
    if locked.status != Swap.Status.PROPOSED:
        raise WrongState(f"the swap is {locked.get_status_display().lower()} already")
    locked.status = status
    locked.decided_at = clock.now()
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    return locked


@transaction.atomic
def accept_swap(*, actor: User, swap: Swap) -> Swap:
    """The partner (or an administrator) agrees: from now on the swap changes who is on
    call. Raises WrongState unless it is still proposed."""
    require_agent(actor)
    if actor.pk != swap.partner_id and not is_admin(actor):
        raise NotAllowed("only the partner or an administrator accepts a swap")
    return _decide(swap, actor, Swap.Status.ACCEPTED)


@transaction.atomic
def decline_swap(*, actor: User, swap: Swap) -> Swap:
    require_agent(actor)
    if actor.pk != swap.partner_id and not is_admin(actor):
        raise NotAllowed("only the partner or an administrator declines a swap")
    return _decide(swap, actor, Swap.Status.DECLINED)


@transaction.atomic
def cancel_swap(*, actor: User, swap: Swap) -> Swap:
    """The requester (or an administrator) withdraws a proposed or accepted swap; an accepted
    one stops applying at once (for its past too: shifts are recomputed, not stored)."""
    require_agent(actor)
    if actor.pk != swap.requester_id and not is_admin(actor):
        raise NotAllowed("only the requester or an administrator cancels a swap")
    locked = Swap.objects.select_for_update().get(pk=swap.pk)
    if locked.status not in (Swap.Status.PROPOSED, Swap.Status.ACCEPTED):
        raise WrongState(f"the swap is {locked.get_status_display().lower()} already")
    locked.status = Swap.Status.CANCELLED
    locked.decided_at = clock.now()
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    return locked


# -- personal feeds ----------------------------------------------------------------------------


@transaction.atomic
def person_feed(*, actor: User) -> PersonFeed:
    """The actor's own feed secret, created on first use."""
    require_agent(actor)
    feed, _ = PersonFeed.objects.get_or_create(user=actor)
    return feed


@transaction.atomic
def regenerate_person_feed(*, actor: User) -> PersonFeed:
    """A new secret for the actor's feed; the old address stops working at once."""
    require_agent(actor)
    feed, created = PersonFeed.objects.get_or_create(user=actor)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
