"""Errors of the field services, derived from core's DomainError (deskside.api answers them as
a 4xx JSON body naming the field; the pages show them as form errors; the CLI as one line with
exit code 2)."""

from deskside.core.exceptions import DomainError


class FieldError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(FieldError):
    """An argument was missing or malformed (a window that ends before it starts ...)."""

    status_code = 422


class NotAllowed(FieldError):
    """The actor may not do this (a customer; an agent who does not serve the client)."""

    status_code = 403


class NotCleared(FieldError):
    """The clearance rule refuses the schedule: nobody on the visit is cleared for the client."""

    status_code = 409


class InvalidTransition(FieldError):
    """The visit's (or timesheet's, clearance's) status does not allow this change."""

    status_code = 409
