"""Fixtures of the work-order tests: a "new system" template with a second pair of eyes
(a note item, a photo item, an optional item, two QC items), a work order of it at Acme, and
an agent who serves only Globex (for tenancy)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.workorders.models import Evidence, Section
from deskside.workorders.services import orders, steps, templates
from deskside.workorders.services.templates import ItemSpec, VersionSpec

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def photo(name: str = "desk.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def text_file(name: str = "log.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"robocopy: 41.2 GB copied", content_type="text/plain")


NEW_SYSTEM_ITEMS = [
    ItemSpec("Image applied"),
    ItemSpec("Data migrated", evidence=Evidence.NOTE),
    ItemSpec("Photo of the finished desk", evidence=Evidence.PHOTO),
    ItemSpec("Old device labelled for wiping", required=False),
    ItemSpec("User logged in", section=Section.QC),
    ItemSpec("Data spot-checked", section=Section.QC),
]


@pytest.fixture
def new_system(db):
    return templates.create_template(
        None,
        name="New system",
        kind="new_system",
        spec=VersionSpec(
            subject="New system with data and mail migration",
            items=NEW_SYSTEM_ITEMS,
            second_pair_of_eyes=True,
        ),
    )


@pytest.fixture
def plain(db):
    """A template without a second pair of eyes."""
    return templates.create_template(
        None,
        name="Peripheral install",
        kind="peripheral",
        spec=VersionSpec(
            subject="Peripheral install",
            items=[ItemSpec("Dock connected"), ItemSpec("Works", section=Section.QC)],
        ),
    )


@pytest.fixture
def wo(alice, acme, carol, new_system):
    return orders.create_work_order(
        alice, new_system, orders.NewWorkOrder(organization=acme, requester=carol)
    )


@pytest.fixture
def gus(msp, globex):
    """An agent who serves only Globex."""
    user = accounts.create_user(
        email="gus@msp.example",
        full_name="Gus Globex",
        password="gus-pass-123",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
    )
    user.served_organizations.set([globex])
    return user


def item(work_order, text):
    return work_order.items.get(text=text)


def complete(work_order, installer, checker):
    """Work through the whole work order through the services (installer, then checker)."""
    for row in work_order.items.filter(section=Section.WORK, required=True):
        steps.tick_item(
            installer,
            work_order,
            item=row,
            note="41 GB" if row.evidence == Evidence.NOTE else "",
            file=photo() if row.evidence == Evidence.PHOTO else None,
        )
    for row in work_order.items.filter(section=Section.QC):
        steps.tick_item(checker, work_order, item=row)
    steps.sign_qc(checker, work_order)
    if work_order.template_version.confirm_with_user:
        steps.confirm_with_user(installer, work_order, who="Carol", how="in_person")
    work_order.refresh_from_db()
    return work_order
