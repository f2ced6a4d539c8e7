"""The one root of the errors the services raise: `DomainError(message, field=None, status=None)`.

Each app keeps its own root (`TicketError`, `SlaError`, `AccountsError`, `AlertError`,
`DutyError`, `PagingError`, `WebhookError` ...), derived from `DomainError`, and its own
subclasses with their status. The adapters know only this class:

- the API answers `{"detail": message, "field": field}` with `status_code`
  (`deskside.api.domain_error`, one handler for every app);
- the pages put it on the form (`deskside.core.forms.add_domain_error`, `DomainErrors`);
- the command line prints the message and exits 2.

`field` names the input at fault (None: the request as a whole); `status_code` is the HTTP
status an adapter answers with, a class attribute that `status=` overrides for one error.
"""


class DomainError(Exception):
    """A service refused: `message` for a person, `field` the input at fault, `status_code`."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status_code = status
