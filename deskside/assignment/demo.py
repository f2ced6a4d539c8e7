"""The demo's automatic assignment (`seed_demo`, called by deskside/demo.py once the demo's
teams, agents and ticket history exist: rules set earlier would give out the history too).

- Help Desk L1 (the 24x7 desk on three shifts): least-loaded, cap 15;
- Desktop Support L2: skills-first (its technicians hold Windows, Printers, macOS ...), cap 10;
- the L3 teams: round-robin, cap 20;
- skills held by the demo's agents, and required skills on a few open L2 tickets, so the
  preview and skills-first have something to match.
"""

from collections.abc import Mapping, Sequence

from deskside.accounts.models import Skill, Team, User
from deskside.assignment import services
from deskside.assignment.models import Mode
from deskside.tickets.models import OPEN_STATUSES, Ticket

SKILLS = ("Exchange", "Printers", "VPN", "Windows", "macOS", "Networking", "Backup")
HELD = {  # by team slug: which skills its agents hold, in turn
    "help-desk-l1": (("Exchange", "Windows"), ("Printers", "VPN"), ("Windows", "macOS")),
    "desktop-support-l2": (("Windows", "Printers"), ("macOS", "Printers", "Exchange")),
    "network-l3": (("Networking", "VPN"),),
    "servers-l3": (("Backup", "Exchange"),),
}
RULES = {
    "help-desk-l1": (Mode.LEAST_LOADED, 15),
    "desktop-support-l2": (Mode.SKILLS_FIRST, 10),
    "network-l3": (Mode.ROUND_ROBIN, 20),
    "servers-l3": (Mode.ROUND_ROBIN, 20),
}


def seed_demo(*, teams: Mapping[str, Team], actor: User | None = None) -> None:
    """Set the demo teams' rules (by slug; a team the demo lacks is skipped), the agents'
    skills and a few open tickets' required skills. Idempotent enough for a fresh demo."""
    skills = {name: Skill.objects.get_or_create(name=name)[0] for name in SKILLS}
    for slug, (mode, cap) in RULES.items():
        team = teams.get(slug)
        if team is None:
            continue
        services.set_rule(actor=actor, team=team, mode=mode, cap=cap)
        agents: Sequence[User] = list(
            team.members.filter(kind=User.Kind.AGENT, is_staff=False).order_by("pk")
        )
        for agent, held in zip(agents, HELD.get(slug, ()), strict=False):
            agent.skills.add(*(skills[name] for name in held))
    l2 = teams.get("desktop-support-l2")
    if l2 is None:
        return
    needs = [("Printers",), ("macOS",), ("Windows", "Exchange")]
    open_l2 = Ticket.objects.filter(team=l2, status__in=OPEN_STATUSES).order_by("-id")[:3]
    for ticket, names in zip(open_l2, needs, strict=False):
        services.set_required_skills(
            actor=actor or ticket.assignee or ticket.created_by,
            ticket=ticket,
            skills=[skills[n] for n in names],
        )
