"""`{% survey_panel ticket user %}`: the ticket's survey on the portal's ticket page, for its
requester only (a colleague, even an organisation admin, sees nothing)."""

from typing import Any

from django import template

from deskside.accounts.models import User
from deskside.surveys.forms import AnswerForm
from deskside.surveys.queries import survey_of
from deskside.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("surveys/panel.html")
def survey_panel(ticket: Ticket, user: User) -> dict[str, Any]:
    survey = survey_of(user, ticket) if user.is_customer else None
    if survey is not None and survey.requester_id != user.pk:
        survey = None
    return {"survey": survey, "form": AnswerForm(), "open": survey is not None and survey.is_open()}
