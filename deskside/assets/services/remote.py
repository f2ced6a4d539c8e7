"""Remote control from the ticket: the per-client URL templates (configuration, audited) and
the remote sessions an agent starts and ends from a ticket (its timeline and the asset's).

"Never trust a URL someone typed": only administrators set templates, each is checked here
(`check_template`), and a session's link is built from the template and the identifier stored
on the asset (`build_url`), never from anything in the request.

The allowed schemes (`ALLOWED_SCHEMES`): `https` (an RMM's or MeshCentral's web console), and
the app schemes the remote tools register on an agent's machine: `rustdesk`, `teamviewer10`,
`teamviewer8`, `tvcontrol1` (TeamViewer), `meshcentral` (the MeshCentral Router). Plain
`http`, `javascript:`, `data:`, `file:` and every other scheme are refused. The identifier is
URL-quoted with no safe characters when filled in, so `/`, `?`, `#`, `@` or `:` in an id
cannot change where the link goes.
"""

from datetime import datetime
from urllib.parse import quote, urlsplit

from django.db import IntegrityError, transaction

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import serves
from deskside.assets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import (
    Asset,
    AssetEvent,
    AssetEventKind,
    Lifecycle,
    RemoteAccessTemplate,
    RemoteSession,
    RemoteTool,
)
from deskside.core import audit, clock
from deskside.tickets.models import EventKind, Status, Ticket
from deskside.tickets.rules import lock
from deskside.tickets.timeline import touch, write_event

PLACEHOLDER = "{id}"
ALLOWED_SCHEMES = ("https", "rustdesk", "teamviewer10", "teamviewer8", "tvcontrol1", "meshcentral")
NO_CONNECT = (Lifecycle.RETIRED, Lifecycle.DISPOSED)
TEMPLATE_MAX = RemoteAccessTemplate._meta.get_field("url_template").max_length or 500
URL_MAX = RemoteSession._meta.get_field("url").max_length or 800
SUMMARY_MAX = 4000
AUDIT_TYPE = "assets.remote_template"
AUDIT_FIELDS = ("organization", "tool", "url_template", "label")


# -- templates ---------------------------------------------------------------------------------


def check_template(url_template: str) -> str:
    """The template, stripped, if it is safe to build links from; InvalidInput naming
    `url_template` otherwise (see the module docstring)."""
    text = (url_template or "").strip()
    field = "url_template"
    if not text:
        raise InvalidInput("the URL template is required", field=field)
    if len(text) > TEMPLATE_MAX:
        raise InvalidInput(f"the URL template is at most {TEMPLATE_MAX} characters", field=field)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput("the URL template may not contain spaces or control characters", field)
    if text.count(PLACEHOLDER) != 1:
        raise InvalidInput("the URL template must contain {id} exactly once", field=field)
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ALLOWED_SCHEMES:
        raise InvalidInput(
            "the URL must start with https:// or a remote tool's scheme ("
            + ", ".join(f"{s}://" for s in ALLOWED_SCHEMES[1:])
            + ")",
            field=field,
        )
    if scheme == "https":
        host = urlsplit(text.replace(PLACEHOLDER, "x")).netloc
        if not host or PLACEHOLDER in rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
            raise InvalidInput("an https template names its host; {id} goes after it", field)
    return scheme + "://" + rest


def _check_tool(tool: str) -> str:
    if tool not in RemoteTool.values:
        raise InvalidInput(f"the tool is one of {', '.join(RemoteTool.values)}", field="tool")
    return tool


def _require_admin(actor: User, organization_id: int) -> None:
    if not is_admin(actor):
        raise NotAllowed("only administrators set remote-access templates")
    if not serves(actor, organization_id):
        raise NotAllowed("you do not serve this client")


def _snapshot(row: RemoteAccessTemplate) -> dict:
    return audit.snapshot(row, AUDIT_FIELDS)


