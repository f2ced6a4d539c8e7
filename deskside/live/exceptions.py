"""Errors of the live pages' services."""

from deskside.core.exceptions import DomainError


class LiveError(DomainError):
    """Base class of the live app's errors."""

    status_code = 400


class InvalidState(LiveError):
    """A presence state that is not one of Presence.State."""

    status_code = 422


class NotAllowed(LiveError):
    """Presence is for agents: customers never show up as "viewing"."""

    status_code = 403
