"""The agent pages: queues, ticket page and its actions, intake, search, attachment download."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import views as core_views
from deskside.tickets import services
from deskside.tickets.models import (
    Attachment,
    Channel,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)


@pytest.fixture
def agent_client(client, alice):
    client.force_login(alice)
    return client


def act_url(ticket: Ticket, action: str) -> str:
    return reverse("tickets:act", args=[ticket.number, action])


def kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.values_list("kind", flat=True))


# -- pages render ------------------------------------------------------------------------------


@pytest.mark.parametrize("queue", ["mine", "team", "unassigned", "open", "all"])
def test_queue_tabs_render(agent_client, acme_ticket, queue):
    response = agent_client.get(reverse("tickets:queue"), {"queue": queue})
    assert response.status_code == 200
    assert b'class="active" aria-current="page"' in response.content
    if queue in ("unassigned", "open", "all"):
        assert acme_ticket.number.encode() in response.content
    else:
        assert acme_ticket.number.encode() not in response.content


def test_queue_row_shows_the_ticket_facts(agent_client, acme_ticket, alice):
    services.assign_ticket(actor=alice, ticket=acme_ticket, assignee=alice)
    page = agent_client.get(reverse("tickets:queue"), {"queue": "mine"}).content.decode()
    for text in (
        acme_ticket.number,
        "Printer offline on floor 2",
        "Acme Corp",
        "HQ",
        "Carol Customer",
        "Alice Agent",
        "badge prio-3",
        "Open",
        "Page 1",
    ):
        assert text in page


def test_queue_filters(agent_client, make_ticket, carol, dave):
    p1 = make_ticket(carol, subject="Server room flooded", priority=Priority.P1)
    p3 = make_ticket(carol, subject="Mouse squeaks")
    other = make_ticket(dave, subject="Globex VPN")
    page = agent_client.get(reverse("tickets:queue"), {"priority": "P1"}).content.decode()
    assert p1.number in page and p3.number not in page and other.number not in page
    page = agent_client.get(reverse("tickets:queue"), {"organization": "globex"}).content.decode()
    assert other.number in page and p1.number not in page
    page = agent_client.get(
        reverse("tickets:queue"), {"status": "resolved", "queue": "all"}
    ).content.decode()
    assert p1.number not in page and "No tickets here." in page
    # An unknown filter value is ignored rather than failing the page.
    response = agent_client.get(reverse("tickets:queue"), {"priority": "P9", "sort": "bogus"})
    assert response.status_code == 200
    assert p1.number in response.content.decode()


def test_queue_sorting_by_priority(agent_client, make_ticket, carol):
    low = make_ticket(carol, subject="Low", priority=Priority.OPS)
    high = make_ticket(carol, subject="High", priority=Priority.P1)
    oldest_first = agent_client.get(reverse("tickets:queue"), {"sort": "oldest"}).content.decode()
    assert oldest_first.index(low.number) < oldest_first.index(high.number)
    by_prio = agent_client.get(reverse("tickets:queue"), {"sort": "priority"}).content.decode()
    assert by_prio.index(high.number) < by_prio.index(low.number)


def test_queue_pages_without_counting(agent_client, make_ticket, carol, monkeypatch):
    monkeypatch.setattr(core_views, "PAGE_SIZE", 2)
    made = [make_ticket(carol, subject=f"Ticket {i}") for i in range(5)]
    with CaptureQueriesContext(connection) as captured:
        first = agent_client.get(reverse("tickets:queue")).content.decode()
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    assert made[4].number in first and made[3].number in first and made[2].number not in first
    assert "Page 1" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = agent_client.get(reverse("tickets:queue"), {"page": 3}).content.decode()
    assert made[0].number in last and made[1].number not in last
    assert "Page 3" in last and 'rel="next"' not in last and 'rel="prev"' in last
    # Junk page numbers fall back to the first page.
    assert "Page 1" in agent_client.get(reverse("tickets:queue"), {"page": "x"}).content.decode()


def test_queue_sorted_by_update_pages_in_one_order(agent_client, make_ticket, carol, monkeypatch):
    """Tickets updated at the same instant (a bulk change) still page in one order, newest
    first among them, so no ticket repeats or goes missing between pages."""
    monkeypatch.setattr(core_views, "PAGE_SIZE", 2)
    made = [make_ticket(carol, subject=f"Ticket {i}") for i in range(5)]
    Ticket.objects.update(updated_at=made[0].updated_at)
    seen = []
    for number in (1, 2, 3):
        response = agent_client.get(
            reverse("tickets:queue"), {"queue": "all", "sort": "updated", "page": number}
        )
        seen += [t.pk for t in response.context["page"].rows]
    assert seen == [t.pk for t in reversed(made)]


def _queue_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("tickets:queue"), {"queue": "all"})
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_queue_query_count_does_not_grow_with_rows(
    agent_client, make_ticket, carol, tara, alice, django_assert_max_num_queries
):
    for i in range(5):
        ticket = make_ticket(carol, subject=f"Few {i}")
        services.assign_ticket(actor=alice, ticket=ticket, assignee=tara)
    few, page = _queue_queries(agent_client, django_assert_max_num_queries, 12)
    assert page.count("Tara Lead<") == 5  # the rows; the pickers say "Tara Lead (L3)"
    for i in range(15):
        ticket = make_ticket(carol, subject=f"Many {i}")
        services.assign_ticket(actor=alice, ticket=ticket, assignee=tara)
    many, page = _queue_queries(agent_client, django_assert_max_num_queries, few)
    assert page.count("Tara Lead<") == 20
    assert many == few


def test_new_ticket_form_renders(agent_client, acme, carol):
    page = agent_client.get(reverse("tickets:new"), {"organization": "acme"}).content.decode()
    assert "Log a call or walk-up" in page
    assert "Carol Customer" in page  # requester options of the chosen client
    assert "Resolved on this call" in page


def test_intake_contacts_fragment_lists_only_that_clients_people(
    agent_client, carol, dave, acme_hq
):
    url = reverse("tickets:intake_contacts")
    page = agent_client.get(url, {"organization": "acme"}, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="contact-fields"' in text and "<html" not in text
    assert carol.public_id in text and acme_hq.public_id in text
    assert dave.public_id not in text


def test_detail_renders_facts_and_timeline(agent_client, acme_ticket, alice, acme_hq):
    acme_hq.access_notes = "Badge at reception, ask for Sam"
    acme_hq.save()
    acme_ticket.requester.phone = "+1 617 555 0100"
    acme_ticket.requester.save()
    services.add_note(actor=alice, ticket=acme_ticket, body="Toner codeword is BLUE")
    services.add_reply(actor=alice, ticket=acme_ticket, body="We are on it")
    services.log_call(actor=alice, ticket=acme_ticket, minutes=7, body="Talked through reboot")
    services.update_ticket(actor=alice, ticket=acme_ticket, priority=Priority.P2)
    page = agent_client.get(acme_ticket.get_absolute_url()).content.decode()
    for text in (
        "Acme Corp",
        "America/New_York",
        "Badge at reception, ask for Sam",
        "+1 617 555 0100",
        "carol@acme.example",
        "Toner codeword is BLUE",
        "We are on it",
        "7 min",
        "<del>P3</del> → <ins>P2</ins>",
    ):
        assert text in page, text
    assert 'class="event kind-note internal"' in page
    assert 'class="event kind-reply"' in page
    assert "Internal</span>" in page


def test_detail_shows_times_in_the_agents_zone(agent_client, acme_ticket, alice):
    alice.timezone = "Asia/Tokyo"
    alice.save()
    page = agent_client.get(acme_ticket.get_absolute_url()).content.decode()
    assert "JST" in page


def test_detail_normalises_the_number_and_404s_unknown(agent_client, acme_ticket):
    lower = reverse("tickets:detail", args=[acme_ticket.number.lower()])
    assert agent_client.get(lower).url == acme_ticket.get_absolute_url()
    assert agent_client.get(reverse("tickets:detail", args=["T-999999"])).status_code == 404
    assert agent_client.get(reverse("tickets:detail", args=["junk"])).status_code == 404


def test_agent_limited_to_served_clients_cannot_open_others(client, alice, acme, globex_ticket):
    alice.served_organizations.set([acme])
    client.force_login(alice)
    assert client.get(globex_ticket.get_absolute_url()).status_code == 404
    assert client.post(act_url(globex_ticket, "note"), {"body": "x"}).status_code == 404
    assert globex_ticket.number not in client.get(reverse("tickets:queue")).content.decode()


def test_triage_notes_are_at_the_top(agent_client, acme_ticket, alice, desktop_team):
    services.escalate_ticket(
        actor=alice,
        ticket=acme_ticket,
        tier=Tier.L2,
        team=desktop_team,
        symptoms="Paper jam light blinking",
        steps_tried="Power cycle, reseated tray",
        impact="Whole floor cannot print",
    )
    page = agent_client.get(acme_ticket.get_absolute_url()).content.decode()
    triage = page.index('class="triage"')
    assert triage < page.index('id="timeline"')
    for text in ("Paper jam light blinking", "Power cycle, reseated tray", "Whole floor"):
        assert triage < page.index(text)


def test_search(agent_client, make_ticket, carol, dave, alice):
    printer = make_ticket(carol, subject="Printer jammed")
    vpn = make_ticket(dave, subject="VPN drops")
    services.add_note(actor=alice, ticket=vpn, body="check the firewall codeword")
    url = reverse("tickets:search")
    page = agent_client.get(url, {"q": "printer"}).content.decode()
    assert printer.number in page and vpn.number not in page
    assert vpn.number in agent_client.get(url, {"q": "codeword"}).content.decode()
    jump = agent_client.get(url, {"q": vpn.number.lower()})
    assert jump.status_code == 302 and jump.url == vpn.get_absolute_url()
    assert "No ticket matches." in agent_client.get(url, {"q": "zebra"}).content.decode()
    assert agent_client.get(url).status_code == 200


# -- who may open what -------------------------------------------------------------------------


AGENT_PAGES = ["tickets:queue", "tickets:new", "tickets:search"]


@pytest.mark.parametrize("name", AGENT_PAGES)
def test_anonymous_goes_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", AGENT_PAGES)
def test_customers_are_sent_to_the_portal(client, carol, name):
    client.force_login(carol)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url == reverse("portal:home")


def test_customer_cannot_use_the_agent_ticket_page(client, carol, dave, acme_ticket):
    client.force_login(carol)
    response = client.get(acme_ticket.get_absolute_url())
    portal_page = reverse("portal:detail", args=[acme_ticket.number])
    assert response.status_code == 302 and response.url == portal_page
    assert client.post(act_url(acme_ticket, "reply"), {"body": "hi"}).status_code == 403
    client.force_login(dave)
    # Dave is sent to the portal, which does not show him Acme's ticket either.
    response = client.get(acme_ticket.get_absolute_url(), follow=True)
    assert response.status_code == 404
    assert b"Printer offline" not in response.content
    assert client.post(act_url(acme_ticket, "close"), {}).status_code == 403
    assert client.post(reverse("tickets:new"), {"subject": "x"}).status_code == 403
    assert kinds(acme_ticket) == [EventKind.CREATED]
    assert Ticket.objects.count() == 1


# -- attachments -------------------------------------------------------------------------------


@pytest.fixture
def files(acme_ticket, alice):
    reply = services.add_reply(
        actor=alice,
        ticket=acme_ticket,
        body="Here is the driver",
        attachments=[SimpleUploadedFile("driver notes.txt", b"step 1", "text/plain")],
    )
    note = services.add_note(
        actor=alice,
        ticket=acme_ticket,
        body="Admin password hint",
        attachments=[SimpleUploadedFile("secret.html", b"<script>x</script>", "text/html")],
    )
    return reply.attachments.get(), note.attachments.get()


def test_customer_downloads_a_public_attachment(client, carol, files):
    public, _ = files
    client.force_login(carol)
    response = client.get(reverse("tickets:attachment", args=[public.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"step 1"
    assert response["Content-Type"] == "text/plain"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "driver notes.txt" in response["Content-Disposition"]


def test_internal_attachment_is_404_for_the_customer(client, carol, files):
    _, internal = files
    client.force_login(carol)
    assert client.get(reverse("tickets:attachment", args=[internal.public_id])).status_code == 404


def test_other_clients_customer_gets_404(client, dave, files):
    client.force_login(dave)
    for item in files:
        assert client.get(reverse("tickets:attachment", args=[item.public_id])).status_code == 404


def test_agent_downloads_internal_attachment_as_a_file(agent_client, files):
    _, internal = files
    response = agent_client.get(reverse("tickets:attachment", args=[internal.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>x</script>"


def test_attachment_needs_sign_in_and_a_real_id(client, agent_client, files):
    assert agent_client.get(reverse("tickets:attachment", args=["nope"])).status_code == 404
    client.logout()
    response = client.get(reverse("tickets:attachment", args=[files[0].public_id]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_timeline_links_attachments(agent_client, acme_ticket, files):
    page = agent_client.get(acme_ticket.get_absolute_url()).content.decode()
    for item in files:
        assert reverse("tickets:attachment", args=[item.public_id]) in page


# -- intake ------------------------------------------------------------------------------------


def intake_data(**overrides):
    data = {
        "organization": "acme",
        "channel": Channel.PHONE,
        "subject": "Outlook keeps asking for the password",
        "description": "Since this morning",
        "priority": "P3",
        "type": TicketType.INCIDENT,
        "minutes": "6",
        "resolution": "",
    }
    data.update(overrides)
    return data


def test_intake_logs_a_call(agent_client, alice, carol):
    response = agent_client.post(reverse("tickets:new"), intake_data(requester=carol.public_id))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    assert ticket.requester == carol and ticket.site == carol.site
    assert ticket.channel == Channel.PHONE and ticket.assignee == alice
    call = ticket.events.get(kind=EventKind.CALL)
    assert call.data["minutes"] == 6
    assert ticket.status == Status.OPEN and not ticket.first_contact_resolution
    page = agent_client.get(response.url).content.decode()
    assert f"{ticket.number} logged." in page


def test_intake_resolved_on_the_call_counts_as_first_contact(agent_client, carol, acme_hq):
    data = intake_data(
        requester=carol.public_id,
        site=acme_hq.public_id,
        channel=Channel.WALK_UP,
        priority="P2",
        resolution="Reset the password with the user",
    )
    agent_client.post(reverse("tickets:new"), data)
    ticket = Ticket.objects.get()
    assert ticket.status == Status.RESOLVED
    assert ticket.first_contact_resolution
    assert ticket.priority == Priority.P2 and ticket.channel == Channel.WALK_UP
    assert kinds(ticket) == [EventKind.CREATED, EventKind.CALL, EventKind.RESOLVED]


def test_intake_with_invalid_input_shows_errors_and_creates_nothing(agent_client, carol, dave):
    response = agent_client.post(
        reverse("tickets:new"),
        intake_data(requester=dave.public_id, subject="", minutes="-3"),
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) >= {"requester", "subject", "minutes"}
    page = response.content.decode()
    assert "errorlist" in page
    assert "Since this morning" in page  # what was typed is kept
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_intake_service_error_becomes_a_form_error(agent_client, alice, acme, globex, dave):
    # Alice serves only Globex, so Acme is not offered; the service also refuses it.
    alice.served_organizations.set([globex])
    response = agent_client.post(reverse("tickets:new"), intake_data(requester=dave.public_id))
    assert response.status_code == 422
    assert "organization" in response.context["form"].errors
    assert Ticket.objects.count() == 0


# -- actions -----------------------------------------------------------------------------------


def test_reply_with_attachment(agent_client, acme_ticket):
    upload = SimpleUploadedFile("log.txt", b"error 42", "text/plain")
    response = agent_client.post(
        act_url(acme_ticket, "reply"), {"body": "Please try again", "attachments": [upload]}
    )
    assert response.status_code == 302 and response.url == acme_ticket.get_absolute_url()
    event = acme_ticket.events.get(kind=EventKind.REPLY)
    assert event.is_public and event.body == "Please try again"
    assert event.attachments.get().filename == "log.txt"
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN


def test_note_is_internal_with_private_files(agent_client, acme_ticket):
    upload = SimpleUploadedFile("creds.txt", b"x", "text/plain")
    agent_client.post(act_url(acme_ticket, "note"), {"body": "Checked AD", "attachments": upload})
    event = acme_ticket.events.get(kind=EventKind.NOTE)
    assert not event.is_public
    assert not Attachment.objects.get().is_public


def test_log_call(agent_client, acme_ticket):
    agent_client.post(
        act_url(acme_ticket, "call"), {"minutes": "12", "body": "Walked through", "inbound": "on"}
    )
    event = acme_ticket.events.get(kind=EventKind.CALL)
    assert event.data == {"minutes": 12, "inbound": True}


def test_assign_and_assign_to_me(agent_client, acme_ticket, alice, leo, desktop_team):
    agent_client.post(
        act_url(acme_ticket, "assign"), {"assignee": leo.public_id, "team": desktop_team.slug}
    )
    acme_ticket.refresh_from_db()
    assert acme_ticket.assignee == leo and acme_ticket.team == desktop_team
    agent_client.post(act_url(acme_ticket, "assign"), {"assignee": alice.public_id})
    acme_ticket.refresh_from_db()
    assert acme_ticket.assignee == alice and acme_ticket.team == desktop_team
    assert kinds(acme_ticket).count(EventKind.ASSIGNED) == 2


def test_escalate(agent_client, acme_ticket, tara, network_team):
    response = agent_client.post(
        act_url(acme_ticket, "escalate"),
        {
            "tier": "L3",
            "team": network_team.slug,
            "assignee": tara.public_id,
            "symptoms": "Switch port flapping",
            "steps_tried": "Swapped cable",
            "impact": "Floor 2 offline",
        },
    )
    assert response.status_code == 302
    acme_ticket.refresh_from_db()
    assert acme_ticket.tier == Tier.L3 and acme_ticket.assignee == tara
    event = acme_ticket.events.get(kind=EventKind.ESCALATED)
    assert event.data["symptoms"] == "Switch port flapping"


def test_escalation_without_triage_notes_is_refused(agent_client, acme_ticket):
    response = agent_client.post(
        act_url(acme_ticket, "escalate"),
        {"tier": "L2", "symptoms": "Printer dead", "steps_tried": "  ", "impact": ""},
    )
    assert response.status_code == 422
    assert set(response.context["forms"]["escalate"].errors) == {"steps_tried", "impact"}
    page = response.content.decode()
    assert "The escalation was not done." in page
    assert "<li>Steps already tried: This field is required.</li>" in page
    assert '<details class="action" id="action-escalate" open>' in page
    assert "Printer dead" in page  # the typed notes are kept
    acme_ticket.refresh_from_db()
    assert acme_ticket.tier == Tier.L1
    assert EventKind.ESCALATED not in kinds(acme_ticket)


def test_escalation_refused_by_the_service_shows_its_error(agent_client, acme_ticket, helpdesk):
    # The L1 help desk is not offered as an escalation team.
    response = agent_client.post(
        act_url(acme_ticket, "escalate"),
        {"tier": "L2", "symptoms": "a", "steps_tried": "b", "impact": "c", "team": helpdesk.slug},
    )
    assert response.status_code == 422
    assert "team" in response.context["forms"]["escalate"].errors
    # The form is fine, but the ticket is at L2 after the first escalation: the service says no.
    response = agent_client.post(
        act_url(acme_ticket, "escalate"),
        {"tier": "L2", "symptoms": "a", "steps_tried": "b", "impact": "c"},
    )
    assert response.status_code == 302
    response = agent_client.post(
        act_url(acme_ticket, "escalate"),
        {"tier": "L2", "symptoms": "a", "steps_tried": "b", "impact": "c"},
    )
    assert response.status_code == 422
    assert "escalate to a higher tier" in response.content.decode()
    assert kinds(acme_ticket).count(EventKind.ESCALATED) == 1


@pytest.mark.parametrize("status", [Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.ON_HOLD])
def test_set_status(agent_client, acme_ticket, status):
    agent_client.post(act_url(acme_ticket, "status"), {"status": status, "reason": "waiting"})
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == status
    event = acme_ticket.events.filter(kind=EventKind.STATUS).last()
    assert event.data["to"] == status and event.body == "waiting"


def test_resolve_reopen_close(agent_client, acme_ticket):
    agent_client.post(act_url(acme_ticket, "resolve"), {"resolution": "Replaced toner"})
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.RESOLVED
    agent_client.post(act_url(acme_ticket, "reopen"), {"reason": "Back again"})
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN
    agent_client.post(act_url(acme_ticket, "close"), {"reason": "Duplicate"})
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.CLOSED
    assert kinds(acme_ticket)[-3:] == [EventKind.RESOLVED, EventKind.REOPENED, EventKind.CLOSED]
    page = agent_client.get(acme_ticket.get_absolute_url()).content.decode()
    assert "This ticket is closed." in page


def _reason_field(page: str, action: str) -> tuple[str, str]:
    """The label and help text of the reason field of `action`'s form on the ticket page."""
    label = re.search(rf'<label for="{action}-reason">(.*?)</label>', page, re.S)
    help_text = re.search(rf'id="{action}-reason_helptext">(.*?)</div>', page, re.S)
    assert label and help_text, f"no reason field on the {action} form"
    return label.group(1).strip(), help_text.group(1).strip()


