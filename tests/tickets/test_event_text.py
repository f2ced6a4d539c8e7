"""What the timeline shows people (issue 11: "Opened by walk_up", "(due
2026-12-06T07:26:31.135377+00:00)"): events store values (choice values, ISO times in UTC)
and the page shows their labels and the times in the viewer's zone."""

from datetime import UTC, datetime

from django.urls import reverse

from deskside.tickets import services
from deskside.tickets.models import Channel, EventKind, TicketType
from deskside.tickets.timeline import write_event

DUE = datetime(2026, 12, 6, 7, 26, 31, 135377, tzinfo=UTC)


def _timeline(client, agent, ticket) -> str:
    client.force_login(agent)
    response = client.get(reverse("tickets:detail", args=[ticket.number]))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<ol class="timeline"') : html.index("</ol>", html.index("timeline"))]


def test_the_timeline_shows_labels_and_local_times(client, alice, carol, make_ticket):
    alice.timezone = "Europe/Berlin"
    alice.save(update_fields=["timezone"])
    ticket = make_ticket(carol, channel=Channel.WALK_UP)
    services.update_ticket(actor=alice, ticket=ticket, type=TicketType.SERVICE_REQUEST)
    # As the SLA worker and the SLA recalculation write them.
    write_event(
        ticket,
        EventKind.SLA_WARNING,
        None,
        body=f"SLA first response due soon (due {DUE.isoformat()})",
        data={"kind": "first_response", "due": DUE.isoformat(), "target_minutes": 60},
    )
    write_event(
        ticket,
        EventKind.SLA,
        alice,
        body="Due times recomputed: the contract changed.",
        data={"changes": {"resolution_due": [DUE.isoformat(), None]}},
    )

    html = _timeline(client, alice, ticket)
    assert "Opened via Walk-up" in html
    assert "walk_up" not in html and "service_request" not in html
    assert "<del>Incident</del> → <ins>Service request</ins>" in html
    # 07:26 UTC is 08:26 in Berlin (CET), the agent's zone.
    assert "SLA first response due soon (due Sun 6 Dec 2026, 08:26 CET)" in html
    assert "Resolution due: <del>Sun 6 Dec 2026, 08:26 CET</del>" in html
    assert "2026-12-06T07:26" not in html and "+00:00" not in html


def test_event_text_stays_escaped(client, alice, carol, make_ticket):
    ticket = make_ticket(carol)
    services.add_note(
        actor=alice, ticket=ticket, body=f"<b>due</b> {DUE.isoformat().replace('+00:00', 'Z')}"
    )
    html = _timeline(client, alice, ticket)
    assert "&lt;b&gt;due&lt;/b&gt; Sun 6 Dec 2026, 07:26 UTC" in html


def test_a_time_at_the_edge_of_the_calendar_stays_as_written(client, alice, carol, make_ticket):
    """Anyone can write an ISO time into a reply; one that overflows when moved to the viewer's
    zone (year 1 or 9999 with an offset) stays as written instead of failing the page."""
    ticket = make_ticket(carol)
    edge = "0001-01-01T00:00+05:00 and 9999-12-31T23:59-05:00"
    services.add_reply(actor=carol, ticket=ticket, body=f"Logs say {edge}")
    assert edge in _timeline(client, alice, ticket)
