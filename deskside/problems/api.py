"""Recurring issues and problems under /api/v1/problems:

    GET    /problems                         problems the caller sees (?status=, paginated)
    POST   /problems                         open a problem (optionally with tickets)
    GET    /problems/clusters                the last pass's clusters (paginated)
    GET    /problems/clusters/{id}           one cluster with its tickets
    POST   /problems/clusters/{id}/dismiss   "not a problem" (remembered)
    POST   /problems/clusters/{id}/problem   open a problem from the cluster
    GET    /problems/detection               the pass's settings and last result
    PATCH  /problems/detection               change the settings (administrators)
    POST   /problems/detection/run           run the pass now (administrators)
    GET    /problems/tickets/{number}        a ticket's problems and known-error matches
    GET    /problems/{number}                one problem (PRB-n) with its tickets
    PATCH  /problems/{number}                change fields, status, owner, article
    GET    /problems/{number}/history        its history (paginated)
    POST   /problems/{number}/tickets        link tickets ({"tickets": ["T-10001", ...]})
    DELETE /problems/{number}/tickets/{t}    unlink one ticket

Agents only: a customer's token gets 403 everywhere. A cluster, problem or ticket of a client
the caller does not serve is 404. Bad input is 422 naming the field; a status change the
problem's status does not allow is 409.
"""

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import User
from deskside.accounts.queries import organizations_visible_to
from deskside.accounts.schemas import OrganizationRef, UserRef
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.kb.queries import visible_articles
from deskside.problems import detection, queries, services
from deskside.problems.exceptions import InvalidInput, NotAllowed
from deskside.problems.models import Cluster, Problem
from deskside.tickets.models import Ticket, parse_number
from deskside.tickets.queries import ticket_for, visible_tickets

router = Router(tags=["problems"])
StatusName = Literal["open", "investigating", "known_error", "resolved", "closed"]


class ProblemTicketRef(Schema):
    number: str
    subject: str
    status: str
    created_at: datetime


class ProblemArticleRef(Schema):
    id: str = Field(alias="public_id")
    title: str


class ClusterOut(Schema):
    id: str = Field(alias="public_id")
    organization: OrganizationRef
    site: str | None = Field(None, description="The site's name; null: tickets without one.")
    ticket_type: str
    label: str = Field(description="The most representative subject of the cluster.")
    terms: list[str]
    size: int
    window_days: int
    first_at: datetime
    last_at: datetime
    detected_at: datetime
    summary: str = Field(description='"Recurring at Acme: 7 tickets in 14 days: ..."')

    @staticmethod
    def resolve_site(obj: Cluster) -> str | None:
        return obj.site.name if obj.site_id else None

    @staticmethod
    def resolve_summary(obj: Cluster) -> str:
        return (
            f"Recurring at {obj.organization.name}: {obj.size} tickets in "
            f"{obj.window_days} days: {obj.label}"
        )


class ClusterDetailOut(ClusterOut):
    tickets: list[ProblemTicketRef] = Field(description="The tickets you may see.")

    @staticmethod
    def resolve_tickets(obj: Cluster, context: dict) -> list[Ticket]:
        return list(queries.cluster_tickets(context["request"].user, obj))


class ProblemOut(Schema):
    number: str
    title: str
    organization: OrganizationRef | None = Field(description="Null: across clients.")
    statement: str
    root_cause: str
    workaround: str
    status: str
    owner: UserRef | None
    article: ProblemArticleRef | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None


class ProblemDetailOut(ProblemOut):
    tickets: list[ProblemTicketRef] = Field(
        description="The linked tickets you may see (200 newest)."
    )

    @staticmethod
    def resolve_tickets(obj: Problem, context: dict) -> list[Ticket]:
        return list(queries.linked_tickets(context["request"].user, obj)[:200])


class ProblemIn(Schema):
    title: Text
    statement: Text = ""
    root_cause: Text = ""
    workaround: Text = ""
    status: StatusName = "open"
    owner: Text | None = Field(None, description="An agent's public id.")
    article: Text | None = Field(None, description="A KB article's public id.")
    organization: Text | None = Field(None, description="A client's slug; null: across clients.")
    tickets: list[Text] = Field(default_factory=list, description="Ticket numbers to link.")


