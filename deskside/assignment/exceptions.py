"""Errors raised by the assignment services. They derive from core's DomainError, which
deskside.api maps to a 4xx JSON body naming the field; the pages show them as messages."""

from deskside.core.exceptions import DomainError


class AssignmentError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(AssignmentError):
    """A mode the rules do not know, a cap out of range, a skill that does not exist."""

    status_code = 422


class NotAllowed(AssignmentError):
    """The actor may not do this: a team's rule is changed by administrators and the team's
    lead; a ticket's required skills by the agents who see the ticket."""

    status_code = 403
