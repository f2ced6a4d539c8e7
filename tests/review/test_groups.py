"""The review's groups against hand-built timelines at a frozen instant: which tickets each
lists, whose day "today" is (the viewer's), the setting with its audit entry, the filters and
tenancy (an agent limited to one client never sees another's tickets)."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.core.models import AuditEntry
from deskside.review import queries, services
from deskside.review.exceptions import InvalidInput, NotAllowed
from deskside.review.models import ReviewMark
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority, Status, Ticket
from tests.review.conftest import T0

pytestmark = pytest.mark.django_db


def numbers(viewer, name, **scope):
    with clock.frozen(T0):
        return [t.number for t in queries.group(queries.scope_for(viewer, **scope), name)]


def test_open_beyond_n_days_and_its_setting(opened, alice, admin):
    old, young = opened(8 * 24), opened(6 * 24)
    assert numbers(alice, "open_long") == [old.number]
    with pytest.raises(NotAllowed):
        services.set_open_days(actor=alice, days=5)
    for bad in (0, 366, "7", True):
        with pytest.raises(InvalidInput):
            services.set_open_days(actor=admin, days=bad)
    services.set_open_days(actor=admin, days=5)
    assert numbers(alice, "open_long") == [old.number, young.number]
    entry = AuditEntry.objects.get(object_type="review_settings")
    assert (entry.before, entry.after) == ({"open_days": 7}, {"open_days": 5})
    with clock.frozen(T0):
        tickets.resolve_ticket(actor=alice, ticket=old, resolution="Replaced the toner.")
    assert numbers(alice, "open_long") == [young.number]


def test_no_update_in_24_hours_is_the_last_change_by_anyone(opened, alice, carol):
    stale, noted, replied = opened(30), opened(30), opened(30)
    with clock.frozen(T0 - timedelta(hours=2)):
        tickets.add_note(actor=alice, ticket=noted, body="Waiting for the part.")
        tickets.add_reply(actor=carol, ticket=replied, body="Still broken.")
    opened(23)  # young: cannot be a day without update
    assert numbers(alice, "no_update") == [stale.number]


def test_pending_a_vendor_counts_from_the_status_change(opened, alice):
    long_ago, lately, back_and_forth = opened(200), opened(200), opened(200)
    with clock.frozen(T0 - timedelta(days=4)):
        tickets.set_status(actor=alice, ticket=long_ago, status=Status.PENDING_VENDOR)
        tickets.set_status(actor=alice, ticket=back_and_forth, status=Status.PENDING_VENDOR)
    with clock.frozen(T0 - timedelta(days=2)):
        tickets.set_status(actor=alice, ticket=lately, status=Status.PENDING_VENDOR)
        tickets.set_status(actor=alice, ticket=back_and_forth, status=Status.OPEN)
        tickets.set_status(actor=alice, ticket=back_and_forth, status=Status.PENDING_VENDOR)
    assert numbers(alice, "vendor") == [long_ago.number]


def test_sla_due_today_is_the_viewers_day(opened, alice):
    """T0 is 12:00 in New York, 17:00 UTC: a clock due at 04:00 UTC tomorrow is due today for
    an agent in New York (their day ends at 05:00 UTC) and tomorrow for one in UTC."""
    tonight = opened(1)  # due 2026-12-10 04:00 UTC
    breached, paused, tomorrow = opened(1), opened(1), opened(1)
    due = {
        tonight.pk: datetime(2026, 12, 10, 4, tzinfo=UTC),
        breached.pk: T0 - timedelta(hours=3),
        paused.pk: T0 + timedelta(hours=1),
        tomorrow.pk: datetime(2026, 12, 10, 6, tzinfo=UTC),
    }
    for pk, when in due.items():  # stands in for the SLA engine: the due times are the point
        Ticket.objects.filter(pk=pk).update(sla_due=when)
    Ticket.objects.filter(pk=paused.pk).update(sla_paused_at=T0 - timedelta(hours=1))
    assert numbers(alice, "sla_today") == [breached.number]
    alice.timezone = "America/New_York"
    assert numbers(alice, "sla_today") == [breached.number, tonight.number]
    alice.timezone = "Asia/Tokyo"  # 02:00 on 10 December there: the day ends 15:00 UTC
    assert numbers(alice, "sla_today") == [breached.number, tonight.number, tomorrow.number]


def _reopen(ticket, alice, carol, days_ago):
    with clock.frozen(T0 - timedelta(days=days_ago, hours=1)):
        tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed.")
    with clock.frozen(T0 - timedelta(days=days_ago)):
        tickets.reopen_ticket(actor=carol, ticket=ticket, reason="Broken again.")


def test_reopened_since_the_last_review_day(opened, alice, carol):
    today, three_days = opened(200), opened(200)
    _reopen(today, alice, carol, 0)
    _reopen(three_days, alice, carol, 3)
    # No review yet: since yesterday's start.
    assert numbers(alice, "reopened") == [today.number]
    # The last review was four days ago: everything reopened since then is listed.
    ReviewMark.objects.create(ticket=today, reviewer=alice, day=(T0 - timedelta(days=4)).date())
    assert numbers(alice, "reopened") == [today.number, three_days.number]
    with clock.frozen(T0):
        tickets.resolve_ticket(actor=alice, ticket=three_days, resolution="Fixed for good.")
    assert numbers(alice, "reopened") == [today.number]


def test_p1_p2_without_an_assignee(opened, alice, leo):
    p1, p2, p3 = (opened(1, priority=p) for p in (Priority.P1, Priority.P2, Priority.P3))
    taken = opened(1, priority=Priority.P1)
    with clock.frozen(T0):
        tickets.assign_ticket(actor=alice, ticket=taken, assignee=alice)
    assert numbers(alice, "unassigned") == [p1.number, p2.number]
    assert p3.number not in numbers(alice, "unassigned")


def test_filters_and_tenancy(opened, alice, dave, helpdesk, admin_serving, globex):
    acme_old = opened(200)
    globex_old = opened(200, requester=dave, subject="VPN drops")
    with clock.frozen(T0):
        tickets.assign_ticket(actor=alice, ticket=acme_old, assignee=None, team=helpdesk)
    assert numbers(alice, "open_long") == [acme_old.number, globex_old.number]
    assert numbers(alice, "open_long", team=helpdesk) == [acme_old.number]
    assert numbers(alice, "open_long", client=globex) == [globex_old.number]
    limited = admin_serving(globex, email="g@msp.example")
    assert numbers(limited, "open_long") == [globex_old.number]
    assert queries.client_by_slug(limited, "acme") is None


def test_counts_stop_at_the_cap(opened, alice, monkeypatch):
    for _ in range(4):
        opened(200)
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    with clock.frozen(T0):
        qs = queries.group(queries.scope_for(alice), "open_long")
        assert queries.capped_count(qs) == 3  # shown as "2+"
