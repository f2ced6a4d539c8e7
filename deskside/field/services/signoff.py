"""The customer's sign-off by a mailed link: a dispatcher or the technician sends the ticket's
requester a signed, expiring link (`deskside.field.signoff_links`) once the technician is on
site or the visit is done; the requester opens it without signing in, types their name and
draws their signature, which `services.visits.record_signature(..., via="link")` stores.

The mail goes through the mail app's outbox (`deskside.mail.outbound`): `send_link` writes an
internal `visit` event (action `signoff_link`, with the link's issue time and nonce) and one
`OutboundMail` row for the requester in the same transaction, so the mail exists exactly when
the request committed and the worker sends it at most once, threaded on the ticket (Message-ID
with the reply token, `[T-...]` subject). It is a mail of kind "reply" (the desk's reply text:
`{{ body }}` and the signature of whoever sent it); its body is the link's text, given by
`mail_context` (registered with `mail.outbound.provide_context` in FieldConfig.ready) when the
worker renders the row: the link itself is never written on the timeline, where every agent
reads it. Decided: sent whether or not DESKSIDE_MAIL_NOTIFY is on (that switch silences the
automatic mails; this one is asked for by a person).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from deskside.accounts.models import User
from deskside.core import clock
from deskside.core.timezones import zone
from deskside.field import signoff_links
from deskside.field.exceptions import InvalidInput, InvalidTransition
from deskside.field.models import Visit, VisitStatus
from deskside.field.queries import first_name
from deskside.field.services.scheduling import visit_event
from deskside.field.services.visits import _locked, record_signature
from deskside.mail.models import MailKind, OutboundMail
from deskside.mail.outbound import domain, reply_token
from deskside.tickets.models import EventKind

SIGNABLE = (VisitStatus.ON_SITE, VisitStatus.DONE)
ACTION = "signoff_link"


def requester_address(visit: Visit) -> str:
    """The requester's address, or "" when they cannot be mailed."""
    person = visit.ticket.requester
    email = (person.email or "").strip()
    if not (person.is_customer and person.is_active and email) or email.endswith(".invalid"):
        return ""
    return email


@transaction.atomic
def send_link(actor: User, visit: Visit) -> OutboundMail:
    """Queue the sign-off link to the ticket's requester (see the module docstring). The
    visit's technicians and the agents who serve the client may send it, while the technician
    is on site or once the visit is done, until it is signed. Raises NotAllowed,
    InvalidTransition (not on site or done; signed already), InvalidInput (field `requester`:
    no address to mail)."""
    visit = _locked(actor, visit)
    if visit.status not in SIGNABLE:
        raise InvalidTransition("send the sign-off link once the technician is on site or done")
    if visit.signed_at is not None:
        raise InvalidTransition("the visit is signed already")
    address = requester_address(visit)
    if not address:
        raise InvalidInput("the ticket's requester has no email address", field="requester")
    now = clock.now()
    nonce = secrets.token_urlsafe(6)
    event = visit_event(
        visit,
        actor,
        ACTION,
        f"Sign-off link mailed to {visit.ticket.requester.get_full_name() or address}",
        to=address,
        requester=visit.ticket.requester_id,
        issued=int(now.timestamp()),
        nonce=nonce,
    )
    mail = OutboundMail(ticket=visit.ticket, event=event, kind=MailKind.REPLY, recipients=address)
    token = reply_token(visit.ticket.number, address)
    mail.message_id = f"deskside.{visit.ticket.number}.{mail.public_id}.{token}@{domain()}"
    mail.save(force_insert=True)
    return mail


def mail_context(mail: OutboundMail) -> dict[str, Any]:
    """The mail app's context hook: the body of a sign-off mail (its link rebuilt from the
    event's issue time and nonce); nothing for any other mail."""
    event = mail.event
    if event is None or event.kind != EventKind.VISIT or event.data.get("action") != ACTION:
        return {}
    data = event.data
    visit = Visit.objects.select_related("site", "technician").filter(public_id=data["visit"])
    visit = visit.first()
    if visit is None:
        return {}
    issued = datetime.fromtimestamp(int(data["issued"]), tz=clock.now().tzinfo)
    token = signoff_links.token_for(visit.public_id, int(data["requester"]), issued, data["nonce"])
    # The visit's date where it happened (the site's zone): a late visit in Los Angeles is
    # already the next day in UTC.
    when = visit.checked_in_at or visit.scheduled_start or visit.window_start
    when = when.astimezone(zone(visit.site.timezone))
    text = (
        f"Please confirm the on-site visit of {first_name(visit.technician) or 'our technician'}"
        f" at {visit.site.name} on {when:%d %b %Y} with your name and signature:\n\n"
        f"{signoff_links.link_url(visit.public_id, token)}\n\n"
        f"The link works once and for {signoff_links.LINK_DAYS} days."
    )
    return {"body": text}


@dataclass(frozen=True)
class LinkPage:
    """What the sign-off page shows (nothing internal: no instructions, parts or notes)."""

    visit: Visit
    date: datetime | None  # in the site's zone (the page shows it as it is)
    site: str
    technician: str
    summary: str


def open_link(public_id: str, token: str) -> LinkPage:
    """The visit a link is for, when the link is good now (signature, visit, requester, age,
    not signed yet). Raises BadLink, LinkExpired, InvalidTransition (signed already, or a
    visit that cannot be signed any more)."""
    visit = (
        Visit.objects.select_related("ticket", "site", "technician")
        .filter(public_id=public_id)
        .first()
    )
    _check(visit, public_id, token)
    when = visit.checked_in_at or visit.scheduled_start
    return LinkPage(
        visit=visit,
        date=when.astimezone(zone(visit.site.timezone)) if when else None,
        site=visit.site.name,
        technician=first_name(visit.technician),
        summary=visit.work_summary,
    )


def _check(visit: Visit | None, public_id: str, token: str) -> None:
    claim = signoff_links.claim_of(public_id, token, clock.now())
    if visit is None or visit.ticket.requester_id != claim.requester_id:
        raise signoff_links.BadLink(
            "this sign-off link is no longer valid for this visit. Ask the service desk for a "
            "new one.",
            field="token",
        )
    if visit.signed_at is not None:
        raise InvalidTransition("this visit is signed already: the link works once", field="token")
    if visit.status not in SIGNABLE:
        raise InvalidTransition("this visit can no longer be signed", field="token")


@transaction.atomic
def sign_by_link(public_id: str, token: str, name: str, png: bytes) -> Visit:
    """The requester signs through the link: the typed name and the drawn signature (PNG) on
    the locked visit, checked again under the lock (two tabs submitting at once: one wins, the
    other is "signed already"). Raises what `open_link` raises, and InvalidInput (`name`,
    `signature`)."""
    found = Visit.objects.filter(public_id=public_id).values_list("pk", flat=True).first()
    visit = None
    if found is not None:
        visit = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("ticket", "site")
            .get(pk=found)
        )
    _check(visit, public_id, token)
    return record_signature(visit.ticket.requester, visit, name, png, via="link")
