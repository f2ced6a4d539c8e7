"""Errors raised by the directory's services. `field` names the input that was wrong."""


class AccountsError(Exception):
    """Base class. Adapters turn it into a 4xx body, a form error or a CLI message."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(AccountsError):
    """An argument was missing, malformed or inconsistent."""
