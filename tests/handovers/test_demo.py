"""The demo's handovers: checklists per team and a handover waiting for acknowledgement,
with or without a roster for the help desk; a second call changes nothing."""

from datetime import timedelta

import pytest

from deskside.handovers.demo import seed_demo
from deskside.handovers.models import ChecklistItem, Handover
from tests.handovers.conftest import T0

pytestmark = pytest.mark.django_db


def test_without_a_roster(helpdesk, desktop_team, alice, bob, nina, at, make_ticket, carol):
    at(T0 + timedelta(hours=2))
    make_ticket(carol, team=helpdesk)
    teams = {"help-desk-l1": helpdesk, "desktop-support-l2": desktop_team}
    handover = seed_demo(teams=teams, l1=[alice, bob, nina])
    assert handover.status == Handover.Status.SIGNED_OFF
    assert handover.at == T0
    assert list(handover.incoming.all()) == [nina]
    assert ChecklistItem.objects.filter(team=desktop_team).count() == 6
    assert handover.ticket_notes.count() == 1
    again = seed_demo(teams=teams, l1=[alice, bob, nina])
    assert again.pk == handover.pk
    assert Handover.objects.count() == 1


def test_with_the_help_desk_roster(roster, helpdesk, alice, bob, nina, at):
    at(T0 + timedelta(minutes=20))
    handover = seed_demo(teams={"help-desk-l1": helpdesk}, l1=[alice, bob, nina])
    assert (handover.at, handover.ending, handover.starting) == (T0, "Early", "Late")
    assert handover.status == Handover.Status.SIGNED_OFF
