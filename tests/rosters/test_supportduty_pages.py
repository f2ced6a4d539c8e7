"""The support-duty pages, the navigation's "On duty" link and the queue's badge: who is shown,
who may change the duty, and that customers see none of it. The clock is frozen."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.rosters.models import Leave, SupportDuty
from deskside.rosters.supportduty_queries import my_duties
from tests.conftest import login
from tests.rosters.supportduty_fixtures import *  # noqa: F403 (the fixtures)

NOW = datetime(2026, 11, 4, 15, tzinfo=UTC)  # Wednesday 10:00 in New York


@pytest.fixture
def rotation(set_duty, alice, bea, cid):
    """Daily from Wednesday 28 October at 09:00 New York: Wednesday 4 November is Bea's day."""
    duty = set_duty("rotational", [alice, bea, cid], period="daily", starts_on=date(2026, 10, 28))
    clock.set_now(NOW)
    return duty


def test_the_index_lists_every_team_with_who_is_on_duty(rotation, helpdesk, leo):
    page = login(leo).get("/support-duty/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Internal IT" in html and "Help Desk L1" in html
    assert "<strong>Bea Rota</strong>" in html
    assert "Rotational, daily, hand-off 09:00 (America/New_York)" in html
    assert "the whole team" in html  # the help desk has no duty


def test_the_team_page_shows_today_and_the_next_hand_offs(rotation, leo):
    page = login(leo).get("/support-duty/internal-it/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>Bea Rota</strong>" in html.split('id="handoffs"')[0]
    hand_offs = html.split('id="handoffs"')[1].split("</table>")[0]
    assert hand_offs.count("<tr") == 1 + 1 + 6  # the header, today's (done), the next six
    assert 'datetime="2026-11-04T14:00:00+00:00"' in hand_offs  # today 09:00 EST
    assert "done" in hand_offs
    assert 'href="/tickets/?team=internal-it"' in html  # the team's queue, with its badge
    assert 'id="edit"' not in html  # Leo may read, not change


def test_the_lead_changes_the_duty_on_the_page(rotation, alice, bea, cid, it_team):
    web = login(alice)
    page = web.get("/support-duty/internal-it/")
    assert 'id="edit"' in page.content.decode()
    answer = web.post(
        "/support-duty/internal-it/",
        {
            "mode": "fixed",
            "members": "cid@msp.example\nbea@msp.example",
            "period": "weekly",
            "handoff_time": "08:30",
            "timezone": "Europe/Berlin",
            "starts_on": "2026-11-02",
            "version": rotation.version,
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/support-duty/internal-it/"
    duty = SupportDuty.objects.get(team=it_team)
    assert (duty.mode, duty.period, duty.handoff_time, duty.timezone) == (
        "fixed",
        "weekly",
        "08:30",
        "Europe/Berlin",
    )
    assert [m.user for m in duty.members.all()] == [cid, bea]


def test_page_errors_land_on_the_form(rotation, alice, leo):
    web = login(alice)
    form = {
        "mode": "fixed",
        "period": "weekly",
        "handoff_time": "09:00",
        "timezone": "UTC",
        "starts_on": "2026-11-02",
    }
    unknown = web.post("/support-duty/internal-it/", {**form, "members": "nobody@msp.example"})
    assert unknown.status_code == 400
    assert "no agent with the address nobody@msp.example" in unknown.content.decode()
    outsider = web.post("/support-duty/internal-it/", {**form, "members": leo.email})
    assert outsider.status_code == 400
    assert "is not a member of Internal IT" in outsider.content.decode()
    stale = web.post(
        "/support-duty/internal-it/",
        {**form, "members": "bea@msp.example", "version": rotation.version - 1 or 99},
    )
    assert stale.status_code == 409
    assert SupportDuty.objects.get().mode == "rotational"


def test_only_the_lead_and_administrators_may_post(rotation, admin, bea, tara, alice):
    form = {"mode": "everyone", "period": "weekly", "handoff_time": "09:00"}
    form |= {"timezone": "UTC", "starts_on": "2026-11-02", "members": ""}
    for outsider in (bea, tara):
        assert login(outsider).post("/support-duty/internal-it/", form).status_code == 403
    assert SupportDuty.objects.get().mode == "rotational"
    assert login(admin).post("/support-duty/internal-it/", form).status_code == 302
    assert SupportDuty.objects.get().mode == "everyone"


def test_customers_see_none_of_it(rotation, carol, dave):
    for customer in (carol, dave):
        web = login(customer)
        for path in ("/support-duty/", "/support-duty/internal-it/"):
            answer = web.get(path)
            assert answer.status_code == 302 and answer["Location"].startswith("/portal/")
        assert web.post("/support-duty/internal-it/", {"mode": "everyone"}).status_code == 403
        assert "On duty" not in web.get("/portal/").content.decode()
        assert web.get("/support-duty/nav/").status_code == 403
    assert SupportDuty.objects.get().mode == "rotational"


def test_an_agent_serving_some_clients_reads_the_duty_but_does_not_change_it(
    rotation, msp, acme, it_team
):
    limited = accounts.create_user(
        email="lim@msp.example", full_name="Lim Ited", kind="agent", tier=Tier.L1, organization=msp
    )
    limited.served_organizations.set([acme])
    web = login(limited)
    page = web.get("/support-duty/internal-it/")
    assert page.status_code == 200 and "<strong>Bea Rota</strong>" in page.content.decode()
    assert web.post("/support-duty/internal-it/", {"mode": "everyone"}).status_code == 403


def test_an_unknown_team_is_404(rotation, leo):
    assert login(leo).get("/support-duty/no-such-team/").status_code == 404


def test_the_navigation_names_who_is_on_duty_for_the_members(rotation, alice, leo):
    # The page draws the plain link; htmx swaps in the names from /support-duty/nav/.
    page = login(alice).get("/tickets/").content.decode()
    assert 'hx-get="/support-duty/nav/" hx-trigger="load, every 300s"' in page
    nav = login(alice).get("/support-duty/nav/").content.decode()
    assert 'href="/support-duty/internal-it/"' in nav and "On duty: Bea</a>" in nav
    assert 'hx-trigger="every 300s"' in nav  # it keeps polling: a queue left open follows
    # The hand-off at 09:00 New York on Thursday gives the duty to Cid.
    clock.set_now(datetime(2026, 11, 5, 14, tzinfo=UTC))
    assert "On duty: Cid</a>" in login(alice).get("/support-duty/nav/").content.decode()
    # Someone in no duty team keeps the plain link to the duty pages.
    other = login(leo).get("/support-duty/nav/").content.decode()
    assert "On duty:" not in other and '<a href="/support-duty/">Support duty</a>' in other


def test_the_navigation_costs_the_pages_no_query(rotation, alice, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = Template("{% load desk_duty %}{% duty_nav %}").render(Context({}))
    assert "Support duty" in html


def test_the_navigation_reads_once_per_request(rotation, alice, django_assert_max_num_queries):
    request = RequestFactory().get("/tickets/")
    request.user = alice
    with django_assert_max_num_queries(6):
        first = my_duties(request)
    with django_assert_max_num_queries(0):
        assert my_duties(request) is first
    assert [(d.team.name, [p.email for p in d.people]) for d in first] == [
        ("Internal IT", ["bea@msp.example"])
    ]


def test_the_queue_shows_the_team_on_duty(rotation, alice, leo, helpdesk):
    badge = "On duty for <a"
    team_queue = login(leo).get("/tickets/?team=internal-it").content.decode()
    assert badge in team_queue and "<strong>Bea Rota</strong>" in team_queue
    mine = login(alice).get("/tickets/?queue=team").content.decode()
    assert badge in mine and "<strong>Bea Rota</strong>" in mine
    assert badge not in login(alice).get("/tickets/?queue=all").content.decode()
    assert badge not in login(leo).get("/tickets/?team=help-desk-l1").content.decode()
    assert badge not in login(leo).get("/tickets/?queue=team").content.decode()


def test_nobody_on_duty_is_shown_as_a_gap(set_duty, it_team, alice, bea, leo):
    set_duty("fixed", [bea])
    Leave.objects.create(
        user=bea,
        starts_at=datetime(2026, 11, 1, tzinfo=UTC),
        ends_at=datetime(2026, 11, 9, tzinfo=UTC),
        reason="Holiday",
    )
    clock.set_now(NOW)
    assert "On duty: nobody" in login(alice).get("/support-duty/nav/").content.decode()
    assert "Nobody is on duty." in login(leo).get("/support-duty/internal-it/").content.decode()


def test_a_hand_off_to_someone_on_leave_names_who_covers(rotation, leo, cid):
    # Cid is away on Thursday 5 November, his turn: Alice, next in the list, takes it.
    Leave.objects.create(
        user=cid,
        starts_at=datetime(2026, 11, 5, tzinfo=UTC),
        ends_at=datetime(2026, 11, 6, tzinfo=UTC),
        reason="Training",
        kind="training",
    )
    html = login(leo).get("/support-duty/internal-it/").content.decode()
    row = html.split('datetime="2026-11-05T14:00:00+00:00"')[1].split("</tr>")[0]
    assert "<strong>Alice Agent</strong>" in row and "(for Cid Turner, on leave)" in row


def test_the_team_page_reads_a_bounded_number_of_queries(
    rotation, alice, cid, django_assert_max_num_queries
):
    web = login(alice)  # the lead: the page draws the form too
    for day in (5, 6, 7):  # leave in the period: read in one query, not one per hand-off
        Leave.objects.create(
            user=cid,
            starts_at=datetime(2026, 11, day, tzinfo=UTC),
            ends_at=datetime(2026, 11, day, 12, tzinfo=UTC),
            reason="Course",
        )
    with django_assert_max_num_queries(20):
        assert web.get("/support-duty/internal-it/").status_code == 200
