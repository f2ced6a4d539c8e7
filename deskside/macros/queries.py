"""Which macros a user sees, uses and manages.

- Administrators (`is_staff`) see, use and manage every macro.
- An agent sees and uses the global macros and those of their teams (and of the teams they
  lead); a team's lead manages that team's macros; only administrators manage global ones.
- Customers see none.

Macros hold no client data, so the clients an agent serves do not narrow them: tenancy is
enforced on the ticket a macro is applied to (`tickets.queries.ticket_for`).
"""

from django.db.models import Q, QuerySet

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.macros.models import Macro

LIST_RELATED = ("team", "set_team", "add_watcher")


def macros_visible_to(user: User) -> QuerySet[Macro]:
    """The macros `user` may see (active or not), see the module's docstring."""
    qs = Macro.objects.select_related(*LIST_RELATED)
    if is_admin(user):
        return qs
    if not is_agent(user):
        return qs.none()
    teams = Team.objects.filter(Q(members=user) | Q(lead=user)).values("pk")
    return qs.filter(Q(team__isnull=True) | Q(team__in=teams))


def macros_usable_by(user: User) -> QuerySet[Macro]:
    """The active macros `user` may apply to a ticket (the picker's list)."""
    return macros_visible_to(user).filter(is_active=True)


def macro_for(user: User, public_id: str) -> Macro | None:
    """The macro `public_id` if `user` may see it, else None."""
    return macros_visible_to(user).filter(public_id=public_id).first()


def can_manage(user: User, team: Team | None) -> bool:
    """Whether `user` may create, change or delete a macro of `team` (None: global)."""
    if is_admin(user):
        return True
    return team is not None and is_agent(user) and team.lead_id == user.pk


def managed_team_ids(user: User) -> set[int] | None:
    """The teams whose macros `user` manages: None for every team (administrators)."""
    if is_admin(user):
        return None
    return set(Team.objects.filter(lead=user).values_list("pk", flat=True))