class ProblemPatch(Schema):
    title: Text | None = None
    statement: Text | None = None
    root_cause: Text | None = None
    workaround: Text | None = None
    status: StatusName | None = None
    owner: Text | None = None
    article: Text | None = None


class ProblemFromClusterIn(Schema):
    title: Text = ""
    statement: Text = ""


class ProblemLinkIn(Schema):
    tickets: list[Text] = Field(min_length=1)


class ProblemLinkedOut(Schema):
    linked: int


class ProblemChangeOut(Schema):
    at: datetime
    actor: UserRef | None
    action: str
    changes: dict
    note: str


class KnownErrorMatchOut(Schema):
    problem: ProblemOut
    score: float


class TicketProblemsOut(Schema):
    problems: list[ProblemOut]
    known_errors: list[KnownErrorMatchOut]


class DetectionOut(Schema):
    window_days: int
    min_size: int
    threshold: float
    next_run_at: datetime
    last_finished_at: datetime | None
    last_tickets: int
    last_clusters: int
    last_seconds: float


class DetectionPatch(Schema):
    window_days: int | None = None
    min_size: int | None = None
    threshold: float | None = None


class DetectionRunIn(Schema):
    window_days: int | None = None
    min_size: int | None = None
    threshold: float | None = None


class DetectionRunOut(Schema):
    tickets: int
    clusters: int
    dismissed: int
    seconds: float


class ProblemFilters(PageParams):
    status: StatusName | None = None


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents work with problems")
    return user


def _cluster(user: User, public_id: str) -> Cluster:
    return get_or_404(
        queries.clusters_visible_to(user), f"no cluster {public_id!r}", public_id=public_id
    )


def _problem(user: User, number: str) -> Problem:
    found = queries.problem_for(user, number)
    if found is None:
        raise Http404(f"no problem {number}")
    return found


def _tickets(user: User, numbers: list[str]) -> list[Ticket]:
    out = []
    for number in numbers:
        pk = parse_number(number)
        ticket = visible_tickets(user).filter(pk=pk).first() if pk else None
        if ticket is None:
            raise InvalidInput(f"no ticket {number}", field="tickets")
        out.append(ticket)
    return out


def _refs(user: User, values: dict) -> dict:
    out = dict(values)
    if out.get("owner") is not None:
        owner = User.objects.filter(public_id=out["owner"], kind=User.Kind.AGENT).first()
        if owner is None:
            raise InvalidInput(f"no agent {out['owner']!r}", field="owner")
        out["owner"] = owner
    if out.get("article") is not None:
        article = visible_articles(user).filter(public_id=out["article"]).first()
        if article is None:
            raise InvalidInput(f"no article {out['article']!r}", field="article")
        out["article"] = article
    return out


