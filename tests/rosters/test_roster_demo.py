"""The rosters part of the demo: a 24x7 help desk on three shifts and leave that opens a gap."""

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.rosters import queries, working
from deskside.rosters.models import Leave
from deskside.rosters.roster_demo import seed_demo
from tests.rosters.conftest import berlin


def test_seed_demo(msp, helpdesk):
    accounts.create_user(
        email="admin@deskside.example", full_name="Desk Admin", kind="agent", tier=Tier.L3,
        organization=msp, is_staff=True,
    )  # fmt: skip
    l1 = [
        accounts.create_user(email=f"l1-{i}@deskside.example", full_name=f"L1 {i}", kind="agent",
                             tier=Tier.L1, organization=msp, teams=[helpdesk])
        for i in range(3)
    ]  # fmt: skip
    # Sunday evening: tomorrow starts the second week of the cycle (everybody moves on a shift)
    with clock.frozen(berlin(2026, 12, 6, 20)):
        roster = seed_demo(teams={"help-desk-l1": helpdesk}, l1=l1)
        assert roster.cycle_days == 21 and roster.shift_definitions.count() == 3
        assert len(working.working_ids(helpdesk)) == 1  # one person on the desk, any hour
        leave = Leave.objects.get()
        gaps = queries.leave_gaps(leave)
        assert [g.slot.code for g in gaps] == ["E", "E"]
        assert leave.user == l1[2]  # week 2 of the cycle: the third person is early
