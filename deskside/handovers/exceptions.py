"""Errors raised by the handovers services, derived from core's DomainError (deskside.api
answers them as a 4xx JSON body naming the field; the pages show them as form errors)."""

from deskside.core.exceptions import DomainError


class HandoverError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(HandoverError):
    """An argument was missing or malformed."""

    status_code = 422


class NotAllowed(HandoverError):
    """The actor may not do this."""

    status_code = 403


class NotFound(HandoverError):
    """No such handover, item or ticket (or one the actor may not see)."""

    status_code = 404


class WrongState(HandoverError):
    """The handover is not in the state this needs (signing off a signed-off one ...)."""

    status_code = 409


class ChecklistIncomplete(HandoverError):
    """Sign-off refused: required checklist items are not done."""

    status_code = 409


class OwnSignOff(HandoverError):
    """Acknowledgement refused: the actor signed the handover off and does not work the
    incoming shift (the handover would be "taken" by nobody of that shift)."""

    status_code = 409
