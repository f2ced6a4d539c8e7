"""Clearance: the transitions and who may make them, shadow counting, sign-off rules, the
history and the audit entries; and the clearance gate through the scheduling service."""

from datetime import timedelta

import pytest

from deskside.core.models import AuditEntry
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotAllowed, NotCleared
from deskside.field.models import Clearance, ClearanceEvent, ClearanceStatus, VisitStatus
from deskside.field.services import clearance as svc
from deskside.field.services import scheduling
from tests.field.fixtures_clearance import *  # noqa: F403 (the fixtures)
from tests.field.fixtures_clearance import clear, shadow_visit, visit_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_cleared(acme, leo, admin, now):
    """Leo is Acme's regular technician (cleared)."""
    return clear(leo, acme, admin)


def test_first_technician_at_a_client_is_cleared_by_a_lead_override(acme, leo, admin, now):
    row = svc.start_shadowing(
        actor=admin, technician=leo, organization=acme, regular_technician=None
    )
    assert row.status == ClearanceStatus.SHADOWING and row.regular_technician is None
    with pytest.raises(InvalidTransition) as exc:
        svc.sign_off(actor=admin, clearance=row)
    assert exc.value.field == "override" and "0 of 2" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        svc.sign_off(actor=admin, clearance=row, override=True, note="  ")
    assert exc.value.field == "note"
    row = svc.sign_off(actor=admin, clearance=row, override=True, note="Onboarded the client.")
    assert row.status == ClearanceStatus.CLEARED
    assert (row.signed_off_by, row.signed_off_at) == (admin, now)
    history = list(row.events.values_list("from_status", "to_status", "actor__email", "note"))
    assert history == [
        ("not_cleared", "shadowing", admin.email, ""),
        ("shadowing", "cleared", admin.email, "Onboarded the client."),
    ]
    audits = AuditEntry.objects.filter(object_type="field.clearance").order_by("id")
    assert [a.action for a in audits] == ["clearance_shadowing", "clearance_cleared"]
    assert audits[0].object_id == f"{leo.public_id}@acme"
    assert audits[1].before["status"] == "shadowing" and audits[1].after["status"] == "cleared"


def test_shadowing_names_a_cleared_regular_technician(acme, leo, maria, kofi, admin, acme_cleared):
    with pytest.raises(InvalidInput) as exc:
        svc.start_shadowing(actor=leo, technician=maria, organization=acme, regular_technician=None)
    assert exc.value.field == "regular_technician"
    with pytest.raises(InvalidInput) as exc:  # Kofi is not cleared there
        svc.start_shadowing(actor=leo, technician=maria, organization=acme, regular_technician=kofi)
    assert exc.value.field == "regular_technician"
    with pytest.raises(InvalidInput):
        svc.start_shadowing(actor=leo, technician=leo, organization=acme, regular_technician=leo)
    with pytest.raises(InvalidInput) as exc:
        svc.start_shadowing(
            actor=leo,
            technician=maria,
            organization=acme,
            regular_technician=leo,
            shadow_visits_required=21,
        )
    assert exc.value.field == "shadow_visits_required"
    row = svc.start_shadowing(
        actor=leo,
        technician=maria,
        organization=acme,
        regular_technician=leo,
        shadow_visits_required=1,
        note="Starts with the plant.",
    )
    assert (row.status, row.regular_technician, row.shadow_visits_required) == (
        "shadowing",
        leo,
        1,
    )
    with pytest.raises(InvalidTransition):  # already shadowing
        svc.start_shadowing(actor=leo, technician=maria, organization=acme, regular_technician=leo)


def test_only_agents_serving_the_client_change_clearances(
    acme, globex, leo, maria, gil, carol, admin, acme_cleared
):
    with pytest.raises(NotAllowed):
        svc.start_shadowing(
            actor=carol, technician=maria, organization=acme, regular_technician=leo
        )
    with pytest.raises(NotAllowed):  # Gil serves Globex only
        svc.start_shadowing(actor=gil, technician=maria, organization=acme, regular_technician=leo)
    with pytest.raises(InvalidInput) as exc:  # nor may Gil be cleared at Acme
        svc.start_shadowing(actor=leo, technician=gil, organization=acme, regular_technician=leo)
    assert exc.value.field == "technician"
    with pytest.raises(NotAllowed):
        svc.revoke(actor=gil, clearance=acme_cleared, reason="no")
    assert not Clearance.objects.filter(technician=maria).exists()


