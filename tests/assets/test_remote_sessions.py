"""Remote sessions from the ticket: the panel's Connect buttons, starting (the row, the two
timelines, the 303 to the built link), ending, the API, and tenancy at each."""

from datetime import timedelta

import pytest

from deskside.assets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import AssetEvent, AssetTicket, Lifecycle, RemoteSession
from deskside.assets.services import remote
from deskside.core import clock
from deskside.tickets.models import EventKind
from tests.assets.fixtures_remote import *  # noqa: F403 (the fixtures)
from tests.assets.fixtures_remote import NOW, make_asset

pytestmark = pytest.mark.django_db


def test_start_writes_the_session_and_both_timelines(now, alice, acme_ticket, laptop, templates):
    session = remote.start_session(actor=alice, ticket=acme_ticket, asset=laptop, tool="rustdesk")
    assert session.url == "rustdesk://123%20456%20789"
    assert session.agent == alice and session.started_at == NOW and session.ended_at is None
    event = acme_ticket.events.get(kind=EventKind.REMOTE)
    assert event.data == {
        "action": "started",
        "session": session.public_id,
        "tool": "rustdesk",
        "asset": laptop.public_id,
    }
    assert not event.is_public
    assert AssetEvent.objects.filter(asset=laptop, kind="remote").count() == 1


def test_end_records_the_duration(now, alice, leo, acme_ticket, laptop, templates):
    session = remote.start_session(
        actor=alice, ticket=acme_ticket, asset=laptop, tool="meshcentral"
    )
    assert session.url == ("https://mesh.msp.example/?gotonode=node%2F%2Fabc%24XYZ&viewmode=11")
    with clock.frozen(NOW + timedelta(minutes=12, seconds=30)):
        ended = remote.end_session(actor=leo, session=session, summary="Cleared the spooler")
    assert ended.ended_at == NOW + timedelta(minutes=12, seconds=30)
    event = acme_ticket.events.filter(kind=EventKind.REMOTE).latest("id")
    assert event.data["action"] == "ended"
    assert event.data["duration_seconds"] == 750
    assert "Cleared the spooler" in event.body
    with pytest.raises(InvalidTransition):
        remote.end_session(actor=alice, session=session)
    assert AssetEvent.objects.filter(asset=laptop, kind="remote").count() == 2


def test_refusals(now, alice, gil, carol, acme, acme_ticket, laptop, globex_pc, templates):
    with pytest.raises(NotAllowed):
        remote.start_session(actor=gil, ticket=acme_ticket, asset=laptop, tool="rustdesk")
    with pytest.raises(NotAllowed):
        remote.start_session(actor=carol, ticket=acme_ticket, asset=laptop, tool="rustdesk")
    with pytest.raises(InvalidInput) as err:
        remote.start_session(actor=alice, ticket=acme_ticket, asset=globex_pc, tool="rustdesk")
    assert err.value.field == "asset"
    with pytest.raises(InvalidInput) as err:  # no TeamViewer template, no id
        remote.start_session(actor=alice, ticket=acme_ticket, asset=laptop, tool="teamviewer")
    assert err.value.field == "tool"
    for status in (Lifecycle.RETIRED, Lifecycle.DISPOSED):
        old = make_asset(acme, asset_tag=f"OLD-{status}", status=status, rustdesk_id="1")
        with pytest.raises(InvalidTransition):
            remote.start_session(actor=alice, ticket=acme_ticket, asset=old, tool="rustdesk")
    assert not RemoteSession.objects.exists()
    assert not acme_ticket.events.filter(kind=EventKind.REMOTE).exists()


# -- the panel ---------------------------------------------------------------------------------