def test_public_reasons_say_the_customer_reads_them(agent_client, alice, acme_ticket):
    """A status change, reopen or close reason is a public event: the form says so."""
    expected = ("Message to the customer (optional):", "The customer sees this in the portal.")
    page = agent_client.get(acme_ticket.get_absolute_url()).text
    assert _reason_field(page, "status") == expected
    assert _reason_field(page, "close") == expected
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Replaced toner")
    page = agent_client.get(acme_ticket.get_absolute_url()).text
    assert _reason_field(page, "reopen") == expected


def test_resolve_needs_a_resolution(agent_client, acme_ticket):
    response = agent_client.post(act_url(acme_ticket, "resolve"), {"resolution": ""})
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.NEW


def test_reopen_of_an_open_ticket_shows_the_service_error(agent_client, acme_ticket):
    response = agent_client.post(act_url(acme_ticket, "reopen"), {"reason": ""})
    assert response.status_code == 422
    assert "only a resolved ticket can be reopened" in response.content.decode()


def test_merge(agent_client, make_ticket, carol, dave):
    source = make_ticket(carol, subject="Printer again")
    target = make_ticket(carol, subject="Printer")
    response = agent_client.post(act_url(source, "merge"), {"target": target.number})
    assert response.status_code == 302 and response.url == target.get_absolute_url()
    source.refresh_from_db()
    assert source.merged_into == target and source.status == Status.CLOSED
    assert EventKind.MERGED_IN in kinds(target)
    page = agent_client.get(source.get_absolute_url()).content.decode()
    assert f'Merged into <a href="{target.get_absolute_url()}"' in page


