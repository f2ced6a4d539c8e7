"""The demo's macros: saved through the service (placeholders known), one of them a team's."""

from deskside import demo, demo_macros
from deskside.macros.models import Macro


def test_the_demo_has_everyday_macros(db):
    people = demo._directory()
    demo_macros.load(l2_team=people.teams["desktop-support-l2"], l2_agent=people.l2[0])
    macros = {m.name: m for m in Macro.objects.select_related("team")}
    assert set(macros) == {
        "Password reset done",
        "Waiting for your reply",
        "Dispatching a technician",
    }
    assert macros["Password reset done"].set_status == "resolved"
    assert macros["Dispatching a technician"].team.slug == "desktop-support-l2"
