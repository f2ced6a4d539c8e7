"""The reports' errors: one root, derived from the core domain error (message, field, status)."""

from deskside.core.exceptions import DomainError


class ReportsError(DomainError):
    """Root of the reports app's errors."""


class InvalidInput(ReportsError):
    status_code = 400


class Forbidden(ReportsError):
    status_code = 403


class NotFound(ReportsError):
    status_code = 404
