"""Errors raised by the webhooks services. They derive from core's DomainError, which
deskside.api maps to a 4xx JSON body naming the field; views show them as form errors."""

from deskside.core.exceptions import DomainError


class WebhookError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(WebhookError):
    """An argument was missing or malformed (a URL that is not http(s), an unknown event ...)."""

    status_code = 422


class NotAllowed(WebhookError):
    """The actor may not do this (changing webhooks needs the admin role)."""

    status_code = 403


class Conflict(WebhookError):
    """The webhook's state does not allow this (redelivering to a deactivated webhook)."""

    status_code = 409
