"""The handover's verbs: opened once per hand-off by the worker, notes and tags, the
checklist and the sign-off gate, acknowledgement, feedback, and the team's set-up."""

from datetime import UTC, date, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.core.models import AuditEntry
from deskside.handovers import services, worker
from deskside.handovers.exceptions import (
    ChecklistIncomplete,
    InvalidInput,
    NotAllowed,
    NotFound,
    OwnSignOff,
    WrongState,
)
from deskside.handovers.models import Handover, Notice, Reminder
from deskside.paging import services as paging
from deskside.rosters.models import (
    Cover,
    Leave,
    Roster,
    RotaLine,
    ShiftDefinition,
    SupportDuty,
    SupportDutyMember,
)
from tests.handovers.conftest import START, T0

pytestmark = pytest.mark.django_db


def test_the_worker_opens_one_handover_per_hand_off_whatever_it_replays(
    roster, helpdesk, alice, bob, at
):
    at(T0 + timedelta(minutes=1))
    assert worker.open_due() >= 1
    assert worker.open_due() == 0  # idempotent
    handover = Handover.objects.get(team=helpdesk, at=T0)
    assert (handover.ending, handover.starting) == ("Early", "Late")
    assert handover.shift_start == START
    assert list(handover.outgoing.all()) == [alice]
    assert list(handover.incoming.all()) == [bob]
    stages = {r.stage: r.due_at for r in handover.reminders.all()}
    assert stages == {"incoming": T0 + timedelta(minutes=15), "lead": T0 + timedelta(minutes=30)}
    # The night before (22:00 and 06:00) hand-offs are opened too; none twice.
    assert Handover.objects.filter(team=helpdesk).count() == len(
        set(Handover.objects.filter(team=helpdesk).values_list("at", flat=True))
    )


def test_a_team_without_a_roster_gets_no_handover(network_team, at):
    at(T0)
    worker.open_due()
    assert not Handover.objects.filter(team=network_team).exists()


@pytest.fixture
def items(lena, helpdesk):
    pre = services.add_checklist_item(
        actor=lena, team=helpdesk, phase="pre", text="Read the last handover"
    )
    post = services.add_checklist_item(
        actor=lena, team=helpdesk, phase="post", text="Queue empty of unassigned P1/P2"
    )
    optional = services.add_checklist_item(
        actor=lena, team=helpdesk, phase="post", text="Tidy the desk", required=False
    )
    return pre, post, optional


def test_sign_off_is_refused_until_every_required_item_is_done(handover, items, alice, at):
    pre, post, _optional = items
    at(T0)
    with pytest.raises(ChecklistIncomplete) as refused:
        services.sign_off(actor=alice, handover=handover)
    assert "Read the last handover" in refused.value.message
    assert "Queue empty" in refused.value.message
    services.check_item(actor=alice, handover=handover, item_public_id=pre.public_id, done=True)
    with pytest.raises(ChecklistIncomplete):
        services.sign_off(actor=alice, handover=handover)
    services.check_item(actor=alice, handover=handover, item_public_id=post.public_id, done=True)
    signed = services.sign_off(actor=alice, handover=handover)  # the optional one not needed
    assert signed.status == Handover.Status.SIGNED_OFF
    assert signed.signed_off_by == alice
    with pytest.raises(WrongState):
        services.sign_off(actor=alice, handover=handover)
    with pytest.raises(WrongState):  # the checklist is frozen with it
        services.check_item(
            actor=alice, handover=handover, item_public_id=pre.public_id, done=False
        )


def test_unticking_an_item_blocks_the_sign_off_again(handover, items, alice):
    pre, post, _ = items
    for item in (pre, post):
        services.check_item(
            actor=alice, handover=handover, item_public_id=item.public_id, done=True
        )
    services.check_item(actor=alice, handover=handover, item_public_id=post.public_id, done=False)
    with pytest.raises(ChecklistIncomplete):
        services.sign_off(actor=alice, handover=handover)


def test_acknowledge_needs_a_sign_off_and_stops_the_reminders(handover, alice, bob, at):
    at(T0 + timedelta(minutes=5))
    with pytest.raises(WrongState):
        services.acknowledge(actor=bob, handover=handover)
    services.sign_off(actor=alice, handover=handover)
    done = services.acknowledge(actor=bob, handover=handover)
    assert (done.status, done.acknowledged_by) == (Handover.Status.ACKNOWLEDGED, bob)
    assert set(handover.reminders.values_list("state", flat=True)) == {Reminder.State.CANCELLED}
    with pytest.raises(WrongState):
        services.acknowledge(actor=bob, handover=handover)


