"""Who may see which directory rows. Every page and endpoint reads through these."""

import re

import phonenumbers
from django.db.models import Q, QuerySet
from django.db.models.lookups import In

from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.names import fold, prefix_range
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.phones import default_region, to_e164
from deskside.core.indexing import NotIndexed


def served_organization_ids(user: User) -> list[int] | None:
    """Organisation ids an agent is limited to, or None when the agent serves every client.

    Cached on the user object for the request, since queues ask for it repeatedly.
    """
    cached = getattr(user, "_served_org_ids", False)
    if cached is not False:
        return cached
    ids = list(user.served_organizations.values_list("id", flat=True)) or None
    user._served_org_ids = ids  # type: ignore[attr-defined]
    return ids


def serves(agent: User, organization_id: int) -> bool:
    """Whether `agent` serves the client `organization_id` (every agent not limited to some)."""
    ids = served_organization_ids(agent)
    return ids is None or organization_id in ids


# -- who is a lead: the one rule (field clearance sign-off, timesheet approval, a technician's
# day; rosters' `can_manage_leave` is this plus the lead of a roster the person is on) --------


def is_lead_of(actor: User, person: User) -> bool:
    """Whether `actor` is a lead of `person`: an active administrator (a staff agent), or an
    active agent who leads a team `person` is a member of (`Team.lead`). It says nothing of
    `person` themself: a caller that refuses one's own week or sign-off checks that apart."""
    if not is_agent(actor):
        return False
    return is_admin(actor) or Team.objects.filter(lead=actor, members=person).exists()


def leads_of(person: User) -> set[int]:
    """The ids of the active agents who lead a team `person` is a member of (administrators,
    who are leads of everyone, aside)."""
    return set(
        Team.objects.filter(
            members=person, lead__is_active=True, lead__kind=User.Kind.AGENT
        ).values_list("lead_id", flat=True)
    )


def leads_anyone(actor: User) -> bool:
    """Whether `actor` is a lead of somebody: an active administrator, or an active agent who
    leads a team."""
    if not is_agent(actor):
        return False
    return is_admin(actor) or Team.objects.filter(lead=actor).exists()


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    """Agents see the clients they serve (all, if unrestricted); customers their own."""
    qs = Organization.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        ids = served_organization_ids(user)
        return qs if ids is None else qs.filter(id__in=ids)
    return qs.filter(id=user.organization_id)


def sites_visible_to(user: User) -> QuerySet[Site]:
    """Sites of the organisations `user` may see."""
    return Site.objects.select_related("organization").filter(
        organization__in=organizations_visible_to(user)
    )


def users_visible_to(user: User) -> QuerySet[User]:
    """Agents see every agent and the people of their clients; a customer sees the people of
    their own organisation (to add them as watchers). Which agents a customer may know (those
    who worked on their tickets) is the tickets app's to say: `tickets.queries.
    people_visible_to` adds them for the directory and the ticket API."""
    qs = User.objects.filter(is_active=True).select_related("organization")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        ids = served_organization_ids(user)
        if ids is None:
            return qs
        return qs.filter(Q(kind=User.Kind.AGENT) | Q(organization_id__in=ids))
    return qs.filter(kind=User.Kind.CUSTOMER, organization_id=user.organization_id)


def agents() -> QuerySet[User]:
    """Active agents, for assignment pickers."""
    return User.objects.filter(kind=User.Kind.AGENT, is_active=True)


def agents_serving(organization: Organization) -> QuerySet[User]:
    """Active agents who may work on `organization`'s tickets: those who serve every client
    (no `served_organizations`) and those who list it. For assignee and watcher pickers; the
    ticket services refuse the others (`tickets.rules.require_serves`)."""
    through = User.served_organizations.through.objects
    serves_it = through.filter(organization=organization).values("user_id")
    restricted = through.values("user_id")
    return agents().filter(Q(pk__in=serves_it) | ~Q(pk__in=restricted))


def person_shown_to(viewer: User | None, person: User) -> str:
    """`person`'s name as `viewer` may see it: a customer (or anyone not an agent) knows an
    agent by display name (first name), as the portal always showed; full names and tiers stay
    inside the MSP. Everyone else, and an agent looking at themself, by full name."""
    if person.is_agent and not (viewer is not None and viewer.is_agent) and viewer != person:
        return person.get_short_name()
    return person.get_full_name()


# -- caller look-up ----------------------------------------------------------------------------

CALLER_LIMIT = 10
MAX_CALLER_LIMIT = 50
MIN_TEXT = 2  # a name, email or client needs two characters; one would list half the book
MIN_DIGITS = 3  # a part of a number needs three digits
_PHONEISH = re.compile(r"^(tel:)?[\s\d()+\-./]+$", re.IGNORECASE)


