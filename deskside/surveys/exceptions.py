"""The surveys app's errors: one root, derived from core.exceptions.DomainError."""

from deskside.core.exceptions import DomainError


class SurveyError(DomainError):
    """Root of the surveys errors."""


class InvalidInput(SurveyError):
    """A rating that is not good, okay or bad; a comment too long (422, names the field)."""

    status_code = 422


class BadLink(SurveyError):
    """A survey link whose signature does not match: altered, cut short, or made up (400)."""

    status_code = 400


class Expired(SurveyError):
    """The survey closed ANSWER_DAYS after the resolution it asks about (410)."""

    status_code = 410


class AlreadyAnswered(SurveyError):
    """The survey has its answer: one per ticket (409)."""

    status_code = 409


class NotAllowed(SurveyError):
    """Someone other than the requester, or a customer where agents only may act (403)."""

    status_code = 403


class Done(SurveyError):
    """A follow-up that was completed already (409)."""

    status_code = 409
