"""CSV cells a spreadsheet would run as a formula are quoted; anything else is kept as is."""

import pytest

from deskside.core import csvsafe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("SN-1=2", "SN-1=2"),  # only the first character counts
        ("Dell Latitude", "Dell Latitude"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_a_formula_is_quoted_and_nothing_else_changes(value, expected):
    assert csvsafe.cell(value) == expected