def test_shadow_visits_count_done_visits_as_shadowing_second(
    acme, globex, leo, maria, admin, acme_cleared, acme_ticket, globex_ticket, now
):
    clear(leo, globex, admin)
    start = now + timedelta(hours=1)
    svc.start_shadowing(actor=leo, technician=maria, organization=acme, regular_technician=leo)
    shadow_visit(leo, acme_ticket, leo, maria, start)
    shadow_visit(leo, acme_ticket, leo, maria, start + timedelta(days=1), done=False)  # scheduled
    shadow_visit(leo, globex_ticket, leo, maria, start)  # another client
    # Along as the second technician but not shadowing: not counted.
    plain = visit_for(leo, acme_ticket, start)
    scheduling.schedule(leo, plain, leo, start, second=maria, second_is_shadowing=False)
    plain.__class__.objects.filter(pk=plain.pk).update(status=VisitStatus.DONE)
    assert svc.shadow_visits_done(maria.pk, acme.pk) == 1
    assert svc.shadow_counts([maria.pk, leo.pk], [acme.pk, globex.pk]) == {
        (maria.pk, acme.pk): 1,
        (maria.pk, globex.pk): 1,
    }


def test_the_regular_technician_signs_off_once_the_shadow_visits_are_done(
    acme, leo, maria, kofi, tina, admin, acme_cleared, acme_ticket, now
):
    row = svc.start_shadowing(
        actor=leo, technician=maria, organization=acme, regular_technician=leo
    )
    start = now + timedelta(hours=1)
    shadow_visit(leo, acme_ticket, leo, maria, start)
    with pytest.raises(InvalidTransition) as exc:  # 1 of 2
        svc.sign_off(actor=leo, clearance=row)
    assert "1 of 2" in exc.value.message
    with pytest.raises(NotAllowed):  # the regular technician may not override: a lead's call
        svc.sign_off(actor=leo, clearance=row, override=True, note="Good enough")
    shadow_visit(leo, acme_ticket, leo, maria, start + timedelta(hours=2))
    with pytest.raises(NotAllowed):  # another technician, cleared or not, is no one to sign
        svc.sign_off(actor=kofi, clearance=row)
    with pytest.raises(NotAllowed):  # nor the technician themself
        svc.sign_off(actor=maria, clearance=row)
    row = svc.sign_off(actor=leo, clearance=row, note="Knows the plant now.")
    assert (row.status, row.signed_off_by) == ("cleared", leo)
    with pytest.raises(InvalidTransition):  # not twice
        svc.sign_off(actor=leo, clearance=row)


def test_a_regular_technician_who_lost_their_clearance_no_longer_signs_off(
    acme, leo, maria, tina, admin, acme_cleared, acme_ticket, now
):
    row = svc.start_shadowing(
        actor=leo,
        technician=maria,
        organization=acme,
        regular_technician=leo,
        shadow_visits_required=0,
    )
    svc.revoke(actor=admin, clearance=acme_cleared, reason="Left the Acme account.")
    with pytest.raises(NotAllowed):
        svc.sign_off(actor=leo, clearance=row)
    # The team's lead (no administrator) may: the shadow visits required (none) are done.
    row = svc.sign_off(actor=tina, clearance=row)
    assert row.status == "cleared"


def test_a_lead_overrides_with_a_note(acme, leo, maria, tina, acme_cleared, now):
    row = svc.start_shadowing(
        actor=leo, technician=maria, organization=acme, regular_technician=leo
    )
    assert svc.is_lead(tina, maria) and not svc.is_lead(leo, maria)
    with pytest.raises(InvalidInput):
        svc.sign_off(actor=tina, clearance=row, override=True)
    row = svc.sign_off(actor=tina, clearance=row, override=True, note="Worked there for years.")
    assert row.status == "cleared" and row.note == "Worked there for years."


