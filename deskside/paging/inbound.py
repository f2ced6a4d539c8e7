"""A reply to a page email acknowledges the page: registered with the mail pipeline
(deskside.mail.pipeline.register_reply_handler) in PagingConfig.ready.

The pipeline asks every inbound message (after our own mail and automatic mail, such as an
out-of-office answer, were set aside) whether it answers a page: its In-Reply-To/References
name a page's Message-ID (`deskside.page.<public id>.<HMAC of page and person>@<our
domain>`, see delivery.message_id; a Message-ID whose HMAC does not match names no page and
the message goes the normal way, so knowing a page's public id is not enough). If so the
message never becomes a reply on the ticket (the customer must not receive "ack" from the
technician's phone). When it comes from the paged person (their account address or one of
their email contact methods) the chain is acknowledged, via email; from anyone else it is
held in quarantine for review.
"""

from django.utils.crypto import constant_time_compare

from deskside.mail.outbound import domain
from deskside.mail.parse import ParsedMail
from deskside.mail.pipeline import Handled, Held
from deskside.paging import services
from deskside.paging.delivery import MESSAGE_ID_PREFIX, message_id_signature
from deskside.paging.exceptions import AlreadyDone, NotAllowed
from deskside.paging.models import ContactMethod, Escalation, Page
from deskside.tickets.models import EventKind


def _page(parsed: ParsedMail) -> Page | None:
    """The page a message answers: the first of its thread ids that is one of our page
    Message-IDs with a valid signature."""
    suffix = "@" + domain()
    for message_id in parsed.thread_ids:
        if not (message_id.startswith(MESSAGE_ID_PREFIX) and message_id.endswith(suffix)):
            continue
        public_id, _, signature = message_id[len(MESSAGE_ID_PREFIX) : -len(suffix)].rpartition(".")
        if not public_id or not signature:
            continue
        page = (
            Page.objects.select_related("escalation__ticket", "user")
            .filter(public_id=public_id)
            .first()
        )
        if page is not None and constant_time_compare(
            signature, message_id_signature(page.public_id, page.user_id)
        ):
            return page
    return None


def _addresses(page: Page) -> set[str]:
    found = {page.user.email.lower()}
    for method in ContactMethod.objects.filter(user=page.user, kind=ContactMethod.Kind.EMAIL):
        found.add(method.address.lower())
    return found


def page_reply(parsed: ParsedMail) -> Handled | None:
    page = _page(parsed)
    if page is None:
        return None
    ticket = page.escalation.ticket
    if parsed.sender not in _addresses(page):
        raise Held(
            "page_reply",
            f"a reply to {page.user.get_full_name()}'s page for {ticket.number} from "
            f"{parsed.sender or 'an unknown sender'}, who was not paged",
        )
    try:
        services.acknowledge(
            actor=page.user, escalation=page.escalation, via=Escalation.Via.EMAIL, page=page
        )
    except AlreadyDone as exc:
        return Handled(ticket, None, "page_reply", exc.message)
    except NotAllowed as exc:
        raise Held("page_reply", exc.message) from None
    event = ticket.events.filter(kind=EventKind.ACKNOWLEDGED).order_by("-id").first()
    return Handled(ticket, event, "page_ack", f"{page.user.get_full_name()} acknowledged the page")
