"""The CSAT report against hand-computed figures on a fixed set, with the day boundary in the
viewer's time zone; the page, its chart (SVG, offline), CSV and the counts' links."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskside.core import clock
from deskside.surveys import services
from deskside.surveys.report import build
from tests.conftest import login

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def answered(make_ticket, carol, dave, alice, tara, leo, network_team, resolve):
    """Seven surveys (hand-counted below):

    Acme (Carol): 3 network tickets assigned to Tara: good, good, bad; 1 help desk ticket
      (unassigned, resolved by Alice): okay; 1 resolved 2026-03-11 03:00 UTC (= 10 March
      23:00 in New York): unanswered.
    Globex (Dave): 1 assigned to Leo: bad; 1 resolved on 12 March (outside): good.
    Period 1-10 March in New York: Acme sent 5, answered 4 (2 good, 1 okay, 1 bad);
    Globex sent 1, answered 1 (bad).
    """
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    plan = [
        (carol, {"team": network_team, "assignee": tara}, "good"),
        (carol, {"team": network_team, "assignee": tara}, "good"),
        (carol, {"team": network_team, "assignee": tara}, "bad"),
        (carol, {}, "okay"),
        (dave, {"assignee": leo}, "bad"),
    ]
    for i, (who, extra, rating) in enumerate(plan):
        with clock.frozen(start + timedelta(days=i)):
            ticket = make_ticket(who, **extra)
        survey = resolve(ticket, at=start + timedelta(days=i, hours=2))
        with clock.frozen(start + timedelta(days=i, hours=5)):
            services.answer_survey(survey=survey, rating=rating, via="link")
    with clock.frozen(start):
        late = make_ticket(carol)
        outside = make_ticket(dave)
    resolve(late, at=datetime(2026, 3, 11, 3, 0, tzinfo=UTC))
    survey = resolve(outside, at=datetime(2026, 3, 12, 12, 0, tzinfo=UTC))
    with clock.frozen(datetime(2026, 3, 12, 13, tzinfo=UTC)):
        services.answer_survey(survey=survey, rating="good", via="portal")


def _rows(report):
    return {
        r.label: (r.sent, r.answered, r.good, r.okay, r.bad, r.csat, r.response_rate)
        for r in report.rows
    }


def test_per_client(answered, admin):
    report = build(admin, start=date(2026, 3, 1), end=date(2026, 3, 10), by="client", tz=NEW_YORK)
    assert _rows(report) == {
        "Acme Corp": (5, 4, 2, 1, 1, 50.0, 80.0),
        "Globex": (1, 1, 0, 0, 1, 0.0, 100.0),
    }
    total = report.total
    assert (total.sent, total.answered, total.good, total.csat) == (6, 5, 2, 40.0)


def test_the_day_is_the_viewers(answered, admin):
    utc = build(admin, start=date(2026, 3, 1), end=date(2026, 3, 10), by="client", tz=UTC)
    assert utc.total.sent == 5  # 11 March 03:00 UTC is the 11th in UTC: out
    berlin = build(
        admin,
        start=date(2026, 3, 11),
        end=date(2026, 3, 11),
        by="client",
        tz=ZoneInfo("Europe/Berlin"),
    )
    assert berlin.total.sent == 1


def test_per_agent_and_team(answered, admin):
    agents = build(admin, start=date(2026, 3, 1), end=date(2026, 3, 10), by="agent", tz=NEW_YORK)
    rows = _rows(agents)
    assert rows["Tara Lead"] == (3, 3, 2, 0, 1, 66.7, 100.0)
    assert rows["Leo Field"] == (1, 1, 0, 0, 1, 0.0, 100.0)
    assert rows["Alice Agent"] == (2, 1, 0, 1, 0, 0.0, 50.0)  # who resolved the unassigned
    teams = _rows(
        build(admin, start=date(2026, 3, 1), end=date(2026, 3, 10), by="team", tz=NEW_YORK)
    )
    assert teams["Network L3"] == (3, 3, 2, 0, 1, 66.7, 100.0)
    assert teams["(no team)"] == (3, 2, 0, 1, 1, 0.0, 66.7)


def test_an_agent_sees_only_the_clients_they_serve(answered, admin_serving, globex):
    other = admin_serving(globex, email="g@msp.example")
    report = build(other, start=date(2026, 3, 1), end=date(2026, 3, 31), by="client", tz=NEW_YORK)
    assert [r.label for r in report.rows] == ["Globex"]


def test_the_page_chart_csv_and_links(answered, admin):
    client = login(admin)
    query = "start=2026-03-01&end=2026-03-10&by=client"
    with clock.frozen(datetime(2026, 3, 20, tzinfo=UTC)):
        page = client.get(f"/surveys/?{query}")
        chart = client.get(f"/surveys/chart.svg?{query}")
        export = client.get(f"/surveys/export.csv?{query}")
        bad = client.get(
            "/surveys/responses/?start=2026-03-01&end=2026-03-10&client=acme&rating=bad"
        )
        wrong = client.get("/surveys/?start=2026-03-10&end=2026-03-01")
    assert page.status_code == 200 and "surveys/chart.svg?" in page.text
    assert "client=acme&amp;rating=bad" in page.text.replace("&rating", "&amp;rating")
    assert chart["Content-Type"] == "image/svg+xml" and "<svg" in chart.text
    assert "<script" not in chart.text and "http://" not in chart.text.replace(
        "http://www.w3.org", ""
    )
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    # the admin views in UTC: the late Acme survey (11 March 03:00 UTC) is out
    assert rows[1][:7] == ["Acme Corp", "acme", "4", "4", "2", "1", "1"] and rows[1][7] == "50.0"
    assert rows[-1][0] == "All"
    assert bad.status_code == 200 and bad.text.count("/tickets/T-") == 1
    assert wrong.status_code == 400 and "The end is before the start" in wrong.text


def test_customers_get_no_report(answered, carol):
    response = login(carol).get("/surveys/")
    assert response.status_code == 302 and "/portal/" in response["Location"]


def test_the_no_team_row_links_to_its_surveys(answered, admin):
    with clock.frozen(datetime(2026, 3, 20, tzinfo=UTC)):
        page = login(admin).get("/surveys/?start=2026-03-01&end=2026-03-10&by=team")
        assert "team=none" in page.text
        listed = login(admin).get("/surveys/responses/?start=2026-03-01&end=2026-03-10&team=none")
    assert listed.status_code == 200
    assert listed.text.count("/tickets/T-") == 2  # in UTC: the help desk one and Globex's
