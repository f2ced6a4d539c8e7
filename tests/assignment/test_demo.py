"""The demo's assignment set-up (deskside.assignment.demo.seed_demo) on teams like the demo's."""

import pytest

from deskside.accounts.models import Skill
from deskside.assignment.demo import seed_demo
from deskside.assignment.models import AssignmentRule, Mode
from deskside.tickets.models import EventKind

pytestmark = pytest.mark.django_db


def test_seed_demo_sets_rules_skills_and_required_skills(
    helpdesk, desktop_team, alice, leo, make_ticket, carol
):
    ticket = make_ticket(carol, team=desktop_team)
    seed_demo(teams={"help-desk-l1": helpdesk, "desktop-support-l2": desktop_team})
    rules = {r.team.slug: (r.mode, r.cap) for r in AssignmentRule.objects.select_related("team")}
    assert rules == {
        "help-desk-l1": (Mode.LEAST_LOADED, 15),
        "desktop-support-l2": (Mode.SKILLS_FIRST, 10),
    }
    assert set(leo.skills.values_list("name", flat=True)) == {"Windows", "Printers"}
    assert Skill.objects.count() == 7
    assert ticket.required_skills.get().skill.name == "Printers"
    assert ticket.events.filter(kind=EventKind.CHANGED).exists()
