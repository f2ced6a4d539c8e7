"""Demo data of the visits part: one visit of the base field demo (`deskside.field.demo`, run
before this) carried through to the end: set out, checked in, its checklist ticked, a part
used, the customer's signature on the technician's phone (a small real PNG drawn here), and
checked out as done with a work summary (public on the ticket's timeline).

Everything goes through the services, at the demo's "now": the events are written after the
ones the ticket already has (a demo timeline runs forward). Run twice, it adds nothing.
"""

import math
import struct
import zlib
from datetime import timedelta

from deskside.accounts.models import Site, User
from deskside.accounts.queries import agents_serving
from deskside.core import clock
from deskside.field.models import Clearance, ClearanceStatus, Visit, VisitStatus
from deskside.field.services import scheduling, visits
from deskside.tickets.models import Ticket

SUMMARY = (
    "Replaced the fuser unit of the floor 2 printer, cleaned the paper path and printed a "
    "test page from two desks. The printer is back on the network."
)


def signature_png(width: int = 180, height: int = 60) -> bytes:
    """A small real PNG (8-bit grey) with a scribbled signature: a damped wave."""
    ink = set()
    for x in range(8, width - 8):
        y = height / 2 + (height / 3) * math.sin(x / 9) * math.exp(-x / (width * 1.2))
        for dy in (-1, 0, 1):
            ink.add((x, int(y) + dy))
    rows = b"".join(
        b"\x00" + bytes(0 if (x, y) in ink else 255 for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _candidate() -> Visit | None:
    """A visit of the base demo under way now (on site, unsigned), else one whose scheduled
    start has come. None when the demo's visits all lie ahead (on a weekend the base demo lays
    out next week): a visit is never finished before its time."""
    now = clock.now()
    mine = Visit.objects.filter(technician__isnull=False, signed_at__isnull=True).select_related(
        "ticket__requester", "technician"
    )
    return (
        mine.filter(status=VisitStatus.ON_SITE).order_by("checked_in_at", "id").first()
        or mine.filter(status=VisitStatus.SCHEDULED, scheduled_start__lte=now)
        .order_by("scheduled_start", "id")
        .first()
    )


def seed_demo() -> Visit | None:
    """Carry one demo visit to "done" with a summary, a part and a phone signature (see the
    module docstring). None when the base demo seeded no visit that can be done."""
    done = Visit.objects.filter(work_summary=SUMMARY).first()
    if done is not None:
        return done
    visit = _candidate()
    if visit is None:
        return None
    tech = visit.technician
    if visit.status == VisitStatus.SCHEDULED:
        visits.set_out(tech, visit)
        visits.check_in(tech, visit)
    items = list(visit.checklist.filter(done_at__isnull=True))
    if not items:
        items = [
            visits.add_checklist_item(tech, visit, "Replace the fuser unit"),
            visits.add_checklist_item(tech, visit, "Print a test page from two desks"),
        ]
    for item in items:
        visits.tick(tech, item)
    visits.add_part(tech, visit, "Fuser unit 220V", part_number="RM2-5425", serial="FU7731902")
    requester = visit.ticket.requester
    visits.sign_on_phone(tech, visit, requester.get_full_name() or "Customer", signature_png())
    visits.check_out(tech, visit, VisitStatus.DONE, summary=SUMMARY)
    visit.refresh_from_db()
    return visit


def e2e_visit(*, signable: bool) -> Visit:
    """A visit of an Acme ticket for the browser tests, through the services: unscheduled, or
    (`signable`) with a cleared technician checked in and not signed. Made when the demo has
    none (the base field demo may not have run)."""
    found = Visit.objects.filter(
        organization__slug="acme",
        status=VisitStatus.ON_SITE if signable else VisitStatus.UNSCHEDULED,
        signed_at__isnull=True,
    ).first()
    if found is not None:
        return found
    ticket = (
        Ticket.objects.filter(organization__slug="acme", requester__kind=User.Kind.CUSTOMER)
        .order_by("-id")
        .first()
    )
    site = ticket.site or Site.objects.filter(organization=ticket.organization).first()
    agent = agents_serving(ticket.organization).order_by("id").first()
    now = clock.now()
    visit = scheduling.create_visit(
        agent, ticket, site=site, window_start=now, window_end=now + timedelta(hours=4)
    )
    if not signable:
        return visit
    Clearance.objects.update_or_create(
        technician=agent,
        organization=ticket.organization,
        defaults={"status": ClearanceStatus.CLEARED},
    )
    scheduling.schedule(agent, visit, agent, now)
    return visits.check_in(agent, visit)
