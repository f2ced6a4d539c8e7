"""The demo's IT operations (issue 18), loaded after the field demo with the caller's clock:
the work-order templates (one per MACD kind) and work orders at Acme, Acme's assets, the floor
move project (its children linked to assets, some scheduled as visits), the disposal of Acme's
retired laptops with its certificate, remote access and a vendor RMA, and the recurring
schedules with their history (the monthly patching uses the "Monthly patching" checklist, so
it comes after the templates).

All of it at one frozen instant (the caller's "now"): a ticket and its first events carry the
same time, as the history's do."""

from deskside.assets import demo_assets, demo_disposal, demo_remote, demo_rma
from deskside.core import clock
from deskside.recurring import demo as recurring_demo
from deskside.workorders import demo_projects, demo_templates


def load() -> None:
    with clock.frozen(clock.now()):
        demo_templates.seed_demo()
        demo_assets.seed_demo()
        demo_projects.seed_demo()
        demo_disposal.seed_demo()
        demo_remote.seed_demo()
        demo_rma.seed_demo()
        recurring_demo.seed_demo()
