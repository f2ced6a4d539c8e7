"""Form helpers shared by the apps' pages.

`add_domain_error` puts a service's refusal (`deskside.core.exceptions.DomainError`) on a
bound form: on the field it names when the form shows that field, otherwise on the form as a
whole (a non-field error). `DomainErrors` is the same as a form mixin, `form.add_service_error`;
a form whose field names differ from the service's overrides `service_field` to map them.
"""

from typing import Any

from deskside.core.exceptions import DomainError


def add_domain_error(form: Any, error: DomainError) -> None:
    """Add `error` to `form`, on the field it names if the form has that field."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class DomainErrors:
    """Mixin for a Django form: `add_service_error(error)` puts a DomainError on the form."""

    def service_field(self, field: str | None) -> str | None:
        """The form field a service's field name is about (None: the whole form)."""
        return field

    def add_service_error(self, error: DomainError) -> None:
        name = self.service_field(error.field)
        self.add_error(name if name in self.fields else None, error.message)  # type: ignore[attr-defined]
