"""Vendor cases on a ticket: recording one, its entries moving the quiet deadline, closing it,
the timelines, the ticket panel, the asset's RMA history, the API, and tenancy at each."""

from datetime import timedelta

import pytest

from deskside.assets.exceptions import Disposed, InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import AssetEvent, Lifecycle, VendorCase, VendorCaseEntry
from deskside.assets.services import rma
from deskside.core import clock
from deskside.tickets.models import EventKind
from tests.assets.fixtures_remote import *  # noqa: F403 (the fixtures)
from tests.assets.fixtures_remote import NOW, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(now, leo, acme_ticket, laptop):
    return rma.open_case(
        actor=leo, ticket=acme_ticket, vendor="Dell", case_number="SR-123456", asset=laptop
    )


def test_open_case_sets_the_quiet_deadline(now, settings, leo, acme_ticket, laptop):
    settings.DESKSIDE_RMA_QUIET_DAYS = 4
    case = rma.open_case(
        actor=leo, ticket=acme_ticket, vendor=" Dell ", case_number="SR-1", asset=laptop
    )
    assert case.vendor == "Dell" and case.quiet_days == 4
    assert case.last_contact_at == NOW and case.remind_at == NOW + timedelta(days=4)
    event = acme_ticket.events.get(kind=EventKind.VENDOR)
    assert not event.is_public
    assert event.data["action"] == "opened" and event.data["case"] == case.public_id
    assert AssetEvent.objects.filter(asset=laptop, kind="rma").count() == 1


def test_entries_move_last_contact_and_reminder(leo, case):
    later = NOW + timedelta(days=2)
    with clock.frozen(later):
        rma.add_entry(
            actor=leo,
            case=case,
            kind="shipped",
            what="Laptop with a dead keyboard",
            tracking="1Z999AA10123456784",
        )
    case.refresh_from_db()
    assert case.last_contact_at == later and case.remind_at == later + timedelta(days=5)
    # an entry recorded late, dated earlier, does not move the last contact back
    with clock.frozen(later + timedelta(hours=1)):
        rma.add_entry(
            actor=leo, case=case, kind="note", what="Called", happened_at=NOW + timedelta(days=1)
        )
    case.refresh_from_db()
    assert case.last_contact_at == later
    events = list(case.ticket.events.filter(kind=EventKind.VENDOR).order_by("id"))
    assert [e.data["action"] for e in events] == ["opened", "entry", "entry"]
    assert events[1].data["tracking"] == "1Z999AA10123456784"
    assert "1Z999AA10123456784" in events[1].body
    assert AssetEvent.objects.filter(asset=case.asset, kind="rma").count() == 3


def test_close_ends_the_reminders_and_refuses_more_entries(leo, case):
    rma.close_case(actor=leo, case=case, note="Replacement arrived")
    case.refresh_from_db()
    assert case.status == "closed" and case.remind_at is None and case.closed_at == NOW
    with pytest.raises(InvalidTransition):
        rma.add_entry(actor=leo, case=case, kind="note", what="late")
    with pytest.raises(InvalidTransition):
        rma.close_case(actor=leo, case=case)
    assert case.ticket.events.filter(kind=EventKind.VENDOR).latest("id").data["action"] == (
        "closed"
    )


def test_bad_input_names_the_field_and_writes_nothing(
    now, leo, carol, gil, acme, acme_ticket, globex_pc, case
):
    def refused(exc, field, **kwargs):
        with pytest.raises(exc) as err:
            rma.open_case(actor=leo, ticket=acme_ticket, **kwargs)
        assert err.value.field == field

    refused(InvalidInput, "vendor", vendor=" ", case_number="1")
    refused(InvalidInput, "case_number", vendor="HP", case_number="")
    refused(InvalidInput, "quiet_days", vendor="HP", case_number="1", quiet_days=0)
    refused(InvalidInput, "asset", vendor="HP", case_number="1", asset=globex_pc)
    refused(InvalidTransition, "case_number", vendor="Dell", case_number="SR-123456")
    gone = make_asset(acme, asset_tag="GONE", status=Lifecycle.DISPOSED)
    refused(Disposed, "asset", vendor="HP", case_number="1", asset=gone)
    with pytest.raises(NotAllowed):
        rma.open_case(actor=gil, ticket=acme_ticket, vendor="HP", case_number="1")
    with pytest.raises(NotAllowed):
        rma.open_case(actor=carol, ticket=acme_ticket, vendor="HP", case_number="1")
    for kwargs, field in (
        ({"kind": "lost", "what": "x"}, "kind"),
        ({"kind": "note", "what": " "}, "what"),
        ({"kind": "note", "what": "x", "happened_at": NOW + timedelta(days=1)}, "happened_at"),
        ({"kind": "note", "what": "x", "happened_at": NOW.replace(tzinfo=None)}, "happened_at"),
    ):
        with pytest.raises(InvalidInput) as err:
            rma.add_entry(actor=leo, case=case, **kwargs)
        assert err.value.field == field
    assert VendorCase.objects.count() == 1 and not VendorCaseEntry.objects.exists()


