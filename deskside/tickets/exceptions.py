"""Errors raised by ticket services. Adapters map them to 4xx bodies, form errors, exit 2."""


class TicketError(Exception):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(TicketError):
    """An argument was missing, malformed or inconsistent with the ticket."""

    status_code = 422


class InvalidTransition(TicketError):
    """The ticket's status does not allow this step (e.g. replying to a closed ticket)."""

    status_code = 409


class NotAllowed(TicketError):
    """The actor may see the ticket but not do this to it (e.g. a customer escalating)."""

    status_code = 403


class IdempotencyConflict(TicketError):
    """An idempotency key sent again with a different request than the one it was used for."""

    status_code = 409