def test_merge_into_unknown_or_other_client_is_refused(agent_client, acme_ticket, globex_ticket):
    response = agent_client.post(act_url(acme_ticket, "merge"), {"target": "T-99999"})
    assert response.status_code == 422
    assert "There is no ticket T-99999." in response.content.decode()
    response = agent_client.post(act_url(acme_ticket, "merge"), {"target": globex_ticket.number})
    assert response.status_code == 422
    assert "different clients cannot be merged" in response.content.decode()
    acme_ticket.refresh_from_db()
    assert acme_ticket.merged_into is None


def test_edit_fields(agent_client, acme_ticket, acme, acme_hq):
    basement = accounts.create_site(organization=acme, name="Basement")
    agent_client.post(
        act_url(acme_ticket, "edit"),
        {
            "subject": "Printer on floor 2 is offline",
            "priority": "P2",
            "type": TicketType.SERVICE_REQUEST,
            "site": basement.public_id,
        },
    )
    acme_ticket.refresh_from_db()
    assert acme_ticket.subject == "Printer on floor 2 is offline"
    assert acme_ticket.priority == Priority.P2
    assert acme_ticket.type == TicketType.SERVICE_REQUEST
    assert acme_ticket.site == basement
    changes = acme_ticket.events.get(kind=EventKind.CHANGED).data["changes"]
    assert changes["priority"] == ["P3", "P2"] and changes["site"] == ["HQ", "Basement"]


