"""Suggestions for one ticket (new or being typed): team, tier, type and priority, each with
the model's confidence, the team only among the teams that serve the ticket's client.

Reads only: the model in use (`current`, unpickled once per process), the client's serving
teams, the teams' names. Small indexed queries and one sparse product per field
(bench/triage.py).
"""

import threading
from dataclasses import dataclass

from deskside.accounts.models import Organization, Team, Tier
from deskside.tickets.models import Priority, Ticket, TicketType
from deskside.triage import learn, queries
from deskside.triage.models import FIELDS

LABELS = {"team": "Team", "tier": "Tier", "type": "Type", "priority": "Priority"}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One field's suggestion: `value` as the API and the forms take it (a team's slug, L2,
    incident, P2), `label` for people, `confidence` from 0 to 1."""

    field: str
    value: str
    label: str
    confidence: float
    team: Team | None = None

    @property
    def field_label(self) -> str:
        return LABELS[self.field]

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass(frozen=True, slots=True)
class Suggestions:
    version: int
    items: list[Suggestion]

    def get(self, field: str) -> Suggestion | None:
        return next((s for s in self.items if s.field == field), None)


_lock = threading.Lock()
_cache: dict[str, object] = {"key": None, "bundle": None}


def current() -> tuple[int, learn.Bundle] | None:
    """The newest ready model (version, bundle), or None when none was trained. One indexed
    read per call; the blob is read and unpickled once per process per model (known by its
    version and digest: another database's version 1 is another model)."""
    found = queries.ready_models().values_list("version", "sha256").first()
    if found is None:
        return None
    with _lock:
        if _cache["key"] == found:
            return found[0], _cache["bundle"]  # type: ignore[return-value]
        blob = queries.ready_models().filter(version=found[0]).values_list("blob", flat=True)[0]
        bundle = learn.Bundle.loads(bytes(blob))
        _cache.update(key=found, bundle=bundle)
        return found[0], bundle


def forget() -> None:
    """Drop the cached model (tests)."""
    with _lock:
        _cache.update(key=None, bundle=None)


def _suggestion(field: str, pick: learn.Pick, teams: dict[str, Team]) -> Suggestion | None:
    if field == "team":
        team = teams.get(pick.value)
        if team is None:
            return None
        return Suggestion(field, team.slug, team.name, pick.confidence, team)
    if field == "priority":
        label = Priority(int(pick.value)).label
        return Suggestion(field, label, label, pick.confidence)
    if field == "type":
        return Suggestion(field, pick.value, TicketType(pick.value).label, pick.confidence)
    return Suggestion(field, pick.value, Tier(pick.value).label, pick.confidence)


def suggest(
    *, organization: Organization, subject: str, description: str = ""
) -> Suggestions | None:
    """The suggestions for a ticket of `organization` with this text, or None when no model
    was trained yet. A field whose answer is no longer valid (a team since deleted, or no team
    serving the client at all) is left out."""
    found = current()
    if found is None:
        return None
    version, bundle = found
    teams = {str(t.pk): t for t in queries.teams_serving(organization)}
    text = learn.document(subject, description, organization.pk)
    picks = learn.suggest(bundle, text, frozenset(teams))
    items = [_suggestion(field, picks[field], teams) for field in FIELDS if field in picks]
    return Suggestions(version, [item for item in items if item is not None])


def for_ticket(ticket: Ticket) -> Suggestions | None:
    return suggest(
        organization=ticket.organization, subject=ticket.subject, description=ticket.description
    )


def differs(ticket: Ticket, item: Suggestion) -> bool:
    """Whether accepting `item` would change `ticket`."""
    if item.field == "team":
        return ticket.team_id != (item.team.pk if item.team else None)
    if item.field == "priority":
        return Priority(ticket.priority).label != item.value
    return getattr(ticket, item.field) != item.value
