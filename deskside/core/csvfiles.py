"""Uploaded CSV files, domain-free: decode the bytes, read the rows, write the refused ones back.

Shared by the importers (`directory.imports` for contacts, `assets.imports` for assets,
`workorders.project_csv` for a project's rows). Each caller passes its own limits and its own
error class (a `DomainError` subclass, raised as `error(message, field="file")`), so each app
keeps its own BadFile and its status.

- `decode`: the file is UTF-8 text; a byte-order mark, as Excel writes it, is fine. No
  guessing of another encoding: a wrong guess would import mangled names. The message names
  the first byte that is not UTF-8.
- `read`: the header and each non-blank data row with its line number (the header is line 1).
  The delimiter is a comma, a semicolon or a tab, read from the header. Rows are read with the
  standard csv module rather than tablib's loader: tablib refuses a whole file when one row
  has a different number of cells, without saying which; here that row is returned as it is
  and the caller makes it that row's error. A NUL character, an empty header, more than
  `max_rows` rows or a csv error (with its line) refuse the whole file.
- `errors_csv`: the refused rows written back with tablib (the file's own columns plus
  "error"), to fix and upload again; a cell a spreadsheet would run as a formula is quoted
  (`core.csvsafe`).
- `RowWords` and `PlanCounts`: what an import's preview and result say of a row whose action is
  CREATE, UPDATE, UNCHANGED or ERROR, and how many rows each action has (mixins for the
  importers' own Row and Plan dataclasses).
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

import tablib

from deskside.core import csvsafe
from deskside.core.exceptions import DomainError

TOO_MANY = "the file has more than {max_rows} rows: split it"
"""The message when a file has too many rows; `{max_rows}` is the limit (a format field)."""


def decode(data: bytes, *, max_bytes: int, error: type[DomainError]) -> str:
    """The file as text; `error` when it is larger than `max_bytes` or not UTF-8."""
    if len(data) > max_bytes:
        raise error(f"the file is larger than {max_bytes // 2**20} MiB: split it", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"the file is not UTF-8 text (byte {exc.start + 1}): save it as "
            '"CSV UTF-8" and upload it again',
            field="file",
        ) from exc


def read(
    text: str, *, max_rows: int, error: type[DomainError], too_many: str = TOO_MANY
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (cells stripped) and the (line number, cells) of each non-blank data row;
    `error` when the file cannot be read at all. `too_many` is formatted with `max_rows`."""
    if "\x00" in text:
        raise error("the file holds NUL characters: it is not a CSV text file", field="file")
    first = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise error("the file is empty: it needs a header row", field="file")
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                raise error(too_many.format(max_rows=max_rows), field="file")
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise error(f"line {reader.line_num}: {exc}", field="file") from exc
    return [cell.strip() for cell in header], rows


def errors_csv(
    header: list[str], refused: Iterable[tuple[int, list[str], str]], *, quote: bool = True
) -> str:
    """The refused rows, each (line, cells, reason), as CSV: the header's columns (a row's
    cells padded or cut to its width) plus "error" ("line N: reason"). `quote` makes every
    cell safe to open in a spreadsheet (`csvsafe.cell`); False writes the cells as they are."""
    safe = csvsafe.cell if quote else str
    data = tablib.Dataset(headers=[*map(safe, header), "error"])
    width = len(header)
    for line, cells, reason in refused:
        padded = (list(cells) + [""] * width)[:width]
        data.append([*map(safe, padded), safe(f"line {line}: {reason}")])
    return data.export("csv")


CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
"""What an import does with a row: the values of a row's `action`."""


class RowWords:
    """For an import's row dataclass with `action` and `message`: what the preview and the
    import say of it (a plain class: the dataclass's fields stay its own)."""

    action: str
    message: str

    @property
    def shown(self) -> str:
        """What the preview says of the row."""
        if self.action == CREATE:
            return "will create"
        if self.action == UPDATE:
            return f"will update ({self.message})"
        if self.action == UNCHANGED:
            return "no change"
        return f"error: {self.message}"

    @property
    def done(self) -> str:
        """What the import did with the row."""
        if self.action == CREATE:
            return "created"
        if self.action == UPDATE:
            return f"updated ({self.message})"
        if self.action == UNCHANGED:
            return "no change"
        return f"not imported: {self.message}"


class PlanCounts:
    """For an import's plan dataclass with `rows`: how many rows each action has."""

    rows: list[Any]

    def _count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self._count(CREATE)

    @property
    def updated(self) -> int:
        return self._count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def errors(self) -> int:
        return self._count(ERROR)
