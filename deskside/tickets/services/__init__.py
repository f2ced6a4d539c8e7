"""Ticket operations. Every state change of a ticket happens here, in one module per topic:
`intake` (opening tickets, calls), `conversation` (replies, notes, attachments, watchers),
`routing` (assign, escalate, the desk's own rules), `status` (working statuses, resolve,
reopen, close), `edits` (descriptive fields, merge) and `bulk` (one of these steps applied to
many tickets, each through its one-ticket service). Callers import this package:
`from deskside.tickets import services`.

Each public function takes keyword arguments and the acting user, runs in one transaction,
and writes its TicketEvent in that transaction, so the timeline can never disagree with the
ticket. They raise `tickets.exceptions` errors that name the field at fault; views, the API
and the CLI map those to form errors, 4xx bodies and exit codes.

Every service that changes an existing ticket first reloads and locks it (`rules.lock`), so
its checks and writes see the stored row, not the caller's copy loaded before the transaction.

Permissions enforced here (defence in depth; the adapters also filter by visibility):
agents may do everything to the tickets of the clients they serve; customers may open tickets
for their organisation, reply, attach files, reopen a resolved ticket and close their own.
"""

from deskside.tickets.services.bulk import MAX_BULK, BulkResult, Refusal, bulk_apply
from deskside.tickets.services.conversation import (
    add_attachments,
    add_mail_reply,
    add_note,
    add_reply,
    set_watchers,
)
from deskside.tickets.services.edits import EDITABLE, UNSET, Unset, merge_tickets, update_ticket
from deskside.tickets.services.intake import (
    CUSTOMER_CHANNELS,
    CUSTOMER_PRIORITIES,
    MAX_SUBJECT,
    Created,
    NewContact,
    NewTicket,
    create_ticket,
    intake_call,
    intake_call_new_contact,
    log_call,
)
from deskside.tickets.services.routing import (
    TIER_ORDER,
    assign_ticket,
    escalate_by_rule,
    escalate_ticket,
    hand_over_by_rule,
)
from deskside.tickets.services.status import (
    close_ticket,
    is_first_contact,
    reopen_ticket,
    resolve_ticket,
    set_status,
)
from deskside.tickets.services.versions import CONVERSATION, STATE, check_version

__all__ = [
    "CONVERSATION",
    "CUSTOMER_CHANNELS",
    "MAX_BULK",
    "CUSTOMER_PRIORITIES",
    "EDITABLE",
    "MAX_SUBJECT",
    "STATE",
    "TIER_ORDER",
    "UNSET",
    "BulkResult",
    "Refusal",
    "Unset",
    "Created",
    "NewContact",
    "NewTicket",
    "add_attachments",
    "add_mail_reply",
    "add_note",
    "add_reply",
    "assign_ticket",
    "check_version",
    "bulk_apply",
    "close_ticket",
    "create_ticket",
    "escalate_by_rule",
    "escalate_ticket",
    "hand_over_by_rule",
    "intake_call",
    "intake_call_new_contact",
    "is_first_contact",
    "log_call",
    "merge_tickets",
    "reopen_ticket",
    "resolve_ticket",
    "set_status",
    "set_watchers",
    "update_ticket",
]
