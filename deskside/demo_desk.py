"""The demo's desk operations (issue 15), loaded after the history with the clock at "now":
the help desk's around-the-clock roster and Internal IT's weekly support duty (with a leave
that opens a gap this week), a week of logged calls for the staffing calculator, each team's
assignment rule, and a shift handover waiting for acknowledgement.
"""

from deskside.accounts.models import Team, User
from deskside.assignment import demo as assignment_demo
from deskside.handovers import demo as handovers_demo
from deskside.rosters import demo as rosters_demo
from deskside.staffing import demo as staffing_demo


def load(
    *, teams: dict[str, Team], l1: list[User], customers: dict[str, list[User]], password: str
) -> None:
    made = rosters_demo.seed_demo(teams=teams, l1=l1, password=password)
    desk = teams["help-desk-l1"]
    callers = [person for people in customers.values() for person in people]
    staffing_demo.seed_demo(team=desk, agents=l1, callers=callers)
    assignment_demo.seed_demo(teams={**teams, "internal-it": made["internal_it"]})
    handovers_demo.seed_demo(teams=teams, l1=l1)
