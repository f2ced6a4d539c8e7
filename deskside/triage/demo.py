"""The demo's triage model (`seed_demo`, called by deskside/demo.py once the demo's ticket
history exists): one training run on the demo's resolved tickets, through the same
`training.train` the worker and `deskside triage train` use, so /triage/ shows real figures
and new tickets of the demo show suggestions. Auto-apply stays off (its default).

Idempotent: a desk that already has a run keeps it. With fewer resolved tickets than
`models.MIN_HISTORY` the run records "not enough history (N resolved; needs M)", which the
page shows, rather than a model of nonsense. Works at any clock time: it reads the history,
whatever its dates.
"""

from deskside.triage import training
from deskside.triage.models import TriageModel


def seed_demo() -> TriageModel:
    """Train once on the demo's history; returns the run (the existing newest one, if any)."""
    existing = TriageModel.objects.order_by("-version").first()
    if existing is not None:
        return existing
    return training.train()
