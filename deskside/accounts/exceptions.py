"""Errors raised by the directory's services. `field` names the input that was wrong."""

from deskside.core.exceptions import DomainError


class AccountsError(DomainError):
    """Base class. Adapters turn it into a 4xx body (422), a form error or a CLI message."""

    status_code = 422


class InvalidInput(AccountsError):
    """An argument was missing, malformed or inconsistent."""
