"""The queue page with saved views and bulk actions: the sidebar and its counts (htmx), saving
the current filter, managing views, columns; the bulk form as a plain POST + redirect."""

from django.urls import reverse

from deskside.tickets import services as tickets
from deskside.tickets.models import Priority, Status, Ticket
from deskside.workspace import services
from deskside.workspace.models import SavedView


def test_queue_sidebar_lists_views_and_marks_the_old_queue_urls(signed_in, alice, acme_ticket):
    client = signed_in(alice)
    page = client.get(reverse("tickets:queue"), {"queue": "mine"}).content.decode()
    mine = SavedView.objects.get(name="Assigned to me")
    assert f'href="/tickets/?queue=mine&amp;view={mine.public_id}" class="active"' in page
    assert "Save this filter as a view" in page
    assert reverse("workspace:counts") in page


def test_counts_fragment_is_capped_and_tenant_safe(
    signed_in, alice, restricted, helpdesk, make_ticket, carol, dave
):
    make_ticket(carol)
    make_ticket(dave)
    services.create_view(actor=alice, name="Everything", filters={"queue": "all"}, team=helpdesk)
    fragment = signed_in(restricted).get(reverse("workspace:counts"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert 'Everything</a> <span class="muted" title="Shared with Help Desk L1">' in html
    assert '<span class="count" aria-label="1 tickets">1</span>' in html
    assert '<span class="count" aria-label="2 tickets">2</span>' not in html


def test_counts_need_an_agent(signed_in, carol):
    assert signed_in(carol).get(reverse("workspace:counts")).status_code in (302, 403)


def test_save_the_current_filter_as_a_view(signed_in, alice, helpdesk, make_ticket, carol):
    make_ticket(carol, priority=Priority.P1)
    client = signed_in(alice)
    response = client.post(
        reverse("workspace:create"),
        {
            "name": "P1 by time left",
            "team": helpdesk.slug,
            "query": "queue=open&priority=P1&sort=due&cols=number,subject,sla&page=3",
        },
    )
    view = SavedView.objects.get(name="P1 by time left")
    assert (view.filters, view.sort, view.columns, view.team) == (
        {"queue": "open", "priority": "P1"},
        "due",
        ["number", "subject", "sla"],
        helpdesk,
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/tickets/?queue=open&priority=P1&sort=due&cols=number%2Csubject%2Csla&view={view.public_id}"
    )
    page = client.get(response["Location"]).content.decode()
    assert '<th class="col-sla">Time left</th>' in page
    assert '<th class="col-client' not in page


def test_save_without_a_name_says_so(signed_in, alice):
    response = signed_in(alice).post(
        reverse("workspace:create"), {"query": "queue=open"}, follow=True
    )
    assert "Give the view a name" in response.content.decode()
    assert not SavedView.objects.filter(is_default=False).exists()


def test_manage_page_rename_share_delete(signed_in, alice, leo, helpdesk):
    view = services.create_view(actor=alice, name="Mine", filters={})
    client = signed_in(alice)
    page = client.get(reverse("workspace:views")).content.decode()
    assert "Mine" in page and "Only me" in page
    p = view.public_id
    client.post(
        reverse("workspace:edit", args=[p]), {f"{p}-name": "Desk", f"{p}-team": helpdesk.slug}
    )
    view.refresh_from_db()
    assert (view.name, view.team) == ("Desk", helpdesk)
    # another agent cannot touch it (they do not even see it)
    assert signed_in(leo).post(reverse("workspace:delete", args=[p])).status_code == 404
    response = client.post(reverse("workspace:delete", args=[p]), follow=True)
    assert "View “Desk” deleted." in response.content.decode()
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_member_cannot_delete_a_teams_view(signed_in, alice, restricted, helpdesk):
    view = services.create_view(actor=alice, name="Desk", filters={}, team=helpdesk)
    response = signed_in(restricted).post(
        reverse("workspace:delete", args=[view.public_id]), follow=True
    )
    assert "only the person who saved this view" in response.content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_text_and_assignee_filters_on_the_queue(signed_in, alice, make_ticket, carol):
    wanted = make_ticket(carol, subject="Scanner jammed")
    other = make_ticket(carol, subject="Email bounced")
    tickets.assign_ticket(actor=alice, ticket=other, assignee=alice)
    client = signed_in(alice)
    page = client.get(reverse("tickets:queue"), {"q": "scanner"}).content.decode()
    assert wanted.number in page and other.number not in page
    page = client.get(reverse("tickets:queue"), {"assignee": alice.public_id}).content.decode()
    assert other.number in page and wanted.number not in page


# -- bulk actions on the pages ------------------------------------------------------------------


def test_bulk_assign_ticked_rows_plain_post(signed_in, alice, leo, make_ticket, carol):
    rows = [make_ticket(carol) for _ in range(3)]
    tickets.close_ticket(actor=alice, ticket=rows[2])
    client = signed_in(alice)
    page = client.get(reverse("tickets:queue"), {"queue": "all"}).content.decode()
    assert f'name="ticket" value="{rows[0].number}" form="bulk"' in page
    response = client.post(
        reverse("tickets:bulk"),
        {
            "action": "assign",
            "ticket": [t.number for t in rows],
            "assignee": leo.public_id,
            "next": "/tickets/?queue=all",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/tickets/?queue=all"
    page = client.get(response["Location"]).content.decode()
    assert (
        f"Assigned 2 tickets to Leo Field; 1 refused: {rows[2].number} {rows[2].number} is closed"
        in page
    )
    assert Ticket.objects.filter(assignee=leo).count() == 2


def test_bulk_all_matching_takes_the_filter(signed_in, alice, make_ticket, carol, dave):
    p1 = [make_ticket(carol, priority=Priority.P1) for _ in range(2)]
    p3 = make_ticket(carol)
    client = signed_in(alice)
    response = client.post(
        reverse("tickets:bulk"),
        {
            "action": "status",
            "status": "on_hold",
            "all_matching": "on",
            "query": "queue=open&priority=P1",
        },
        follow=True,
    )
    assert "Set 2 tickets to on hold" in response.content.decode()
    assert {t.status for t in Ticket.objects.filter(pk__in=[t.pk for t in p1])} == {Status.ON_HOLD}
    p3.refresh_from_db()
    assert p3.status != Status.ON_HOLD


def test_bulk_all_matching_under_a_restricted_agent(
    signed_in, restricted, make_ticket, carol, dave
):
    mine = make_ticket(carol)
    other = make_ticket(dave)
    response = signed_in(restricted).post(
        reverse("tickets:bulk"),
        {"action": "close", "all_matching": "on", "query": "queue=all"},
        follow=True,
    )
    assert "Closed 1 ticket" in response.content.decode()
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, other.status != Status.CLOSED) == (Status.CLOSED, True)


def test_bulk_ids_of_another_client_are_not_found(signed_in, restricted, make_ticket, dave):
    other = make_ticket(dave)
    response = signed_in(restricted).post(
        reverse("tickets:bulk"), {"action": "close", "ticket": [other.number]}, follow=True
    )
    assert f"1 refused: {other.number} not found" in response.content.decode()
    other.refresh_from_db()
    assert other.status != Status.CLOSED


def test_bulk_without_tickets_or_by_a_customer(signed_in, alice, carol, acme_ticket):
    response = signed_in(alice).post(reverse("tickets:bulk"), {"action": "close"}, follow=True)
    assert "Tick some tickets first" in response.content.decode()
    response = signed_in(carol).post(
        reverse("tickets:bulk"), {"action": "close", "ticket": [acme_ticket.number]}
    )
    assert response.status_code in (302, 403)
    acme_ticket.refresh_from_db()
    assert acme_ticket.status != Status.CLOSED


def test_bulk_refuses_an_outside_next(signed_in, alice, acme_ticket):
    response = signed_in(alice).post(
        reverse("tickets:bulk"),
        {"action": "close", "ticket": [acme_ticket.number], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("tickets:queue")


def test_search_results_have_the_bulk_form(signed_in, alice, make_ticket, carol):
    ticket = make_ticket(carol, subject="Scanner jammed")
    page = signed_in(alice).get(reverse("tickets:search"), {"q": "scanner"}).content.decode()
    assert f'name="ticket" value="{ticket.number}"' in page
    assert 'name="query" value="queue=all&amp;q=scanner"' in page


def test_an_admin_manages_every_teams_views(signed_in, alice, admin, helpdesk):
    view = services.create_view(actor=alice, name="Desk", filters={}, team=helpdesk)
    client = signed_in(admin)  # not on the help desk
    assert "Desk" in client.get(reverse("workspace:views")).content.decode()
    counts = client.get(reverse("workspace:counts")).content.decode()
    assert "Desk" not in counts  # the sidebar: only the views of their own teams
    p = view.public_id
    client.post(reverse("workspace:edit", args=[p]), {f"{p}-name": "Help desk", f"{p}-team": ""})
    view.refresh_from_db()
    assert (view.name, view.team) == ("Help desk", None)
