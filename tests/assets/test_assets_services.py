"""The registry's services: creation, field changes with before/after on the timeline, the
lifecycle (every pair of statuses, allowed or refused), a disposed asset frozen (by the
services and by Asset.save), ticket links on both timelines, and who may act."""

import itertools
from datetime import date

import pytest
from django.db import transaction

from deskside.assets.exceptions import Disposed, InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import (
    TRANSITIONS,
    Asset,
    AssetEvent,
    AssetTicket,
    DisposedAssetError,
    Lifecycle,
)
from deskside.assets.services import assets as svc
from deskside.tickets.models import EventKind, TicketEvent
from tests.assets.fixtures_assets import *  # noqa: F403
from tests.assets.fixtures_assets import dispose, make_asset

pytestmark = pytest.mark.django_db


def kinds(asset):
    return list(AssetEvent.objects.filter(asset=asset).values_list("kind", flat=True))


def test_create_writes_the_created_event(laptop, carol):
    event = AssetEvent.objects.get(asset=laptop)
    assert event.kind == "created"
    assert event.data["status"] == "deployed"
    assert event.data["values"]["assigned_to"] == {"id": carol.public_id, "name": "Carol Customer"}
    assert event.data["values"]["warranty_end"] == "2027-03-01"


def test_update_records_before_and_after(laptop, alice, olivia):
    svc.update_asset(
        alice, asset=laptop, changes={"assigned_to": olivia, "serial": "PF-9999"}, note="swap"
    )
    event = AssetEvent.objects.filter(asset=laptop).last()
    assert event.kind == "changed" and event.body == "swap"
    assert event.data["changes"]["serial"] == ["PF-1234", "PF-9999"]
    assert event.data["changes"]["assigned_to"][1]["name"] == "Olivia Admin"
    laptop.refresh_from_db()
    assert laptop.serial == "PF-9999" and laptop.assigned_to == olivia


def test_an_update_of_nothing_writes_nothing(laptop, alice):
    svc.update_asset(alice, asset=laptop, changes={"serial": "PF-1234"})
    assert kinds(laptop) == ["created"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"warranty_end": date(2020, 1, 1)}, "warranty_end"),
        ({"serial": "x" * 101}, "serial"),
        ({"kind": "spaceship"}, "kind"),
        ({"colour": "red"}, "colour"),
        ({"name": "a\x00b"}, "name"),
        ({"purchase_date": "2024-01-01"}, "purchase_date"),
    ],
)
def test_bad_changes_name_the_field_and_write_nothing(laptop, alice, changes, field):
    with pytest.raises(InvalidInput) as err:
        svc.update_asset(alice, asset=laptop, changes=changes)
    assert err.value.field == field
    assert kinds(laptop) == ["created"]


def test_assigned_person_and_site_must_be_the_clients(laptop, alice, dave, globex_site, leo):
    for person in (dave, leo):  # another client's contact; an agent
        with pytest.raises(InvalidInput) as err:
            svc.update_asset(alice, asset=laptop, changes={"assigned_to": person})
        assert err.value.field == "assigned_to"
    with pytest.raises(InvalidInput) as err:
        svc.update_asset(alice, asset=laptop, changes={"site": globex_site})
    assert err.value.field == "site"


def test_tag_is_unique_within_a_client_only(laptop, alice, acme, globex):
    with pytest.raises(InvalidInput) as err:
        make_asset(alice, acme, asset_tag="ACM-0001")
    assert err.value.field == "asset_tag"
    other = make_asset(alice, acme, asset_tag="ACM-0002")
    with pytest.raises(InvalidInput):
        svc.update_asset(alice, asset=other, changes={"asset_tag": "ACM-0001"})
    assert make_asset(alice, globex, asset_tag="ACM-0001").pk  # another client may use it


def test_create_refuses_disposed_or_retired_start_and_the_msp(alice, acme, msp):
    for status in (Lifecycle.DISPOSED, Lifecycle.RETIRED, "lost"):
        with pytest.raises(InvalidInput) as err:
            make_asset(alice, acme, status=status)
        assert err.value.field == "status"
    with pytest.raises(InvalidInput) as err:
        make_asset(alice, msp)
    assert err.value.field == "organization"
    assert not Asset.objects.exists()


def test_only_agents_serving_the_client_act(laptop, bob, carol, olivia, acme_ticket):
    for who in (bob, carol, olivia):
        with pytest.raises(NotAllowed):
            svc.update_asset(who, asset=laptop, changes={"serial": "X"})
        with pytest.raises(NotAllowed):
            svc.change_status(who, asset=laptop, status=Lifecycle.IN_REPAIR)
        with pytest.raises(NotAllowed):
            svc.link_ticket(who, asset=laptop, ticket=acme_ticket)
        with pytest.raises(NotAllowed):
            make_asset(who, laptop.organization)
    assert kinds(laptop) == ["created"]


PAIRS = list(itertools.product(Lifecycle.values, Lifecycle.values))


