"""Errors raised by the mail app's services. They derive from core's DomainError, which
deskside.api maps to `{"detail", "field"}` with the class's 4xx status; the pages show them as
messages or form errors."""

from deskside.core.exceptions import DomainError


class MailError(DomainError):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 400


class InvalidInput(MailError):
    """An argument was missing, malformed or inconsistent (a message no longer in quarantine,
    an unknown state or outcome, an unknown mailbox ...)."""

    status_code = 422


class NotAllowed(MailError):
    """The actor may not do this (an agent without the admin role changing mail settings or
    working the quarantine, a customer)."""

    status_code = 403
