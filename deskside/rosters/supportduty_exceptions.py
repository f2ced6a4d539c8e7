"""Errors of the support-duty services (`supportduty`). They derive from core's DomainError,
which deskside.api maps to `{"detail", "field"}` with the class's 4xx status; the pages turn
them into form errors on the same page.

(Kept apart from the roster editor's `rosters.exceptions` so the two parts of the app were
written side by side; when both are on main, `SupportDutyError` may derive from its root.)
"""

from deskside.core.exceptions import DomainError


class SupportDutyError(DomainError):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 400


class InvalidInput(SupportDutyError):
    """A bad mode, period, hand-off time or zone, or a member who is not an active agent of
    the team (or named twice, or none for a fixed or rotational duty)."""

    status_code = 422


class NotAllowed(SupportDutyError):
    """Only an administrator or the team's lead changes a team's support duty; only agents
    read it."""

    status_code = 403
