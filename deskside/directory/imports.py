"""Reading and checking a CSV file of contacts: the plan of what an import will do.

The file is UTF-8 text (a byte-order mark, as Excel writes it, is fine) with a header row;
the delimiter is a comma, a semicolon or a tab (read from the header). Columns, in any order,
case and spacing ignored:

    email (required), full_name (or "name"), phone, mobile,
    client (required: the client's slug or name), site (a site name of that client),
    org_admin, vip (yes/no, true/false, 1/0, y/n; empty is no)

Other columns are ignored and named in `Plan.ignored`. Each data row becomes a `Row`
whose action is CREATE (a new contact), UPDATE (an existing contact of the same client:
the non-empty cells replace their values; empty cells leave them as they are), UNCHANGED,
or ERROR with the reason: a bad email address, a duplicate of an earlier row, a client that
is unknown or not one the importing agent serves (one message for both: an agent limited to
some clients learns nothing of the others), a site not of that client, an address that
belongs to an agent or to another client's contact, a bad flag or phone number, a row with
more cells than the header. Nothing is dropped: every data row is in the plan with its line
number.

A file that cannot be read at all raises BadFile (not UTF-8, empty, no email or client
column, more than MAX_ROWS rows or MAX_BYTES bytes). Rows are read with the standard csv
module rather than tablib's loader: tablib refuses a whole file when one row has a different
number of cells, without saying which; here that row alone is an error. tablib writes the
rows back out (`errors_csv`: the refused rows with their reason, to fix and upload again).
Both are shared with the other importers: `deskside.core.csvfiles`.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from deskside.accounts.models import Organization, Site, User
from deskside.accounts.phones import to_e164
from deskside.accounts.queries import served_organization_ids
from deskside.core import csvfiles
from deskside.core.csvfiles import CREATE, ERROR, UNCHANGED, UPDATE
from deskside.directory.exceptions import BadFile

MAX_ROWS = 10_000
MAX_BYTES = 3 * 2**20
"""Sent back base64-encoded by the preview page's Import button, 3 MiB stays within the
request body limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 5 MiB). 10,000 rows are about 1 MiB."""

COLUMNS = {
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "full name": "full_name",
    "name": "full_name",
    "phone": "phone",
    "mobile": "mobile",
    "client": "client",
    "client slug": "client",
    "client slug or name": "client",
    "organization": "client",
    "organisation": "client",
    "site": "site",
    "site name": "site",
    "org admin": "org_admin",
    "is org admin": "org_admin",
    "organization admin": "org_admin",
    "organisation admin": "org_admin",
    "vip": "vip",
    "is vip": "vip",
}
REQUIRED = ("email", "client")
TRUE = {"yes", "y", "true", "1", "x"}
FALSE = {"no", "n", "false", "0", ""}


@dataclass
class Row(csvfiles.RowWords):
    """One data row of the file: its line number (the header is line 1), what it will do,
    and why when it is an error. `values` are the contact's fields to write."""

    line: int
    email: str
    client: str
    action: str = ERROR
    message: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    existing: User | None = None
    cells: list[str] = field(default_factory=list)


@dataclass
class Plan(csvfiles.PlanCounts):
    """Every row of the file and what an import does with it; `applied` once imported."""

    rows: list[Row]
    header: list[str]
    ignored: list[str] = field(default_factory=list)
    applied: bool = False

    def errors_csv(self) -> str:
        """The refused rows as CSV (the file's own columns plus "error"), to fix and re-send.
        Cells are written as they are (`quote=False`), as this importer always has."""
        refused = ((r.line, r.cells, r.message) for r in self.rows if r.action == ERROR)
        return csvfiles.errors_csv(self.header, refused, quote=False)


def _column(name: str) -> str:
    key = " ".join(name.strip().lower().replace("_", " ").split())
    return COLUMNS.get(key, "")


class _Directory:
    """What the checks look up, loaded once per file (not once per row)."""

    def __init__(self, actor: User | None, rows: list[Row]) -> None:
        ids = served_organization_ids(actor) if actor is not None else None
        clients = Organization.objects.filter(is_msp=False)
        if ids is not None:
            clients = clients.filter(id__in=ids)
        self.by_key: dict[str, Organization] = {}
        for client in clients:
            self.by_key.setdefault(client.name.strip().lower(), client)
        for client in clients:  # a slug wins over another client's name
            self.by_key[client.slug.lower()] = client
        self.served = ids
        self.sites: dict[tuple[int, str], Site] = {
            (site.organization_id, site.name.strip().lower()): site
            for site in Site.objects.filter(organization__in=clients)
        }
        emails = sorted({r.email for r in rows if r.email})
        self.people: dict[str, User] = {}
        for start in range(0, len(emails), 500):
            chunk = emails[start : start + 500]
            for person in User.objects.filter(email__in=chunk).select_related("site"):
                self.people[person.email] = person


