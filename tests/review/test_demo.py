"""The demo's review marks: yesterday in the reviewer's zone, one with a note on the ticket's
timeline, never moving a ticket's last update backwards; a second call changes nothing."""

from datetime import timedelta

import pytest

from deskside.core import clock
from deskside.review.demo import seed_demo
from deskside.review.models import ReviewMark
from deskside.tickets.models import EventKind
from tests.review.conftest import T0

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("now", [T0, T0.replace(hour=3), T0.replace(day=12, hour=20)])
def test_marks_from_yesterday(opened, alice, leo, now):
    old = [opened(24 * 5) for _ in range(3)]
    opened(1)  # updated after yesterday's 10:00: never marked
    alice.timezone = leo.timezone = "America/New_York"
    with clock.frozen(now):
        made = seed_demo(l1=[alice, leo])
        assert seed_demo(l1=[alice, leo]) == list(ReviewMark.objects.all())
    assert [m.ticket for m in made] == old
    assert {m.reviewer for m in made} == {alice, leo}
    expected = (now - timedelta(hours=5)).date() - timedelta(days=1)  # New York's yesterday
    assert {m.day for m in made} == {expected}
    assert old[0].events.filter(kind=EventKind.NOTE).count() == 1
    assert ReviewMark.objects.count() == 3
