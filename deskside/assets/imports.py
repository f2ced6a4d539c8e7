"""Reading and checking a CSV file of one client's assets: the plan of what an import does.

The file is UTF-8 text (a byte-order mark, as Excel writes it, is fine) with a header row; the
delimiter is a comma, a semicolon or a tab (read from the header). The client is chosen
outside the file (the page's client, the CLI's --client, the API's `client`): every row is an
asset of that client. Columns, in any order, case, spaces and underscores ignored:

    kind, name, make, model, serial, asset_tag, status, assigned_to, site, purchase_date,
    warranty_end, vendor, notes, rmm_id, meshcentral_id, rustdesk_id, teamviewer_id

(aliases: "type" for kind, "tag" for asset_tag, "serial number" for serial, "assigned to
email" for assigned_to ...). The header needs an `asset_tag` or a `serial` column; other
columns are ignored and named in `Plan.ignored`.

Decisions where the issue was silent:
- Dates are ISO 8601 only (`2026-03-31`). "03/04/2026" is 3 April in Berlin and March 4 in
  New York: an import cannot know which was meant, so a slashed date is a row error that says
  how to write it, never a silent guess.
- `kind` and `status` take the value or the label, any case ("in_stock", "In stock",
  "Network device"). An empty kind is "other" for a new asset; an empty status is "in stock".
  `disposed` is refused: an asset is disposed only through a certified disposal batch.
- A row needs an asset tag or a serial (without either, the next import of the same file
  could not find the asset again and would create it twice).
- `assigned_to` is the email of a contact of that client; `site` the name of one of its sites.

Each data row becomes a `Row` whose action is CREATE, UPDATE (an existing asset of the client,
found by asset tag, else by serial: the non-empty cells replace its values, empty cells leave
them), UNCHANGED, or ERROR with the reason: an unknown kind or status, a bad date, a duplicate
tag or serial of an earlier row, the tag or serial of a disposed asset, an unknown contact or
site, a status change the lifecycle refuses (`models.TRANSITIONS`), a value too long, a row
with more cells than the header. Nothing is dropped: every data row is in the plan with its
line number.

Everything the checks look up is loaded once per file, never per row: the client's assets
(id, tag, serial, status) in one query, the rows to update in chunks, the client's sites and
contacts in one query each. A file that cannot be read at all raises BadFile (not UTF-8,
empty, no tag or serial column, more than MAX_ROWS rows or MAX_BYTES bytes). Reading the file
and writing the refused rows back are shared with the other importers: `deskside.core.csvfiles`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from deskside.accounts.models import Organization, Site, User
from deskside.assets.exceptions import BadFile
from deskside.assets.models import TRANSITIONS, Asset, AssetKind, Lifecycle
from deskside.core import csvfiles
from deskside.core.csvfiles import CREATE, ERROR, UNCHANGED, UPDATE

MAX_ROWS = 20_000
MAX_BYTES = 3 * 2**20
"""Sent back base64-encoded by the preview page's Import button, 3 MiB stays within the
request body limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 5 MiB). 10,000 assets are about 1.5 MiB."""

CHUNK = 500  # ids per IN (...) query

COLUMNS = {
    "kind": "kind",
    "type": "kind",
    "asset type": "kind",
    "name": "name",
    "host name": "name",
    "hostname": "name",
    "make": "make",
    "manufacturer": "make",
    "model": "model",
    "serial": "serial",
    "serial number": "serial",
    "serial no": "serial",
    "asset tag": "asset_tag",
    "tag": "asset_tag",
    "status": "status",
    "lifecycle": "status",
    "assigned to": "assigned_to",
    "assigned to email": "assigned_to",
    "assigned": "assigned_to",
    "site": "site",
    "site name": "site",
    "purchase date": "purchase_date",
    "purchased": "purchase_date",
    "warranty end": "warranty_end",
    "warranty": "warranty_end",
    "vendor": "vendor",
    "notes": "notes",
    "rmm id": "rmm_id",
    "meshcentral id": "meshcentral_id",
    "rustdesk id": "rustdesk_id",
    "teamviewer id": "teamviewer_id",
}
TEXT_LIMITS = {
    "name": 200,
    "make": 100,
    "model": 100,
    "serial": 100,
    "asset_tag": 60,
    "vendor": 200,
    "notes": 10_000,
    "rmm_id": 200,
    "meshcentral_id": 200,
    "rustdesk_id": 200,
    "teamviewer_id": 200,
}
FIELDS = (
    "kind",
    "name",
    "make",
    "model",
    "serial",
    "asset_tag",
    "status",
    "assigned_to",
    "site",
    "purchase_date",
    "warranty_end",
    "vendor",
    "notes",
    "rmm_id",
    "meshcentral_id",
    "rustdesk_id",
    "teamviewer_id",
)
"""The asset's fields an import writes (`assigned_to` and `site` are objects)."""

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _choices(choices: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in choices:
        found[_key(value)] = value
        found[_key(label)] = value
    return found


def _key(text: str) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())