def _flag(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{name} must be yes or no, not {value.strip()!r}")


def _values(row: Row, cells: dict[str, str], directory: _Directory) -> dict[str, Any]:
    """The row's contact fields (only the non-empty cells), or ValueError with the reason."""
    client = directory.by_key.get(row.client.lower())
    if client is None:
        raise ValueError(f"no client {row.client!r} among the clients you serve")
    values: dict[str, Any] = {"organization": client}
    name = cells.get("full_name", "").strip()
    if len(name) > 200:
        raise ValueError("the name is longer than 200 characters")
    if name:
        values["full_name"] = name
    for key in ("phone", "mobile"):
        number = cells.get(key, "").strip()
        if number and (len(number) > 50 or to_e164(number) is None):
            raise ValueError(f"{key} {number!r} is not a phone number")
        if number:
            values[key] = number
    site_name = cells.get("site", "").strip()
    if site_name:
        site = directory.sites.get((client.id, site_name.lower()))
        if site is None:
            raise ValueError(f"{site_name!r} is not a site of {client.name}")
        values["site"] = site
    for column, attribute in (("org_admin", "is_org_admin"), ("vip", "is_vip")):
        if cells.get(column, "").strip():
            values[attribute] = _flag(cells[column], column.replace("_", " "))
    return values


def _decide(row: Row, cells: dict[str, str], directory: _Directory) -> None:
    row.values = _values(row, cells, directory)
    client = row.values["organization"]
    person = directory.people.get(row.email)
    if person is None:
        row.action = CREATE
        return
    if person.kind == User.Kind.AGENT:
        raise ValueError("this address belongs to an agent")
    if person.organization_id != client.id:
        raise ValueError("this address belongs to a contact of another client")
    row.existing = person
    changes = {
        k: v for k, v in row.values.items() if k != "organization" and getattr(person, k) != v
    }
    row.values = changes
    if not changes:
        row.action = UNCHANGED
        return
    row.action = UPDATE
    row.message = ", ".join(k.replace("is_", "").replace("_", " ") for k in changes)
    if not person.is_active:
        row.message += "; the contact stays deactivated"


def plan(actor: User | None, data: bytes) -> Plan:
    """Read `data` and decide each row (see the module's docstring). Raises BadFile."""
    text = csvfiles.decode(data, max_bytes=MAX_BYTES, error=BadFile)
    header, raw_rows = csvfiles.read(text, max_rows=MAX_ROWS, error=BadFile)
    columns = [_column(name) for name in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise BadFile(
            f"the file has no {' or '.join(missing)} column (its header: {', '.join(header)})",
            field="file",
        )
    ignored = [name for name, column in zip(header, columns, strict=True) if not column]
    rows: list[Row] = []
    for line, cells in raw_rows:
        named: dict[str, str] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column and column not in named:
                named[column] = cell
        rows.append(
            Row(
                line=line,
                email=named.get("email", "").strip().lower(),
                client=named.get("client", "").strip(),
                cells=list(cells),
            )
        )
    directory = _Directory(actor, rows)
    first_line: dict[str, int] = {}
    for row, (_, cells) in zip(rows, raw_rows, strict=True):
        named = {c: v for c, v in zip(columns, cells, strict=False) if c}
        try:
            if len(cells) > len(header):
                raise ValueError(f"{len(cells)} cells but the header has {len(header)}")
            if not row.email:
                raise ValueError("no email address")
            try:
                validate_email(row.email)
            except ValidationError:
                raise ValueError(f"{row.email!r} is not a valid email address") from None
            if row.email in first_line:
                raise ValueError(f"duplicate of line {first_line[row.email]}")
            first_line[row.email] = row.line
            if not row.client:
                raise ValueError("no client")
            _decide(row, named, directory)
        except ValueError as exc:
            row.action, row.message, row.existing = ERROR, str(exc), None
    return Plan(rows=rows, header=header, ignored=ignored)