def callers_matching(agent: User, text: str, limit: int = CALLER_LIMIT) -> list[User]:
    """The active contacts of the clients `agent` serves that `text` names, at most `limit`.

    `text` is what the agent typed or what a phone system sent: a phone number in any format
    (`(555) 010-0123`, `+1 555 010 0123`, `tel:+15550100123`, `555.010.0123`; the whole
    number, normalised to E.164, equals a contact's phone or mobile) or its first digits
    (`555 010`: a prefix of the E.164 number, read in the desk's region); or the start of a
    name (first name or surname, any case, accents optional), of an email address or of a
    client's name. Those whose name starts so come first (by name), then surnames, then
    email addresses, then, to fill `limit`, the contacts of the clients named.

    Every part is an equality or a range on an indexed column (`phone_e164`, `mobile_e164`,
    `name_key`, `surname_key`, `email`, `organization_id`); the text's parts are asked one
    by one, each read in its index's order and cut at `limit`, so a look-up reads a few rows
    however many people share a first name: a constant number of queries (five for a text,
    one for a number), whatever they find.

    Tenancy: only customers of the clients the agent serves, whatever `text` says; anyone who
    is not an active agent finds nobody.
    """
    limit = max(1, min(limit, MAX_CALLER_LIMIT))
    text = (text or "").strip()[:100]
    people = contacts_served_by(agent)
    if not text:
        return []
    if _PHONEISH.match(text):
        match = _phone_match(text)
        return list(people.filter(match).order_by("name_key", "email")[:limit]) if match else []
    if len(text) < MIN_TEXT:
        return []
    found: dict[int, User] = {}

    def add(qs: QuerySet[User], order: str) -> None:
        for person in qs.order_by(order, "pk")[:limit]:
            if len(found) < limit:
                found.setdefault(person.pk, person)

    key = fold(text)
    if key:
        low, high = prefix_range(key)
        add(people.filter(name_key__gte=low, name_key__lt=high), "name_key")
        add(people.filter(surname_key__gte=low, surname_key__lt=high), "surname_key")
    low, high = prefix_range(text.lower())
    add(people.filter(email__gte=low, email__lt=high), "email")
    # The clients named: a small table, read whole (any part of the name).
    clients = list(
        organizations_visible_to(agent)
        .filter(name__icontains=text)
        .values_list("id", flat=True)[:MAX_CALLER_LIMIT]
    )
    if clients:
        add(people.filter(organization_id__in=clients), "name_key")
    return list(found.values())


def callers_with_number(agent: User, number: str, limit: int = CALLER_LIMIT) -> list[User]:
    """The active contacts of the clients `agent` serves whose phone or mobile is `number`
    (any format, the whole number): what a screen-pop URL's caller ID finds. A text that is
    not a possible phone number finds nobody."""
    e164 = to_e164(number)
    if e164 is None:
        return []
    qs = contacts_served_by(agent).filter(Q(phone_e164=e164) | Q(mobile_e164=e164))
    return list(qs.order_by("name_key", "email")[: max(1, min(limit, MAX_CALLER_LIMIT))])


def contacts_served_by(agent: User) -> QuerySet[User]:
    """Active customers of the clients `agent` serves (none for anyone but an active agent)."""
    qs = User.objects.filter(kind=User.Kind.CUSTOMER, is_active=True).select_related(
        "organization", "site"
    )
    if not (agent.is_authenticated and agent.is_active and agent.is_agent):
        return qs.none()
    ids = served_organization_ids(agent)
    # The look-up's own index (a name, a number) reads fewer rows than "every contact of the
    # clients served", which SQLite without statistics would otherwise pick.
    return qs if ids is None else qs.filter(In(NotIndexed("organization_id"), ids))


def _phone_match(text: str) -> Q | None:
    """A whole number: its E.164 form on either column; and, since a part of a number may
    also read as a whole one (`555 0100` is a possible local number), its digits as a
    prefix."""
    e164 = to_e164(text)
    match = Q(phone_e164=e164) | Q(mobile_e164=e164) if e164 is not None else Q()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < MIN_DIGITS:
        return match or None
    bare = text.strip().lower().removeprefix("tel:").strip()
    if bare.startswith("00"):  # the international call prefix: 0044 is +44
        digits = digits[2:]
    prefixes = {"+" + digits}  # typed with its country code
    if not (bare.startswith("+") or bare.startswith("00")):
        code = phonenumbers.country_code_for_region(default_region())
        prefixes.add(f"+{code}{digits}")  # a national number, in the desk's own country
    for prefix in sorted(prefixes):
        low, high = prefix_range(prefix)
        match |= Q(phone_e164__gte=low, phone_e164__lt=high)
        match |= Q(mobile_e164__gte=low, mobile_e164__lt=high)
    return match
