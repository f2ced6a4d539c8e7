"""Errors raised by the paging app's services. They are DomainErrors (deskside.core), so
deskside.api turns them into a 4xx JSON body {"detail", "field"}; the pages show them as form
errors."""

from deskside.core.exceptions import DomainError


class PagingError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(PagingError):
    """An argument was missing, malformed or inconsistent (a bad Apprise URL, a step without
    its target, a policy name in use ...)."""

    status_code = 422


class NotAllowed(PagingError):
    """The actor may not do this (a customer, a non-admin changing policies, someone else's
    contact method, a ticket of a client the agent does not serve)."""

    status_code = 403


class AlreadyDone(PagingError):
    """The chain is no longer waiting: acknowledged by someone else, or stopped."""

    status_code = 409


class BadLink(PagingError):
    """An acknowledgement link that was tampered with, has expired or names nothing."""

    status_code = 400
