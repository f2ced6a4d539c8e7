"""What a handover compiles: each section from the tickets and their timeline in the period,
one query per section (no query per ticket), and frozen at sign-off."""

from datetime import timedelta

import pytest

from deskside.core import clock
from deskside.handovers import services
from deskside.handovers.compile import compile_sections, visible_sections
from deskside.handovers.queries import contents_of, sections_for
from deskside.tickets import services as tickets
from tests.handovers import scenario
from tests.handovers.conftest import START, T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(make_ticket, carol, dave, alice, admin, helpdesk, desktop_team, at):
    return scenario.build(
        make_ticket=make_ticket,
        carol=carol,
        dave=dave,
        alice=alice,
        admin=admin,
        helpdesk=helpdesk,
        desktop_team=desktop_team,
    )


def numbers(contents, name):
    return sorted(row["number"] for row in contents["sections"][name] if row.get("number"))


def test_each_section_holds_the_right_tickets(shift, helpdesk):
    found = compile_sections(helpdesk, START, T0, clock.now())
    assert numbers(found, "opened") == sorted([shift.opened.number, shift.globex.number])
    assert numbers(found, "changed") == sorted([shift.old.number, shift.vendor.number])
    assert numbers(found, "escalated") == [shift.escalated.number]
    assert numbers(found, "resolved") == [shift.resolved.number]
    assert numbers(found, "p1_p2") == [shift.p1.number]
    assert numbers(found, "sla_breached") == [shift.old.number]
    assert numbers(found, "sla_at_risk") == [shift.opened.number]
    assert numbers(found, "pages") == [shift.p1.number]
    (alert,) = found["sections"]["alerts"]
    assert (alert["alert"], alert["summary"], alert["number"]) == (
        shift.alert.public_id,
        "payroll01 unreachable",
        shift.p1.number,
    )
    (vendor,) = found["sections"]["vendor"]
    assert vendor["number"] == shift.vendor.number
    assert vendor["last_contact_kind"] == "call"
    assert vendor["last_contact"] == (START + timedelta(minutes=300)).isoformat()


def test_an_acknowledged_page_and_a_resolved_alert_leave_their_sections(shift, helpdesk):
    shift.alert.status = "resolved"
    shift.alert.save()
    shift.p1.escalations.update(status="acknowledged", acknowledged_at=clock.now())
    found = compile_sections(helpdesk, START, T0, clock.now())
    assert found["sections"]["pages"] == []
    assert found["sections"]["alerts"] == []


def test_compiling_costs_one_query_per_section(shift, helpdesk, django_assert_num_queries):
    with django_assert_num_queries(6):
        compile_sections(helpdesk, START, T0, clock.now())


def test_an_open_handover_is_compiled_live_and_frozen_at_sign_off(
    shift, handover, alice, carol, make_ticket, helpdesk
):
    assert handover.contents is None
    services.sign_off(actor=alice, handover=handover)
    handover.refresh_from_db()
    frozen = handover.contents
    assert numbers(frozen, "opened") == sorted([shift.opened.number, shift.globex.number])
    # Later work changes nothing in the signed-off record.
    clock.set_now(T0 + timedelta(minutes=5))
    tickets.resolve_ticket(actor=alice, ticket=shift.opened, resolution="Done")
    later = make_ticket(carol, subject="Another P1", team=helpdesk, priority=1)
    assert contents_of(handover) == frozen
    assert later.number not in numbers(contents_of(handover), "p1_p2")


def test_a_viewer_serving_only_globex_sees_only_globex_rows(shift, helpdesk, gus, alice):
    found = compile_sections(helpdesk, START, T0, clock.now())
    seen = {name: [r["number"] for r in rows] for name, _l, rows in visible_sections(found, gus)}
    assert seen["opened"] == [shift.globex.number]
    assert all(rows == [] for name, rows in seen.items() if name != "opened")
    everything = {name: rows for name, _l, rows in visible_sections(found, alice)}
    assert len(everything["opened"]) == 2


def test_sections_for_reads_the_snapshot_once_signed_off(shift, handover, alice, gus):
    services.sign_off(actor=alice, handover=handover)
    handover.refresh_from_db()
    rows = {name: rows for name, _l, rows in sections_for(handover, gus)}
    assert [r["number"] for r in rows["opened"]] == [shift.globex.number]
