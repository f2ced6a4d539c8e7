"""Errors raised by the knowledge-base services. They derive from core's DomainError, which
deskside.api maps to a 4xx JSON body naming the field; the pages show them as form errors."""

from deskside.core.exceptions import DomainError


class KbError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(KbError):
    """An argument was missing or malformed (an empty title, a file over the size limit ...)."""

    status_code = 422


class NotAllowed(KbError):
    """The actor may not do this (a customer writing, an agent publishing a public article)."""

    status_code = 403


class InvalidState(KbError):
    """The object's state refuses the step (a draft from a ticket that is not resolved)."""

    status_code = 409