def test_panel_offers_the_requesters_assets_when_none_is_linked(
    now, signed_in, alice, acme, acme_ticket, laptop, templates
):
    page = signed_in(alice).get(f"/assets/remote/tickets/{acme_ticket.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Connect: MeshCentral" in html and "Connect: RustDesk" in html
    assert 'target="_blank"' in html
    # a linked asset replaces the requester's
    other = make_asset(acme, asset_tag="ACME-PRN", teamviewer_id="1 234 567")
    AssetTicket.objects.create(asset=other, ticket=acme_ticket)
    html = signed_in(alice).get(f"/assets/remote/tickets/{acme_ticket.number}/").content.decode()
    assert "ACME-PRN" in html and "ACME-0042" not in html
    assert "Connect:" not in html  # no TeamViewer template for Acme
    assert "No remote-access id with a link template" in html


def test_panel_offers_no_connect_on_retired_assets(
    now, signed_in, alice, acme_ticket, laptop, templates
):
    type(laptop).objects.filter(pk=laptop.pk).update(status=Lifecycle.RETIRED)
    html = signed_in(alice).get(f"/assets/remote/tickets/{acme_ticket.number}/").content.decode()
    assert "Connect:" not in html and "Retired: no remote control" in html


def test_connect_redirects_to_the_built_link_and_end_from_the_panel(
    now, signed_in, alice, acme_ticket, laptop, templates
):
    client = signed_in(alice)
    answer = client.post(
        f"/assets/remote/tickets/{acme_ticket.number}/connect/",
        {"asset": laptop.public_id, "tool": "rustdesk"},
    )
    assert answer.status_code == 303
    session = RemoteSession.objects.get()
    assert answer["Location"] == f"/assets/remote/sessions/{session.public_id}/"
    opened = client.get(answer["Location"])
    assert opened.status_code == 200
    assert opened["Refresh"] == "0;url=rustdesk://123%20456%20789"
    assert 'href="rustdesk://123%20456%20789"' in opened.content.decode()
    with clock.frozen(NOW + timedelta(minutes=5)):  # later: the page no longer opens the tool
        assert "Refresh" not in client.get(answer["Location"])
    html = client.get(f"/assets/remote/tickets/{acme_ticket.number}/").content.decode()
    assert "Running" in html and "End session" in html
    ended = client.post(
        f"/assets/remote/sessions/{session.public_id}/end/",
        {"summary": "Done"},
        HTTP_HX_REQUEST="true",
    )
    assert ended.status_code == 200 and "Running" not in ended.content.decode()
    session.refresh_from_db()
    assert session.ended_at is not None and session.summary == "Done"
    again = client.post(f"/assets/remote/sessions/{session.public_id}/end/", {})
    assert again.status_code == 409


def test_connect_takes_nothing_but_asset_and_tool_from_the_request(
    now, signed_in, alice, acme_ticket, laptop, templates
):
    answer = signed_in(alice).post(
        f"/assets/remote/tickets/{acme_ticket.number}/connect/",
        {"asset": laptop.public_id, "tool": "rustdesk", "url": "javascript:alert(1)"},
    )
    assert answer.status_code == 303
    assert RemoteSession.objects.get().url == "rustdesk://123%20456%20789"
    refused = signed_in(alice).post(
        f"/assets/remote/tickets/{acme_ticket.number}/connect/",
        {"asset": laptop.public_id, "tool": "teamviewer"},
    )
    assert refused.status_code == 422 and b"no teamviewer link template" in refused.content


def test_panel_and_connect_tenancy(
    now, signed_in, gil, carol, acme_ticket, globex_ticket, laptop, globex_pc, templates
):
    as_gil = signed_in(gil)
    assert as_gil.get(f"/assets/remote/tickets/{acme_ticket.number}/").status_code == 404
    assert (
        as_gil.post(
            f"/assets/remote/tickets/{acme_ticket.number}/connect/",
            {"asset": laptop.public_id, "tool": "rustdesk"},
        ).status_code
        == 404
    )
    # another client's asset on this client's ticket
    assert (
        as_gil.post(
            f"/assets/remote/tickets/{globex_ticket.number}/connect/",
            {"asset": laptop.public_id, "tool": "rustdesk"},
        ).status_code
        == 404
    )
    as_carol = signed_in(carol)
    assert as_carol.get(f"/assets/remote/tickets/{acme_ticket.number}/").status_code == 302
    assert (
        as_carol.post(
            f"/assets/remote/tickets/{acme_ticket.number}/connect/",
            {"asset": laptop.public_id, "tool": "rustdesk"},
        ).status_code
        == 403
    )
    assert not RemoteSession.objects.exists()


def test_end_tenancy(now, signed_in, alice, gil, carol, acme_ticket, laptop, templates):
    session = remote.start_session(actor=alice, ticket=acme_ticket, asset=laptop, tool="rustdesk")
    page = f"/assets/remote/sessions/{session.public_id}/"
    assert signed_in(gil).get(page).status_code == 404
    assert signed_in(carol).get(page).status_code == 302
    assert (
        signed_in(gil).post(f"/assets/remote/sessions/{session.public_id}/end/").status_code == 404
    )
    assert (
        signed_in(carol).post(f"/assets/remote/sessions/{session.public_id}/end/").status_code
        == 403
    )
    session.refresh_from_db()
    assert session.ended_at is None


def test_ticket_page_loads_the_panel(now, signed_in, alice, acme_ticket):
    html = signed_in(alice).get(f"/tickets/{acme_ticket.number}/").content.decode()
    assert f"/assets/remote/tickets/{acme_ticket.number}/" in html


# -- the API -----------------------------------------------------------------------------------


def test_api_start_list_end(now, as_alice, acme_ticket, laptop, templates):
    base = f"/api/v1/assets/remote/tickets/{acme_ticket.number}/sessions"
    started = as_alice.post(base, {"asset": laptop.public_id, "tool": "meshcentral"})
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["url"].startswith("https://mesh.msp.example/?gotonode=")
    assert body["ended_at"] is None and body["duration_seconds"] is None
    listed = as_alice.get(base).json()
    assert [s["id"] for s in listed] == [body["id"]]
    with clock.frozen(NOW + timedelta(minutes=5)):
        ended = as_alice.post(f"/api/v1/assets/remote/sessions/{body['id']}/end", {"summary": "ok"})
    assert ended.status_code == 200 and ended.json()["duration_seconds"] == 300
    again = as_alice.post(f"/api/v1/assets/remote/sessions/{body['id']}/end", {})
    assert again.status_code == 409


def test_api_bad_input_and_tenancy(
    now, as_alice, as_carol, api_as, gil, acme_ticket, laptop, templates
):
    base = f"/api/v1/assets/remote/tickets/{acme_ticket.number}/sessions"
    bad = as_alice.post(base, {"asset": "nope", "tool": "rustdesk"})
    assert bad.status_code == 422 and bad.json()["field"] == "asset"
    tool = as_alice.post(base, {"asset": laptop.public_id, "tool": "vnc"})
    assert tool.status_code == 422 and tool.json()["field"] == "tool"
    assert as_carol.get(base).status_code == 403
    assert as_carol.post(base, {"asset": laptop.public_id, "tool": "rustdesk"}).status_code == 403
    as_gil = api_as(gil)
    assert as_gil.get(base).status_code == 404
    assert as_gil.post(base, {"asset": laptop.public_id, "tool": "rustdesk"}).status_code == 404
    assert not RemoteSession.objects.exists()


def test_api_end_tenancy(now, alice, as_carol, api_as, gil, acme_ticket, laptop, templates):
    session = remote.start_session(actor=alice, ticket=acme_ticket, asset=laptop, tool="rustdesk")
    path = f"/api/v1/assets/remote/sessions/{session.public_id}/end"
    assert api_as(gil).post(path, {}).status_code == 404
    assert as_carol.post(path, {}).status_code == 403
    session.refresh_from_db()
    assert session.ended_at is None


def test_api_session_list_does_not_grow_with_rows(
    now, alice, as_alice, acme_ticket, laptop, templates, django_assert_max_num_queries
):
    for _ in range(6):
        remote.start_session(actor=alice, ticket=acme_ticket, asset=laptop, tool="rustdesk")
    with django_assert_max_num_queries(10):
        listed = as_alice.get(f"/api/v1/assets/remote/tickets/{acme_ticket.number}/sessions")
    assert len(listed.json()) == 6
