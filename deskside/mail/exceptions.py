"""Errors raised by the mail app's services. They are TicketErrors, so deskside.api already
turns them into a 4xx JSON body {"detail", "field"}; the pages show them as messages or form
errors."""

from deskside.tickets.exceptions import TicketError


class MailError(TicketError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(MailError):
    """An argument was missing, malformed or inconsistent (a message no longer in quarantine,
    an unknown state or outcome, an unknown mailbox ...)."""

    status_code = 422


class NotAllowed(MailError):
    """The actor may not do this (an agent without the admin role changing mail settings or
    working the quarantine, a customer)."""

    status_code = 403
