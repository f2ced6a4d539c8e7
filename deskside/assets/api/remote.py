"""Remote control under /api/v1/assets/remote (agents only: a customer's token gets 403):

    GET    /assets/remote/templates                     the templates of the clients served
    POST   /assets/remote/templates                     add one (administrators): {client,
                                                        tool, url_template, label}
    PATCH  /assets/remote/templates/{client}/{tool}     change its url_template and/or label
    DELETE /assets/remote/templates/{client}/{tool}     remove it
    GET    /assets/remote/tickets/{number}/sessions     the ticket's sessions, newest first
    POST   /assets/remote/tickets/{number}/sessions     start one: {asset, tool}; the answer's
                                                        `url` is where to send the agent
    POST   /assets/remote/sessions/{public_id}/end      end it: {summary}

A client, ticket or session the caller may not see is a 404. The rules are the services'
(`assets.services.remote`): 403 for who may not, 409 for a template that exists already, a
session ended already or an asset retired or disposed, 422 naming the field for bad input
(the URL template's checks among them).
"""

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.accounts.schemas import OrganizationRef, UserRef
from deskside.assets.exceptions import InvalidInput, NotAllowed
from deskside.assets.models import Asset, RemoteAccessTemplate, RemoteSession
from deskside.assets.queries import remote as reads
from deskside.assets.services import remote as svc
from deskside.core.api import Text, get_or_404
from deskside.tickets.queries import ticket_for

router = Router(tags=["assets remote"])


class RemoteTemplateOut(Schema):
    client: OrganizationRef
    tool: str = Field(description="rmm, meshcentral, rustdesk or teamviewer.")
    url_template: str
    label: str
    updated_at: datetime


class RemoteTemplateIn(Schema):
    client: Text = Field(description="The client's slug.")
    tool: Text
    url_template: Text = Field(
        description="With {id} exactly once; https:// or an allowed app scheme (rustdesk://, "
        "teamviewer10://, teamviewer8://, tvcontrol1://, meshcentral://)."
    )
    label: Text = ""


class RemoteTemplatePatch(Schema):
    url_template: Text | None = None
    label: Text | None = None


class RemoteSessionOut(Schema):
    id: str = Field(description="The session's public id.")
    ticket: str
    asset: str = Field(description="The asset's public id.")
    asset_label: str
    tool: str
    agent: UserRef
    url: str = Field(description="The link built from the client's template and the asset's id.")
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: int | None = Field(description="Null while the session runs.")
    summary: str


class RemoteSessionIn(Schema):
    asset: Text = Field(description="The asset's public id (of the ticket's client).")
    tool: Text


class RemoteSessionEndIn(Schema):
    summary: Text = ""


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("only agents use remote control")
    return user


def _template_out(row: RemoteAccessTemplate) -> dict:
    return {
        "client": row.organization,
        "tool": row.tool,
        "url_template": row.url_template,
        "label": row.label,
        "updated_at": row.updated_at,
    }


def _session_out(row: RemoteSession) -> dict:
    return {
        "id": row.public_id,
        "ticket": row.ticket.number,
        "asset": row.asset.public_id,
        "asset_label": str(row.asset),
        "tool": row.tool,
        "agent": row.agent,
        "url": row.url,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "duration_seconds": svc.duration_seconds(row) if row.ended_at else None,
        "summary": row.summary,
    }


def _template(user: User, client: str, tool: str) -> RemoteAccessTemplate:
    return get_or_404(
        reads.templates_visible_to(user),
        f"no {tool!r} template for {client!r}",
        organization__slug=client,
        tool=tool,
    )


@router.get("/templates", response=list[RemoteTemplateOut], summary="Remote-access templates")
def list_templates(request: HttpRequest) -> list[dict]:
    rows = reads.templates_visible_to(_agent(request)).order_by("organization__name", "tool")
    return [_template_out(r) for r in rows]


@router.post(
    "/templates", response={201: RemoteTemplateOut}, summary="Add a remote-access template"
)
def create_template(request: HttpRequest, payload: RemoteTemplateIn) -> Status[dict]:
    user = _agent(request)
    ids = served_organization_ids(user)
    orgs = Organization.objects.filter(slug=payload.client)
    org = (orgs if ids is None else orgs.filter(pk__in=ids)).first()
    if org is None:
        raise InvalidInput(f"no client {payload.client!r}", field="client")
    row = svc.create_template(
        actor=user,
        organization=org,
        tool=payload.tool,
        url_template=payload.url_template,
        label=payload.label,
    )
    return Status(201, _template_out(row))


@router.patch(
    "/templates/{client}/{tool}",
    response=RemoteTemplateOut,
    summary="Change a remote-access template",
)
def update_template(
    request: HttpRequest, client: Text, tool: Text, payload: RemoteTemplatePatch
) -> dict:
    user = _agent(request)
    row = svc.update_template(
        actor=user,
        template=_template(user, client, tool),
        url_template=payload.url_template,
        label=payload.label,
    )
    return _template_out(row)


@router.delete(
    "/templates/{client}/{tool}", response={204: None}, summary="Remove a remote-access template"
)
def delete_template(request: HttpRequest, client: Text, tool: Text) -> Status[None]:
    user = _agent(request)
    svc.delete_template(actor=user, template=_template(user, client, tool))
    return Status(204, None)


@router.get(
    "/tickets/{number}/sessions",
    response=list[RemoteSessionOut],
    summary="The remote sessions of a ticket",
)
def ticket_sessions(request: HttpRequest, number: Text) -> list[dict]:
    user = _agent(request)
    ticket = ticket_for(user, number)
    return [_session_out(s) for s in reads.ticket_sessions(user, ticket)[:200]]


@router.post(
    "/tickets/{number}/sessions",
    response={201: RemoteSessionOut},
    summary="Start a remote session (answers the link to open)",
)
def start_session(request: HttpRequest, number: Text, payload: RemoteSessionIn) -> Status[dict]:
    user = _agent(request)
    ticket = ticket_for(user, number)
    asset = Asset.objects.filter(
        public_id=payload.asset, organization_id=ticket.organization_id
    ).first()
    if asset is None:
        raise InvalidInput(f"no asset {payload.asset!r} at this ticket's client", field="asset")
    session = svc.start_session(actor=user, ticket=ticket, asset=asset, tool=payload.tool)
    return Status(201, _session_out(session))


@router.post("/sessions/{public_id}/end", response=RemoteSessionOut, summary="End a remote session")
def end_session(request: HttpRequest, public_id: Text, payload: RemoteSessionEndIn) -> dict:
    user = _agent(request)
    session = reads.sessions_visible_to(user).filter(public_id=public_id).first()
    if session is None:
        raise Http404(f"no session {public_id!r}")
    row = svc.end_session(actor=user, session=session, summary=payload.summary)
    return _session_out(
        RemoteSession.objects.select_related("ticket", "asset", "agent").get(pk=row.pk)
    )