def _audit_id(row: RemoteAccessTemplate) -> str:
    return f"{row.organization.slug}/{row.tool}"


@transaction.atomic
def create_template(
    *, actor: User, organization: Organization, tool: str, url_template: str, label: str = ""
) -> RemoteAccessTemplate:
    """A client's template for one tool (one per client and tool: a second is a 409 naming
    `tool`). Administrators serving the client only. Audited."""
    _require_admin(actor, organization.pk)
    row = RemoteAccessTemplate(
        organization=organization,
        tool=_check_tool(tool),
        url_template=check_template(url_template),
        label=_label(label),
    )
    if RemoteAccessTemplate.objects.filter(organization=organization, tool=tool).exists():
        raise InvalidTransition(f"{organization.name} has a {tool} template already", field="tool")
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a racing create of the same pair
        raise InvalidTransition(
            f"{organization.name} has a {tool} template already", field="tool"
        ) from None
    audit.record(
        actor, audit.CREATED, AUDIT_TYPE, _audit_id(row), label=str(row), after=_snapshot(row)
    )
    return row


def _label(label: str | None) -> str:
    text = (label or "").strip()
    if len(text) > 100:
        raise InvalidInput("the label is at most 100 characters", field="label")
    return text


@transaction.atomic
def update_template(
    *,
    actor: User,
    template: RemoteAccessTemplate,
    url_template: str | None = None,
    label: str | None = None,
) -> RemoteAccessTemplate:
    """Change a template's URL and/or label (None: unchanged). Audited with the fields that
    changed."""
    _require_admin(actor, template.organization_id)
    row = RemoteAccessTemplate.objects.select_for_update(of=("self",)).select_related(
        "organization"
    )
    row = row.get(pk=template.pk)
    before = _snapshot(row)
    if url_template is not None:
        row.url_template = check_template(url_template)
    if label is not None:
        row.label = _label(label)
    row.updated_at = clock.now()
    row.save()
    audit.record_update(
        actor, AUDIT_TYPE, _audit_id(row), label=str(row), before=before, after=_snapshot(row)
    )
    return row


@transaction.atomic
def delete_template(*, actor: User, template: RemoteAccessTemplate) -> None:
    """Remove a template: the client's assets offer no Connect for that tool any more (past
    sessions keep the URL they were sent to). Audited."""
    _require_admin(actor, template.organization_id)
    before = _snapshot(template)
    ident, label = _audit_id(template), str(template)
    RemoteAccessTemplate.objects.filter(pk=template.pk).delete()
    audit.record(actor, audit.DELETED, AUDIT_TYPE, ident, label=label, before=before)


def build_url(template: RemoteAccessTemplate, asset: Asset) -> str:
    """The link for `asset` with the template's tool: the template (checked again, so a row
    written past the services builds nothing unsafe) with the asset's stored identifier,
    URL-quoted with no safe characters. InvalidInput when the asset has no identifier."""
    ident = asset.remote_id(template.tool).strip()
    if not ident:
        raise InvalidInput(f"{asset} has no {template.get_tool_display()} id", field="tool")
    url = check_template(template.url_template).replace(PLACEHOLDER, quote(ident, safe=""))
    if len(url) > URL_MAX:
        raise InvalidInput(f"the link would be longer than {URL_MAX} characters", field="asset")
    return url


# -- sessions ----------------------------------------------------------------------------------


def _require_agent(actor: User, organization_id: int) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents take remote control")
    if not serves(actor, organization_id):
        raise NotAllowed("you do not serve this client")


