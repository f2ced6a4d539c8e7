"""The recurring demo (deskside.recurring.demo) on the loaded demo: Acme's patching on the
second Tuesday at 22:00 Chicago time (with the "Monthly patching" checklist, which the work
orders' demo made), Globex's monthly backup restore test, Acme's quarterly asset audit, and a
history in which occurrences opened their tickets; a second call changes nothing."""

from datetime import UTC, datetime

import pytest

from deskside import demo
from deskside.core import clock
from deskside.recurring import demo as recurring_demo
from deskside.recurring.models import Occurrence, OccurrenceStatus, Schedule
from deskside.workorders.models import WorkOrder

pytestmark = pytest.mark.slow


def test_the_recurring_demo(db):
    with clock.frozen(datetime(2026, 12, 9, 17, 0, tzinfo=UTC)):
        demo.load(tickets=20)  # the demo's IT operations (deskside.demo_ops) load these
        assert set(Schedule.objects.values_list("name", flat=True)) == {
            recurring_demo.PATCHING,
            recurring_demo.BACKUP,
            recurring_demo.AUDIT,
        }
        patching = Schedule.objects.get(name=recurring_demo.PATCHING)
        assert patching.organization.slug == "acme" and patching.checklist is not None
        assert patching.timezone == "America/Chicago"
        assert patching.next_run_at > clock.now()
        opened = Occurrence.objects.filter(status=OccurrenceStatus.OPENED)
        assert opened.filter(schedule=patching).exists()  # 10 Nov or 8 Dec 2026, 22:00
        assert opened.filter(schedule__name=recurring_demo.BACKUP).exists()
        for occurrence in opened.select_related("ticket"):
            assert occurrence.ticket.created_at == occurrence.created_at
            assert occurrence.ticket.created_at <= clock.now()
        patched = opened.filter(schedule=patching).first().ticket
        assert WorkOrder.objects.filter(ticket=patched).exists()
        first = patched.created_at.astimezone(patching.next_run_at.tzinfo)
        assert first.minute == 1  # the pass ran a minute after 22:00 local
        assert recurring_demo.seed_demo() == []
        assert Schedule.objects.count() == 3
