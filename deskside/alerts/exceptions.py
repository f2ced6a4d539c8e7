"""Errors of the alerts app. They derive from `deskside.core.exceptions.DomainError`, which the
API (deskside/api.py) turns into a JSON body {"detail", "field"} with the error's status, and
the pages turn into form errors."""

from deskside.core.exceptions import DomainError


class AlertError(DomainError):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 400


class MalformedPayload(AlertError):
    """The body is not a JSON object at all."""

    status_code = 400


class InvalidPayload(AlertError):
    """The body is JSON but a field is missing, of the wrong type or unknown (an unknown
    client slug, an unknown event action ...)."""

    status_code = 422


class Unauthorized(AlertError):
    """No integration token, or one that is unknown, regenerated or deactivated."""

    status_code = 401


class WrongClient(AlertError):
    """A client's integration was asked to raise an alert for another client."""

    status_code = 403


class NotAllowed(AlertError):
    """The actor may not do this (set-up needs the admin role; a client they do not serve)."""

    status_code = 403


class InUse(AlertError):
    """The object has history that must stay (an integration that raised alerts)."""

    status_code = 409
