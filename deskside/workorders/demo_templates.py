"""Demo data of work orders: one template per kind of MACD work (and "Monthly patching" for
routine operational work) with realistic checklists and QC items, and a few running work
orders at Acme in different states: just opened, half way, waiting for QC, and one done and
resolved (worked by Leo, QC signed by Ana as the second pair of eyes, confirmed with Carol).

Everything goes through the services, after `deskside.demo.load`. Run twice, it adds nothing
(the templates are found by name).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.accounts.models import Organization, User
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority, TicketType
from deskside.workorders.models import Evidence, Section, WorkOrder, WorkOrderTemplate
from deskside.workorders.services import orders, steps, templates
from deskside.workorders.services.templates import ItemSpec, VersionSpec

W, Q = Section.WORK, Section.QC
NOTE, PHOTO, FILE = Evidence.NOTE, Evidence.PHOTO, Evidence.FILE
NEW_SYSTEM = "New system with data and mail migration"

# name, kind, subject, second pair of eyes, priority, ticket type, items (text, section,
# required, evidence)
TEMPLATES: list[tuple[str, str, str, bool, int, str, list[tuple]]] = [
    (
        "Desk move",
        "move",
        "Move a user's desk and equipment",
        False,
        Priority.P3,
        TicketType.SERVICE_REQUEST,
        [
            ("Photo of the cabling before unplugging", W, False, PHOTO),
            ("Equipment labelled with the user's name and new desk", W, True, ""),
            ("Network port at the new desk patched (port id)", W, True, NOTE),
            ("Monitors, dock and phone connected at the new desk", W, True, ""),
            ("Old desk left clear, asset register updated", W, True, ""),
            ("User logged in and network drives reachable", Q, True, ""),
            ("Phone extension rings at the new desk", Q, True, ""),
        ],
    ),
    (
        "Add a workstation",
        "add",
        "Add a workstation for an existing user",
        False,
        Priority.P3,
        TicketType.SERVICE_REQUEST,
        [
            ("Device enrolled in the RMM and the asset register (asset tag)", W, True, NOTE),
            ("Standard image applied", W, True, ""),
            ("Line-of-business apps installed", W, True, ""),
            ("Printers mapped", W, True, ""),
            ("User signed in, apps open", Q, True, ""),
        ],
    ),
    (
        "Change a configuration",
        "change",
        "Change to a user's setup",
        False,
        Priority.P3,
        TicketType.SERVICE_REQUEST,
        [
            ("Change approved by the client's contact (who)", W, True, NOTE),
            ("Current settings exported before the change", W, False, FILE),
            ("Change applied", W, True, ""),
            ("Change tested with the user", Q, True, ""),
        ],
    ),
    (
        "Equipment disposal",
        "disposal",
        "Collect equipment for certified disposal",
        True,
        Priority.P3,
        TicketType.SERVICE_REQUEST,
        [
            ("Serial numbers and asset tags listed", W, True, FILE),
            ("Devices removed from the RMM, AD and Intune", W, True, ""),
            ("Drives removed or wiped (NIST 800-88 method)", W, True, NOTE),
            ("Devices packed for the disposal company", W, True, PHOTO),
            ("Listed serials match the packed devices", Q, True, ""),
            ("Wipe records attached for every drive", Q, True, ""),
        ],
    ),
    (
        NEW_SYSTEM,
        "new_system",
        "New system with data and mail migration",
        True,
        Priority.P3,
        TicketType.SERVICE_REQUEST,
        [
            ("Standard image applied, device named to policy", W, True, ""),
            ("Enrolled in the RMM and Intune; BitLocker key escrowed", W, True, ""),
            ("Line-of-business apps installed", W, True, ""),
            ("User data migrated (GB copied, tool used)", W, True, NOTE),
            ("Mail profile migrated, archive PST attached", W, True, ""),
            ("Browser bookmarks and saved passwords moved", W, False, ""),
            ("Printers mapped", W, True, ""),
            ("Photo of the finished desk", W, False, PHOTO),
            ("Old device wiped and tagged for disposal", W, True, NOTE),
            ("User logged in on the new system", Q, True, ""),
            ("Data spot-checked: three recent files open", Q, True, ""),
            ("Mail sends and receives, calendar shows", Q, True, ""),
            ("Test page printed", Q, True, ""),
        ],
    ),
    (
        "Peripheral install",
        "peripheral",
        "Install a peripheral",
        False,
        Priority.P3,
        TicketType.SERVICE_REQUEST,
        [
            ("Peripheral unpacked, model and serial noted", W, True, NOTE),
            ("Drivers and firmware updated", W, True, ""),
            ("Demonstrated to the user", W, True, ""),
            ("Works from the user's own session", Q, True, ""),
        ],
    ),
    (
        "Image quality assurance",
        "image_qa",
        "Quality assurance of a new client image",
        True,
        Priority.P3,
        TicketType.OPERATIONAL,
        [
            ("Image built from the documented task sequence (build log)", W, True, FILE),
            ("Windows and app updates current", W, True, ""),
            ("Security baseline applied", W, True, ""),
            ("Test device deployed from the image", W, True, ""),
            ("Every standard app starts", Q, True, ""),
            ("Baseline scan clean (report)", Q, True, FILE),
        ],
    ),
    (
        "UPS replacement",
        "ups",
        "Replace a UPS",
        False,
        Priority.P3,  # planned work: P2 would page the on-call person at any hour
        TicketType.SERVICE_REQUEST,
        [
            ("Shutdown window agreed with the client (when)", W, True, NOTE),
            ("Load moved to bypass or shut down cleanly", W, True, ""),
            ("New UPS installed and network card configured", W, True, ""),
            ("Photo of the installed unit", W, True, PHOTO),
            ("Monitoring alerts arrive from the new UPS", Q, True, ""),
            ("Runtime under load recorded (minutes)", Q, True, NOTE),
        ],
    ),
    (
        "New starter",
        "new_starter",
        "Set up a new starter",
        False,
        Priority.P3,
        TicketType.SERVICE_REQUEST,
        [
            ("Account created with the agreed groups", W, True, ""),
            ("Licence assigned, mailbox ready", W, True, ""),
            ("Laptop prepared and enrolled", W, True, ""),
            ("MFA set up with the user on day one", W, True, ""),
            ("Walk-through given: printing, Wi-Fi, how to reach the help desk", W, True, ""),
            ("User signs in and reads mail", Q, True, ""),
        ],
    ),
    (
        "Leaver",
        "leaver",
        "Off-board a leaver",
        True,
        Priority.P3,
        TicketType.SERVICE_REQUEST,
        [
            ("Sign-in blocked at the agreed time", W, True, ""),
            ("Mailbox converted to shared, forwarding per the manager", W, True, NOTE),
            ("Devices collected (asset tags)", W, True, NOTE),
            ("Licences removed", W, True, ""),
            ("No sign-in possible (tested)", Q, True, ""),
            ("Devices back in stock in the asset register", Q, True, ""),
        ],
    ),
    (
        "Monthly patching",
        "operational",
        "Monthly patching",
        False,
        Priority.OPS,
        TicketType.OPERATIONAL,
        [
            ("Patch window announced to the client", W, True, ""),
            ("Servers patched in the agreed order", W, True, ""),
            ("Workstations patched (RMM report)", W, True, FILE),
            ("Failed patches listed with the reason", W, False, NOTE),
            ("Line-of-business services respond after reboot", Q, True, ""),
            ("Backups ran the night after", Q, True, ""),
        ],
    ),
]


def _spec(subject: str, eyes: bool, priority: int, kind: str, items: list[tuple]) -> VersionSpec:
    return VersionSpec(
        subject=subject,
        priority=priority,
        ticket_type=kind,
        second_pair_of_eyes=eyes,
        confirm_with_user=priority != Priority.OPS,
        items=[
            ItemSpec(text=t, section=s, required=r, evidence=e or Evidence.NONE)
            for t, s, r, e in items
        ],
    )


# A real 1 x 1 PNG: the demo's "photo" of a finished desk.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("desk.png", PNG, content_type="image/png")


def _tick(actor: User, wo: WorkOrder, texts: list[str] | None = None, section: str = W) -> None:
    for row in wo.items.filter(section=section, required=True).order_by("position"):
        if texts is not None and row.text not in texts:
            continue
        note = "41.7 GB with robocopy" if "GB" in row.text else "Done, see the asset register"
        steps.tick_item(
            actor,
            wo,
            item=row,
            note=note if row.evidence == Evidence.NOTE else "",
            file=_photo() if row.evidence in (Evidence.PHOTO, Evidence.FILE) else None,
        )


def seed_demo() -> None:
    """The templates, then four work orders at Acme (nothing when the templates exist)."""
    if WorkOrderTemplate.objects.filter(name=NEW_SYSTEM).exists():
        return
    admin = User.objects.get(email="admin@deskside.example")
    made = {}
    for name, kind, subject, eyes, priority, ticket_type, items in TEMPLATES:
        made[name] = templates.create_template(
            admin, name=name, kind=kind, spec=_spec(subject, eyes, priority, ticket_type, items)
        )
    acme = Organization.objects.filter(slug="acme").first()
    if acme is None:
        return
    leo = User.objects.get(email="leo@deskside.example")
    ana = User.objects.get(email="ana@deskside.example")
    carol = User.objects.get(email="carol@acme.example")

    def new(template: str, description: str) -> WorkOrder:
        return orders.create_work_order(
            leo,
            made[template],
            orders.NewWorkOrder(
                organization=acme,
                requester=carol,
                site=carol.site,
                assignee=leo,
                description=description,
            ),
        )

    # Done and resolved: Leo's checklist, Ana's QC, Carol's confirmation.
    done = new(NEW_SYSTEM, "Replace Carol's 2019 laptop (asset ACM-0412) with a new ThinkPad.")
    _tick(leo, done)
    _tick(ana, done, section=Q)
    steps.sign_qc(ana, done, note="Checked at Carol's desk.")
    steps.confirm_with_user(
        leo, done, who="Carol Customer", how="in_person", note="Happy with the new laptop."
    )
    tickets.resolve_ticket(
        actor=leo, ticket=done.ticket, resolution="Your new laptop is set up and your data moved."
    )
    # Waiting for QC: the checklist is done.
    waiting = new(NEW_SYSTEM, "New workstation for the Dallas quality lab.")
    _tick(leo, waiting)
    # Half way through a desk move.
    moving = new("Desk move", "Carol moves from desk 2.14 to 4.03.")
    _tick(leo, moving, ["Equipment labelled with the user's name and new desk"])
    # Just opened.
    new("UPS replacement", "The UPS in the Dallas IT cage fails its self-test.")