KINDS = _choices(AssetKind.choices)
STATUSES = _choices(Lifecycle.choices)


@dataclass
class Row(csvfiles.RowWords):
    """One data row: its line number (the header is line 1), what it will do, and why when it
    is an error. `values` are the asset's fields to write (for an update: only the changes,
    with `before` holding their old values); `existing` the asset it updates."""

    line: int
    asset_tag: str
    serial: str
    action: str = ERROR
    message: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    existing: Asset | None = None
    cells: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.asset_tag or self.serial or "-"


@dataclass
class Plan(csvfiles.PlanCounts):
    """Every row of the file and what an import does with it; `applied` once imported."""

    organization: Organization
    rows: list[Row]
    header: list[str]
    ignored: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def error_rows(self) -> list[Row]:
        return [r for r in self.rows if r.action == ERROR]

    def errors_csv(self) -> str:
        """The refused rows as CSV (the file's own columns plus "error"), to fix and re-send;
        a cell a spreadsheet would run as a formula is quoted (`core.csvsafe`)."""
        refused = ((r.line, r.cells, r.message) for r in self.error_rows)
        return csvfiles.errors_csv(self.header, refused)


def parse_date(value: str, name: str) -> date | None:
    """An ISO 8601 date, None when empty; ValueError naming the column otherwise."""
    text = value.strip()
    if not text:
        return None
    if _ISO.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"{name} {text!r} is not a date: write it as YYYY-MM-DD (2026-03-31)")


class _Known:
    """What the checks look up, loaded once per file: the client's assets, sites, contacts."""

    def __init__(self, organization: Organization) -> None:
        self.by_tag: dict[str, tuple[int, str]] = {}
        self.by_serial: dict[str, list[tuple[int, str, str]]] = {}
        rows = Asset.objects.filter(organization=organization).values_list(
            "id", "asset_tag", "serial", "status"
        )
        for pk, tag, serial, status in rows.order_by():
            if tag:
                self.by_tag[tag.lower()] = (pk, status)
            if serial:
                self.by_serial.setdefault(serial.lower(), []).append((pk, tag, status))
        self.sites = {
            site.name.strip().lower(): site
            for site in Site.objects.filter(organization=organization)
        }
        self.people = {
            person.email.lower(): person
            for person in User.objects.filter(
                organization=organization, kind=User.Kind.CUSTOMER
            ).only("id", "email", "full_name", "organization_id", "is_active")
        }


def _column(name: str) -> str:
    return COLUMNS.get(_key(name), "")


