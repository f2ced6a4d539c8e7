"""The projects demo: "Move 40 desks to floor 4" at Acme from an in-memory CSV through the
service, five children done past the QC gate, eight scheduled for Leo, six queued; run twice,
nothing more."""

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.field.models import Visit, VisitStatus
from deskside.workorders import demo_projects
from deskside.workorders.models import Project
from deskside.workorders.queries import projects as queries
from tests.field.fixtures_clearance import clear
from tests.workorders.fixtures_projects import *  # noqa: F403 (the fixtures)


def _agent(msp, email, name, **extra):
    return accounts.create_user(
        email=email, full_name=name, kind="agent", tier=Tier.L2, organization=msp, **extra
    )


def test_seed_demo_makes_the_floor_move(msp, acme, acme_hq, carol, olivia, bob, now):
    assert demo_projects.seed_demo() is None  # the main demo is not loaded
    admin = _agent(msp, "admin@deskside.example", "Desk Admin", is_staff=True)
    leo = _agent(msp, "leo@deskside.example", "Leo Field")
    _agent(msp, "maria@deskside.example", "Maria Santos")
    clear(leo, acme, admin)
    project = demo_projects.seed_demo()
    assert project.title == "Move 40 desks to floor 4" and project.ticket.requester == olivia
    progress = queries.progress(project)
    assert (progress.total, progress.done, progress.open) == (40, 5, 35)
    assert progress.with_visit == 14
    assert Visit.objects.filter(status=VisitStatus.SCHEDULED, technician=leo).count() == 8
    assert Visit.objects.filter(status=VisitStatus.UNSCHEDULED).count() == 6
    assert demo_projects.seed_demo().pk == project.pk
    assert Project.objects.count() == 1
