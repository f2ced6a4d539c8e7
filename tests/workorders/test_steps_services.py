"""The work order's steps: tick/untick with evidence, QC sign-off, the second pair of eyes, the
confirmation with the user, cancel; each writes a WORK_ORDER event; a resolved ticket refuses
changes; an agent who does not serve the client is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.core.exceptions import DomainError
from deskside.tickets import services as tickets
from deskside.tickets.models import Attachment, Status
from deskside.workorders import gate
from deskside.workorders.exceptions import (
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    QualityGate,
    SecondPairOfEyes,
)
from deskside.workorders.models import Section
from deskside.workorders.services import orders, steps
from tests.workorders.fixtures_orders import *  # noqa: F403
from tests.workorders.fixtures_orders import complete, item, photo, text_file

pytestmark = pytest.mark.django_db


def actions(work_order):
    return list(
        work_order.ticket.events.filter(kind="work_order")
        .order_by("id")
        .values_list("data__action", flat=True)
    )


def test_ticking_writes_a_timeline_event_in_the_same_step(alice, wo):
    row = steps.tick_item(alice, wo, item=item(wo, "Image applied"))
    assert row.done_by == alice and row.done_at is not None
    assert actions(wo) == ["started", "ticked"]
    steps.untick_item(alice, wo, item=row)
    row.refresh_from_db()
    assert row.done_at is None and row.done_by is None
    assert actions(wo) == ["started", "ticked", "unticked"]


def test_a_note_item_needs_a_note(alice, wo):
    with pytest.raises(InvalidInput) as refused:
        steps.tick_item(alice, wo, item=item(wo, "Data migrated"), note="   ")
    assert refused.value.field == "note"
    assert not item(wo, "Data migrated").is_done
    steps.tick_item(alice, wo, item=item(wo, "Data migrated"), note="41.2 GB copied")
    assert item(wo, "Data migrated").note == "41.2 GB copied"


def test_a_photo_item_needs_an_image_stored_as_an_internal_attachment(alice, wo):
    target = item(wo, "Photo of the finished desk")
    with pytest.raises(InvalidInput) as refused:
        steps.tick_item(alice, wo, item=target)
    assert refused.value.field == "file"
    with pytest.raises(InvalidInput, match="not an image"):
        steps.tick_item(alice, wo, item=target, file=text_file())
    assert not Attachment.objects.filter(ticket=wo.ticket).exists()  # nothing half-written
    steps.tick_item(alice, wo, item=target, file=photo())
    target.refresh_from_db()
    assert target.attachment.content_type == "image/png"
    assert target.attachment.is_public is False
    assert target.attachment.ticket_id == wo.ticket_id


def test_a_photo_item_checks_the_bytes_not_the_name_nor_the_claimed_type(alice, wo):
    target = item(wo, "Photo of the finished desk")
    fake = SimpleUploadedFile("desk.jpg", b"just some text, honest", content_type="image/jpeg")
    with pytest.raises(InvalidInput) as refused:
        steps.tick_item(alice, wo, item=target, file=fake)
    assert refused.value.field == "file"
    assert "desk.jpg is not an image (PNG, JPEG, WebP, GIF or HEIC)" in refused.value.message
    assert not Attachment.objects.filter(ticket=wo.ticket).exists()
    assert not item(wo, "Photo of the finished desk").is_done
    jpeg = SimpleUploadedFile(
        "desk.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", content_type="image/jpeg"
    )
    steps.tick_item(alice, wo, item=target, file=jpeg)
    target.refresh_from_db()
    assert target.attachment.content_type == "image/jpeg"
    assert target.attachment.file.read().startswith(b"\xff\xd8\xff")  # stored whole


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"%PDF-1.7", None),
    ],
)
def test_image_type_by_signature(head, kind):
    assert steps.image_type(head) == kind


def test_a_file_item_takes_any_file(alice, acme, carol, db):
    from deskside.workorders.services import templates  # noqa: PLC0415
    from deskside.workorders.services.templates import ItemSpec, VersionSpec  # noqa: PLC0415

    tpl = templates.create_template(
        None,
        name="Image QA",
        kind="image_qa",
        spec=VersionSpec(subject="Image QA", items=[ItemSpec("Build log", evidence="file")]),
    )
    work_order = orders.create_work_order(
        alice, tpl, orders.NewWorkOrder(organization=acme, requester=carol)
    )
    row = work_order.items.get()
    with pytest.raises(InvalidInput):
        steps.tick_item(alice, work_order, item=row, note="I did it")
    steps.tick_item(alice, work_order, item=row, file=text_file())
    row.refresh_from_db()
    assert row.attachment.filename == "log.txt"


def test_an_item_of_another_work_order_is_refused(alice, wo, plain, acme, carol):
    other = orders.create_work_order(
        alice, plain, orders.NewWorkOrder(organization=acme, requester=carol)
    )
    with pytest.raises(InvalidInput):
        steps.tick_item(alice, wo, item=other.items.first().pk)


def test_qc_needs_its_required_items_then_signs(alice, leo, plain, acme, carol):
    work_order = orders.create_work_order(
        alice, plain, orders.NewWorkOrder(organization=acme, requester=carol)
    )
    with pytest.raises(InvalidTransition, match="1 required QC item is not done"):
        steps.sign_qc(alice, work_order)
    steps.tick_item(alice, work_order, item=work_order.items.get(section=Section.QC))
    steps.sign_qc(alice, work_order)  # no second pair of eyes: the installer may sign
    work_order.refresh_from_db()
    assert work_order.qc_signed_by == alice
    with pytest.raises(InvalidTransition):
        steps.sign_qc(leo, work_order)


def test_second_pair_of_eyes_the_installer_neither_ticks_qc_nor_signs(alice, leo, wo):
    steps.tick_item(alice, wo, item=item(wo, "Image applied"))
    with pytest.raises(SecondPairOfEyes):
        steps.tick_item(alice, wo, item=item(wo, "User logged in"))
    for text in ("User logged in", "Data spot-checked"):
        steps.tick_item(leo, wo, item=item(wo, text))
    with pytest.raises(SecondPairOfEyes):
        steps.sign_qc(alice, wo)
    steps.sign_qc(leo, wo)
    wo.refresh_from_db()
    assert wo.qc_signed_by == leo


def test_second_pair_of_eyes_a_checker_does_not_become_an_installer(alice, leo, wo):
    steps.tick_item(leo, wo, item=item(wo, "User logged in"))
    with pytest.raises(SecondPairOfEyes):
        steps.tick_item(leo, wo, item=item(wo, "Image applied"))


def test_unticking_does_not_clear_who_installed(alice, wo):
    row = steps.tick_item(alice, wo, item=item(wo, "Image applied"))
    steps.untick_item(alice, wo, item=row)
    assert alice.pk in steps.installer_ids(wo)


def test_changing_an_item_after_the_sign_off_withdraws_it(alice, leo, wo):
    complete(wo, alice, leo)
    assert gate.missing(wo) == []
    steps.untick_item(alice, wo, item=item(wo, "Image applied"))
    wo.refresh_from_db()
    assert wo.qc_signed_at is None
    assert "the QC sign-off by a second person" in ", ".join(gate.missing(wo))


def test_confirmation_records_who_and_how(alice, wo):
    with pytest.raises(InvalidInput) as refused:
        steps.confirm_with_user(alice, wo, who="", how="phone")
    assert refused.value.field == "who"
    with pytest.raises(InvalidInput) as refused:
        steps.confirm_with_user(alice, wo, who="Carol", how="pigeon")
    assert refused.value.field == "how"
    steps.confirm_with_user(alice, wo, who="Carol", how="phone", note="All good")
    wo.refresh_from_db()
    assert wo.confirmation_note == "Carol, by phone: All good"
    assert wo.confirmed_by == alice
    assert actions(wo)[-1] == "confirmed"


def test_a_complete_work_order_resolves(alice, leo, wo):
    complete(wo, alice, leo)
    tickets.resolve_ticket(actor=alice, ticket=wo.ticket, resolution="Handed over")
    wo.ticket.refresh_from_db()
    assert wo.ticket.status == Status.RESOLVED


def test_a_resolved_ticket_refuses_changes_to_items(alice, leo, wo):
    complete(wo, alice, leo)
    tickets.resolve_ticket(actor=alice, ticket=wo.ticket, resolution="Handed over")
    with pytest.raises(InvalidTransition) as refused:
        steps.untick_item(alice, wo, item=item(wo, "Image applied"))
    assert refused.value.field == "status"


def test_cancel_needs_a_reason_then_the_ticket_may_be_closed(alice, wo):
    with pytest.raises(QualityGate):
        tickets.close_ticket(actor=alice, ticket=wo.ticket, reason="Not needed")
    with pytest.raises(InvalidInput):
        steps.cancel_work_order(alice, wo, reason=" ")
    steps.cancel_work_order(alice, wo, reason="The client postponed the rollout")
    assert actions(wo)[-1] == "cancelled"
    tickets.close_ticket(actor=alice, ticket=wo.ticket, reason="Cancelled")
    wo.ticket.refresh_from_db()
    assert wo.ticket.status == Status.CLOSED
    with pytest.raises(InvalidTransition):
        steps.tick_item(alice, wo, item=item(wo, "Image applied"))


def test_an_agent_who_does_not_serve_the_client_and_customers_are_refused(gus, carol, wo):
    with pytest.raises(DomainError) as refused:  # the ticket's rule: as if it did not exist
        steps.tick_item(gus, wo, item=item(wo, "Image applied"))
    assert refused.value.status_code == 403
    with pytest.raises(NotAllowed):  # a customer of the client: agents only
        steps.sign_qc(carol, wo)
    assert actions(wo) == ["started"]
