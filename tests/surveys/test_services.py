"""The survey's life: created on resolution, moved by a re-resolution, answered once, a bad
rating's follow-up, and who may answer."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.surveys import services
from deskside.surveys.exceptions import AlreadyAnswered, Done, Expired, InvalidInput, NotAllowed
from deskside.surveys.models import FollowUp, Survey
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind
from tests.surveys.conftest import RESOLVED


def test_resolution_creates_one_survey_for_the_requester(network_ticket, resolve, carol, tara):
    survey = resolve(network_ticket)
    assert survey.requester == carol
    assert survey.organization_id == network_ticket.organization_id
    assert survey.agent == tara  # the assignee at resolution, not who clicked resolve
    assert survey.team == network_ticket.team
    assert survey.resolved_at == RESOLVED
    assert survey.closes_at == RESOLVED + timedelta(days=30)
    assert not survey.is_answered


def test_no_survey_when_the_requester_is_an_agent(make_ticket, leo, resolve):
    ticket = make_ticket(leo)  # an internal request: the MSP's own
    assert resolve(ticket) is None


def test_reresolution_moves_an_unanswered_survey_to_the_latest(network_ticket, resolve, alice):
    first = resolve(network_ticket)
    with clock.frozen(RESOLVED + timedelta(days=2)):
        tickets.reopen_ticket(actor=alice, ticket=network_ticket, reason="came back")
    later = RESOLVED + timedelta(days=3)
    second = resolve(network_ticket, at=later)
    assert second.pk == first.pk and Survey.objects.count() == 1
    assert second.resolved_at == later and second.resolutions == 2


def test_an_answered_survey_keeps_its_answer_after_a_reresolution(network_ticket, resolve, alice):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED + timedelta(hours=1)):
        services.answer_survey(survey=survey, rating="good", via="link")
        tickets.reopen_ticket(actor=alice, ticket=network_ticket, reason="came back")
    again = resolve(network_ticket, at=RESOLVED + timedelta(days=1))
    assert again.rating == "good" and again.resolved_at == RESOLVED and again.resolutions == 1


def test_answered_once(network_ticket, resolve):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED + timedelta(hours=2)):
        services.answer_survey(survey=survey, rating="okay", comment=" slow ", via="link")
        with pytest.raises(AlreadyAnswered):
            services.answer_survey(survey=survey, rating="bad", via="link")
    survey.refresh_from_db()
    assert (survey.rating, survey.comment, survey.via) == ("okay", "slow", "link")
    assert survey.answered_at == RESOLVED + timedelta(hours=2)


def test_closed_after_thirty_days(network_ticket, resolve):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED + timedelta(days=30)), pytest.raises(Expired):
        services.answer_survey(survey=survey, rating="good", via="link")
    with clock.frozen(RESOLVED + timedelta(days=29, hours=23)):
        services.answer_survey(survey=survey, rating="good", via="link")


@pytest.mark.parametrize(
    ("rating", "comment", "field"),
    [("great", "", "rating"), ("", "", "rating"), ("good", "x" * 2001, "comment")],
)
def test_bad_input_is_refused_and_keeps_the_survey_open(
    network_ticket, resolve, rating, comment, field
):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED), pytest.raises(InvalidInput) as caught:
        services.answer_survey(survey=survey, rating=rating, comment=comment, via="link")
    assert caught.value.field == field
    survey.refresh_from_db()
    assert not survey.is_answered


def test_the_answer_is_an_internal_note_on_the_timeline(network_ticket, resolve):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED):
        services.answer_survey(survey=survey, rating="good", comment="Quick!", via="link")
    note = network_ticket.events.filter(kind=EventKind.NOTE).last()
    assert not note.is_public
    assert "Carol Customer rated the resolution Good" in note.body and "Quick!" in note.body
    assert note.data["survey"] == survey.public_id and note.data["rating"] == "good"
    assert not FollowUp.objects.exists()


def test_a_bad_rating_opens_a_follow_up_for_the_team_lead(network_ticket, resolve, tara, leo):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED):
        services.answer_survey(survey=survey, rating="bad", comment="Took ages", via="link")
    follow_up = FollowUp.objects.get()
    assert follow_up.lead == tara and follow_up.ticket == network_ticket
    note = network_ticket.events.filter(kind=EventKind.NOTE).last()
    assert "follow-up was opened for Tara Lead" in note.body
    with clock.frozen(RESOLVED + timedelta(hours=1)):
        services.complete_follow_up(actor=tara, follow_up=follow_up, note="Called Carol back")
    follow_up.refresh_from_db()
    assert follow_up.done_by == tara and follow_up.note == "Called Carol back"
    done = network_ticket.events.filter(kind=EventKind.NOTE).last()
    assert done.actor == tara and "Called Carol back" in done.body and not done.is_public


def test_a_follow_up_needs_a_note_and_is_done_once(network_ticket, resolve, tara):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED):
        services.answer_survey(survey=survey, rating="bad", via="link")
    follow_up = FollowUp.objects.get()
    with pytest.raises(InvalidInput):
        services.complete_follow_up(actor=tara, follow_up=follow_up, note="  ")
    services.complete_follow_up(actor=tara, follow_up=follow_up, note="done")
    with pytest.raises(Done):
        services.complete_follow_up(actor=tara, follow_up=follow_up, note="again")


def test_a_follow_up_without_a_team_lead_is_for_anyone(acme_ticket, resolve):
    survey = resolve(acme_ticket)
    with clock.frozen(RESOLVED):
        services.answer_survey(survey=survey, rating="bad", via="link")
    assert FollowUp.objects.get().lead is None


def test_only_the_requester_answers_signed_in(network_ticket, resolve, olivia, alice, carol):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED):
        for someone in (olivia, alice):
            with pytest.raises(NotAllowed):
                services.answer_as_requester(actor=someone, survey=survey, rating="good")
        services.answer_as_requester(actor=carol, survey=survey, rating="good")
    survey.refresh_from_db()
    assert survey.via == "portal"


def test_a_follow_up_is_done_only_by_an_agent_serving_the_client(
    network_ticket, resolve, admin_serving, globex, carol
):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED):
        services.answer_survey(survey=survey, rating="bad", via="link")
    follow_up = FollowUp.objects.get()
    other = admin_serving(globex, email="g@msp.example")
    for someone in (other, carol):
        with pytest.raises(NotAllowed):
            services.complete_follow_up(actor=someone, follow_up=follow_up, note="x")


def test_alert_tickets_get_no_survey(make_ticket, carol, resolve):
    ticket = make_ticket(carol, channel="alert")
    assert resolve(ticket) is None


def test_frozen_date_used(network_ticket, resolve):
    survey = resolve(network_ticket, at=datetime(2026, 1, 1, tzinfo=UTC))
    assert survey.created_at == datetime(2026, 1, 1, tzinfo=UTC)
