"""Customer-satisfaction operations: the survey a resolution asks for (the event hook), the
answer (by the signed link, in the portal, by the API), the follow-up a bad rating opens and
its completion. Each runs in one transaction; the answer writes an internal note on the
ticket's timeline in that transaction.

Decisions (docs/reports.md):

- One survey per ticket, for its requester, when the requester is a customer (internal
  requests and monitoring alerts have nobody to ask). A ticket reopened and resolved again
  while the survey is unanswered: the survey moves to the latest resolution (time, assignee,
  team, answer window). Answered: the answer stands and nothing new is asked.
- Answered once: the answer is one conditional UPDATE (`answered_at` still empty), so two
  answers racing (two clicks, two devices) record one; the other gets AlreadyAnswered.
- A "bad" rating opens a `FollowUp` for the lead of the ticket's team at resolution
  (`Team.lead`), not a ticket: a task about a ticket, not a customer request of its own, so it
  stays out of the client's ticket counts, SLA and portal.
"""

from django.db import transaction
from django.db.models import F

from deskside.accounts.models import User
from deskside.accounts.queries import serves
from deskside.core import clock
from deskside.surveys.exceptions import (
    AlreadyAnswered,
    BadLink,
    Done,
    Expired,
    InvalidInput,
    NotAllowed,
)
from deskside.surveys.links import public_id_of
from deskside.surveys.models import ANSWER_DAYS, MAX_COMMENT, FollowUp, Rating, Survey, Via
from deskside.tickets.models import Channel, EventKind, Ticket
from deskside.tickets.timeline import Happened, reindex, write_event

NO_SURVEY_CHANNELS = (Channel.ALERT,)


def resolved(happened: Happened) -> None:
    """The tickets' event hook for `resolved` (registered in SurveysConfig.ready): create the
    ticket's survey, or move an unanswered one to this resolution. Only writes a row."""
    ticket = happened.ticket
    if ticket.channel in NO_SURVEY_CHANNELS:
        return
    requester = User.objects.only("kind").get(pk=ticket.requester_id)
    if not requester.is_customer:
        return
    event = happened.event
    fields = {
        "resolved_at": event.created_at,
        "agent_id": ticket.assignee_id or event.actor_id,
        "team_id": ticket.team_id,
    }
    survey = Survey.objects.filter(ticket_id=ticket.pk).only("pk", "answered_at").first()
    if survey is None:
        Survey.objects.create(
            ticket_id=ticket.pk,
            organization_id=ticket.organization_id,
            requester_id=ticket.requester_id,
            created_at=event.created_at,
            **fields,
        )
    elif survey.answered_at is None:
        Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
            resolutions=F("resolutions") + 1, **fields
        )


def _clean(rating: str, comment: str) -> tuple[str, str]:
    rating = (rating or "").strip().lower()
    if rating not in Rating.values:
        raise InvalidInput("choose good, okay or bad", field="rating")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            f"the comment is longer than {MAX_COMMENT} characters ({len(comment)})",
            field="comment",
        )
    return rating, comment


def check_open(survey: Survey) -> None:
    """AlreadyAnswered or Expired when `survey` takes no answer (any more)."""
    if survey.answered_at is not None:
        raise AlreadyAnswered(
            f"this survey was answered on {survey.answered_at:%d %b %Y}: one answer per "
            "ticket, thank you",
        )
    if clock.now() >= survey.closes_at:
        raise Expired(
            f"this survey closed on {survey.closes_at:%d %b %Y}, {ANSWER_DAYS} days after the "
            "ticket was resolved",
        )


