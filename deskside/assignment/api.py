"""Automatic assignment under /api/v1/assignment: the teams' rules (read; change: the team's
lead or an administrator), the preview of who would get the next ticket and why, and a
ticket's required skills.

Agents only (a customer's token gets 403). A ticket the caller may not see is a 404.
"""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from deskside.accounts.models import Skill, Team, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.schemas import TeamRef, UserRef
from deskside.assignment import services
from deskside.assignment.exceptions import InvalidInput, NotAllowed
from deskside.assignment.models import DEFAULT_CAP, AssignmentRule, Mode
from deskside.assignment.queries import teams_listed_for, tickets_for
from deskside.core.api import Text, get_or_404
from deskside.tickets.models import Ticket, parse_number

router = Router(tags=["assignment"])


class AssignmentRuleOut(Schema):
    team: TeamRef
    mode: str = Field(description="off, round_robin, least_loaded or skills_first.")
    cap: int | None = Field(description="Most open tickets an agent may hold to get a new one.")
    last_assigned: UserRef | None = Field(description="Who got the team's last ticket by rule.")
    can_change: bool


class AssignmentRuleIn(Schema):
    model_config = ConfigDict(extra="forbid")
    mode: Text = Field(description="off, round_robin, least_loaded or skills_first.")
    cap: int | None = Field(DEFAULT_CAP, description="Null: no cap.")


class AssignmentPreviewOut(Schema):
    team: TeamRef
    mode: str
    assignee: UserRef | None = Field(description="Who would get it now; null: nobody.")
    reason: str


class RequiredSkillsOut(Schema):
    ticket: str
    skills: list[str]


class RequiredSkillsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    skills: list[Text] = Field(description="Skill names, as the directory spells them.")


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("only agents use assignment rules")
    return user


def _team(user: User, slug: str) -> Team:
    return get_or_404(teams_listed_for(user), f"no team {slug!r}", slug=slug)


def _ticket(user: User, number: str) -> Ticket:
    pk = parse_number(number)
    return get_or_404(tickets_for(user), f"no ticket {number!r}", pk=pk if pk else 0)


def _rule_out(user: User, team: Team) -> dict[str, object]:
    rule = getattr(team, "assignment_rule", None) or AssignmentRule(team=team, mode=Mode.OFF)
    return {
        "team": team,
        "mode": rule.mode,
        "cap": rule.cap,
        "last_assigned": rule.last_user if rule.last_user_id else None,
        "can_change": services.can_manage(user, team),
    }


@router.get("/rules", response=list[AssignmentRuleOut], summary="Every team's assignment rule")
def list_rules(request: HttpRequest) -> list[dict[str, object]]:
    user = _agent(request)
    return [_rule_out(user, team) for team in teams_listed_for(user)]


@router.get("/rules/{team}", response=AssignmentRuleOut, summary="A team's assignment rule")
def get_rule(request: HttpRequest, team: str) -> dict[str, object]:
    user = _agent(request)
    return _rule_out(user, _team(user, team))


@router.put("/rules/{team}", response=AssignmentRuleOut, summary="Set a team's assignment rule")
def set_rule(request: HttpRequest, team: str, payload: AssignmentRuleIn) -> dict[str, object]:
    """The team's lead or an administrator (403 otherwise); audited."""
    user = _agent(request)
    found = _team(user, team)
    services.set_rule(actor=user, team=found, mode=payload.mode, cap=payload.cap)
    return _rule_out(user, _team(user, team))


@router.get(
    "/preview", response=AssignmentPreviewOut, summary="Who would get the next ticket, and why"
)
def preview(
    request: HttpRequest, team: Query[Text], ticket: Query[Text | None] = None
) -> dict[str, object]:
    """For `ticket` (its client and required skills), or a new ticket of a client everyone
    serves; nothing is written. An unknown team or ticket (or one of a client the caller does
    not serve) is a 422 naming `team` or `ticket`."""
    user = _agent(request)
    found = teams_listed_for(user).filter(slug=team).first()
    if found is None:
        raise InvalidInput(f"no team {team!r}", field="team")
    chosen = None
    if ticket:
        pk = parse_number(ticket)
        chosen = tickets_for(user).filter(pk=pk).first() if pk else None
        if chosen is None:  # or one of a client the caller does not serve: not confirmed
            raise InvalidInput(f"no ticket {ticket!r}", field="ticket")
    decision = services.preview(team=found, ticket=chosen)
    return {
        "team": found,
        "mode": decision.rule,
        "assignee": User.objects.filter(pk=decision.user_id).first() if decision.user_id else None,
        "reason": decision.reason,
    }


@router.get(
    "/tickets/{number}/skills", response=RequiredSkillsOut, summary="A ticket's required skills"
)
def get_skills(request: HttpRequest, number: str) -> dict[str, object]:
    ticket = _ticket(_agent(request), number)
    return {"ticket": ticket.number, "skills": services.required_skill_names(ticket)}


@router.put("/tickets/{number}/skills", response=RequiredSkillsOut, summary="Set a ticket's skills")
def set_skills(request: HttpRequest, number: str, payload: RequiredSkillsIn) -> dict[str, object]:
    """Replaces the list; an unknown skill name is a 422 naming `skills`."""
    user = _agent(request)
    ticket = _ticket(user, number)
    names = {name.strip() for name in payload.skills if name.strip()}
    found = list(Skill.objects.filter(name__in=names))
    if missing := names - {s.name for s in found}:
        raise InvalidInput(f"no skill {sorted(missing)[0]!r}", field="skills")
    skills = services.set_required_skills(actor=user, ticket=ticket, skills=found)
    return {"ticket": ticket.number, "skills": skills}
