"""Errors of the asset services, derived from core's DomainError (deskside.api answers them as
a 4xx JSON body naming the field; the pages show them as form errors; the CLI as one line with
exit code 2)."""

from deskside.core.exceptions import DomainError


class AssetError(DomainError):
    """Base class; `field` names the input at fault when there is one."""


class InvalidInput(AssetError):
    """An argument was missing or malformed."""

    status_code = 422


class NotAllowed(AssetError):
    """The actor may not do this (a customer; an agent who does not serve the client)."""

    status_code = 403


class InvalidTransition(AssetError):
    """The current state does not allow this change."""

    status_code = 409


class Disposed(AssetError):
    """The asset is disposed: it cannot be changed any more."""

    status_code = 409


class BadFile(AssetError):
    """An import file that cannot be read at all (not UTF-8, no header, too big)."""

    status_code = 422
