"""Errors raised by the duty app's services. They derive from core's DomainError, which
deskside.api maps to `{"detail", "field"}` with the class's 4xx status; the pages turn them
into form errors on the same page."""

from deskside.core.exceptions import DomainError


class DutyError(DomainError):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 400


class InvalidInput(DutyError):
    """An argument was missing, malformed or inconsistent (an end before its start, an unknown
    time zone, a swap partner who is not on the schedule ...)."""

    status_code = 422


class NotAllowed(DutyError):
    """The actor may not do this (only administrators change schedules; only the partner or an
    administrator accepts a swap)."""

    status_code = 403


class WrongState(DutyError):
    """The swap is no longer proposed (already accepted, declined or cancelled)."""

    status_code = 409


class InUse(DutyError):
    """The schedule is still referred to (an escalation policy pages its on-call person)."""

    status_code = 409
