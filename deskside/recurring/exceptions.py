"""Errors of the recurring-schedule services, derived from core's DomainError (deskside.api
answers them as a 4xx JSON body naming the field; the pages show them as form errors; the CLI
as one line with exit code 2)."""

from deskside.core.exceptions import DomainError


class RecurringError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(RecurringError):
    """An argument was missing or malformed."""

    status_code = 422


class NotAllowed(RecurringError):
    """The actor may not do this (a customer; an agent who does not serve the client)."""

    status_code = 403


class InvalidTransition(RecurringError):
    """The current state does not allow this change."""

    status_code = 409