# -- the panel and the asset's history ---------------------------------------------------------


def test_panel_records_a_case_adds_entries_and_closes(signed_in, leo, acme_ticket, laptop, now):
    client = signed_in(leo)
    base = f"/assets/rma/tickets/{acme_ticket.number}/"
    page = client.get(base)
    assert page.status_code == 200 and b"Record a vendor case" in page.content
    assert laptop.public_id.encode() in page.content  # the requester's laptop is offered
    made = client.post(
        base + "cases/",
        {"vendor": "Dell", "case_number": "SR-9", "asset": laptop.public_id, "quiet_days": 5},
        HTTP_HX_REQUEST="true",
    )
    assert made.status_code == 200 and b"Dell case SR-9" in made.content
    case = VendorCase.objects.get()
    assert case.asset == laptop
    entry = client.post(
        f"/assets/rma/cases/{case.public_id}/entries/",
        {"kind": "received", "what": "Repaired laptop", "tracking": "TRK-1"},
    )
    assert entry.status_code == 302
    html = client.get(base).content.decode()
    assert "Repaired laptop" in html and "TRK-1" in html
    closed = client.post(f"/assets/rma/cases/{case.public_id}/close/", {"note": "fixed"})
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    assert b"Close Dell case" not in client.get(base).content


def test_panel_errors_on_the_form(signed_in, leo, case):
    client = signed_in(leo)
    base = f"/assets/rma/tickets/{case.ticket.number}/cases/"
    dup = client.post(base, {"vendor": "Dell", "case_number": "SR-123456", "quiet_days": 5})
    assert dup.status_code == 409 and b"is on this ticket already" in dup.content
    tag = client.post(
        base,
        {"vendor": "HP", "case_number": "1", "asset_tag": "NOPE", "quiet_days": 5},
        HTTP_HX_REQUEST="true",
    )
    assert tag.status_code == 200 and b"no asset with this tag" in tag.content
    future = client.post(
        f"/assets/rma/cases/{case.public_id}/entries/",
        {"kind": "note", "what": "x", "happened_at": "2030-01-01T10:00"},
    )
    assert future.status_code == 422 and b"in the future" in future.content
    assert VendorCase.objects.count() == 1


def test_asset_history_newest_first(signed_in, leo, acme, acme_ticket, make_ticket, carol, laptop):
    with clock.frozen(NOW - timedelta(days=90)):
        old = rma.open_case(
            actor=leo, ticket=acme_ticket, vendor="Dell", case_number="OLD-1", asset=laptop
        )
        rma.close_case(actor=leo, case=old)
    with clock.frozen(NOW):
        rma.open_case(
            actor=leo,
            ticket=make_ticket(carol, subject="Again"),
            vendor="Dell",
            case_number="NEW-2",
            asset=laptop,
        )
    html = signed_in(leo).get(f"/assets/rma/assets/{laptop.public_id}/").content.decode()
    assert html.index("NEW-2") < html.index("OLD-1")


