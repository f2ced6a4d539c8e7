"""Errors of the work-order services, derived from core's DomainError (deskside.api answers them as
a 4xx JSON body naming the field; the pages show them as form errors; the CLI as one line with
exit code 2)."""

from deskside.core.exceptions import DomainError


class WorkOrderError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(WorkOrderError):
    """An argument was missing or malformed."""

    status_code = 422


class NotAllowed(WorkOrderError):
    """The actor may not do this (a customer; an agent who does not serve the client)."""

    status_code = 403


class InvalidTransition(WorkOrderError):
    """The current state does not allow this change."""

    status_code = 409


class QualityGate(WorkOrderError):
    """Resolving refused: a required checklist or QC item, the QC sign-off or the user's
    confirmation is missing (the message lists what)."""

    status_code = 409


class SecondPairOfEyes(WorkOrderError):
    """QC signed (or a QC item ticked) by someone who did the work, on a template that needs a
    second pair of eyes."""

    status_code = 409


class BadFile(WorkOrderError):
    """A project CSV that cannot be read at all."""

    status_code = 422
