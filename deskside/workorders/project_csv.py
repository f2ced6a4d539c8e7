"""Reading and checking a project's CSV file: the plan of the child work orders it will open.

The file is UTF-8 text (a byte-order mark, as Excel writes it, is fine) with a header row; the
delimiter is a comma, a semicolon or a tab (read from the header). Columns, in any order, case
and spacing ignored, all optional:

    user          the email of a contact of the project's client: the child's requester
                  (empty: the project's requester)
    desk, from, to   where the person sits now and moves to (free text, shown on the child)
    asset         an asset tag of the client: the child's ticket is linked to that asset
    site          a site name of the client (empty: the user's site, else the project's site)
    subject       the child's subject (empty: the template's subject with the row's person
                  and desks)
    notes         added to the child's description
    window_start, window_end   the visit window of this row, in the site's local time
                  ("2026-12-14 09:00", "2026-12-14T09:00", or a date: its whole day)
    duration      the visit's length in minutes (1 to 720)

Other columns are kept on the work order (`row_data`) and named in `Plan.ignored`. Every data
row is in the plan with its line number (the header is line 1), either CREATE with what it
will open, or ERROR with the reason: unknown user, not a contact of this client, unknown asset
tag, asset disposed, unknown site, bad date or duration, a window without a site, a duplicate
of an earlier row (same cells) or an asset on two rows, more cells than the header.

A file that cannot be read at all raises BadFile: not UTF-8, empty, more than MAX_ROWS rows or
MAX_BYTES bytes, a NUL byte. Rows are read with the standard csv module (a row with a wrong
number of cells is that row's error, not the file's) and the refused rows written back with
tablib (`errors_csv`): `deskside.core.csvfiles`, shared with the contact and asset imports.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from deskside.accounts.models import Organization, Site, User
from deskside.assets.models import Asset, Lifecycle
from deskside.core import csvfiles
from deskside.workorders.exceptions import BadFile
from deskside.workorders.models import TemplateVersion

MAX_ROWS = 2_000
MAX_BYTES = 2 * 2**20
"""Sent back base64-encoded by the preview page's "Create project" button, 2 MiB stays within
the request body limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 5 MiB)."""
TOO_MANY = "the file has more than {max_rows:,} rows: split the project"
MAX_CELL = 500
MAX_DURATION = 12 * 60

CREATE, ERROR = "create", "error"

COLUMNS = {
    "user": "user",
    "email": "user",
    "user email": "user",
    "desk": "desk",
    "from": "from",
    "from desk": "from",
    "to": "to",
    "to desk": "to",
    "new desk": "to",
    "asset": "asset",
    "asset tag": "asset",
    "tag": "asset",
    "site": "site",
    "site name": "site",
    "subject": "subject",
    "notes": "notes",
    "note": "notes",
    "window start": "window_start",
    "window end": "window_end",
    "duration": "duration",
    "duration minutes": "duration",
}


@dataclass
class Row:
    """One data row: its line, its cells, and what it will open (or why it cannot)."""

    line: int
    cells: list[str]
    values: dict[str, str] = field(default_factory=dict)
    action: str = ERROR
    message: str = ""
    requester: User | None = None
    site: Site | None = None
    asset: Asset | None = None
    subject: str = ""
    description: str = ""
    window: tuple[datetime, datetime] | None = None
    duration: int | None = None
    row_data: dict[str, str] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """What the preview says of the row."""
        if self.action == ERROR:
            return f"error: {self.message}"
        what = f"a work order “{self.subject}” for {self.requester}"
        if self.site is not None:
            what += f" at {self.site.name}"
        if self.asset is not None:
            what += f", linked to asset {self.asset.asset_tag}"
        if self.window is not None:
            start, end = self.window
            what += f"; visit window {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
        return what


@dataclass
class Plan:
    """Every row of the file and what creating the project does with it."""

    rows: list[Row]
    header: list[str]
    ignored: list[str] = field(default_factory=list)
    digest: str = ""

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.action == CREATE)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.action == ERROR)

    @property
    def ok(self) -> bool:
        """Whether the project can be created: at least one row, and no row in error."""
        return bool(self.rows) and not self.errors

    def errors_csv(self) -> str:
        """The refused rows as CSV (the file's own columns plus "error"), to fix and re-send;
        a cell a spreadsheet would run as a formula is quoted (`core.csvsafe`)."""
        refused = ((r.line, r.cells, r.message) for r in self.rows if r.action == ERROR)
        return csvfiles.errors_csv(self.header, refused)


def column(name: str) -> str:
    key = " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())
    return COLUMNS.get(key, "")


def zone_of(site: Site | None, organization: Organization) -> ZoneInfo:
    """The zone a row's local times are read in: its site's, else the client's."""
    for name in (site.timezone if site is not None else "", organization.timezone, "UTC"):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")  # pragma: no cover - "UTC" always exists


def parse_when(text: str, zone: ZoneInfo, *, end: bool, name: str) -> datetime:
    """A local date and time (or a date: its first or last minute) as an aware datetime;
    ValueError naming the column otherwise."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(23, 59) if end else time.min, tzinfo=zone)
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a date: write it as YYYY-MM-DD HH:MM") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)


def parse_duration(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_DURATION:
        raise ValueError(f"duration {value!r} must be 1 to {MAX_DURATION} minutes")
    return int(value)


class _Client:
    """What the checks look up for one client, loaded once per file (not once per row)."""

    def __init__(self, organization: Organization, rows: list[Row]) -> None:
        self.organization = organization
        self.sites = {
            s.name.strip().lower(): s for s in Site.objects.filter(organization=organization)
        }
        self.sites_by_id = {s.pk: s for s in self.sites.values()}
        emails = sorted({r.values["user"].lower() for r in rows if r.values.get("user")})
        self.people: dict[str, User] = {}
        for start in range(0, len(emails), 500):
            for person in User.objects.filter(email__in=emails[start : start + 500]):
                self.people[person.email.lower()] = person
        tags = sorted({r.values["asset"].lower() for r in rows if r.values.get("asset")})
        self.assets: dict[str, Asset] = {}
        if tags:
            for asset in Asset.objects.filter(organization=organization).exclude(asset_tag=""):
                if asset.asset_tag.lower() in tags:
                    self.assets[asset.asset_tag.lower()] = asset


def _describe(row: Row, version: TemplateVersion) -> None:
    v = row.values
    # The person's name when the row names one (not the project's requester on every row).
    person = row.requester.get_full_name() if row.requester and v.get("user") else ""
    moving = " → ".join(p for p in (v.get("from", ""), v.get("to", "")) if p)
    parts = [p for p in (person, v.get("desk", ""), moving) if p]
    if row.asset is not None:
        parts.append(row.asset.asset_tag)
    subject = v.get("subject", "") or (
        f"{version.subject}: {', '.join(parts)}" if parts else version.subject
    )
    row.subject = subject[:250]
    lines = [
        f"{label}: {v[key]}"
        for key, label in (
            ("user", "User"),
            ("desk", "Desk"),
            ("from", "From"),
            ("to", "To"),
            ("asset", "Asset"),
        )
        if v.get(key)
    ]
    if v.get("notes"):
        lines.append(v["notes"])
    row.description = "\n".join(lines)


def _who_and_where(row: Row, client: _Client, requester: User, project_site: Site | None) -> None:
    """The row's requester and site (see the module docstring), or ValueError."""
    v = row.values
    organization = client.organization
    row.requester = requester
    if email := v.get("user", "").lower():
        person = client.people.get(email)
        if person is None:
            raise ValueError(f"unknown user {email!r}")
        if not person.is_customer or person.organization_id != organization.pk:
            raise ValueError(f"{email} is not a contact of {organization.name}")
        if not person.is_active:
            raise ValueError(f"{email} is deactivated")
        row.requester = person
    if name := v.get("site", ""):
        row.site = client.sites.get(name.lower())
        if row.site is None:
            raise ValueError(f"unknown site {name!r} (not a site of {organization.name})")
    elif row.requester.site_id in client.sites_by_id:
        row.site = client.sites_by_id[row.requester.site_id]
    else:
        row.site = project_site


def _decide(
    row: Row,
    client: _Client,
    version: TemplateVersion,
    requester: User,
    project_site: Site | None,
) -> None:
    v = row.values
    for key, value in v.items():
        if len(value) > MAX_CELL:
            raise ValueError(f"{key} is longer than {MAX_CELL} characters")
    if len(v.get("subject", "")) > 250:
        raise ValueError("the subject is longer than 250 characters")
    _who_and_where(row, client, requester, project_site)
    if tag := v.get("asset", ""):
        row.asset = client.assets.get(tag.lower())
        if row.asset is None:
            raise ValueError(f"unknown asset tag {tag!r}")
        if row.asset.status == Lifecycle.DISPOSED:
            raise ValueError(f"asset {row.asset.asset_tag} is disposed")
    start, end = v.get("window_start", ""), v.get("window_end", "")
    if bool(start) != bool(end):
        raise ValueError("window_start and window_end go together: give both or neither")
    if start:
        if row.site is None:
            raise ValueError("a visit window needs a site: fill the site column")
        zone = zone_of(row.site, client.organization)
        opens = parse_when(start, zone, end=False, name="window_start")
        closes = parse_when(end, zone, end=True, name="window_end")
        if closes < opens:
            raise ValueError("window_end is before window_start")
        row.window = (opens, closes)
    if v.get("duration"):
        row.duration = parse_duration(v["duration"])
    _describe(row, version)
    row.action = CREATE


def plan(
    *,
    organization: Organization,
    version: TemplateVersion,
    requester: User,
    site: Site | None,
    data: bytes,
) -> Plan:
    """Read `data` and decide each row (see the module's docstring). Raises BadFile. Writes
    nothing."""
    text = csvfiles.decode(data, max_bytes=MAX_BYTES, error=BadFile)
    header, raw_rows = csvfiles.read(text, max_rows=MAX_ROWS, error=BadFile, too_many=TOO_MANY)
    columns = [column(name) for name in header]
    ignored = [name for name, col in zip(header, columns, strict=True) if not col and name]
    rows: list[Row] = []
    for line, cells in raw_rows:
        values: dict[str, str] = {}
        extra: dict[str, str] = {}
        for name, col, cell in zip(header, columns, cells, strict=False):
            if col and col not in values:
                values[col] = cell.strip()
            elif not col and name and cell.strip():
                extra[name] = cell.strip()
        row = Row(line=line, cells=list(cells), values=values)
        row.row_data = {**extra, **{k: val for k, val in values.items() if val}}
        rows.append(row)
    client = _Client(organization, rows)
    seen: dict[tuple[str, ...], int] = {}
    assets: dict[str, int] = {}
    for row in rows:
        try:
            if len(row.cells) > len(header):
                raise ValueError(f"{len(row.cells)} cells but the header has {len(header)}")
            key = tuple(cell.strip().lower() for cell in row.cells)
            if key in seen:
                raise ValueError(f"duplicate of line {seen[key]}")
            seen[key] = row.line
            tag = row.values.get("asset", "").lower()
            if tag and tag in assets:
                raise ValueError(f"asset {row.values['asset']} is on line {assets[tag]} already")
            if tag:
                assets[tag] = row.line
            _decide(row, client, version, requester, site)
        except ValueError as exc:
            row.action, row.message = ERROR, str(exc)
            row.requester = row.site = row.asset = None
            row.window = None
    return Plan(rows=rows, header=header, ignored=ignored)


def window_for(row_data: dict[str, str], site: Site | None, organization: Organization):
    """A child's own visit window and duration from its stored cells (None each when it has
    none): (window or None, minutes or None). The cells were checked when the project was
    created; a cell that no longer reads (never expected) counts as absent."""
    window, minutes = None, None
    zone = zone_of(site, organization)
    try:
        if row_data.get("window_start") and row_data.get("window_end"):
            window = (
                parse_when(row_data["window_start"], zone, end=False, name="window_start"),
                parse_when(row_data["window_end"], zone, end=True, name="window_end"),
            )
        if row_data.get("duration"):
            minutes = parse_duration(row_data["duration"])
    except ValueError:  # pragma: no cover - checked at creation
        pass
    return window, minutes