@router.get("", response=PageOut[ProblemOut], summary="Problems")
def list_problems(request: HttpRequest, filters: Query[ProblemFilters]) -> dict[str, object]:
    qs = queries.problems_visible_to(_agent(request)).order_by("-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return page_out(paginate(request, qs, page=filters.page, limit=filters.limit))


@router.post("", response={201: ProblemDetailOut}, summary="Open a problem")
def create_problem(request: HttpRequest, payload: ProblemIn) -> Status[Problem]:
    user = _agent(request)
    values = _refs(user, payload.model_dump())
    slug = values.pop("organization")
    organization_id = None
    if slug is not None:
        org = organizations_visible_to(user).filter(slug=slug).first()
        if org is None:
            raise InvalidInput(f"no client {slug!r}", field="organization")
        organization_id = org.pk
    tickets = _tickets(user, values.pop("tickets"))
    problem = services.create_problem(
        actor=user, organization_id=organization_id, tickets=tickets, **values
    )
    return Status(201, _problem(user, problem.number))


@router.get("/clusters", response=PageOut[ClusterOut], summary="Recurring-issue clusters")
def list_clusters(request: HttpRequest, filters: Query[PageParams]) -> dict[str, object]:
    qs = queries.clusters_visible_to(_agent(request)).order_by("-size", "id")
    return page_out(paginate(request, qs, page=filters.page, limit=filters.limit))


@router.get("/clusters/{public_id}", response=ClusterDetailOut, summary="One cluster")
def get_cluster(request: HttpRequest, public_id: Text) -> Cluster:
    return _cluster(_agent(request), public_id)


@router.post("/clusters/{public_id}/dismiss", response={204: None}, summary="Not a problem")
def dismiss_cluster(request: HttpRequest, public_id: Text) -> Status[None]:
    user = _agent(request)
    services.dismiss_cluster(actor=user, cluster=_cluster(user, public_id))
    return Status(204, None)


@router.post(
    "/clusters/{public_id}/problem",
    response={201: ProblemDetailOut},
    summary="Open a problem from a cluster",
)
def cluster_problem(
    request: HttpRequest, public_id: Text, payload: ProblemFromClusterIn | None = None
) -> Status[Problem]:
    user = _agent(request)
    payload = payload or ProblemFromClusterIn()
    problem = services.problem_from_cluster(
        actor=user,
        cluster=_cluster(user, public_id),
        title=payload.title,
        statement=payload.statement,
    )
    return Status(201, _problem(user, problem.number))


@router.get("/detection", response=DetectionOut, summary="The detection's settings")
def get_detection(request: HttpRequest) -> object:
    _agent(request)
    return detection.state()


@router.patch("/detection", response=DetectionOut, summary="Change the detection's settings")
def patch_detection(request: HttpRequest, payload: DetectionPatch) -> object:
    user = _agent(request)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return detection.configure(actor=user, **changes)


@router.post("/detection/run", response=DetectionRunOut, summary="Run the detection now")
def run_detection(request: HttpRequest, payload: DetectionRunIn | None = None) -> object:
    user = _agent(request)
    values = (payload or DetectionRunIn()).model_dump()
    return detection.detect(actor=user, **values)


@router.get("/tickets/{number}", response=TicketProblemsOut, summary="A ticket's problems")
def ticket_problems(request: HttpRequest, number: Text) -> dict:
    user = _agent(request)
    ticket = ticket_for(user, number)
    return {
        "problems": list(queries.problems_of_ticket(user, ticket)),
        "known_errors": [
            {"problem": m.problem, "score": m.score} for m in queries.known_errors_for(user, ticket)
        ],
    }


@router.get("/{number}", response=ProblemDetailOut, summary="One problem")
def get_problem(request: HttpRequest, number: Text) -> Problem:
    return _problem(_agent(request), number)


@router.patch("/{number}", response=ProblemDetailOut, summary="Change a problem")
def update_problem(request: HttpRequest, number: Text, payload: ProblemPatch) -> Problem:
    user = _agent(request)
    problem = _problem(user, number)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("title", "status"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name} cannot be null", field=name)
    services.update_problem(actor=user, problem=problem, **_refs(user, changes))
    return _problem(user, number)


@router.get("/{number}/history", response=PageOut[ProblemChangeOut], summary="A problem's history")
def problem_history(
    request: HttpRequest, number: Text, filters: Query[PageParams]
) -> dict[str, object]:
    user = _agent(request)
    qs = queries.history(_problem(user, number))
    return page_out(paginate(request, qs, page=filters.page, limit=filters.limit))


@router.post("/{number}/tickets", response=ProblemLinkedOut, summary="Link tickets")
def link_tickets(request: HttpRequest, number: Text, payload: ProblemLinkIn) -> dict:
    user = _agent(request)
    problem = _problem(user, number)
    linked = services.link_tickets(
        actor=user, problem=problem, tickets=_tickets(user, payload.tickets)
    )
    return {"linked": linked}


@router.delete("/{number}/tickets/{ticket}", response={204: None}, summary="Unlink a ticket")
def unlink_ticket(request: HttpRequest, number: Text, ticket: Text) -> Status[None]:
    user = _agent(request)
    problem = _problem(user, number)
    found = ticket_for(user, ticket)
    if not services.unlink_ticket(actor=user, problem=problem, ticket=found):
        raise Http404(f"{found.number} is not linked to {problem.number}")
    return Status(204, None)