def test_revoke_needs_a_reason_and_shadowing_may_start_again(
    acme, leo, maria, admin, acme_cleared, now
):
    with pytest.raises(InvalidInput) as exc:
        svc.revoke(actor=admin, clearance=acme_cleared, reason=" ")
    assert exc.value.field == "reason"
    revoked = svc.revoke(actor=maria, clearance=acme_cleared, reason="Badge withdrawn by Acme.")
    assert revoked.status == "revoked" and revoked.note == "Badge withdrawn by Acme."
    with pytest.raises(InvalidTransition):
        svc.revoke(actor=admin, clearance=revoked, reason="again")
    with pytest.raises(InvalidTransition):
        svc.sign_off(actor=admin, clearance=revoked, override=True, note="x")
    # Nobody is cleared at Acme any more: shadowing starts again without a regular to name.
    again = svc.start_shadowing(
        actor=admin, technician=leo, organization=acme, regular_technician=None
    )
    assert again.status == "shadowing" and again.signed_off_by is None
    assert list(
        ClearanceEvent.objects.filter(clearance=again).values_list("to_status", flat=True)
    ) == [
        "shadowing",
        "cleared",
        "revoked",
        "shadowing",
    ]


def test_change_is_one_entry_point(acme, leo, maria, admin, acme_cleared, now):
    with pytest.raises(InvalidTransition):
        svc.change(actor=admin, technician=maria, organization=acme, status="cleared")
    with pytest.raises(InvalidInput) as exc:
        svc.change(actor=admin, technician=maria, organization=acme, status="not_cleared")
    assert exc.value.field == "status"
    svc.change(
        actor=admin, technician=maria, organization=acme, status="shadowing", regular_technician=leo
    )
    row = svc.change(
        actor=admin,
        technician=maria,
        organization=acme,
        status="cleared",
        override=True,
        note="Trusted.",
    )
    assert row.status == "cleared"
    row = svc.change(actor=admin, technician=maria, organization=acme, status="revoked", note="x")
    assert row.status == "revoked"


# -- the gate, through the scheduling service ---------------------------------------------------


def test_scheduling_refuses_an_uncleared_technician_alone(
    acme, leo, maria, acme_cleared, acme_ticket, now
):
    visit = visit_for(leo, acme_ticket, now + timedelta(hours=1))
    with pytest.raises(NotCleared) as exc:
        scheduling.schedule(leo, visit, maria, now + timedelta(hours=1))
    assert "not cleared for Acme Corp" in exc.value.message and exc.value.field == "technician"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.UNSCHEDULED and visit.technician is None


def test_scheduling_allows_an_uncleared_technician_paired_with_a_cleared_one(
    acme, leo, maria, kofi, acme_cleared, acme_ticket, now
):
    start = now + timedelta(hours=1)
    visit = visit_for(leo, acme_ticket, start)
    done = scheduling.schedule(leo, visit, maria, start, second=leo)
    assert (done.status, done.technician, done.second_technician) == ("scheduled", maria, leo)
    other = visit_for(leo, acme_ticket, start)
    with pytest.raises(NotCleared):  # two, neither cleared
        scheduling.schedule(leo, other, maria, start, second=kofi)


def test_a_revoked_or_shadowing_technician_is_refused_alone(
    acme, leo, maria, admin, acme_cleared, acme_ticket, now
):
    start = now + timedelta(hours=1)
    svc.start_shadowing(actor=leo, technician=maria, organization=acme, regular_technician=leo)
    with pytest.raises(NotCleared):
        scheduling.schedule(leo, visit_for(leo, acme_ticket, start), maria, start)
    svc.revoke(actor=admin, clearance=acme_cleared, reason="Left the account.")
    with pytest.raises(NotCleared):
        scheduling.schedule(admin, visit_for(admin, acme_ticket, start), leo, start)
