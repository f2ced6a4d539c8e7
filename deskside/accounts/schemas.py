"""The schemas of the directory's objects as the other apps' API routers show them: typed
references (`UserRef`, `OrganizationRef`, `SiteRef`, `TeamRef`) and what the caller may see of
a person (`shown_name`, `shown_email`: a customer sees an agent by first name only)."""

from typing import Any

from ninja import Field, Schema

from deskside.accounts.models import Organization, User
from deskside.accounts.queries import person_shown_to


def caller(context: Any) -> User | None:
    """The user a response is being built for, from a schema resolver's `context`."""
    return getattr((context or {}).get("request"), "user", None)


def caller_is_agent(context: Any) -> bool:
    """Whether that user is an agent (agent-only fields resolve to null for anyone else)."""
    return bool(getattr(caller(context), "is_agent", False))


def agent_for_customer(person: User, context: Any) -> bool:
    """Whether `person` is an agent shown to a customer (or anyone not an agent): then only
    their display name is shown, as in the portal (first name; no email, tier or
    organisation)."""
    return person.is_agent and not caller_is_agent(context) and caller(context) != person


def shown_email(person: User, context: Any) -> str | None:
    """`person`'s email as the caller may see it: customers see their own organisation's
    people's addresses, never the agents' (the portal shows agents by name only)."""
    return None if agent_for_customer(person, context) else person.email


def shown_name(person: User, context: Any) -> str:
    """`person`'s name as the caller may see it: an agent's display name (first name) for a
    customer, as the portal shows it; the full name otherwise."""
    return person_shown_to(caller(context), person)


class UserRef(Schema):
    public_id: str
    name: str
    name: str = Field(description="For a customer, an agent's display name (first name).")
    email: str | None = Field(description="Null for agents when the caller is a customer.")

    @staticmethod
    def resolve_name(obj: User, context: Any) -> str:
        return shown_name(obj, context)

    @staticmethod
    def resolve_email(obj: User, context: Any) -> str | None:
        return shown_email(obj, context)


class OrganizationRef(Schema):
    slug: str
    name: str


class SiteRef(Schema):
    public_id: str
    name: str


class TeamRef(Schema):
    slug: str
    name: str


class UserOut(Schema):
    public_id: str
    name: str = Field(description="For a customer, an agent's display name (first name).")
    email: str | None = Field(description="Null for agents when the caller is a customer.")
    kind: str
    tier: str | None = Field(
        description="L1, L2 or L3 for agents; null for customers, and for agents when the "
        "caller is a customer."
    )
    organization: OrganizationRef | None = Field(
        description="Null for agents when the caller is a customer."
    )

    @staticmethod
    def resolve_name(obj: User, context: Any) -> str:
        return shown_name(obj, context)

    @staticmethod
    def resolve_tier(obj: User, context: Any) -> str | None:
        return None if agent_for_customer(obj, context) else (obj.tier or None)

    @staticmethod
    def resolve_organization(obj: User, context: Any) -> Organization | None:
        return None if agent_for_customer(obj, context) else obj.organization

    @staticmethod
    def resolve_email(obj: User, context: Any) -> str | None:
        return shown_email(obj, context)
