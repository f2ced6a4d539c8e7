"""core.timezones.zone: a stored zone name to a ZoneInfo, UTC for anything unusable."""

from zoneinfo import ZoneInfo

import pytest

from deskside.core.timezones import zone


def test_known_zones():
    assert zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    assert zone("America/New_York") == ZoneInfo("America/New_York")
    assert zone("UTC") == ZoneInfo("UTC")


@pytest.mark.parametrize(
    "name", ["", None, "Not/AZone", "../../etc/passwd", "/absolute", "Europe/Berlin\x00", " "]
)
def test_unusable_names_fall_back_to_utc(name):
    assert zone(name) == ZoneInfo("UTC")
