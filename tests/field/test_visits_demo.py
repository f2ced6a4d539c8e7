"""The visits demo: one visit of the base demo carried to "done" with a summary, a part and a
phone signature (a real PNG), its timeline running forward; run twice, nothing more."""

import struct
import zlib
from datetime import timedelta

from deskside.core import clock
from deskside.field import demo_visits
from deskside.field.models import VisitStatus
from deskside.field.services import scheduling
from tests.field.fixtures_visits import *  # noqa: F403
from tests.field.fixtures_visits import NOW, clear


def test_the_signature_is_a_real_png():
    png = demo_visits.signature_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    length = struct.unpack(">I", png[33:37])[0]
    rows = zlib.decompress(png[41 : 41 + length])
    assert (width, height) == (180, 60) and len(rows) == height * (width + 1)
    assert 0 in rows and 255 in rows  # ink on paper


def test_seed_demo_finishes_one_scheduled_visit(visit, alice, leo, acme):
    assert demo_visits.seed_demo() is None  # nothing scheduled, nobody cleared to take it
    clear(leo, acme)
    scheduling.schedule(alice, visit, leo, NOW + timedelta(hours=1))
    with clock.frozen(NOW):
        assert demo_visits.seed_demo() is None  # its time has not come: never done early
    with clock.frozen(NOW + timedelta(hours=1)):
        done = demo_visits.seed_demo()
    assert done.pk == visit.pk and done.status == VisitStatus.DONE
    assert done.work_summary == demo_visits.SUMMARY and done.parts.count() == 1
    assert done.signed_via == "phone" and done.signature is not None
    assert done.checklist.filter(done_at__isnull=True).count() == 0
    times = list(done.ticket.events.order_by("pk").values_list("created_at", flat=True))
    assert times == sorted(times)  # the timeline runs forward
    assert demo_visits.seed_demo().pk == done.pk  # run twice: nothing more
    assert done.ticket.events.count() == len(times)
