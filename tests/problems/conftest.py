"""Tickets for the problem tests, created through the ticket services at fixed instants: a
planted recurring failure at Acme (Outlook asks for the password), the same words at Globex,
and unrelated tickets."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.problems import detection, services
from deskside.problems.models import Cluster

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday
NOW = T0 + timedelta(days=3)

OUTLOOK = [
    ("Outlook keeps asking for my password", "Outlook prompts for the password again and again."),
    ("Outlook asking for password again", "Outlook keeps asking for the password every hour."),
    ("Outlook keeps asking for password repeatedly", "Outlook asks for the password again."),
    ("Outlook password prompt keeps coming back", "Outlook keeps asking for my password."),
]
OTHER = [
    ("Label printer is out of toner", "The label printer in the warehouse shows toner empty."),
    ("New starter needs a laptop", "Anna starts on Monday and needs a laptop with Office."),
    ("Projector in boardroom flickers", "The boardroom projector flickers during meetings."),
]


@pytest.fixture
def at():
    """`at(t)`: freeze the clock at `t` for the rest of the test."""
    with clock.frozen(NOW):

        def move(t):
            clock.set_now(t)

        yield move


@pytest.fixture
def planted(at, make_ticket, carol, dave):
    """Four Outlook tickets at Acme, two at Globex, three unrelated at Acme, over two days;
    the clock is left at NOW."""
    made = {"acme": [], "globex": [], "other": []}
    for i, (subject, description) in enumerate(OUTLOOK):
        at(T0 + timedelta(hours=6 * i))
        made["acme"].append(make_ticket(carol, subject=subject, description=description))
    for subject, description in OUTLOOK[:2]:
        made["globex"].append(make_ticket(dave, subject=subject, description=description))
    for subject, description in OTHER:
        made["other"].append(make_ticket(carol, subject=subject, description=description))
    at(NOW)
    return made


@pytest.fixture
def cluster(planted):
    """The Acme Outlook cluster of a detection pass."""
    detection.detect()
    return Cluster.objects.get()


@pytest.fixture
def problem(alice, cluster):
    """PRB from the Acme cluster, made a known error."""
    found = services.problem_from_cluster(actor=alice, cluster=cluster)
    return services.update_problem(
        actor=alice,
        problem=found,
        status="known_error",
        root_cause="Modern authentication token cache corrupt after the update.",
        workaround="Sign out of Office, delete the Outlook credentials, sign in again.",
    )
