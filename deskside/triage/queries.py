"""Read side of triage: which teams serve a client, the models' rows, the auto-apply settings,
the tickets a viewer may triage."""

from django.db.models import QuerySet

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import agents_serving
from deskside.tickets.models import Status, Ticket
from deskside.tickets.queries import visible_tickets
from deskside.triage.models import FIELDS, FieldSetting, ModelState, TriageModel


def teams_serving(organization: Organization | int) -> QuerySet[Team]:
    """The teams that serve `organization`: those with at least one active agent who serves it
    (an agent with no `served_organizations` serves every client). A team with nobody able to
    work the client's tickets is never suggested for them."""
    org = organization if isinstance(organization, Organization) else Organization(pk=organization)
    return Team.objects.filter(members__in=agents_serving(org)).distinct().order_by("name")


def serving_map() -> dict[str, frozenset[str]]:
    """Every client's serving team ids (as strings, the model's classes): for measuring the
    team head's accuracy with the same filter the suggestions apply."""
    return {
        str(org.pk): frozenset(str(pk) for pk in teams_serving(org).values_list("pk", flat=True))
        for org in Organization.objects.all()
    }


def ready_models() -> QuerySet[TriageModel]:
    return TriageModel.objects.filter(state=ModelState.READY).order_by("-version")


def current_version() -> int | None:
    """The version of the model in use (the newest ready one), one indexed read."""
    return ready_models().values_list("version", flat=True).first()


def runs() -> QuerySet[TriageModel]:
    """The stored runs, newest first, without their blobs."""
    return TriageModel.objects.defer("blob").select_related("trained_by").order_by("-version")


def field_settings() -> dict[str, FieldSetting]:
    """Each field's auto-apply setting (an unsaved default, off, where none was saved)."""
    saved = {s.field: s for s in FieldSetting.objects.all()}
    return {name: saved.get(name) or FieldSetting(field=name) for name in FIELDS}


def auto_apply_on() -> bool:
    return FieldSetting.objects.filter(auto_apply=True).exists()


def triageable(user: User) -> QuerySet[Ticket]:
    """The tickets `user` may see, for the suggestion panel and its accept (agents only: the
    callers check the role)."""
    return visible_tickets(user).select_related("organization", "team")


def is_new(ticket: Ticket) -> bool:
    """Suggestions are shown on tickets nobody has picked up yet."""
    return ticket.status == Status.NEW
