"""Errors raised by ticket services. Adapters map them to 4xx bodies (507/503 when a file
cannot be stored), form errors, exit 2."""

import errno as errnos

from deskside.core.exceptions import DomainError

FULL = (errnos.ENOSPC, errnos.EDQUOT)  # no room: 507 Insufficient Storage


class TicketError(DomainError):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 400


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


class TooLarge(TicketError):
    """A request body over its endpoint's limit (a mail message over DESKSIDE_MAX_MESSAGE_MB):
    read no further, nothing kept."""

    status_code = 413


class StorageUnavailable(TicketError):
    """A file could not be stored (the disk is full, a quota is reached, the volume failed):
    nothing of the request was kept, and the same request may succeed later. 507 Insufficient
    Storage for a full disk or quota, 503 for any other storage failure."""

    status_code = 503

    def __init__(self, message: str, *, field: str | None = None, errno: int | None = None):
        super().__init__(message, field=field)
        self.errno = errno
        if errno in FULL:
            self.status_code = 507

    @classmethod
    def of(cls, exc: OSError, *, field: str) -> "StorageUnavailable":
        if exc.errno in FULL:
            message = "the server's disk is full"
        else:
            message = f"the server could not store the file ({exc.strerror or exc})"
        return cls(
            f"{message}; nothing was saved, please try again later", field=field, errno=exc.errno
        )


class StaleTicket(TicketError):
    """The caller's copy of the ticket is stale: someone else changed the ticket since the
    version the caller's page or request was based on (`services.versions.check_version`).
    Nothing was done; the message says who changed what and when, `current` is the ticket's
    version now (the API answers it, as for a stale settings edit)."""

    status_code = 409

    def __init__(self, message: str, *, current: int, field: str | None = "version") -> None:
        super().__init__(message, field=field)
        self.current = current
