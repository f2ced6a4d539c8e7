"""Triage's share of `deskside worker`: two lanes.

- `triage_pass` (every 2 s): the new tickets queued by the `triage.auto` hook handler. Each
  job is claimed with a conditional UPDATE of `done_at` in the transaction that applies its
  suggestions, so a job is applied once, by one worker, or (rolled back) not at all and
  retried. A field is applied when its auto-apply is on, the model's confidence is at least
  its threshold, the value differs, nobody changed that field since the ticket was created,
  and, for the priority, the ticket was not opened as P1 or P2 (a person's judgement of
  urgency is never lowered by a model). The timeline's CHANGED / ASSIGNED event names the
  model's version and confidence, with no actor (shown as Deskside).
- `training_pass` (every 30 s, cheap when not due): trains nightly at TRAIN_HOUR UTC, and at
  once when an administrator asked (`services.request_training`). The run is claimed with a
  conditional UPDATE of the schedule's `next_run_at`, so one worker trains. It also deletes
  the jobs done more than JOBS_KEPT ago.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from deskside.core import clock
from deskside.tickets.models import Priority, Ticket
from deskside.triage import queries, services, suggestions, training
from deskside.triage.models import Job, ModelState, Schedule, TriageModel

log = logging.getLogger(__name__)
BATCH = 50
URGENT = (Priority.P1, Priority.P2)
JOBS_KEPT = timedelta(days=7)  # done jobs (and their outcome) kept for looking into


def triage_pass(now: datetime | None = None) -> int:
    """Apply the queued jobs; returns how many tickets were changed."""
    now = now or clock.now()
    ids = list(
        Job.objects.filter(done_at__isnull=True)
        .order_by("created_at")[:BATCH]
        .values_list("pk", flat=True)
    )
    changed = 0
    for pk in ids:
        try:
            changed += _job(pk, now)
        except Exception:
            log.exception("auto-triage of job %s failed", pk)
    if changed:
        log.info("auto-triage: %d tickets changed", changed)
    return changed


def _job(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        if not Job.objects.filter(pk=pk, done_at__isnull=True).update(done_at=now):
            return False  # another worker has it
        job = Job.objects.select_related("ticket__organization", "ticket__team").get(pk=pk)
        outcome = apply(job.ticket)
        Job.objects.filter(pk=pk).update(outcome=outcome)
        return bool(outcome.get("applied"))


def apply(ticket: Ticket) -> dict:
    """Apply what the settings allow to `ticket` (inside the caller's transaction); returns
    the outcome: the fields applied with their confidence, or why nothing was."""
    if not ticket.is_open:
        return {"skipped": "not open"}
    found = suggestions.for_ticket(ticket)
    if found is None:
        return {"skipped": "no model"}
    settings_ = queries.field_settings()
    touched = services.changed_since_creation(ticket)
    values: dict = {}
    confidence: dict[str, float] = {}
    for item in found.items:
        setting = settings_[item.field]
        if not setting.auto_apply or item.confidence < setting.threshold:
            continue
        if item.field in touched or not suggestions.differs(ticket, item):
            continue
        if item.field == "priority" and ticket.priority in URGENT:
            continue
        values[item.field] = (
            item.team
            if item.field == "team"
            else services.parse_value(ticket, item.field, item.value)
        )
        confidence[item.field] = round(item.confidence, 4)
    if not values:
        return {"applied": {}, "version": found.version}
    model = {"version": found.version, "confidence": confidence}
    services.set_fields(actor=None, ticket=ticket, values=dict(values), model=model)
    return {"applied": confidence, "version": found.version}


# -- nightly training ----------------------------------------------------------------------------


def next_night(now: datetime) -> datetime:
    """The next TRAIN_HOUR:00 UTC after `now`."""
    hour = int(getattr(settings, "DESKSIDE_TRIAGE_TRAIN_HOUR", 2))
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def training_pass(now: datetime | None = None) -> TriageModel | None:
    """Train when due (claimed by one worker); returns the stored run, None when not due."""
    now = now or clock.now()
    row = services.schedule(now)
    if row.next_run_at > now:
        return None
    claimed = Schedule.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
        next_run_at=next_night(now), requested_by=None, requested_at=None
    )
    if not claimed:
        return None
    Job.objects.filter(done_at__lt=now - JOBS_KEPT).delete()  # their outcome is on the timeline
    actor = row.requested_by
    try:
        run = training.train(actor=actor, progress=log.info)
    except Exception as exc:
        log.exception("triage training failed")
        return training.store_failure(actor, str(exc))
    if run.state == ModelState.READY:
        log.info("triage model v%d trained on %d tickets", run.version, run.history)
    return run
