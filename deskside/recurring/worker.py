"""The recurring pass (`deskside worker` lane, every 30 s): open the tickets of the schedules'
occurrences that have come, exactly once each.

1. **Due schedules** are found through the index on `next_run_at` (active, `next_run_at <=
   now`), oldest deadline first, at most `limit` per pass. Only those rows are read: a pass
   over 10,000 schedules touches the due ones only.
2. **The claim**: one conditional UPDATE (`core.bulk.claim_many`, one statement for all the
   due rows) moves each `next_run_at` from the value read to a lease (`now + LEASE`); the
   worker whose UPDATE changed a row owns that deadline, any other finds nothing to change
   and moves on. A worker that dies after its claim leaves
   the lease, which falls due again after LEASE: the next pass picks the schedule up, and the
   occurrences already dealt with are not repeated (below).
3. **The occurrences** in (`max(last_occurrence_at, updated_at)`, now] are computed from the
   rule (`recurring.rules`, local wall-clock time across DST); `updated_at` moves on a pause,
   a resume or a timing edit only, so a typo fixed after an occurrence fell due does not hide
   it. By the schedule's policy:
   - *catch up once*: the latest opens a ticket, every earlier one (missed while no worker
     ran) is recorded as skipped;
   - *skip*: each occurrence more than `GRACE` (one hour) late is recorded as skipped, the
     others open their tickets.
4. **Each ticket and its `Occurrence` row commit in one transaction**, the row inserted
   first: the unique (schedule, occurs_at) constraint is the last guard, so a second worker
   that got this far anyway fails its INSERT (IntegrityError), rolls back and opens nothing.
   A ticket the desk refuses (the owner deactivated ...) is recorded as skipped and pauses
   the schedule with the reason (`services.pause_for_failure`).
5. **The next deadline**: `next_run_at` becomes the first occurrence after now (None when the
   rule has ended), with a conditional UPDATE on the lease, so an edit made meanwhile (which
   recomputed `next_run_at` itself) is not overwritten; written in the transaction of the
   schedule's last ticket, so a ticket and the deadline after it commit together.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from deskside.core import bulk, clock
from deskside.core.exceptions import DomainError
from deskside.recurring import rules, services
from deskside.recurring.models import MissedPolicy, Occurrence, OccurrenceStatus, Schedule

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
"""How long a claimed schedule is left to its worker before another may take it over."""
GRACE = timedelta(hours=1)
"""With the skip policy, an occurrence later than this is skipped instead of opened."""
MAX_RECORDED = 10_000
"""At most this many missed occurrences are recorded per schedule and pass (the latest)."""


@dataclass
class PassResult:
    claimed: int = 0
    opened: int = 0
    skipped: int = 0
    lost: int = 0  # claims or occurrences another worker had
    failed: int = 0  # tickets refused: the schedule was paused


def window_start(schedule: Schedule) -> datetime:
    """After what instant the schedule's occurrences are still to deal with."""
    last = schedule.last_occurrence_at
    return max(last, schedule.updated_at) if last else schedule.updated_at


def split(
    schedule: Schedule, found: list[rules.Occurrence], now: datetime
) -> tuple[list[datetime], list[datetime]]:
    """(to open, to skip) among the occurrences `found`, by the schedule's policy."""
    instants = [o.utc for o in found]
    if not instants:
        return [], []
    if schedule.missed_policy == MissedPolicy.SKIP:
        return [t for t in instants if now - t <= GRACE], [t for t in instants if now - t > GRACE]
    return instants[-1:], instants[:-1]


def _record_skipped(schedule: Schedule, instants: list[datetime], now: datetime) -> int:
    if not instants:
        return 0
    Occurrence.objects.bulk_create(
        [
            Occurrence(
                schedule=schedule, occurs_at=t, status=OccurrenceStatus.SKIPPED, created_at=now
            )
            for t in instants
        ],
        ignore_conflicts=True,  # recorded already by a worker that died after it
    )
    return len(instants)


def open_one(
    schedule: Schedule,
    occurs_at: datetime,
    now: datetime,
    *,
    then: Callable[[], object] | None = None,
) -> bool:
    """Open one occurrence's ticket with its Occurrence row (and run `then`, the schedule's
    next deadline, when given) in one transaction. False when the occurrence is dealt with
    already (another worker's row): nothing is written, `then` not run."""
    try:
        with transaction.atomic():
            row = Occurrence.objects.create(
                schedule=schedule,
                occurs_at=occurs_at,
                status=OccurrenceStatus.OPENED,
                created_at=now,
            )
            row.ticket = services.open_ticket(schedule, occurs_at)
            row.save(update_fields=["ticket"])
            if then is not None:
                then()
    except IntegrityError:
        return False
    return True


def _fail(schedule: Schedule, occurs_at: datetime, error: DomainError, now: datetime) -> None:
    log.warning("recurring schedule %s paused: %s", schedule.public_id, error.message)
    with transaction.atomic():
        _record_skipped(schedule, [occurs_at], now)
        services.pause_for_failure(schedule, error.message)


def process(schedule: Schedule, lease: datetime, now: datetime, result: PassResult) -> None:
    """Deal with a claimed schedule's occurrences up to `now`, then set its next deadline
    (in the transaction of its last ticket when it opens one)."""
    tz = rules.parse_zone(schedule.timezone)
    found, following = rules.window(
        services.parsed(schedule), tz, window_start(schedule), now, limit=MAX_RECORDED
    )
    to_open, to_skip = split(schedule, found, now)
    last = found[-1].utc if found else schedule.last_occurrence_at
    done = []

    def finish() -> None:
        mine = Schedule.objects.filter(pk=schedule.pk, next_run_at=lease)
        if not mine.update(next_run_at=following, last_occurrence_at=last) and last:
            Schedule.objects.filter(pk=schedule.pk).update(last_occurrence_at=last)
        done.append(True)

    result.skipped += _record_skipped(schedule, to_skip, now)
    for i, occurs_at in enumerate(to_open):
        try:
            opened = open_one(
                schedule, occurs_at, now, then=finish if i == len(to_open) - 1 else None
            )
        except DomainError as exc:
            _fail(schedule, occurs_at, exc, now)
            result.failed += 1
            following = None  # paused: no next deadline
            break
        if opened:
            result.opened += 1
        else:
            result.lost += 1
    if not done:
        finish()


def recurring_pass(now: datetime | None = None, limit: int = 500) -> PassResult:
    """One pass over the due schedules (see the module docstring)."""
    now = now or clock.now()
    result = PassResult()
    due = list(
        Schedule.objects.filter(is_active=True, next_run_at__lte=now)
        .order_by("next_run_at")  # the index's order: no sort, LIMIT stops the scan
        .values_list("pk", "next_run_at")[:limit]
    )
    if not due:
        return result
    lease = now + LEASE
    with transaction.atomic():
        claimed = bulk.claim_many(
            Schedule,
            [(pk, deadline, True, lease) for pk, deadline in due],
            expect=["next_run_at", "is_active"],
            assign=["next_run_at"],
        )
    result.claimed, result.lost = len(claimed), len(due) - len(claimed)
    schedules = Schedule.objects.select_related(
        "organization", "created_by", "requester", "site", "team", "assignee", "checklist"
    ).filter(pk__in=claimed)
    order = {pk: i for i, (pk, _deadline) in enumerate(due)}
    for schedule in sorted(schedules, key=lambda s: order[s.pk]):
        try:
            process(schedule, lease, now, result)
        except Exception:
            # A bug or the database: logged; the lease falls due again after LEASE.
            log.exception("recurring schedule %s failed", schedule.public_id)
            result.failed += 1
    return result