def test_pages_tenancy(signed_in, gil, carol, case, laptop):
    as_gil = signed_in(gil)
    number, cid = case.ticket.number, case.public_id
    assert as_gil.get(f"/assets/rma/tickets/{number}/").status_code == 404
    assert as_gil.get(f"/assets/rma/assets/{laptop.public_id}/").status_code == 404
    assert as_gil.post(f"/assets/rma/cases/{cid}/close/").status_code == 404
    assert (
        as_gil.post(f"/assets/rma/cases/{cid}/entries/", {"kind": "note", "what": "x"}).status_code
        == 404
    )
    as_carol = signed_in(carol)
    assert as_carol.get(f"/assets/rma/tickets/{number}/").status_code == 302
    assert as_carol.get(f"/assets/rma/assets/{laptop.public_id}/").status_code == 302
    assert as_carol.post(f"/assets/rma/cases/{cid}/close/").status_code == 403
    assert (
        as_carol.post(
            f"/assets/rma/tickets/{number}/cases/",
            {"vendor": "HP", "case_number": "2", "quiet_days": 5},
        ).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.status == "open" and VendorCase.objects.count() == 1


# -- the API -----------------------------------------------------------------------------------


def test_api_case_flow(now, as_leo, acme_ticket, laptop):
    base = f"/api/v1/assets/rma/tickets/{acme_ticket.number}/cases"
    made = as_leo.post(
        base, {"vendor": "Lenovo", "case_number": "C-1", "asset": laptop.public_id, "quiet_days": 3}
    )
    assert made.status_code == 201, made.content
    cid = made.json()["id"]
    assert made.json()["remind_at"].startswith("2026-12-12T15:00")
    entry = as_leo.post(
        f"/api/v1/assets/rma/cases/{cid}/entries",
        {"kind": "shipped", "what": "Laptop", "tracking": "T1"},
    )
    assert entry.status_code == 201 and entry.json()["entries"][0]["tracking"] == "T1"
    assert [c["id"] for c in as_leo.get(base).json()] == [cid]
    assert as_leo.get(f"/api/v1/assets/rma/cases/{cid}").json()["case_number"] == "C-1"
    closed = as_leo.post(f"/api/v1/assets/rma/cases/{cid}/close", {"note": "done"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = as_leo.post(f"/api/v1/assets/rma/cases/{cid}/close", {})
    assert again.status_code == 409
    history = as_leo.get(f"/api/v1/assets/{laptop.public_id}/rma").json()
    assert [c["id"] for c in history] == [cid]


def test_api_bad_input(now, as_leo, case):
    base = f"/api/v1/assets/rma/tickets/{case.ticket.number}/cases"
    assert as_leo.post(base, {"vendor": "", "case_number": "1"}).json()["field"] == "vendor"
    bad_asset = as_leo.post(base, {"vendor": "HP", "case_number": "1", "asset": "nope"})
    assert bad_asset.status_code == 422 and bad_asset.json()["field"] == "asset"
    naive = as_leo.post(
        f"/api/v1/assets/rma/cases/{case.public_id}/entries",
        {"kind": "note", "what": "x", "happened_at": "2026-12-09T10:00:00"},
    )
    assert naive.status_code == 422 and naive.json()["field"] == "happened_at"
    kind = as_leo.post(
        f"/api/v1/assets/rma/cases/{case.public_id}/entries", {"kind": "lost", "what": "x"}
    )
    assert kind.status_code == 422 and kind.json()["field"] == "kind"


def test_api_tenancy(api_as, gil, as_carol, case, laptop):
    as_gil = api_as(gil)
    number, cid = case.ticket.number, case.public_id
    for client, status in ((as_gil, 404), (as_carol, 403)):
        assert client.get(f"/api/v1/assets/rma/tickets/{number}/cases").status_code == status
        assert (
            client.post(
                f"/api/v1/assets/rma/tickets/{number}/cases", {"vendor": "HP", "case_number": "1"}
            ).status_code
            == status
        )
        assert client.get(f"/api/v1/assets/rma/cases/{cid}").status_code == status
        assert (
            client.post(
                f"/api/v1/assets/rma/cases/{cid}/entries", {"kind": "note", "what": "x"}
            ).status_code
            == status
        )
        assert client.post(f"/api/v1/assets/rma/cases/{cid}/close", {}).status_code == status
        assert client.get(f"/api/v1/assets/{laptop.public_id}/rma").status_code == status
    case.refresh_from_db()
    assert case.status == "open" and not case.entries.exists()


def test_api_lists_do_not_grow_with_rows(
    now, as_leo, leo, acme_ticket, laptop, django_assert_max_num_queries
):
    for i in range(6):
        case = rma.open_case(
            actor=leo, ticket=acme_ticket, vendor="Dell", case_number=f"N-{i}", asset=laptop
        )
        for kind in ("shipped", "contact", "received"):
            rma.add_entry(actor=leo, case=case, kind=kind, what="x")
    with django_assert_max_num_queries(12):
        listed = as_leo.get(f"/api/v1/assets/rma/tickets/{acme_ticket.number}/cases")
    assert len(listed.json()) == 6 and all(len(c["entries"]) == 3 for c in listed.json())
    with django_assert_max_num_queries(12):
        history = as_leo.get(f"/api/v1/assets/{laptop.public_id}/rma")
    assert len(history.json()) == 6


def test_ticket_page_loads_the_panel(signed_in, leo, acme_ticket):
    html = signed_in(leo).get(f"/tickets/{acme_ticket.number}/").content.decode()
    assert f"/assets/rma/tickets/{acme_ticket.number}/" in html
