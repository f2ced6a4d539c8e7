"""Pages without COUNT, and the newest-first search shortcut: a page found among the newest
tickets must be exactly the page of the whole search, on either database."""

import pytest
from django.test import Client

from deskside.accounts.services import create_api_token
from deskside.core import pagination
from deskside.core.pagination import MAX_PAGE, clamp_page, fetch_page, paginate
from deskside.tickets import queries
from deskside.tickets.models import Ticket
from deskside.tickets.queries import queue, queue_with_window, recent_window_start


@pytest.fixture
def printers(make_ticket, carol):
    """12 tickets, every third one about a printer."""
    return [
        make_ticket(carol, subject=("Printer jam" if i % 3 == 0 else f"Laptop issue {i}"))
        for i in range(12)
    ]


def test_fetch_page_reads_one_row_more_and_no_count(printers, django_assert_num_queries):
    qs = Ticket.objects.order_by("-id")
    with django_assert_num_queries(1) as ctx:
        rows, has_next = fetch_page(qs, page=2, limit=5)
    assert "COUNT(" not in ctx.captured_queries[0]["sql"].upper()
    assert rows == list(qs[5:10]) and has_next
    rows, has_next = fetch_page(qs, page=3, limit=5)
    assert rows == list(qs[10:12]) and not has_next


def test_first_try_that_fills_the_page_is_used_alone(printers, django_assert_num_queries):
    full = Ticket.objects.order_by("-id")
    newest = full.filter(pk__gt=printers[3].pk)
    with django_assert_num_queries(1):
        rows, has_next = fetch_page(full, page=1, limit=4, first_try=newest)
    assert rows == list(full[:4]) and has_next


def test_first_try_that_runs_short_falls_back_to_the_whole_query(printers):
    full = Ticket.objects.order_by("-id")
    newest = full.filter(pk__gt=printers[9].pk)  # only 2 rows
    rows, has_next = fetch_page(full, page=1, limit=4, first_try=newest)
    assert rows == list(full[:4]) and has_next


def test_recent_window_start(printers):
    top = printers[-1].pk
    assert recent_window_start(5) == top - 5
    assert recent_window_start(top) is None  # no ticket has a key of 0 or less
    assert recent_window_start(top + 100) is None


@pytest.mark.parametrize("window", [1, 2, 4, 7, 100])
def test_windowed_search_pages_equal_the_whole_search(printers, alice, monkeypatch, window):
    monkeypatch.setattr(queries, "RECENT_WINDOW", window)
    whole = queue(alice, "all", text="printer")
    expected = list(whole)
    assert len(expected) == 4
    for limit in (1, 2, 3):
        got = []
        for page in range(1, 6):
            qs, first_try = queue_with_window(alice, "all", text="printer")
            rows, has_next = fetch_page(qs, page=page, limit=limit, first_try=first_try)
            got += rows
            if not has_next:
                break
        assert got == expected


def test_window_is_not_offered_for_other_orders_or_without_text(printers, alice, monkeypatch):
    monkeypatch.setattr(queries, "RECENT_WINDOW", 2)
    assert queue_with_window(alice, "all", text="printer", sort="oldest")[1] is None
    assert queue_with_window(alice, "all", text="printer", sort="priority")[1] is None
    assert queue_with_window(alice, "all")[1] is None
    assert queue_with_window(alice, "all", text="printer")[1] is not None


def test_customers_windowed_search_stays_within_their_tickets(printers, carol, dave, monkeypatch):
    monkeypatch.setattr(queries, "RECENT_WINDOW", 2)
    qs, first_try = queue_with_window(dave, "all", text="printer")
    assert fetch_page(qs, page=1, limit=10, first_try=first_try) == ([], False)
    qs, first_try = queue_with_window(carol, "all", text="printer")
    rows, _ = fetch_page(qs, page=1, limit=10, first_try=first_try)
    assert {t.pk for t in rows} == {t.pk for t in printers[::3]}


# -- the deepest page --------------------------------------------------------------------------


def test_a_huge_page_number_is_read_as_the_last_allowed_page(printers, django_assert_num_queries):
    qs = Ticket.objects.order_by("-id")
    with django_assert_num_queries(1):
        assert fetch_page(qs, page=10**20, limit=5) == ([], False)
    assert fetch_page(qs, page=-(10**20), limit=5) == (list(qs[:5]), True)
    assert clamp_page(10**20) == MAX_PAGE == 2000
    assert clamp_page(0) == 1


def test_the_last_allowed_page_offers_no_next_page(printers, rf, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_PAGE", 2)
    qs = Ticket.objects.order_by("-id")
    rows, has_next = fetch_page(qs, page=2, limit=3)
    assert rows == list(qs[3:6]) and not has_next  # rows remain, but page 3 cannot be asked for
    page = paginate(rf.get("/api/v1/tickets", {"page": "99"}), qs, page=99, limit=3)
    assert page.page == 2 and page.items == list(qs[3:6]) and page.next is None
    page = paginate(rf.get("/api/v1/tickets"), qs, page=1, limit=3)
    assert page.next is not None and "page=2" in page.next


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/organizations", "/api/v1/teams"])
def test_api_refuses_a_page_past_the_last(printers, alice, path):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=alice, name='t')}")
    assert client.get(path, {"page": str(MAX_PAGE)}).status_code == 200
    response = client.get(path, {"page": str(10**20)})
    assert response.status_code == 422
    assert "page" in response.text
