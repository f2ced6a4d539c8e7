"""The shape every report has: a table of cells (a number and, where it counts tickets, the
link to them), its totals line, and the series its chart draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cell:
    value: Any
    link: str | None = None

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass
class Chart:
    """What pygal draws: `kind` "bar", "stacked" or "line"; one value per label per series."""

    kind: str
    title: str
    labels: list[str]
    series: dict[str, list[float | None]]
    y_title: str = ""
    range: tuple[float, float] | None = None


@dataclass
class Report:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    totals: list[Cell]
    chart: Chart
    notes: list[str] = field(default_factory=list)

    def as_dicts(self) -> dict[str, Any]:
        """Rows and totals keyed by column, for the API (values only, links aside)."""

        def keyed(cells: list[Cell]) -> dict[str, Any]:
            return {c: cell.value for c, cell in zip(self.columns, cells, strict=True)}

        return {
            "name": self.name,
            "title": self.title,
            "columns": self.columns,
            "rows": [keyed(r) for r in self.rows],
            "totals": keyed(self.totals) if self.totals else {},
            "notes": self.notes,
        }

    def csv_rows(self) -> list[list[Any]]:
        out = [self.columns, *[[c.value for c in r] for r in self.rows]]
        if self.totals:
            out.append([c.value for c in self.totals])
        return out


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent to one decimal; None when `whole` is 0."""
    return round(100 * part / whole, 1) if whole else None


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def median_of(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}: the middle value, or the mean of the
    two middle values for an even count."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
        if not wanted:
            break
    return sum(found) / 2