def test_the_agent_who_signed_off_may_not_acknowledge_their_own_handover(handover, alice, bob, at):
    at(T0 + timedelta(minutes=5))
    handover = services.sign_off(actor=alice, handover=handover)
    assert services.may_acknowledge(alice, handover) is False
    assert services.may_acknowledge(bob, handover) is True
    with pytest.raises(OwnSignOff) as refused:
        services.acknowledge(actor=alice, handover=handover)
    assert refused.value.field == "acknowledged_by"
    assert "incoming shift" in refused.value.message
    handover.refresh_from_db()
    assert handover.status == Handover.Status.SIGNED_OFF
    assert set(handover.reminders.values_list("state", flat=True)) == {Reminder.State.PENDING}
    assert services.acknowledge(actor=bob, handover=handover).acknowledged_by == bob


def test_the_lead_who_signed_off_for_the_shift_may_not_acknowledge_either(handover, bob, lena, at):
    at(T0 + timedelta(minutes=5))
    services.sign_off(actor=lena, handover=handover)
    with pytest.raises(OwnSignOff):
        services.acknowledge(actor=lena, handover=handover)
    assert services.acknowledge(actor=bob, handover=handover).acknowledged_by == bob


def test_a_one_person_desk_working_on_acknowledges_its_own_handover(
    handover, roster, alice, bob, at
):
    """Alice covers Bob's Late shift (entered after the handover was opened: the rosters'
    answer at the hand-off counts, not the people recorded at opening)."""
    at(T0 + timedelta(minutes=5))
    Leave.objects.create(
        user=bob, starts_at=T0 - timedelta(hours=1), ends_at=T0 + timedelta(hours=9), reason="Sick"
    )
    Cover.objects.create(
        roster=roster, user=alice, code="L", starts_at=T0, ends_at=T0 + timedelta(hours=8)
    )
    assert list(handover.incoming.all()) == [bob]  # as recorded when it was opened
    assert services.incoming_ids(handover) == {alice.pk}
    handover = services.sign_off(actor=alice, handover=handover)
    assert services.may_acknowledge(alice, handover) is True
    done = services.acknowledge(actor=alice, handover=handover)
    assert (done.status, done.acknowledged_by) == (Handover.Status.ACKNOWLEDGED, alice)


def test_the_incoming_shift_is_read_at_the_hand_off_so_leave_takes_the_signer_off_it(
    handover, roster, alice, at
):
    """Alice was to cover Late, then falls ill for it: she no longer works the incoming shift."""
    at(T0 + timedelta(minutes=5))
    Cover.objects.create(
        roster=roster, user=alice, code="L", starts_at=T0, ends_at=T0 + timedelta(hours=8)
    )
    handover = services.sign_off(actor=alice, handover=handover)
    assert services.may_acknowledge(alice, handover) is True
    Leave.objects.create(
        user=alice, starts_at=T0, ends_at=T0 + timedelta(hours=8), reason="Sick", kind="sick"
    )
    with pytest.raises(OwnSignOff):
        services.acknowledge(actor=alice, handover=handover)


def test_a_one_person_business_hours_desk_acknowledges_the_next_mornings_handover(
    helpdesk, alice, at
):
    """Nobody works at the 17:00 hand-off itself: the incoming shift is the next morning's,
    the same agent's, as recorded when the handover was opened."""
    roster = Roster.objects.create(
        team=helpdesk, timezone="UTC", cycle_start=date(2026, 3, 2), cycle_days=7
    )
    ShiftDefinition.objects.create(
        roster=roster, code="B", name="Business hours", start="09:00", end="17:00", position=0
    )
    RotaLine.objects.create(roster=roster, user=alice, position=0, pattern=["B"] * 7)
    five = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    at(five + timedelta(minutes=1))
    worker.open_due()
    handover = Handover.objects.get(team=helpdesk, at=five)
    assert list(handover.incoming.all()) == [alice]
    services.sign_off(actor=alice, handover=handover)
    assert services.acknowledge(actor=alice, handover=handover).acknowledged_by == alice


def test_tags_in_notes_notify_by_mail_and_contact_methods_once(handover, alice, bob, tara):
    paging.add_contact_method(
        actor=tara, user=tara, kind="apprise", address="ntfy://ntfy.example/tara"
    )
    services.set_notes(actor=alice, handover=handover, notes="@tara the core switch flaps; @bob")
    services.set_notes(actor=alice, handover=handover, notes="@tara the core switch flaps!")
    rows = sorted(Notice.objects.values_list("recipient__email", "channel", "reason"))
    method = tara.contact_methods.get()
    assert rows == [
        ("bob@msp.example", "account", "mention"),
        ("tara@msp.example", "account", "mention"),
        ("tara@msp.example", f"cm:{method.pk}", "mention"),
    ]


