"""Training a model on the desk's resolved tickets and storing it (`train`). The worker, the
command line and the demo import this module (and scikit-learn through `fitting`); the model
in use is read by `suggestions.current`.

The history is the resolved (and closed) tickets, at most MAX_HISTORY of the most recent,
oldest first; their final team, tier, type and priority are the answers learnt (where a
ticket ended is where it should have gone). The most recent HOLD_OUT of them are held back:
a model fitted on the rest answers them, and its accuracy per field is stored beside the
baseline ("always the most common answer"). The model then served is fitted on all of it.

MIN_HISTORY (models.py): below 150 resolved tickets a run stores "not enough history
(N resolved; needs 150)" and no model: the held-back slice would be under 30 tickets, too few
for an accuracy figure worth showing (one ticket is over 3 points), and four fields' worth of
classes need several examples each to learn anything but the most common answer.
"""

import hashlib
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max

from deskside.accounts.models import User
from deskside.core import clock
from deskside.tickets.models import Ticket
from deskside.triage import fitting, learn, queries
from deskside.triage.models import KEEP, MIN_HISTORY, ModelState, TriageModel

log = logging.getLogger(__name__)
MAX_HISTORY = 200_000

Progress = Callable[[str], None]


def history(limit: int = MAX_HISTORY) -> list[learn.Example]:
    """The resolved tickets as examples, oldest first (the most recent `limit`)."""
    rows = (
        Ticket.objects.filter(resolved_at__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list(
            "subject", "description", "organization_id", "team_id", "tier", "type", "priority"
        )[:limit]
    )
    examples = [
        learn.Example(
            text=learn.document(subject, description, org),
            client=str(org),
            labels={
                "team": str(team) if team is not None else None,
                "tier": tier or None,
                "type": kind or None,
                "priority": str(priority),
            },
        )
        for subject, description, org, team, tier, kind, priority in rows.iterator(2000)
    ]
    examples.reverse()
    return examples


def _next_version() -> int:
    return (TriageModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1


def train(*, actor: User | None = None, progress: Progress | None = None) -> TriageModel:
    """Train on the history and store the run (ready with its model, or not_enough with the
    reason). Older runs beyond KEEP are deleted, never the newest ready one. The fitting runs
    outside any transaction (it may take a minute on a large desk); the row is written in
    one."""
    say = progress or (lambda _: None)
    started = time.perf_counter()
    say("reading the resolved tickets")
    examples = history()
    if len(examples) < MIN_HISTORY:
        message = f"not enough history ({len(examples)} resolved; needs {MIN_HISTORY})"
        say(message)
        return _store(actor, ModelState.NOT_ENOUGH, len(examples), started, message=message)
    train_slice, test_slice = learn.split(examples)
    say(f"measuring on the most recent {len(test_slice)} of {len(examples)} tickets")
    metrics = fitting.evaluate(train_slice, test_slice, queries.serving_map(), say)
    say("fitting the model on the whole history")
    bundle = fitting.fit(examples, say)
    blob = bundle.dumps()
    run = _store(actor, ModelState.READY, len(examples), started, metrics=metrics, blob=blob)
    say(f"stored model v{run.version}: {run.size:,} bytes in {run.seconds:.1f} s")
    return run


@transaction.atomic
def _store(
    actor: User | None,
    state: str,
    count: int,
    started: float,
    *,
    message: str = "",
    metrics: dict | None = None,
    blob: bytes | None = None,
) -> TriageModel:
    run = TriageModel.objects.create(
        version=_next_version(),
        state=state,
        trained_at=clock.now(),
        trained_by=actor,
        history=count,
        seconds=round(time.perf_counter() - started, 3),
        metrics=metrics or {},
        message=message,
        blob=blob,
        size=len(blob or b""),
        sha256=hashlib.sha256(blob).hexdigest() if blob else "",
    )
    newest_ready = queries.current_version()
    old = TriageModel.objects.order_by("-version").values_list("pk", flat=True)[KEEP:]
    TriageModel.objects.filter(pk__in=list(old)).exclude(version=newest_ready).delete()
    return run


def store_failure(actor: User | None, message: str) -> TriageModel:
    """Record a run that raised (the model in use stays the last good one)."""
    return _store(actor, ModelState.FAILED, 0, time.perf_counter(), message=message[:2000])
