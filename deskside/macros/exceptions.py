"""Errors raised by the macro services. They derive from core's DomainError, which
deskside.api maps to a 4xx JSON body naming the field; the pages show them as form errors.
The ticket services' own errors (a transition refused, a watcher who does not serve the
client) pass through `apply_macro` unchanged."""

from deskside.core.exceptions import DomainError


class MacroError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(MacroError):
    """An argument was missing or malformed (an unknown placeholder, an empty body ...)."""

    status_code = 422


class NotAllowed(MacroError):
    """The actor may not do this (managing a global macro needs the admin role)."""

    status_code = 403


class Inactive(MacroError):
    """The macro was deactivated: it can no longer be applied."""

    status_code = 409
