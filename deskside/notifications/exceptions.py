"""Errors raised by the notifications services. They derive from core's DomainError, which
deskside.api maps to a 4xx JSON body naming the field; views show them as form errors."""

from deskside.core.exceptions import DomainError


class NotificationError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(NotificationError):
    """An argument was missing or malformed (an unknown kind or channel)."""

    status_code = 422


class NotAllowed(NotificationError):
    """The actor may not do this (notifications are for agents)."""

    status_code = 403


class NotFound(NotificationError):
    """No such notification of the actor's (another person's is not confirmed to exist)."""

    status_code = 404
