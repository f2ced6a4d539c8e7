"""Far-off days (year 1, year 9999) on the board and backfill pages and API: a 400 (page) or
422 (API) naming the field, never an OverflowError; the shared check is `field.dates`."""

from datetime import date

import pytest

from deskside.field.dates import FIRST_DAY, LAST_DAY, check_day, parse_day
from deskside.field.exceptions import InvalidInput
from tests.field.fixtures_board import *  # noqa: F403

FAR = ("0001-01-01", "9999-12-31")


def test_the_shared_check_names_the_field():
    assert check_day(None, "day") is None and check_day(FIRST_DAY, "day") == FIRST_DAY
    assert parse_day("", "date") is None and parse_day("2026-12-09", "date") == date(2026, 12, 9)
    for text in FAR:
        with pytest.raises(InvalidInput) as error:
            parse_day(text, "start", status=400)
        assert error.value.field == "start" and error.value.status_code == 400
    with pytest.raises(InvalidInput) as error:
        check_day(date(LAST_DAY.year + 1, 1, 1), "day")
    assert error.value.status_code == 422
    with pytest.raises(InvalidInput):
        parse_day("9 Dec", "date")


@pytest.mark.parametrize("day", FAR)
def test_the_board_page_and_api(day, admin, signed_in, api_as):
    web = signed_in(admin)
    for view in ("day", "week"):
        page = web.get(f"/field/board/?view={view}&day={day}")
        assert page.status_code == 400
        assert "Day: the date is 1970 to 9000" in page.content.decode()
        answer = api_as(admin).get(f"/api/v1/field/board?view={view}&day={day}")
        assert answer.status_code == 422 and answer.json()["field"] == "day"
    assert web.get("/field/board/?day=2026-12-09").status_code == 200


@pytest.mark.parametrize("day", FAR)
def test_the_backfill_page_and_api(day, admin, signed_in, api_as):
    web = signed_in(admin)
    for name in ("start", "end"):
        page = web.get(f"/field/backfill/?{name}={day}")
        assert page.status_code == 400 and "the date is 1970 to 9000" in page.content.decode()
        answer = api_as(admin).get(f"/api/v1/field/clearance/backfill?{name}={day}")
        assert answer.status_code == 422 and answer.json()["field"] == name
    # The reassign form's period (sent back with the page) is checked the same way.
    posted = web.post("/field/backfill/reassign/", {"visit": "", "technician": "", "start": day})
    assert posted.status_code == 400
