"""The survey's links in the resolution mail (decided: no separate mail; the customer gets
one mail that says the ticket is resolved and asks how it went).

`resolution_context` is registered with the mail app's context hook
(`deskside.mail.outbound.provide_context`) and runs when the worker renders an outbox row, so
the survey written in the resolution's transaction is there. It gives the template variable
`survey`: three links (good, okay, bad) to the answer page, only in the resolution mail to the
requester (watchers are not asked), only while the survey is open; "" otherwise. A requester
without an email address gets no mail at all and answers in the portal.
"""

from typing import Any

from deskside.mail.models import MailKind, OutboundMail
from deskside.surveys.links import answer_url
from deskside.surveys.models import ANSWER_DAYS, Rating, Survey


def survey_text(survey: Survey) -> str:
    lines = ["How did we do? One click answers (you can add a comment):"]
    lines += [f"  {r.label}: {answer_url(survey.public_id, r.value)}" for r in Rating]
    lines.append(f"(The survey is open for {ANSWER_DAYS} days.)")
    return "\n".join(lines)


def resolution_context(mail: OutboundMail) -> dict[str, Any]:
    if mail.kind != MailKind.RESOLUTION:
        return {}
    survey = Survey.objects.filter(ticket_id=mail.ticket_id).select_related("requester").first()
    if survey is None or not survey.is_open():
        return {"survey": ""}
    to = {a.strip().lower() for a in mail.recipients.split(",")}
    if survey.requester.email.lower() not in to:
        return {"survey": ""}
    return {"survey": survey_text(survey)}