def test_edit_cannot_pick_another_clients_site(agent_client, acme_ticket, globex_site):
    response = agent_client.post(
        act_url(acme_ticket, "edit"),
        {"subject": "x", "priority": "P3", "type": "incident", "site": globex_site.public_id},
    )
    assert response.status_code == 422
    acme_ticket.refresh_from_db()
    assert acme_ticket.site.name == "HQ"


def test_watchers(agent_client, acme_ticket, leo, olivia, dave):
    agent_client.post(
        act_url(acme_ticket, "watchers"), {"watchers": [leo.public_id, olivia.public_id]}
    )
    assert set(acme_ticket.watchers.all()) == {leo, olivia}
    assert acme_ticket.events.filter(kind=EventKind.WATCHERS).count() == 1
    response = agent_client.post(act_url(acme_ticket, "watchers"), {"watchers": [dave.public_id]})
    assert response.status_code == 422
    assert set(acme_ticket.watchers.all()) == {leo, olivia}


def test_unknown_action_is_404_and_get_is_refused(agent_client, acme_ticket):
    assert agent_client.post(act_url(acme_ticket, "explode"), {}).status_code == 404
    assert agent_client.get(act_url(acme_ticket, "reply")).status_code == 405


# -- htmx --------------------------------------------------------------------------------------


