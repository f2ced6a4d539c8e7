"""Errors raised by the workspace services. They derive from core's DomainError, which
deskside.api maps to a 4xx JSON body naming the field; the pages show them as messages."""

from deskside.core.exceptions import DomainError


class WorkspaceError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(WorkspaceError):
    """A name missing or too long, a filter, sort or column that the queue does not know."""

    status_code = 422


class NotAllowed(WorkspaceError):
    """The actor may not change this view (someone else's, a team's without the admin role, or
    one of the default views, which nobody deletes)."""

    status_code = 403
