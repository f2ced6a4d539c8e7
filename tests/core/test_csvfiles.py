"""The shared CSV upload helpers: decode, read, errors_csv (no database)."""

import csv
import io
from dataclasses import dataclass

import pytest

from deskside.core import csvfiles
from deskside.core.exceptions import DomainError


class Refused(DomainError):
    status_code = 422


def test_decode_takes_utf8_with_a_byte_order_mark():
    assert csvfiles.decode("\ufeffname\nZoë\n".encode(), max_bytes=100, error=Refused) == (
        "name\nZoë\n"
    )


@pytest.mark.parametrize(
    ("data", "max_bytes", "message"),
    [
        (b"name\nZo\xe9\n", 100, "not UTF-8 text (byte 8)"),
        (b"x" * (2 * 2**20 + 1), 2 * 2**20, "larger than 2 MiB"),
    ],
)
def test_decode_refuses_with_the_callers_error(data, max_bytes, message):
    with pytest.raises(Refused) as bad:
        csvfiles.decode(data, max_bytes=max_bytes, error=Refused)
    assert message in bad.value.message and bad.value.field == "file"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_read_sniffs_the_delimiter_and_keeps_line_numbers(delimiter):
    text = delimiter.join([" a ", "b"]) + "\r\n1" + delimiter + "2\n\n , \n3\n"
    header, rows = csvfiles.read(text, max_rows=10, error=Refused)
    assert header == ["a", "b"]
    assert rows[0] == (2, ["1", "2"])
    assert rows[-1] == (5, ["3"])  # blank lines skipped, their numbers counted


def test_read_a_quoted_cell_over_two_lines_gives_the_line_it_ends_on():
    _, rows = csvfiles.read('a,b\n"x\ny",2\nz,3\n', max_rows=10, error=Refused)
    assert rows == [(3, ["x\ny", "2"]), (4, ["z", "3"])]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n\x00,1\n", "NUL characters"),
        ("", "the file is empty"),
        (" , \n1,2\n", "the file is empty"),
        ("a,b\n1,2\n3,4\n5,6\n", "more than 2 rows: split it"),
        ("a,b\n1,2\n" + "x" * 200_000 + "\n", "line 3: field larger than field limit"),
    ],
)
def test_read_refuses_a_file_it_cannot_read(text, message):
    with pytest.raises(Refused) as bad:
        csvfiles.read(text, max_rows=2, error=Refused)
    assert message in bad.value.message and bad.value.field == "file"


def test_read_takes_the_callers_message_for_too_many_rows():
    rows = "a\n" + "x\n" * 1_001
    too_many = "more than {max_rows:,} rows: split the project"
    with pytest.raises(Refused, match=r"more than 1,000 rows: split the project"):
        csvfiles.read(rows, max_rows=1_000, error=Refused, too_many=too_many)


def test_errors_csv_pads_cuts_and_quotes_formulas():
    out = csvfiles.errors_csv(
        ["a", "=b"], [(2, ["1"], "too short"), (3, ["=SUM(A1)", "2", "extra"], "-bad")]
    )
    assert list(csv.reader(io.StringIO(out))) == [
        ["a", "'=b", "error"],
        ["1", "", "line 2: too short"],
        ["'=SUM(A1)", "2", "line 3: -bad"],
    ]


def test_errors_csv_can_leave_cells_as_they_are():
    out = csvfiles.errors_csv(["phone"], [(2, ["+1 617"], "bad")], quote=False)
    assert list(csv.reader(io.StringIO(out))) == [["phone", "error"], ["+1 617", "line 2: bad"]]


@dataclass
class _Row(csvfiles.RowWords):
    action: str
    message: str = ""


@dataclass
class _Plan(csvfiles.PlanCounts):
    rows: list[_Row]


def test_the_words_and_counts_of_an_imports_rows():
    rows = [
        _Row(csvfiles.CREATE),
        _Row(csvfiles.UPDATE, "name"),
        _Row(csvfiles.UNCHANGED),
        _Row(csvfiles.ERROR, "no email address"),
        _Row(csvfiles.ERROR, "duplicate of line 2"),
    ]
    assert [r.shown for r in rows[:4]] == [
        "will create",
        "will update (name)",
        "no change",
        "error: no email address",
    ]
    assert [r.done for r in rows[:4]] == [
        "created",
        "updated (name)",
        "no change",
        "not imported: no email address",
    ]
    plan = _Plan(rows)
    assert (plan.created, plan.updated, plan.unchanged, plan.errors) == (1, 1, 1, 2)
