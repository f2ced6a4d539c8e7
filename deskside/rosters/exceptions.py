"""Errors raised by the rosters app's services. They derive from core's DomainError, which
deskside.api maps to `{"detail", "field"}` with the class's 4xx status; the pages turn them
into form errors on the same page."""

from deskside.core.exceptions import DomainError


class RosterError(DomainError):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 400


class InvalidInput(RosterError):
    """An argument was missing, malformed or inconsistent (an unknown shift code, a pattern
    of the wrong length, an end before its start, leave without a reason ...)."""

    status_code = 422


class NotAllowed(RosterError):
    """The actor may not do this (only administrators and the team's lead edit a roster)."""

    status_code = 403


class RuleBroken(RosterError):
    """A cover would break a working-time rule (the rest between two shifts, the weekly hours
    cap) or the person cannot take it (already working then, on leave); the message says
    which and by how much."""

    status_code = 409


class InUse(RosterError):
    """A shift definition still used by a rota line or a cover."""

    status_code = 409
