"""Errors raised by the directory's services. They derive from core's DomainError, which
deskside.api maps to a 4xx JSON body naming the field; the pages show them as form errors and
the command line as one line with exit code 2. The accounts services this app calls raise
`deskside.accounts.exceptions.AccountsError` (a DomainError too): adapters catch DomainError."""

from deskside.core.exceptions import DomainError


class DirectoryError(DomainError):
    """Base class; `field` names the input at fault when there is one."""

    status_code = 422


class InvalidInput(DirectoryError):
    """An argument was missing, malformed or inconsistent (a site of another client ...)."""


class NotAllowed(DirectoryError):
    """The actor may not do this (a client they do not serve; agents and teams: admins)."""

    status_code = 403


class BadFile(DirectoryError):
    """An import file that cannot be read at all (not UTF-8, no header, a required column
    missing, too many rows): nothing was imported."""

    status_code = 422


class Conflict(DirectoryError):
    """The directory changed under the operation (an import's address taken meanwhile)."""

    status_code = 409