@pytest.mark.parametrize(("before", "after"), PAIRS)
def test_every_lifecycle_pair(alice, acme, before, after):
    """Each of the 36 pairs: allowed exactly when TRANSITIONS says so and the target is not
    disposed (only a disposal batch disposes); a disposed asset refuses every change."""
    asset = make_asset(alice, acme)
    Asset.objects.filter(pk=asset.pk).update(status=before)
    asset.refresh_from_db()
    allowed = after in TRANSITIONS[before] and after != Lifecycle.DISPOSED
    if allowed:
        svc.change_status(alice, asset=asset, status=after)
        asset.refresh_from_db()
        assert asset.status == after
        event = AssetEvent.objects.filter(asset=asset).last()
        assert event.kind == "status" and event.data["status"] == [before, after]
        assert after in svc.allowed_statuses(Asset(status=before))
    else:
        expected = Disposed if before == Lifecycle.DISPOSED else InvalidTransition
        with pytest.raises(expected) as err:
            svc.change_status(alice, asset=asset, status=after)
        assert err.value.status_code == 409
        asset.refresh_from_db()
        assert asset.status == before
        assert kinds(asset) == ["created"]
        assert after not in svc.allowed_statuses(Asset(status=before))


def test_the_documented_lifecycle_holds():
    """ordered -> in stock -> deployed -> in repair -> retired -> disposed."""
    assert Lifecycle.IN_STOCK in TRANSITIONS[Lifecycle.ORDERED]
    assert Lifecycle.DEPLOYED in TRANSITIONS[Lifecycle.IN_STOCK]
    assert Lifecycle.IN_REPAIR in TRANSITIONS[Lifecycle.DEPLOYED]
    assert Lifecycle.RETIRED in TRANSITIONS[Lifecycle.IN_REPAIR]
    assert TRANSITIONS[Lifecycle.DISPOSED] == frozenset()


def test_unknown_status_is_bad_input(laptop, alice):
    with pytest.raises(InvalidInput) as err:
        svc.change_status(alice, asset=laptop, status="lost")
    assert err.value.field == "status"


def test_a_disposed_asset_refuses_every_service(laptop, alice, acme_ticket):
    svc.link_ticket(alice, asset=laptop, ticket=acme_ticket)
    dispose(laptop)
    before = kinds(laptop)
    calls = [
        lambda: svc.update_asset(alice, asset=laptop, changes={"notes": "x"}),
        lambda: svc.change_status(alice, asset=laptop, status=Lifecycle.IN_STOCK),
        lambda: svc.link_ticket(alice, asset=laptop, ticket=acme_ticket),
        lambda: svc.unlink_ticket(alice, asset=laptop, ticket=acme_ticket),
    ]
    for call in calls:
        with pytest.raises(Disposed) as err:
            call()
        assert err.value.status_code == 409
    assert kinds(laptop) == before
    assert AssetTicket.objects.filter(asset=laptop).count() == 1


def test_a_disposed_row_refuses_save_itself(laptop):
    dispose(laptop)
    laptop.notes = "changed behind the services' back"
    with pytest.raises(DisposedAssetError), transaction.atomic():
        laptop.save()
    laptop.refresh_from_db()
    assert laptop.notes == ""


def test_link_and_unlink_write_both_timelines(laptop, alice, acme_ticket):
    link = svc.link_ticket(alice, asset=laptop, ticket=acme_ticket)
    assert link.linked_by == alice
    ticket_events = TicketEvent.objects.filter(ticket=acme_ticket, kind=EventKind.ASSET)
    assert ticket_events.count() == 1
    assert ticket_events.get().data["action"] == "linked"
    assert ticket_events.get().data["asset"] == laptop.public_id
    assert not ticket_events.get().is_public
    svc.unlink_ticket(alice, asset=laptop, ticket=acme_ticket)
    assert not AssetTicket.objects.exists()
    assert [e.data["action"] for e in ticket_events.order_by("id")] == ["linked", "unlinked"]
    assert kinds(laptop) == ["created", "linked", "unlinked"]
    assert AssetEvent.objects.filter(asset=laptop).last().data["ticket"] == acme_ticket.number


def test_link_twice_or_unlink_unlinked_is_a_conflict(laptop, alice, acme_ticket):
    svc.link_ticket(alice, asset=laptop, ticket=acme_ticket)
    with pytest.raises(InvalidTransition):
        svc.link_ticket(alice, asset=laptop, ticket=acme_ticket)
    svc.unlink_ticket(alice, asset=laptop, ticket=acme_ticket)
    with pytest.raises(InvalidTransition):
        svc.unlink_ticket(alice, asset=laptop, ticket=acme_ticket)


def test_link_refuses_another_clients_ticket(laptop, alice, globex_ticket):
    with pytest.raises(InvalidInput) as err:
        svc.link_ticket(alice, asset=laptop, ticket=globex_ticket)
    assert err.value.field == "ticket"
    assert not AssetTicket.objects.exists()
    assert not TicketEvent.objects.filter(kind=EventKind.ASSET).exists()
