"""The reads of the clearance pages and API: the matrix of technicians x clients, one client's
technicians, one technician's clearances and history. Visibility is `field.queries`
(`clearances_visible_to`) and `accounts.queries` (the clients an agent serves): an agent sees
the clearances at the clients they serve; customers see none.

A *technician* here is an active agent with a field profile (`Technician`), or of tier L2, or
with a clearance row: the people who may be sent on site.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from deskside.accounts.models import Organization, Tier, User
from deskside.accounts.queries import organizations_visible_to
from deskside.field.models import Clearance, ClearanceEvent, ClearanceStatus
from deskside.field.queries import clearances_visible_to
from deskside.field.services.clearance import shadow_counts


@dataclass(frozen=True)
class Cell:
    """One technician at one client: the row (None: not cleared), the shadow visits done."""

    technician: User
    organization: Organization
    clearance: Clearance | None
    serves: bool
    shadow_done: int

    @property
    def status(self) -> str:
        return self.clearance.status if self.clearance else ClearanceStatus.NOT_CLEARED

    @property
    def status_label(self) -> str:
        return ClearanceStatus(self.status).label

    @property
    def shadow_required(self) -> int:
        return self.clearance.shadow_visits_required if self.clearance else 2


def technicians() -> QuerySet[User]:
    """Active agents who may go on site (see the module's docstring), by name."""
    return (
        User.objects.filter(kind=User.Kind.AGENT, is_active=True)
        .filter(Q(technician__isnull=False) | Q(tier=Tier.L2) | Q(clearances__isnull=False))
        .distinct()
        .order_by("full_name", "email")
    )


def clients_visible_to(viewer: User) -> QuerySet[Organization]:
    """The clients (not the MSP itself) whose clearances `viewer` sees."""
    if not (viewer.is_authenticated and viewer.is_active and viewer.is_agent):
        return Organization.objects.none()
    return organizations_visible_to(viewer).filter(is_msp=False).order_by("name")


def cells(
    viewer: User, people: list[User], clients: list[Organization]
) -> dict[tuple[int, int], Cell]:
    """(technician id, client id) -> Cell for every pair (a fixed number of queries)."""
    rows = {
        (c.technician_id, c.organization_id): c
        for c in clearances_visible_to(viewer)
        .filter(technician__in=people, organization__in=clients)
        .select_related("regular_technician", "signed_off_by")
    }
    done = shadow_counts([p.pk for p in people], [c.pk for c in clients])
    served = {
        p.pk: {o.pk for o in p.served_organizations.all()} for p in people
    }  # prefetched by the caller
    return {
        (p.pk, c.pk): Cell(
            technician=p,
            organization=c,
            clearance=rows.get((p.pk, c.pk)),
            serves=not served[p.pk] or c.pk in served[p.pk],
            shadow_done=done.get((p.pk, c.pk), 0),
        )
        for p in people
        for c in clients
    }


def matrix(viewer: User) -> tuple[list[Organization], list[tuple[User, list[Cell]]]]:
    """The clients the viewer serves and, per technician, their cell at each client."""
    clients = list(clients_visible_to(viewer))
    people = list(technicians().prefetch_related("served_organizations"))
    found = cells(viewer, people, clients)
    return clients, [(p, [found[(p.pk, c.pk)] for c in clients]) for p in people]


def client_cells(viewer: User, client: Organization) -> list[Cell]:
    """Every technician at one client (those who serve it), cleared ones first."""
    people = list(technicians().prefetch_related("served_organizations"))
    found = cells(viewer, people, [client])
    order = {
        ClearanceStatus.CLEARED: 0,
        ClearanceStatus.SHADOWING: 1,
        ClearanceStatus.REVOKED: 2,
        ClearanceStatus.NOT_CLEARED: 3,
    }
    shown = [found[(p.pk, client.pk)] for p in people]
    return sorted(
        (c for c in shown if c.serves or c.clearance is not None),
        key=lambda c: order[ClearanceStatus(c.status)],
    )


def technician_cells(viewer: User, person: User) -> list[Cell]:
    """One technician at each client the viewer serves (and the technician serves)."""
    clients = list(clients_visible_to(viewer))
    person = technicians().prefetch_related("served_organizations").get(pk=person.pk)
    found = cells(viewer, [person], clients)
    return [
        found[(person.pk, c.pk)]
        for c in clients
        if found[(person.pk, c.pk)].serves or found[(person.pk, c.pk)].clearance
    ]


def history(viewer: User, *, technician: User | None = None, clearance: Clearance | None = None):
    """The clearance events the viewer may see, newest first: of one clearance or of one
    technician at every client the viewer serves."""
    qs = ClearanceEvent.objects.filter(clearance__in=clearances_visible_to(viewer)).select_related(
        "actor", "clearance__organization"
    )
    if clearance is not None:
        qs = qs.filter(clearance=clearance)
    if technician is not None:
        qs = qs.filter(clearance__technician=technician)
    return qs.order_by("-created_at", "-id")


def clearance_for(viewer: User, client: Organization, person: User) -> Clearance | None:
    """The clearance row of `person` at `client` if the viewer may see it (None: no row)."""
    return (
        clearances_visible_to(viewer)
        .select_related("regular_technician", "signed_off_by")
        .filter(organization=client, technician=person)
        .first()
    )


def cleared_at(viewer: User, client: Organization) -> QuerySet[User]:
    """Who is cleared at `client` (the choices of a regular technician)."""
    ids = (
        clearances_visible_to(viewer)
        .filter(organization=client, status=ClearanceStatus.CLEARED)
        .values("technician_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email")