@transaction.atomic
def start_session(*, actor: User, ticket: Ticket, asset: Asset, tool: str) -> RemoteSession:
    """Start a remote session on `asset` from `ticket` with `tool`: a RemoteSession row, the
    ticket event REMOTE `{"action": "started", ...}` (a contact for first-contact resolution,
    `tickets.services.status.is_first_contact`) and an AssetEvent REMOTE, in one transaction.
    The caller sends the agent to the session's `url`.

    Agents serving the client; the asset must be the ticket's client's and neither retired
    nor disposed; it needs an identifier for the tool and the client a template for it. A
    closed ticket takes no new session (409); a resolved one does (the fix is checked with
    the user before it is closed)."""
    _require_agent(actor, ticket.organization_id)
    lock(ticket)  # a fresh, locked copy: the timeline and `touch` write it
    if ticket.status == Status.CLOSED:
        raise InvalidTransition("the ticket is closed: open a new one", field="ticket")
    _check_tool(tool)
    if asset.organization_id != ticket.organization_id:
        raise InvalidInput("the asset is not this ticket's client's", field="asset")
    if asset.status in NO_CONNECT:
        raise InvalidTransition(
            f"{asset} is {asset.get_status_display().lower()}: no remote control", field="asset"
        )
    template = RemoteAccessTemplate.objects.filter(
        organization_id=ticket.organization_id, tool=tool
    ).first()
    if template is None:
        raise InvalidInput(f"this client has no {tool} link template", field="tool")
    url = build_url(template, asset)
    now = clock.now()
    session = RemoteSession.objects.create(
        ticket=ticket, asset=asset, agent=actor, tool=tool, url=url, started_at=now
    )
    label = RemoteTool(tool).label
    write_event(
        ticket,
        EventKind.REMOTE,
        actor,
        body=f"Remote session on {asset} ({label}) started",
        data={
            "action": "started",
            "session": session.public_id,
            "tool": tool,
            "asset": asset.public_id,
        },
    )
    touch(ticket)
    AssetEvent.objects.create(
        asset=asset,
        kind=AssetEventKind.REMOTE,
        actor=actor,
        created_at=now,
        body=f"Remote session ({label}) from {ticket.number} started",
        data={"action": "started", "session": session.public_id, "ticket": ticket.number},
    )
    return session


def duration_seconds(session: RemoteSession, now: datetime | None = None) -> int:
    end = session.ended_at or now or clock.now()
    return max(int((end - session.started_at).total_seconds()), 0)


@transaction.atomic
def end_session(*, actor: User, session: RemoteSession, summary: str = "") -> RemoteSession:
    """End a running session: `ended_at`, the summary, a ticket event REMOTE
    `{"action": "ended", "duration_seconds": ...}` and an AssetEvent. Any agent serving the
    client may end it (a colleague closes one left open). 409 when it has ended already."""
    row = (
        RemoteSession.objects.select_for_update(of=("self",))
        .select_related("ticket", "asset")
        .get(pk=session.pk)
    )
    _require_agent(actor, row.ticket.organization_id)
    lock(row.ticket)
    text = (summary or "").strip()
    if len(text) > SUMMARY_MAX:
        raise InvalidInput(f"the summary is at most {SUMMARY_MAX} characters", field="summary")
    if row.ended_at is not None:
        raise InvalidTransition("this session has ended already", field="session")
    now = clock.now()
    row.ended_at = max(now, row.started_at)
    row.summary = text
    row.save(update_fields=["ended_at", "summary"])
    seconds = duration_seconds(row)
    label = RemoteTool(row.tool).label
    minutes = round(seconds / 60)
    write_event(
        row.ticket,
        EventKind.REMOTE,
        actor,
        body=f"Remote session on {row.asset} ({label}) ended after {minutes} min"
        + (f": {text}" if text else ""),
        data={
            "action": "ended",
            "session": row.public_id,
            "tool": row.tool,
            "asset": row.asset.public_id,
            "duration_seconds": seconds,
        },
    )
    touch(row.ticket)
    AssetEvent.objects.create(
        asset=row.asset,
        kind=AssetEventKind.REMOTE,
        actor=actor,
        created_at=now,
        body=f"Remote session ({label}) from {row.ticket.number} ended after {minutes} min",
        data={"action": "ended", "session": row.public_id, "duration_seconds": seconds},
    )
    return row
