"""Errors raised by the triage services. They derive from core's DomainError, which
deskside.api maps to a 4xx JSON body naming the field; the pages show them as messages."""

from deskside.core.exceptions import DomainError


class TriageError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(TriageError):
    """An unknown field or value, a threshold out of range, a client not served."""

    status_code = 422


class NotAllowed(TriageError):
    """Suggestions are for agents; the model's figures and settings for administrators."""

    status_code = 403


class NoModel(TriageError):
    """No model has been trained yet (or the history was too small for one)."""

    status_code = 409
