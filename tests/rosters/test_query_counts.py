"""The roster lists make no query per row: each is requested, then again with more rows (more
leave, more covers, more people on the rota), and the number of queries stays the same."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.rosters import services
from tests.conftest import client_for, login
from tests.rosters.conftest import berlin

API = "/api/v1/rosters"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(berlin(2026, 3, 1, 12)):
        yield


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def more_rows(admin, roster, msp, helpdesk, first: int) -> None:
    """Five more agents on the rota (a fixed line each), each with leave and a cover."""
    for i in range(first, first + 5):
        person = accounts.create_user(
            email=f"extra{i}@msp.example", full_name=f"Extra {i}", kind="agent", tier=Tier.L1,
            organization=msp, teams=[helpdesk],
        )  # fmt: skip
        services.set_line(actor=admin, roster=roster, user=person, pattern=["E"] + [""] * 27)
        services.record_leave(
            actor=admin, user=person, kind="training", starts_at=berlin(2026, 3, 20 + i % 5),
            ends_at=berlin(2026, 3, 20 + i % 5, 12), reason=f"Course {i}",
        )  # fmt: skip
        services.add_cover(
            actor=admin, roster=roster, user=person, code="L",
            starts_at=berlin(2026, 3, 4, 14) + timedelta(days=7 * (i % 3)),
        )  # fmt: skip


URLS = [
    f"{API}",
    f"{API}/leave",
    f"{API}/teams/help-desk-l1",
    f"{API}/teams/help-desk-l1/covers",
    f"{API}/teams/help-desk-l1/week?start=2026-03-02",
    f"{API}/teams/help-desk-l1/shifts-worked?start=2026-03-02&end=2026-03-09",
]
PAGES = ["/rosters/leave/", "/rosters/teams/help-desk-l1/?start=2026-03-02"]


def test_no_query_per_row(roster, admin, msp, helpdesk):
    api, web = client_for(admin), login(admin)
    more_rows(admin, roster, msp, helpdesk, 0)
    count(api, URLS[0])  # the token's first use is written once
    before = {url: count(api, url) for url in URLS} | {url: count(web, url) for url in PAGES}
    more_rows(admin, roster, msp, helpdesk, 5)
    after = {url: count(api, url) for url in URLS} | {url: count(web, url) for url in PAGES}
    assert after == before
    assert max(before.values()) <= 30  # the week page: 26 (session, navigation, grid)