def _texts(cells: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        text = cells.get(name, "").strip()
        if len(text) > limit:
            raise ValueError(f"{name.replace('_', ' ')} is longer than {limit} characters")
        if text:
            values[name] = text
    return values


def _choice(cells: dict[str, str], name: str, known: dict[str, str], choices: Any) -> str:
    text = cells.get(name, "").strip()
    if not text:
        return ""
    if _key(text) not in known:
        raise ValueError(f"unknown {name} {text!r} (one of: {', '.join(choices.values)})")
    return known[_key(text)]


def _dates(cells: dict[str, str]) -> dict[str, date]:
    values: dict[str, date] = {}
    for name in ("purchase_date", "warranty_end"):
        day = parse_date(cells.get(name, ""), name.replace("_", " "))
        if day is not None:
            values[name] = day
    bought, ends = values.get("purchase_date"), values.get("warranty_end")
    if bought and ends and ends < bought:
        raise ValueError("the warranty cannot end before the purchase date")
    return values


def _values(cells: dict[str, str], known: _Known) -> dict[str, Any]:
    """The row's non-empty fields, converted; ValueError with the reason."""
    values = _texts(cells)
    kind = _choice(cells, "kind", KINDS, AssetKind)
    if kind:
        values["kind"] = kind
    status = _choice(cells, "status", STATUSES, Lifecycle)
    if status == Lifecycle.DISPOSED:
        raise ValueError("status disposed: an asset is disposed only through a disposal batch")
    if status:
        values["status"] = status
    values.update(_dates(cells))
    email = cells.get("assigned_to", "").strip().lower()
    if email:
        person = known.people.get(email)
        if person is None or not person.is_active:
            raise ValueError(f"{email!r} is not an active contact of this client")
        values["assigned_to"] = person
    site_name = cells.get("site", "").strip()
    if site_name:
        site = known.sites.get(site_name.lower())
        if site is None:
            raise ValueError(f"{site_name!r} is not a site of this client")
        values["site"] = site
    return values


def _match(row: Row, known: _Known) -> tuple[int, str] | None:
    """(id, status) of the existing asset the row is about, None for a new one."""
    if row.asset_tag and row.asset_tag.lower() in known.by_tag:
        return known.by_tag[row.asset_tag.lower()]
    if not row.serial:
        return None
    same = known.by_serial.get(row.serial.lower(), [])
    if len(same) > 1:
        raise ValueError(
            f"serial {row.serial!r} is on {len(same)} assets of this client: add the tag"
        )
    if not same:
        return None
    pk, tag, status = same[0]
    if row.asset_tag and tag:
        raise ValueError(f"serial {row.serial!r} belongs to asset {tag}, not {row.asset_tag}")
    return pk, status


def _same(value: Any, current: Any) -> bool:
    if isinstance(current, User | Site):  # compared by key: the row's object is another copy
        return getattr(value, "pk", value) == current.pk
    return value == current


def _decide(row: Row, asset: Asset) -> None:
    """Turn the row's values into the changes of `asset` (UPDATE) or UNCHANGED."""
    changes: dict[str, Any] = {}
    before: dict[str, Any] = {}
    for name, value in row.values.items():
        current = getattr(asset, name)
        if current is not None and _same(value, current):
            continue
        changes[name] = value
        before[name] = current
    if "status" in changes and changes["status"] not in TRANSITIONS[asset.status]:
        raise ValueError(
            f"the lifecycle does not go from {Lifecycle(asset.status).label.lower()} to "
            f"{Lifecycle(changes['status']).label.lower()}"
        )
    row.existing, row.values, row.before = asset, changes, before
    if not changes:
        row.action = UNCHANGED
        return
    row.action = UPDATE
    row.message = ", ".join(name.replace("_", " ") for name in changes)


class _Seen:
    """The tags and serials of the rows read so far (a second row with one is an error)."""

    def __init__(self) -> None:
        self.tags: dict[str, int] = {}
        self.serials: dict[str, int] = {}

    def check(self, row: Row) -> None:
        tag, serial = row.asset_tag.lower(), row.serial.lower()
        if tag and tag in self.tags:
            raise ValueError(f"asset tag {row.asset_tag} is on line {self.tags[tag]} too")
        if serial and serial in self.serials:
            raise ValueError(f"serial {row.serial} is on line {self.serials[serial]} too")
        if tag:
            self.tags[tag] = row.line
        if serial:
            self.serials[serial] = row.line


def _check(row: Row, named: dict[str, str], width: int, seen: _Seen, known: _Known) -> int | None:
    """Check one row on its own; the id of the existing asset it is about, or None (CREATE).
    ValueError with the reason."""
    if len(row.cells) > width:
        raise ValueError(f"{len(row.cells)} cells but the header has {width}")
    if not row.asset_tag and not row.serial:
        raise ValueError("no asset tag and no serial: a row needs one of them")
    seen.check(row)
    row.values = _values(named, known)
    found = _match(row, known)
    if found is None:
        row.action = CREATE
        return None
    pk, status = found
    if status == Lifecycle.DISPOSED:
        raise ValueError(f"asset {row.label} is disposed: it cannot be changed")
    return pk


def _decide_updates(matched: dict[int, list[Row]]) -> None:
    """Load the matched assets in chunks (never one query per row) and decide their rows."""
    ids = sorted(matched)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for asset in Asset.objects.select_related("assigned_to", "site").filter(pk__in=chunk):
            rows = matched[asset.pk]
            for row in rows:
                try:
                    if len(rows) > 1:
                        lines = ", ".join(str(r.line) for r in rows)
                        raise ValueError(f"lines {lines} are all about asset {asset}")
                    _decide(row, asset)
                except ValueError as exc:
                    row.action, row.message, row.existing = ERROR, str(exc), None


def plan(organization: Organization, data: bytes) -> Plan:
    """Read `data` and decide each row for `organization` (see the module's docstring).
    Raises BadFile. Who may import for that client is the service's check."""
    text = csvfiles.decode(data, max_bytes=MAX_BYTES, error=BadFile)
    header, raw_rows = csvfiles.read(text, max_rows=MAX_ROWS, error=BadFile)
    columns = [_column(name) for name in header]
    if "asset_tag" not in columns and "serial" not in columns:
        raise BadFile(
            f"the file has no asset_tag or serial column (its header: {', '.join(header)})",
            field="file",
        )
    ignored = [name for name, column in zip(header, columns, strict=True) if not column]
    known, seen = _Known(organization), _Seen()
    rows: list[Row] = []
    matched: dict[int, list[Row]] = {}
    for line, cells in raw_rows:
        named: dict[str, str] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column and column not in named:
                named[column] = cell
        row = Row(
            line=line,
            asset_tag=named.get("asset_tag", "").strip(),
            serial=named.get("serial", "").strip(),
            cells=list(cells),
        )
        rows.append(row)
        try:
            pk = _check(row, named, len(header), seen, known)
        except ValueError as exc:
            row.action, row.message = ERROR, str(exc)
            continue
        if pk is not None:
            matched.setdefault(pk, []).append(row)
    _decide_updates(matched)
    return Plan(organization=organization, rows=rows, header=header, ignored=ignored)
