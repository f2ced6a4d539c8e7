"""Handing one page to its transport: email through Django's mail backend (so the page can be
answered, and a reply acknowledges: deskside.paging.inbound), every other channel through
Apprise, inside `deskside.core.netguard.guarded()`: an Apprise URL (or a redirect it
follows) whose host resolves to an internal address is refused, whatever the plugin does to
connect; Apprise runs sequentially so the guard covers the thread that connects. Email goes to
the operator's own mail server (settings), which is not a user-typed address. Each message
says the ticket number, priority, client, subject, the alert summary when there is one, and
carries a signed acknowledgement link."""

from dataclasses import dataclass

import apprise
from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.crypto import salted_hmac

from deskside.core import netguard
from deskside.core.baseurl import base_url
from deskside.mail.models import Mailbox
from deskside.mail.outbound import domain, mailbox_of
from deskside.paging.models import ContactMethod, Page
from deskside.paging.services import ack_token
from deskside.tickets.models import EventKind, Ticket

MESSAGE_ID_PREFIX = "deskside.page."
MESSAGE_ID_SALT = "deskside.paging.message-id"


class DeliveryFailed(Exception):
    """The transport refused or could not be reached; the message says why."""


@dataclass(frozen=True)
class PageText:
    title: str
    body: str
    link: str


def message_id_signature(public_id: str, user_id: int) -> str:
    """An HMAC (SECRET_KEY) of the page and the paged person: a reply must name it, so knowing
    a page's public id (agents see them) is not enough to acknowledge by email."""
    return salted_hmac(MESSAGE_ID_SALT, f"{public_id}:{user_id}", algorithm="sha256").hexdigest()[
        :32
    ]


def message_id(page: Page) -> str:
    """The page email's Message-ID (without angle brackets); a reply names it:
    `deskside.page.<public id>.<signature>@<domain>`."""
    signature = message_id_signature(page.public_id, page.user_id)
    return f"{MESSAGE_ID_PREFIX}{page.public_id}.{signature}@{domain()}"


def alert_summary(ticket: Ticket) -> str:
    """The alert line of a page: severity and source from the `alert` data of the ticket's
    created event and, when the integration keeps an alert's details internal, of the
    internal note written with it (the created event then carries the severity only)."""
    alert: dict = {}
    first = ticket.events.filter(kind__in=(EventKind.CREATED, EventKind.NOTE)).order_by("id")
    for event in first.only("data")[:2]:
        found = (event.data or {}).get("alert")
        if isinstance(found, dict):
            alert = {**alert, **found}
    parts = [str(alert.get(k)) for k in ("severity", "source", "summary") if alert.get(k)]
    return " · ".join(parts)


def text(page: Page) -> PageText:
    ticket = page.ticket
    link = base_url() + reverse("paging:ack", args=[ack_token(page)])
    title = (
        f"[{ticket.number}] {ticket.priority_label} {ticket.organization.name}: {ticket.subject}"
    )
    lines = [
        f"{ticket.priority_label} ticket {ticket.number} for {ticket.organization.name}",
        f"Subject: {ticket.subject}",
    ]
    if summary := alert_summary(ticket):
        lines.append(f"Alert: {summary}")
    lines += [
        f"Paged: step {page.step + 1}, round {page.cycle + 1} ({page.escalation.reason})",
        "",
        f"Acknowledge (stops the paging, assigns the ticket to you): {link}",
    ]
    if page.service == "email":
        lines.append("Or reply to this email to acknowledge.")
    lines.append("Open the ticket: " + base_url() + reverse("tickets:detail", args=[ticket.number]))
    return PageText(title, "\n".join(lines), link)


def reply_mailbox(ticket: Ticket) -> Mailbox | None:
    """Where a reply to the page goes: the ticket's mailbox, else the desk's first active
    one."""
    return mailbox_of(ticket) or Mailbox.objects.filter(is_active=True).order_by("id").first()


def address_of(page: Page) -> str:
    if page.contact_method is None:
        return page.user.email
    return page.contact_method.address


def deliver(page: Page) -> None:
    """Hand the page to its transport; raises DeliveryFailed."""
    content = text(page)
    method = page.contact_method
    if method is None or method.kind == ContactMethod.Kind.EMAIL:
        mailbox = reply_mailbox(page.ticket)
        mail = EmailMessage(
            subject=content.title,
            body=content.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address_of(page)],
            reply_to=[mailbox.address] if mailbox else None,
            headers={
                "Message-ID": f"<{message_id(page)}>",
                # Automatic mail (RFC 3834): no out-of-office or vacation answers to a page.
                "Auto-Submitted": "auto-generated",
                "X-Auto-Response-Suppress": "OOF, AutoReply",
                "X-Deskside-Ticket": page.ticket.number,
                "X-Deskside-Page": page.public_id,
            },
        )
        try:
            mail.send(fail_silently=False)
        except Exception as exc:  # any transport error is a failed delivery
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        return
    notify_apprise(method, content.title, content.body)


def notify_apprise(method: ContactMethod, title: str, body: str) -> None:
    """One Apprise notification, guarded (see the module docstring); DeliveryFailed."""
    # Sequential: a worker thread Apprise started would run outside the guard's context.
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
    if not notifier.add(method.address):
        raise DeliveryFailed("Apprise no longer accepts this URL")
    with netguard.guarded() as guard:
        accepted = notifier.notify(title=title, body=body)
    if guard.refused:
        raise DeliveryFailed(f"not sent: {guard.refused[0]}")
    if not accepted:
        raise DeliveryFailed(f"{method.service} did not accept the notification")


def send_test(method: ContactMethod) -> None:
    """A test notification to one contact method (the "send test" button); DeliveryFailed."""
    title = f"{settings.DESKSIDE_DESK_NAME}: test page"
    body = f"This is a test notification to {method.user.get_full_name()} ({method.service})."
    if method.kind == ContactMethod.Kind.EMAIL:
        try:
            EmailMessage(
                subject=title,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[method.address],
                headers={
                    "Auto-Submitted": "auto-generated",
                    "X-Auto-Response-Suppress": "OOF, AutoReply",
                },
            ).send(fail_silently=False)
        except Exception as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        return
    notify_apprise(method, title, body)
