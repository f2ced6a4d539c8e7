"""The registry's pages: the list (filters, search, pages), the asset page and its actions,
the ticket page's panel, the reports, and tenancy at each (an agent not serving the client:
404; a customer: sent to the portal, 403 for a POST)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from deskside.assets.models import Asset, AssetEvent, AssetKind, AssetTicket, Lifecycle
from deskside.assets.services import assets as svc
from tests.assets.fixtures_assets import *  # noqa: F403
from tests.assets.fixtures_assets import TODAY, dispose, make_asset
from tests.conftest import login

pytestmark = pytest.mark.django_db


def detail_url(asset):
    return reverse("assets:asset_detail", args=[asset.public_id])


def test_list_filters_and_search(alice, laptop, globex_pc, acme, acme_hq):
    make_asset(alice, acme, kind=AssetKind.MONITOR, asset_tag="ACM-0100", name="Dell 27in")
    client = login(alice)
    page = client.get(reverse("assets:asset_list")).content.decode()
    assert "ACM-0001" in page and "GLX-0001" in page and "ACM-0100" in page
    page = client.get(reverse("assets:asset_list"), {"client": "acme"}).content.decode()
    assert "ACM-0001" in page and "GLX-0001" not in page
    page = client.get(reverse("assets:asset_list"), {"kind": "monitor"}).content.decode()
    assert "ACM-0100" in page and "ACM-0001" not in page
    page = client.get(reverse("assets:asset_list"), {"status": "deployed"}).content.decode()
    assert "ACM-0001" in page and "ACM-0100" not in page
    page = client.get(reverse("assets:asset_list"), {"site": acme_hq.public_id}).content.decode()
    assert "ACM-0001" in page and "ACM-0100" not in page
    for text in ("acm-00", "pf-12", "carol"):
        page = client.get(reverse("assets:asset_list"), {"q": text}).content.decode()
        assert "ACM-0001" in page, text
    page = client.get(reverse("assets:asset_list"), {"q": "dell"}).content.decode()
    assert "ACM-0100" in page and "ACM-0001" not in page


def test_list_bad_filter_is_400_not_500(alice, laptop):
    response = login(alice).get(reverse("assets:asset_list"), {"status": "lost", "q": "a\x00"})
    assert response.status_code == 400


def test_list_is_paged_by_tag_and_bounded_in_queries(alice, acme, django_assert_max_num_queries):
    for n in range(55):
        Asset.objects.create(organization=acme, asset_tag=f"T-{n:03d}")
    client = login(alice)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("assets:asset_list"), {"client": "acme"}).content.decode()
    assert "T-000" in first and "T-049" in first and "T-050" not in first
    assert "page=2" in first
    second = client.get(reverse("assets:asset_list"), {"client": "acme", "page": 2})
    assert "T-054" in second.content.decode() and "T-049" not in second.content.decode()


def test_agent_not_serving_sees_neither_list_nor_page(bob, laptop, globex_pc):
    client = login(bob)
    page = client.get(reverse("assets:asset_list")).content.decode()
    assert "GLX-0001" in page and "ACM-0001" not in page
    assert client.get(reverse("assets:asset_list"), {"client": "acme"}).status_code == 400
    assert client.get(detail_url(laptop)).status_code == 404
    for name in ("asset_edit",):
        assert client.get(reverse(f"assets:{name}", args=[laptop.public_id])).status_code == 404
    assert (
        client.post(
            reverse("assets:asset_status", args=[laptop.public_id]), {"status": "in_repair"}
        ).status_code
        == 404
    )
    assert client.post(reverse("assets:asset_new") + "?client=acme", {}).status_code == 200
    assert not Asset.objects.filter(organization__slug="acme").exclude(pk=laptop.pk).exists()


def test_customers_are_sent_to_the_portal_and_cannot_post(carol, olivia, laptop):
    for who in (carol, olivia):
        client = login(who)
        assert client.get(reverse("assets:asset_list")).status_code == 302
        assert client.get(detail_url(laptop)).status_code == 302
        response = client.post(
            reverse("assets:asset_status", args=[laptop.public_id]), {"status": "in_repair"}
        )
        assert response.status_code == 403
    laptop.refresh_from_db()
    assert laptop.status == Lifecycle.DEPLOYED


def test_create_edit_status_link_unlink_through_the_pages(alice, acme, acme_hq, carol, acme_ticket):
    client = login(alice)
    response = client.post(
        reverse("assets:asset_new") + "?client=acme",
        {
            "client": "acme",
            "status": "in_stock",
            "kind": "laptop",
            "asset_tag": "ACM-0500",
            "serial": "SN-500",
            "site": acme_hq.public_id,
            "assigned_to": carol.public_id,
            "purchase_date": "2025-01-02",
            "warranty_end": "2028-01-02",
        },
    )
    asset = Asset.objects.get(asset_tag="ACM-0500")
    assert response.status_code == 302 and response["Location"] == detail_url(asset)
    assert asset.assigned_to == carol and asset.site == acme_hq
    page = client.get(detail_url(asset)).content.decode()
    assert "SN-500" in page and "Carol Customer" in page and "Created" in page

    edit = reverse("assets:asset_edit", args=[asset.public_id])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"kind": "laptop", "asset_tag": "ACM-0500", "serial": "SN-501"})
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.serial == "SN-501" and asset.assigned_to is None  # cleared on the form

    status = reverse("assets:asset_status", args=[asset.public_id])
    assert client.post(status, {"status": "deployed", "note": "to Carol"}).status_code == 302
    asset.refresh_from_db()
    assert asset.status == "deployed"

    link = reverse("assets:asset_link", args=[asset.public_id])
    assert client.post(link, {"ticket": acme_ticket.number}).status_code == 302
    page = client.get(detail_url(asset)).content.decode()
    assert acme_ticket.number in page
    unlink = reverse("assets:asset_unlink", args=[asset.public_id, acme_ticket.number])
    assert client.post(unlink).status_code == 302
    assert not AssetTicket.objects.exists()
    assert list(AssetEvent.objects.filter(asset=asset).values_list("kind", flat=True)) == [
        "created",
        "changed",
        "status",
        "linked",
        "unlinked",
    ]


def test_page_errors_name_the_field(alice, laptop, globex_ticket, acme):
    client = login(alice)
    status = reverse("assets:asset_status", args=[laptop.public_id])
    response = client.post(status, {"status": "ordered"})  # not allowed from deployed
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    link = reverse("assets:asset_link", args=[laptop.public_id])
    response = client.post(link, {"ticket": globex_ticket.number})
    assert response.status_code == 422  # alice serves Globex too: the service refuses it
    assert "another client" in response.content.decode()
    response = client.post(link, {"ticket": "T-99999999"})
    assert response.status_code == 422 and "no ticket" in response.content.decode()
    response = client.post(
        reverse("assets:asset_new") + "?client=acme",
        {"client": "acme", "status": "in_stock", "kind": "laptop", "asset_tag": "ACM-0001"},
    )
    assert response.status_code == 422 and "already used" in response.content.decode()
    response = client.post(
        reverse("assets:asset_edit", args=[laptop.public_id]),
        {"kind": "laptop", "purchase_date": "2025-01-01", "warranty_end": "2024-01-01"},
    )
    assert response.status_code == 422 and "warranty" in response.content.decode()


def test_a_disposed_asset_page_offers_no_change(alice, laptop):
    dispose(laptop)
    client = login(alice)
    page = client.get(detail_url(laptop)).content.decode()
    assert "disposed" in page and "Change status" not in page
    response = client.post(
        reverse("assets:asset_edit", args=[laptop.public_id]), {"kind": "laptop", "notes": "x"}
    )
    assert response.status_code == 409


def test_ticket_panel_lists_links_suggests_and_searches(alice, laptop, acme, acme_ticket):
    make_asset(alice, acme, asset_tag="ACM-0777", serial="ZZ-777")
    client = login(alice)
    panel_url = reverse("assets:asset_ticket_panel", args=[acme_ticket.number])
    page = client.get(panel_url).content.decode()
    assert "The requester's assets" in page and "ACM-0001" in page  # Carol's laptop suggested
    page = client.get(panel_url, {"q": "zz-7"}).content.decode()
    assert "ACM-0777" in page
    link = reverse("assets:asset_ticket_link", args=[acme_ticket.number])
    response = client.post(link, {"asset": laptop.public_id}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "ticket-changed" in response["HX-Trigger"]
    assert AssetTicket.objects.filter(asset=laptop, ticket=acme_ticket).exists()
    page = client.get(panel_url).content.decode()
    assert "No asset linked" not in page and "The requester's assets" not in page
    unlink = reverse("assets:asset_ticket_unlink", args=[acme_ticket.number, laptop.public_id])
    assert client.post(unlink).status_code == 302
    assert not AssetTicket.objects.exists()


def test_ticket_page_loads_the_panel(alice, acme_ticket):
    page = login(alice).get(reverse("tickets:detail", args=[acme_ticket.number])).content.decode()
    assert reverse("assets:asset_ticket_panel", args=[acme_ticket.number]) in page


def test_ticket_panel_tenancy(bob, alice, laptop, globex_pc, acme_ticket, globex_ticket, carol):
    panel = reverse("assets:asset_ticket_panel", args=[acme_ticket.number])
    assert login(bob).get(panel).status_code == 404
    assert login(carol).get(panel).status_code == 302
    link = reverse("assets:asset_ticket_link", args=[acme_ticket.number])
    assert login(bob).post(link, {"asset": laptop.public_id}).status_code == 404
    # an asset of another client cannot be linked from this ticket
    response = login(alice).post(link, {"asset": globex_pc.public_id})
    assert response.status_code == 422
    assert not AssetTicket.objects.exists()


def test_warranty_report(alice, acme, acme_hq):
    def asset(tag, days, status=Lifecycle.DEPLOYED):
        return make_asset(
            alice,
            acme,
            asset_tag=tag,
            status=status if status != "retired" else "in_stock",
            purchase_date=date(2020, 1, 1),
            warranty_end=TODAY + timedelta(days=days),
        )

    asset("EXP-1", -10)
    asset("EXP-STOCK", -10, Lifecycle.IN_STOCK)  # expired but not deployed: not listed
    asset("W-10", 10)
    asset("W-45", 45)
    asset("W-80", 80)
    asset("W-120", 120)
    retired = asset("W-RET", 5)
    svc.change_status(alice, asset=retired, status=Lifecycle.RETIRED)
    page = login(alice).get(reverse("assets:asset_warranty"), {"client": "acme"}).content.decode()
    sections = page.split("<section")
    expired = next(s for s in sections if "Expired, still deployed" in s)
    assert "EXP-1" in expired and "EXP-STOCK" not in expired
    assert "W-10" in next(s for s in sections if "within 30 days" in s)
    assert "W-45" in next(s for s in sections if "31 to 60" in s)
    assert "W-80" in next(s for s in sections if "61 to 90" in s)
    assert "W-120" not in page and "W-RET" not in page


def test_age_report_chart_and_csv(alice, acme):
    make_asset(alice, acme, kind=AssetKind.LAPTOP, purchase_date=date(2021, 5, 1))
    make_asset(alice, acme, kind=AssetKind.LAPTOP, purchase_date=date(2021, 6, 1))
    make_asset(alice, acme, kind=AssetKind.MONITOR, purchase_date=date(2023, 1, 1))
    make_asset(alice, acme, kind=AssetKind.PRINTER)
    client = login(alice)
    page = client.get(reverse("assets:asset_age"), {"client": "acme"}).content.decode()
    assert '<th scope="row">2021</th><td>2</td><td>0</td><td>0</td><td>2</td>' in page
    assert "unknown" in page
    svg = client.get(reverse("assets:asset_age_chart"), {"client": "acme"})
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert b"<script" not in svg.content and b"2021" in svg.content
    csv_text = client.get(reverse("assets:asset_age_csv"), {"client": "acme"}).content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0] == "purchase year,Laptop,Monitor,Printer,total"
    assert lines[1] == "2021,2,0,0,2"
    assert lines[-1] == "total,2,1,1,4"


def test_reports_tenancy(bob, carol, olivia, laptop):
    for name in ("asset_warranty", "asset_age", "asset_age_chart", "asset_age_csv"):
        url = reverse(f"assets:{name}")
        assert login(bob).get(url, {"client": "acme"}).status_code == 404, name
        assert login(carol).get(url, {"client": "acme"}).status_code == 302, name
        assert login(olivia).get(url, {"client": "acme"}).status_code == 302, name


def test_portal_org_admin_reads_own_assets_only(olivia, gina, carol, laptop, globex_pc, alice):
    client = login(olivia)
    page = client.get(reverse("assets:asset_portal")).content.decode()
    assert "ACM-0001" in page and "GLX-0001" not in page
    detail = client.get(reverse("assets:asset_portal_detail", args=[laptop.public_id]))
    assert detail.status_code == 200 and "PF-1234" in detail.content.decode()
    assert "Edit" not in detail.content.decode()
    assert (
        client.get(reverse("assets:asset_portal_detail", args=[globex_pc.public_id])).status_code
        == 404
    )
    assert (
        login(gina).get(reverse("assets:asset_portal_detail", args=[laptop.public_id])).status_code
        == 404
    )
    assert "ACM-0001" not in login(gina).get(reverse("assets:asset_portal")).content.decode()
    assert login(carol).get(reverse("assets:asset_portal")).status_code == 403
    assert (
        login(carol).get(reverse("assets:asset_portal_detail", args=[laptop.public_id])).status_code
        == 403
    )
    assert login(alice).get(reverse("assets:asset_portal")).status_code == 302
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("assets:asset_portal") in home
    assert (
        reverse("assets:asset_portal")
        not in login(carol).get(reverse("portal:home")).content.decode()
    )
