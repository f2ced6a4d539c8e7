"""The field demo's base (deskside.field.demo) on the loaded demo: three technicians with
bases, clearances (one shadowing at a new client with one shadow visit done), a week of visits
on L2 tickets with forward timelines, one technician on leave whose visits the backfill lists
with a cleared replacement, and unscheduled visits for the board's queue."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside import demo, demo_field
from deskside.accounts.models import Tier, User
from deskside.core import clock
from deskside.field import backfill
from deskside.field.demo import demo_week, seed_demo
from deskside.field.models import Clearance, Technician, Visit, VisitStatus
from deskside.field.services.clearance import shadow_visits_done
from deskside.rosters.models import Leave
from deskside.tickets.models import EventKind

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 12, 9, 17, 0, tzinfo=UTC),  # a Wednesday noon in New York
        datetime(2026, 12, 12, 20, 0, tzinfo=UTC),  # a Saturday: next week's demo
    ],
)
def test_the_field_demo_seeds_a_week_of_field_work(db, instant):
    with clock.frozen(instant):
        demo.load(tickets=20)
        demo_field.load(password=demo.PASSWORD)
        now = clock.now()
        monday = demo_week(now)
        assert monday.weekday() == 0 and monday + timedelta(days=3) > now.date()

        leo, maria, kofi = (
            User.objects.get(email=f"{n}@deskside.example") for n in ("leo", "maria", "kofi")
        )
        for person in (leo, maria, kofi):
            assert person.tier == Tier.L2 and person.teams.filter(slug="desktop-support-l2")
            tech = Technician.objects.get(user=person)
            assert tech.base_latitude is not None and tech.base_longitude is not None

        cleared = set(
            Clearance.objects.filter(status="cleared").values_list(
                "technician__email", "organization__slug"
            )
        )
        assert cleared == {
            ("leo@deskside.example", "acme"),
            ("kofi@deskside.example", "acme"),
            ("maria@deskside.example", "globex"),
        }
        shadowing = Clearance.objects.get(status="shadowing")
        assert (shadowing.technician, shadowing.organization.slug) == (kofi, "globex")
        assert shadowing.regular_technician == maria
        assert shadow_visits_done(kofi.pk, shadowing.organization_id) == 1

        week = Visit.objects.filter(
            technician__isnull=False,
            second_technician__isnull=True,
            scheduled_start__date__gte=monday - timedelta(days=1),
            scheduled_start__date__lt=monday + timedelta(days=7),  # not the week after's
        )
        for person in (leo, maria, kofi):
            mine = week.filter(technician=person)
            assert mine.count() == 15  # three a day, Monday to Friday
            assert {v.scheduled_start.astimezone(UTC).weekday() for v in mine} == set(range(5))
        # The field demo dispatches L2 tickets only (the floor-move project's work orders,
        # scheduled the week after by the operations demo, are the work orders' own).
        assert not Visit.objects.filter(
            ticket__tier__in=["L1", "L3"], ticket__work_order__isnull=True
        ).exists()
        # The week's visits that are over are done; the rest still scheduled (or on site).
        for visit in week:
            if visit.scheduled_end <= now:
                assert visit.status == VisitStatus.DONE
                # Through the visits part's own steps: the customer reads the work summary.
                events = visit.ticket.events.filter(kind=EventKind.VISIT)
                actions = [e.data["action"] for e in events.order_by("created_at", "pk")]
                assert actions[-3:] == ["en_route", "on_site", "checked_out"]
                out = events.get(data__action="checked_out")
                assert out.is_public and visit.work_summary in out.body
            elif visit.scheduled_start > now:
                assert visit.status == VisitStatus.SCHEDULED
        # Unscheduled visits wait in the board's queue.
        assert Visit.objects.filter(status=VisitStatus.UNSCHEDULED).count() >= 3

        # Leo's leave covers Thursday and Friday; his visits then are still scheduled, and the
        # backfill lists them with Kofi (cleared at Acme, near Dallas) first.
        leave = Leave.objects.get(user=leo)
        assert leave.starts_at > now
        away = Visit.objects.filter(
            technician=leo, scheduled_start__gte=leave.starts_at, scheduled_start__lt=leave.ends_at
        )
        assert away.count() == 6 and {v.status for v in away} == {VisitStatus.SCHEDULED}
        admin = User.objects.get(email="admin@deskside.example")
        report = backfill.backfill(admin)
        absence = next(a for a in report.absences if a.technician == leo)
        assert {item.visit.pk for item in absence.visits} == set(away.values_list("pk", flat=True))
        assert all(item.suggestions[0].technician == kofi for item in absence.visits)

        # Timelines run forward: every field event after the ticket's earlier events.
        for visit in Visit.objects.select_related("ticket"):
            times = list(visit.ticket.events.values_list("created_at", flat=True))
            assert times == sorted(times) and times[-1] <= now
            assert visit.ticket.events.filter(kind=EventKind.VISIT).exists()

        # Loading again changes nothing.
        count = Visit.objects.count()
        assert seed_demo() is not None and Visit.objects.count() == count