@transaction.atomic
def answer_survey(*, survey: Survey, rating: str, comment: str = "", via: str) -> Survey:
    """Record the one answer of `survey` and write it on the ticket's timeline (an internal
    note, for agents); a "bad" rating also opens the follow-up for the team lead.

    Raises InvalidInput (rating, comment), AlreadyAnswered (a second answer, also one that
    raced this one) and Expired (after the survey's window)."""
    rating, comment = _clean(rating, comment)
    now = clock.now()
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("requester", "team")
        .get(pk=survey.pk)
    )
    check_open(survey)
    if not Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
        rating=rating, comment=comment, answered_at=now, via=via
    ):
        raise AlreadyAnswered("this survey was just answered: one answer per ticket")
    survey.rating, survey.comment, survey.answered_at, survey.via = rating, comment, now, via
    ticket = Ticket.objects.get(pk=survey.ticket_id)
    follow_up = None
    if rating == Rating.BAD:
        follow_up = FollowUp.objects.create(
            survey=survey,
            ticket=ticket,
            organization_id=survey.organization_id,
            team=survey.team,
            lead_id=survey.team.lead_id if survey.team else None,
            created_at=now,
        )
    write_event(
        ticket,
        EventKind.NOTE,
        None,
        body=_note(survey, follow_up),
        data={
            "survey": survey.public_id,
            "rating": rating,
            "via": via,
            "follow_up": follow_up.public_id if follow_up else None,
        },
    )
    reindex(ticket)
    return survey


def _note(survey: Survey, follow_up: FollowUp | None) -> str:
    who = survey.requester.get_full_name()
    text = f"Satisfaction survey: {who} rated the resolution {Rating(survey.rating).label}."
    if survey.comment:
        text += f'\nComment: "{survey.comment}"'
    if follow_up is not None:
        lead = follow_up.lead.get_full_name() if follow_up.lead else "any agent of the client"
        text += f"\nA follow-up was opened for {lead} (Satisfaction > Follow-ups)."
    return text


def answer_by_link(*, token: str, rating: str, comment: str = "") -> Survey:
    """The answer sent from a signed link (no sign-in). BadLink for a token whose signature
    does not match or whose survey is gone; otherwise as `answer_survey`."""
    return answer_survey(
        survey=survey_for_token(token), rating=rating, comment=comment, via=Via.LINK
    )


def survey_for_token(token: str) -> Survey:
    """The survey a signed token names (BadLink otherwise)."""
    survey = Survey.objects.filter(public_id=public_id_of(token)).first()
    if survey is None:
        raise BadLink("this survey no longer exists", field="token")
    return survey


def answer_as_requester(
    *, actor: User, survey: Survey, rating: str, comment: str = "", via: str = Via.PORTAL
) -> Survey:
    """The requester's own answer, signed in (portal, API). NotAllowed for anyone else: a
    customer answers only their own survey, agents never answer for them."""
    if not actor.is_customer or survey.requester_id != actor.pk:
        raise NotAllowed("only the person who asked for this ticket can answer its survey")
    return answer_survey(survey=survey, rating=rating, comment=comment, via=via)


@transaction.atomic
def complete_follow_up(*, actor: User, follow_up: FollowUp, note: str) -> FollowUp:
    """Mark a follow-up done with what was done (required), written on the ticket's timeline
    as the actor's internal note. Agents who serve the client; Done when it was done already."""
    if not actor.is_agent or not serves(actor, follow_up.organization_id):
        raise NotAllowed("follow-ups are done by agents who serve the client")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("say what was done (a call, an apology, a fix)", field="note")
    if len(note) > MAX_COMMENT:
        raise InvalidInput(f"the note is longer than {MAX_COMMENT} characters", field="note")
    now = clock.now()
    if not FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(
        done_at=now, done_by=actor, note=note
    ):
        raise Done("this follow-up was done already")
    follow_up.refresh_from_db()
    ticket = Ticket.objects.get(pk=follow_up.ticket_id)
    write_event(
        ticket,
        EventKind.NOTE,
        actor,
        body=f"Follow-up of the bad satisfaction rating done:\n{note}",
        data={"follow_up": follow_up.public_id},
    )
    reindex(ticket)
    return follow_up
