"""The demo's macros: three canned replies the desk uses every day (deskside.macros), saved
through the service so their placeholders are checked. Called by `deskside.demo.load`."""

from deskside.accounts.models import Team, User
from deskside.macros import services as macros
from deskside.tickets.models import Status


def load(*, l2_team: Team, l2_agent: User) -> None:
    """The admin's global macros, and one of the L2 desktop team's."""
    admin = User.objects.get(email="admin@deskside.example")
    signature = "\n\n{{agent.name}}\nNorthwind IT Services, for {{client.name}}"
    macros.create_macro(
        actor=admin,
        name="Password reset done",
        body="Hi {{requester.first_name}},\n\nyour password has been reset. Sign in with the "
        "temporary password we gave you on the phone; you will be asked to choose a new one. "
        "If anything still fails, just reply and quote {{ticket.number}}." + signature,
        set_status=Status.RESOLVED,
    )
    macros.create_macro(
        actor=admin,
        name="Waiting for your reply",
        body="Hi {{requester.first_name}},\n\nto go on with {{ticket.number}} "
        "({{ticket.subject}}) we need a little more from you: when did it start, and does it "
        "happen on other computers too? The ticket waits for your answer." + signature,
        set_status=Status.PENDING_CUSTOMER,
    )
    macros.create_macro(
        actor=admin,
        name="Dispatching a technician",
        team=l2_team,
        body="Hi {{requester.first_name}},\n\na technician will come to {{site.name}} to look "
        "at this in person. We will call you first to agree on a time." + signature,
        set_status=Status.ON_HOLD,
        add_watcher=l2_agent,
    )