def test_a_ticket_note_tags_only_agents_serving_its_client(
    handover, alice, gus, acme_ticket, globex_ticket
):
    services.add_ticket_note(
        actor=alice, handover=handover, number=acme_ticket.number, body="@gus have a look"
    )
    assert not Notice.objects.exists()  # Gus serves Globex only
    services.add_ticket_note(
        actor=alice, handover=handover, number=globex_ticket.number, body="@gus yours"
    )
    assert list(Notice.objects.values_list("recipient__email", flat=True)) == ["gus@msp.example"]


def test_a_ticket_note_needs_a_ticket_the_author_may_see(handover, gus, acme_ticket):
    with pytest.raises(NotFound):
        services.add_ticket_note(actor=gus, handover=handover, number=acme_ticket.number, body="x")
    with pytest.raises(InvalidInput):
        services.add_ticket_note(actor=gus, handover=handover, number=acme_ticket.number, body=" ")


def test_feedback_goes_back_to_the_previous_shift_in_any_state(handover, alice, nina):
    services.sign_off(actor=alice, handover=handover)
    found = services.add_feedback(actor=nina, handover=handover, body="Thanks, @alice: all clear")
    assert found.author == nina
    assert Notice.objects.filter(recipient=alice, source=f"feedback:{found.pk}").exists()


def test_only_the_team_the_shift_or_an_admin_may_act(handover, leo, carol, admin, tara):
    for outsider in (leo, carol, tara):
        with pytest.raises(NotAllowed):
            services.set_notes(actor=outsider, handover=handover, notes="hi")
    services.set_notes(actor=admin, handover=handover, notes="admin note")


def test_the_set_up_is_for_the_lead_or_an_admin_and_audited(helpdesk, lena, alice, admin):
    with pytest.raises(NotAllowed):
        services.configure(
            actor=alice, team=helpdesk, remind_incoming_after=10, remind_lead_after=20
        )
    with pytest.raises(InvalidInput) as bad:
        services.configure(
            actor=lena, team=helpdesk, remind_incoming_after=30, remind_lead_after=20
        )
    assert bad.value.field == "remind_lead_after"
    services.configure(actor=lena, team=helpdesk, remind_incoming_after=10, remind_lead_after=20)
    assert services.reminder_delays(helpdesk) == (10, 20)
    entry = AuditEntry.objects.get(object_type="handover_settings")
    assert entry.after == {"remind_incoming_after": 10, "remind_lead_after": 20}
    item = services.add_checklist_item(actor=admin, team=helpdesk, phase="post", text="Log off")
    services.remove_checklist_item(actor=admin, team=helpdesk, item_public_id=item.public_id)
    assert AuditEntry.objects.filter(object_type="handover_checklist_item").count() == 2


def test_configured_delays_apply_to_the_next_handover(roster, helpdesk, lena, at):
    services.configure(actor=lena, team=helpdesk, remind_incoming_after=5, remind_lead_after=45)
    at(T0 + timedelta(minutes=1))
    worker.open_due()
    handover = Handover.objects.get(team=helpdesk, at=T0)
    assert {r.stage: r.due_at - T0 for r in handover.reminders.all()} == {
        "incoming": timedelta(minutes=5),
        "lead": timedelta(minutes=45),
    }
    assert clock.now() == T0 + timedelta(minutes=1)


def test_a_rotational_support_duty_hands_over_daily(network_team, tara, leo, at):
    duty = SupportDuty.objects.create(
        team=network_team,
        mode=SupportDuty.Mode.ROTATIONAL,
        period=SupportDuty.Period.DAILY,
        handoff_time="09:00",
        timezone="UTC",
        starts_on=date(2026, 3, 1),
    )
    SupportDutyMember.objects.create(duty=duty, user=tara, position=0)
    SupportDutyMember.objects.create(duty=duty, user=leo, position=1)
    at(datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    worker.open_due()
    handover = Handover.objects.get(team=network_team)
    assert handover.at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert (handover.ending, handover.starting) == ("Support duty", "Support duty")
    assert handover.shift_start == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert {handover.outgoing.get(), handover.incoming.get()} == {tara, leo}
