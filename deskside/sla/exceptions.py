"""Errors raised by the sla app's services. Adapters turn them into a 4xx JSON body naming the
field (deskside.api), a form error on the same page (sla.views) or a CLI message."""

from deskside.core.exceptions import DomainError


class SlaError(DomainError):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 400


class InvalidInput(SlaError):
    """An argument was missing, malformed or inconsistent (a bad calendar, a second default
    contract, a client that already has a contract ...)."""

    status_code = 422


class NotAllowed(SlaError):
    """The actor may not do this (only agents with the admin role change calendars and
    contracts)."""

    status_code = 403


class InUse(SlaError):
    """The object is still referred to (a calendar a contract or target counts in)."""

    status_code = 409
