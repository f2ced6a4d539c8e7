"""Errors raised by the review services, derived from core's DomainError (deskside.api
answers them as a 4xx JSON body naming the field; the pages show them beside the ticket)."""

from deskside.core.exceptions import DomainError


class ReviewError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(ReviewError):
    """An argument was missing or malformed."""

    status_code = 422


class NotAllowed(ReviewError):
    """The actor may not do this (customers; a setting changed by a non-admin)."""

    status_code = 403


class NotFound(ReviewError):
    """No such ticket, team or client (or one the actor may not see)."""

    status_code = 404


class AlreadyReviewed(ReviewError):
    """The ticket was already marked reviewed today."""

    status_code = 409
