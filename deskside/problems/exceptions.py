"""Errors of the problem services, derived from core's DomainError (deskside.api answers them
as a 4xx JSON body naming the field; the pages show them as form errors; the CLI as one line
with exit code 2)."""

from deskside.core.exceptions import DomainError


class ProblemError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(ProblemError):
    """An argument was missing or malformed (an empty title, a threshold out of range ...)."""

    status_code = 422


class NotAllowed(ProblemError):
    """The actor may not do this (customers; detection on demand needs the admin role)."""

    status_code = 403


class InvalidTransition(ProblemError):
    """The problem's status does not allow this change (closed is final)."""

    status_code = 409
