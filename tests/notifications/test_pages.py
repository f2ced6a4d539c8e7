"""The notification centre, the preferences page, the navigation's count and the ticket page's
"mentions of you" panel. Agents only; each sees only their own."""

import re

from deskside.notifications.models import Notification
from deskside.tickets import services as tickets


def mention(alice, ticket, body="@leo can you check?"):
    return tickets.add_note(actor=alice, ticket=ticket, body=body)


def test_the_centre_lists_newest_first_unread_marked(signed_in, alice, leo, acme_ticket):
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    mention(alice, acme_ticket)
    page = signed_in(leo).get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    first, second = Notification.objects.filter(recipient=leo).order_by("-id")
    assert html.index(f'id="notification-{first.pk}"') < html.index(
        f'id="notification-{second.pk}"'
    )
    assert html.count('class="notification unread"') == 2
    assert f'href="/notifications/{first.pk}/open/"' in html
    assert "(2 unread)" in html


def test_opening_marks_read_and_goes_to_the_event(signed_in, alice, leo, acme_ticket):
    event = mention(alice, acme_ticket)
    n = Notification.objects.get(recipient=leo)
    client = signed_in(leo)
    response = client.get(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{acme_ticket.number}/#event-{event.pk}"
    n.refresh_from_db()
    assert n.read_at is not None
    assert "(1 unread)" not in client.get("/notifications/").content.decode()


def test_mark_one_read_plain_post_and_htmx(signed_in, alice, leo, acme_ticket):
    mention(alice, acme_ticket, "@leo one")
    mention(alice, acme_ticket, "@leo two")
    one, two = Notification.objects.filter(recipient=leo).order_by("id")
    client = signed_in(leo)
    assert client.post(f"/notifications/{one.pk}/read/").status_code == 302
    fragment = client.post(f"/notifications/{two.pk}/read/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert f'id="notification-{two.pk}"' in fragment.content.decode()
    assert "unread" not in fragment.content.decode().split(">")[0]
    assert Notification.objects.filter(recipient=leo, read_at=None).count() == 0


def test_mark_all_read(signed_in, alice, leo, acme_ticket):
    mention(alice, acme_ticket, "@leo one")
    mention(alice, acme_ticket, "@leo two")
    client = signed_in(leo)
    assert client.post("/notifications/read-all/").status_code == 302
    assert Notification.objects.filter(recipient=leo, read_at=None).count() == 0
    assert "2 notifications marked read." in client.get("/notifications/").content.decode()


def test_unread_filter(signed_in, alice, leo, acme_ticket):
    mention(alice, acme_ticket, "@leo one")
    mention(alice, acme_ticket, "@leo two")
    one = Notification.objects.filter(recipient=leo).order_by("id").first()
    client = signed_in(leo)
    client.post(f"/notifications/{one.pk}/read/")
    html = client.get("/notifications/?unread=1").content.decode()
    assert html.count('class="notification unread"') == 1
    assert f'id="notification-{one.pk}"' not in html


def test_someone_elses_notification_is_404(signed_in, alice, leo, tara, acme_ticket):
    mention(alice, acme_ticket)
    n = Notification.objects.get(recipient=leo)
    client = signed_in(tara)
    assert client.get(f"/notifications/{n.pk}/open/").status_code == 404
    assert client.post(f"/notifications/{n.pk}/read/").status_code == 404
    assert f"notification-{n.pk}" not in client.get("/notifications/").content.decode()
    n.refresh_from_db()
    assert n.read_at is None


def test_customers_never_reach_the_pages(signed_in, carol, alice, leo, acme_ticket):
    mention(alice, acme_ticket)
    n = Notification.objects.get(recipient=leo)
    client = signed_in(carol)
    assert client.get("/notifications/")["Location"] == "/portal/"
    assert client.post(f"/notifications/{n.pk}/read/").status_code == 403
    assert client.post("/notifications/read-all/").status_code == 403
    assert client.get("/notifications/count/").status_code == 204
    assert client.get("/notifications/preferences/")["Location"] == "/portal/"


def test_the_count_in_the_navigation(signed_in, client, alice, leo, acme_ticket):
    leo_client = signed_in(leo)
    home = leo_client.get("/tickets/").content.decode()
    assert 'id="notif-count"' in home and 'hx-get="/notifications/count/"' in home
    assert re.search(r'hx-trigger="load, every 15s, notif-refresh from:body"', home)
    assert leo_client.get("/notifications/count/").content.decode().strip() == ""
    mention(alice, acme_ticket)
    count = leo_client.get("/notifications/count/")
    assert count["Cache-Control"] == "no-store"
    assert 'data-count="1"' in count.content.decode()
    assert client.get("/notifications/count/").status_code == 204  # signed out


def test_preferences_page(signed_in, leo):
    client = signed_in(leo)
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<legend>Mentioned in a note</legend>" in html
    assert 'name="mentioned" value="both"' in html and "checked" in html
    kinds = ("assigned", "escalated", "replied", "mentioned", "sla", "paged", "vendor", "kb_review")
    data = {k: "page" for k in kinds}
    data["sla"] = "none"
    assert client.post("/notifications/preferences/", data).status_code == 302
    from deskside.notifications.queries import preferences_of  # noqa: PLC0415

    assert preferences_of(leo)["sla"] == "none" and preferences_of(leo)["mentioned"] == "page"
    data["sla"] = "pigeon"
    assert client.post("/notifications/preferences/", data).status_code == 422


def test_the_ticket_page_shows_mentions_of_me_first(signed_in, alice, leo, tara, acme_ticket):
    event = mention(alice, acme_ticket, "@leo the switch in room 4, cc @tara")
    html = signed_in(leo).get(f"/tickets/{acme_ticket.number}/").content.decode()
    assert "Mentions of you" in html
    assert f'href="#event-{event.pk}"' in html
    assert html.index("Mentions of you") < html.index('id="timeline"')
    # Someone not mentioned sees no panel.
    other = signed_in(alice).get(f"/tickets/{acme_ticket.number}/").content.decode()
    assert "Mentions of you" not in other


def test_a_link_without_a_ticket_is_followed_only_on_this_site(signed_in, leo):
    client = signed_in(leo)

    def opened(link):
        n = Notification.objects.create(recipient=leo, kind="kb_review", title="x", link=link)
        response = client.get(f"/notifications/{n.pk}/open/")
        assert response.status_code == 302
        return response["Location"]

    assert opened("/kb/abc123/") == "/kb/abc123/"
    for elsewhere in (
        "https://evil.example/",
        "//evil.example/kb/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
        "kb/abc123/",
        "",
    ):
        assert opened(elsewhere) == "/notifications/", elsewhere