def test_htmx_note_error_comes_back_swappable(agent_client, acme_ticket):
    response = agent_client.post(act_url(acme_ticket, "note"), {"body": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert 'id="ticket"' in response.content.decode()
    assert "errorlist" in response.content.decode()


def test_htmx_merge_navigates_to_the_target(agent_client, make_ticket, carol):
    source, target = make_ticket(carol), make_ticket(carol)
    response = agent_client.post(
        act_url(source, "merge"), {"target": target.number}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == target.get_absolute_url()


def test_htmx_success_shows_the_message_inside_the_swapped_part(agent_client, acme_ticket):
    response = agent_client.post(
        act_url(acme_ticket, "note"), {"body": "Checked"}, HTTP_HX_REQUEST="true", follow=True
    )
    page = response.content.decode()
    swapped = page[page.index('id="ticket"') :]
    assert "Internal note added." in swapped
    assert "Checked" in swapped


def test_ticket_page_query_count_does_not_grow_with_the_timeline(
    agent_client, acme_ticket, alice, leo, django_assert_max_num_queries
):
    def add_events(start, stop):
        for i in range(start, stop):
            services.add_note(
                actor=alice,
                ticket=acme_ticket,
                body=f"note {i}",
                attachments=[SimpleUploadedFile(f"f{i}.txt", b"x", "text/plain")],
            )
            services.add_reply(actor=leo, ticket=acme_ticket, body=f"reply {i}")

    add_events(0, 2)
    with django_assert_max_num_queries(40) as captured:
        assert agent_client.get(acme_ticket.get_absolute_url()).status_code == 200
    few = len(captured.captured_queries)
    add_events(2, 10)
    with django_assert_max_num_queries(few) as captured:
        page = agent_client.get(acme_ticket.get_absolute_url()).content.decode()
    assert page.count('class="event kind-note internal"') == 10
    assert page.count("f9.txt") == 1


def test_workload_chart_counts_open_tickets_by_status_and_priority(
    client, alice, carol, dave, make_ticket, django_assert_max_num_queries
):
    make_ticket(carol, priority=Priority.P1)
    make_ticket(carol, priority=Priority.P3)
    make_ticket(dave, priority=Priority.P3)
    closed = make_ticket(dave, priority=Priority.P2)
    services.close_ticket(actor=alice, ticket=closed)
    client.force_login(alice)
    assert b'hx-get="/tickets/workload/"' in client.get("/tickets/").content
    with django_assert_max_num_queries(4):
        response = client.get("/tickets/workload/")
    assert response.status_code == 200
    rows = {row.status: row for row in response.context["rows"]}
    assert rows["new"].total == 3 and rows["open"].total == 0
    assert {label: n for _, label, n in rows["new"].by_priority} == {
        "P1": 1,
        "P2": 0,
        "P3": 2,
        "OPS": 0,
    }
    assert b"priority=P1" in response.content  # each segment opens its queue


def test_workload_chart_counts_only_what_the_agent_serves(client, alice, carol, dave, make_ticket):
    make_ticket(carol)
    make_ticket(dave)
    alice.served_organizations.set([carol.organization])
    client.force_login(alice)
    rows = {row.status: row for row in client.get("/tickets/workload/").context["rows"]}
    assert rows["new"].total == 1


def test_customers_cannot_load_the_workload_chart(client, carol):
    client.force_login(carol)
    assert client.get("/tickets/workload/").status_code == 302
