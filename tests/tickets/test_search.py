"""The read side: who sees which tickets, queues, counts and full-text search.

Search runs on SQLite FTS5 and on PostgreSQL tsvector; every test here runs on both.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.tickets import services
from deskside.tickets.models import Priority, Status, Ticket
from deskside.tickets.queries import QUEUES, SORTS, queue, search, status_counts, visible_tickets


@pytest.fixture
def rita(msp, globex):
    """An agent who serves Globex only."""
    user = accounts.create_user(
        email="rita@msp.example", full_name="Rita Restricted", kind="agent", organization=msp
    )
    user.served_organizations.set([globex])
    return user


@pytest.fixture
def desk(make_ticket, carol, olivia, dave, alice, leo, desktop_team):
    """A small desk: Carol's two tickets, Olivia's ticket Carol watches, Olivia's private one,
    and a Globex ticket."""
    printer = make_ticket(
        carol,
        subject="Printer offline on floor 2",
        description="The HP printer shows offline since Monday",
    )
    jam = make_ticket(
        carol, subject="Printer jammed", description="Paper jam in tray 1", priority=Priority.P2
    )
    watched = make_ticket(
        olivia, subject="Network slow", description="Everything is slow", watchers=[carol]
    )
    private = make_ticket(
        olivia, subject="Salary spreadsheet locked", description="Excel says the file is locked"
    )
    vpn = make_ticket(dave, subject="VPN drops every hour", description="The printer too")
    services.assign_ticket(actor=alice, ticket=jam, assignee=leo, team=desktop_team)
    services.set_status(actor=alice, ticket=watched, status=Status.PENDING_VENDOR)
    services.resolve_ticket(actor=alice, ticket=private, resolution="Closed Excel on the server")
    for t in (printer, jam, watched, private, vpn):
        t.refresh_from_db()
    return {"printer": printer, "jam": jam, "watched": watched, "private": private, "vpn": vpn}


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


# -- visibility --------------------------------------------------------------------------------


def test_customer_sees_own_and_watched(desk, carol):
    assert ids(visible_tickets(carol)) == {desk["printer"].pk, desk["jam"].pk, desk["watched"].pk}


def test_org_admin_sees_whole_organisation(desk, olivia):
    assert ids(visible_tickets(olivia)) == {
        desk[k].pk for k in ("printer", "jam", "watched", "private")
    }


def test_other_client_sees_nothing_of_acme_even_as_a_wrongly_added_watcher(desk, dave):
    desk["printer"].watchers.add(dave)  # bypassing set_watchers, which refuses this
    assert ids(visible_tickets(dave)) == {desk["vpn"].pk}


def test_agents_see_all_unless_restricted(desk, alice, rita):
    assert ids(visible_tickets(alice)) == {t.pk for t in desk.values()}
    assert ids(visible_tickets(rita)) == {desk["vpn"].pk}


def test_inactive_and_anonymous_see_nothing(desk, carol, alice):
    assert not visible_tickets(AnonymousUser()).exists()
    for user in (carol, alice):
        user.is_active = False
        user.save()
        assert not visible_tickets(user).exists()


def test_customer_visibility_has_no_duplicates(desk, carol, olivia, leo, alice):
    services.set_watchers(actor=alice, ticket=desk["printer"], watchers=[carol, olivia, leo])
    rows = list(visible_tickets(carol))
    assert len(rows) == len(set(rows)) == 3


# -- queues and counts -------------------------------------------------------------------------


def test_queues(desk, alice, leo, desktop_team, carol):
    open_ids = {desk[k].pk for k in ("printer", "jam", "watched", "vpn")}
    assert ids(queue(alice, "open")) == open_ids
    assert ids(queue(alice, "all")) == open_ids | {desk["private"].pk}
    assert ids(queue(leo, "mine")) == {desk["jam"].pk}
    assert ids(queue(alice, "mine")) == set()
    assert ids(queue(leo, "team")) == {desk["jam"].pk}
    assert ids(queue(alice, "unassigned")) == open_ids - {desk["jam"].pk}
    assert ids(queue(carol, "all")) == ids(visible_tickets(carol))
    assert set(QUEUES) == {"mine", "team", "unassigned", "open", "all"}


def test_queue_filters(desk, alice, leo, desktop_team):
    assert ids(queue(alice, "all", organization="globex")) == {desk["vpn"].pk}
    assert ids(queue(alice, "all", priority=Priority.P2)) == {desk["jam"].pk}
    assert ids(queue(alice, "all", status=Status.RESOLVED)) == {desk["private"].pk}
    assert ids(queue(alice, "all", team=desktop_team.pk)) == {desk["jam"].pk}
    assert ids(queue(alice, "all", assignee=leo.public_id)) == {desk["jam"].pk}
    assert ids(queue(alice, "all", tier=Tier.L2)) == set()
    assert ids(queue(alice, "all", text="printer")) == {
        desk["printer"].pk,
        desk["jam"].pk,
        desk["vpn"].pk,
    }
    assert ids(queue(alice, "open", organization="acme", text="printer offline")) == {
        desk["printer"].pk
    }


def test_queue_sorts(desk, alice):
    newest = list(queue(alice, "all", sort="newest"))
    assert newest == sorted(newest, key=lambda t: -t.pk)
    assert list(queue(alice, "all", sort="oldest")) == newest[::-1]
    by_priority = list(queue(alice, "all", sort="priority"))
    assert by_priority[0] == desk["jam"]
    assert [t.priority for t in by_priority] == sorted(t.priority for t in by_priority)
    assert list(queue(alice, "all", sort="bogus")) == newest
    assert set(SORTS) >= {"newest", "oldest", "priority", "updated"}


def test_status_counts(desk, alice, carol, dave, olivia, leo):
    assert status_counts(alice) == {
        Status.NEW: 2,
        Status.OPEN: 1,
        Status.PENDING_CUSTOMER: 0,
        Status.PENDING_VENDOR: 1,
        Status.ON_HOLD: 0,
    }
    assert status_counts(dave)[Status.NEW] == 1
    # Several watchers on one ticket must not count it several times.
    services.set_watchers(actor=alice, ticket=desk["printer"], watchers=[carol, olivia, leo])
    assert status_counts(carol) == {
        Status.NEW: 1,
        Status.OPEN: 1,
        Status.PENDING_CUSTOMER: 0,
        Status.PENDING_VENDOR: 1,
        Status.ON_HOLD: 0,
    }


# -- search ------------------------------------------------------------------------------------


def test_words_are_anded(desk, alice):
    assert ids(search(alice, "printer offline")) == {desk["printer"].pk}
    assert ids(search(alice, "printer")) == {desk["printer"].pk, desk["jam"].pk, desk["vpn"].pk}
    assert ids(search(alice, "printer network")) == set()


def test_stemming(desk, alice):
    assert ids(search(alice, "printers")) == ids(search(alice, "printer"))
    assert ids(search(alice, "jamming")) == {desk["jam"].pk}
    assert ids(search(alice, "Drops HOURS")) == {desk["vpn"].pk}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"printer', {"printer", "jam", "vpn"}),
        ("printer*", {"printer", "jam", "vpn"}),
        ("printer AND", {"printer", "jam", "vpn"}),
        ("the printer is offline", {"printer"}),
        ("the", set()),
        ("a AND OR", set()),
        ("NEAR(", set()),
        ("NEAR(printer offline)", set()),
        ("*", set()),
        ("-", set()),
        ("'", set()),
        ("\\", set()),
        ("\x00", set()),
        ("printer\x00offline", {"printer"}),
        ("(printer) {offline}", {"printer"}),
        ("public_text:printer", set()),
        ("{public_text internal_text}: printer", set()),
        ("printer:", {"printer", "jam", "vpn"}),
        ("^printer", {"printer", "jam", "vpn"}),
        ("printer & offline | !x", set()),
        ("printer, offline!", {"printer"}),
        ("%", set()),
        ("_", set()),
        ("", set()),
        ("   ", set()),
        ("🖨️", set()),
        ("T-", set()),
        ("T-abc", set()),
        ("T-²", set()),
        ("T-٣", set()),
        ("T-99999999999999999999", set()),
    ],
)
def test_odd_queries_do_not_break(desk, alice, text, expected):
    assert ids(search(alice, text)) == {desk[k].pk for k in expected}


def test_unicode_text(alice, carol, make_ticket):
    ticket = make_ticket(carol, subject="Café Zürich: 打印机 offline", description="Ελληνικά")
    assert ids(search(alice, "café")) == {ticket.pk}
    assert ids(search(alice, "ZÜRICH")) == {ticket.pk}
    assert ids(search(alice, "打印机")) == {ticket.pk}
    assert ids(search(alice, "Ελληνικά")) == {ticket.pk}


def test_many_words_are_capped_not_refused(desk, alice):
    text = "printer offline floor monday shows hp since 2 " + "extra " * 50
    assert ids(search(alice, text)) == {desk["printer"].pk}


def test_customers_never_match_internal_text(desk, alice, leo, carol, olivia):
    printer = desk["printer"]
    services.add_note(actor=alice, ticket=printer, body="toner codeword zanzibar")
    services.log_call(actor=alice, ticket=printer, minutes=2, body="spoke about quokka")
    services.escalate_ticket(
        actor=alice,
        ticket=printer,
        tier=Tier.L2,
        symptoms="wombat",
        steps_tried="numbat",
        impact="bilby",
    )
    for word in ("zanzibar", "quokka", "wombat", "numbat", "bilby"):
        assert ids(search(alice, word)) == {printer.pk}
        assert ids(search(leo, word)) == {printer.pk}
        assert ids(search(carol, word)) == set()
        assert ids(search(olivia, word)) == set()
    assert ids(search(carol, "printer zanzibar")) == set()


def test_results_follow_visibility(desk, carol, olivia, dave, rita):
    assert ids(search(carol, "printer")) == {desk["printer"].pk, desk["jam"].pk}
    assert ids(search(carol, "locked")) == set()
    assert ids(search(olivia, "locked")) == {desk["private"].pk}
    assert ids(search(dave, "printer")) == {desk["vpn"].pk}
    assert ids(search(rita, "printer")) == {desk["vpn"].pk}


def test_search_within_a_base_queryset(desk, alice):
    base = visible_tickets(alice).filter(organization__slug="acme")
    assert ids(search(alice, "printer", base)) == {desk["printer"].pk, desk["jam"].pk}


def test_ticket_number_jumps_to_the_ticket(desk, alice, carol, dave):
    printer = desk["printer"]
    for text in (printer.number, printer.number.lower(), f"  {printer.number} "):
        assert list(search(alice, text)) == [printer]
        assert list(search(carol, text)) == [printer]
    assert list(search(dave, printer.number)) == []
    assert list(search(alice, f"T-{max(t.pk for t in desk.values()) + 10001}")) == []


def test_index_follows_the_timeline(desk, alice, carol):
    printer = desk["printer"]
    assert ids(search(carol, "firmware")) == set()
    services.add_reply(actor=alice, ticket=printer, body="Updated the firmware")
    assert ids(search(carol, "firmware")) == {printer.pk}
    services.add_reply(actor=carol, ticket=printer, body="Now it squeaks")
    assert ids(search(alice, "squeaks")) == {printer.pk}
    services.add_note(actor=alice, ticket=printer, body="fuser unit worn")
    assert ids(search(alice, "fuser")) == {printer.pk}
    services.update_ticket(actor=alice, ticket=printer, subject="Plotter offline")
    assert ids(search(carol, "plotter")) == {printer.pk}
    assert ids(search(alice, "floor")) == set()
    services.update_ticket(actor=alice, ticket=printer, description="Toner smudges")
    assert ids(search(carol, "smudges")) == {printer.pk}
    services.resolve_ticket(actor=alice, ticket=printer, resolution="Replaced the drum")
    assert ids(search(carol, "drum")) == {printer.pk}


def test_merged_ticket_stays_findable(desk, alice):
    services.merge_tickets(actor=alice, source=desk["jam"], target=desk["printer"])
    assert ids(search(alice, "jammed")) == {desk["jam"].pk}


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=60)
    | st.lists(
        st.sampled_from(
            [
                '"',
                "'",
                "*",
                "(",
                ")",
                "NEAR",
                "AND",
                "OR",
                "NOT",
                "-",
                ":",
                "^",
                "{",
                "}",
                "printer",
                "offline",
                "T-",
                "1",
                "_",
                "\\",
                "%",
                "&",
                "|",
                "!",
                "<->",
                " ",
            ]
        ),
        max_size=8,
    ).map("".join)
)
def test_any_text_is_safe_and_respects_visibility(desk, alice, carol, olivia, dave, rita, text):
    agent_hits = ids(search(alice, text))
    assert agent_hits <= {t.pk for t in desk.values()}
    for user in (carol, olivia, dave, rita):
        hits = ids(search(user, text))
        assert hits <= ids(visible_tickets(user))
        # Customers search less text than agents, never more tickets.
        assert hits <= agent_hits


def test_time_left_sorts_paused_clocks_after_running_ones(desk, alice):
    """Issue 11: sorting by time left mixed paused tickets among the breached ones (a paused
    clock's due time is no deadline). Running clocks first, least time left first; then the
    paused ones by the time they had left; then the tickets without an SLA."""
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    hours = lambda n: now + timedelta(hours=n)  # noqa: E731

    def sla(ticket, due, paused=None):
        Ticket.objects.filter(pk=ticket.pk).update(sla_due=due, sla_paused_at=paused)

    sla(desk["printer"], hours(2))  # running, 2 h left
    sla(desk["jam"], hours(-1))  # running, breached an hour ago
    sla(desk["watched"], hours(-30 / 60), paused=hours(-3))  # paused with 2.5 h left
    sla(desk["vpn"], hours(-5), paused=hours(-4))  # overdue before it paused
    with clock.frozen(now):
        order = [t.subject for t in queue(alice, "all", sort="due")]
    assert order == [
        "Printer jammed",  # breached, running
        "Printer offline on floor 2",  # running
        "VPN drops every hour",  # paused, overdue
        "Network slow",  # paused, 2.5 h left
        "Salary spreadsheet locked",  # no SLA
    ]


def test_a_bare_number_finds_the_ticket_and_the_text_holding_it(desk, alice, carol, dave):
    """Issue 11: searching "10330" ignored T-10330."""
    printer, vpn = desk["printer"], desk["vpn"]
    digits = printer.number.removeprefix("T-")
    services.add_note(actor=alice, ticket=vpn, body=f"Same fault as case {digits} at Acme")
    assert ids(search(alice, digits)) == {printer.pk, vpn.pk}
    assert ids(search(alice, f" {digits} ")) == {printer.pk, vpn.pk}
    assert ids(search(carol, digits)) == {printer.pk}  # the note is internal, vpn not hers
    assert ids(search(dave, digits)) == set()  # the number of a ticket he cannot see
    assert ids(queue(alice, "open", text=digits)) == {printer.pk, vpn.pk}


def test_a_client_name_finds_its_tickets(desk, alice, rita, carol, olivia, dave):
    """Issue 11: searching a client's name found nothing unless its tickets said the name.
    Only the clients the agent serves; a customer only their own organisation."""
    acme_open = {desk[k].pk for k in ("printer", "jam", "watched", "private")}
    assert ids(search(alice, "Acme")) == acme_open
    assert ids(search(alice, "acme corp")) == acme_open
    assert ids(search(alice, "globex")) == {desk["vpn"].pk}
    assert ids(search(alice, "acm")) == set()  # whole words
    # The name and other words: Acme's printer tickets, and any ticket with both words.
    assert ids(search(alice, "acme printer")) == {desk["printer"].pk, desk["jam"].pk}
    assert ids(search(alice, "globex printer")) == {desk["vpn"].pk}
    # Tenancy: a restricted agent and the customers find only what they may see.
    assert ids(search(rita, "acme")) == set()
    assert ids(search(rita, "globex")) == {desk["vpn"].pk}
    assert ids(search(carol, "acme")) == ids(visible_tickets(carol))
    assert ids(search(olivia, "acme corp")) == acme_open
    assert ids(search(carol, "globex")) == set()
    assert ids(search(dave, "acme")) == set()
