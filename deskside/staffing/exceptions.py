"""The staffing app's errors: one root, derived from core.exceptions.DomainError."""

from deskside.core.exceptions import DomainError


class StaffingError(DomainError):
    """Root of the staffing errors."""


class InvalidInput(StaffingError):
    """A calculation's input is out of range or malformed (400, names the field)."""

    status_code = 400


class Forbidden(StaffingError):
    """The user may not see the staffing of this team (403)."""

    status_code = 403
