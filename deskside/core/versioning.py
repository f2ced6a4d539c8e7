"""Optimistic versions for settings rows: an edit never undoes another one it did not see, and
never brings a deleted row back.

Every settings row that people edit (webhooks, contact methods, escalation policies and rules,
integrations, mailboxes, mail texts, on-call schedules and layers, SLA contracts and calendars)
has a `version` column (`version_field()`), 1 when created and one more at each change. A page
sends the version it was drawn from in a hidden field (`VersionFormField`), an API client the
`version` it read (optional in the API: without it the edit applies to whatever is current, but
still changes only the fields it names). A service then:

1. `lock(instance, expected, live=...)`: reloads the row FOR UPDATE (on PostgreSQL; SQLite's
   IMMEDIATE transactions serialise writers anyway) into the instance, so the fields it does
   not change are the current ones, not those of the stale copy the caller loaded; raises
   `Gone` when the row was deleted (or no longer matches `live`, e.g. `deleted_at=None`) and
   `VersionConflict` when it is at another version than the one the editor saw;
2. changes the instance's fields and writes them with `save(instance, fields)`: one
   conditional UPDATE of those fields and `version = version + 1` where the primary key and
   the version read match. It never INSERTs (unlike `Model.save()` on a row deleted in the
   meantime), so a deleted row stays deleted; 0 rows updated is `Gone` or `VersionConflict`.

A secret or token rotation is a read-modify-write of its own: it `lock`s the row (no expected
version) and `save`s, so it bumps the version and every edit drawn before it is refused.

A delete `lock`s the row first; a write that needs another row to stay (an alert needs its
integration, an override its schedule, a rule its policy, a contract its calendar) `hold`s it
(FOR KEY SHARE on PostgreSQL), so a delete and such a write racing each other end with one of
them refused cleanly (Gone, or the app's "in use" error) instead of a foreign-key failure at
commit (a 500).

`VersionConflict` is answered 409 by the API with the current version
(`{"detail", "field": "version", "version": n}`), and as a form error by the pages, which show
the current values and keep what the user typed (`conflict_message`); `Gone` is a 404.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, models, router
from django.db.models import F, signals
from django.http import Http404

M = TypeVar("M", bound=models.Model)

CONFLICT = "changed by someone else since you opened it"


class VersionConflict(Exception):
    """The row is at another version than the one the edit was drawn from (409)."""

    status_code = 409
    field = "version"

    def __init__(self, current: int, what: str = "this item") -> None:
        self.current = current
        self.message = f"{what} was {CONFLICT} (now at version {current}): reload and try again"
        super().__init__(self.message)


class Gone(Http404):
    """The row was deleted (or archived) since the edit was drawn: a 404 on the pages and in
    the API, as for any row that is not there."""

    status_code = 404
    field = None

    def __init__(self, what: str = "this item") -> None:
        self.message = f"{what} no longer exists: it was deleted"
        super().__init__(self.message)


def version_field() -> models.PositiveIntegerField:
    """The `version` column: 1 when the row is created, one more at each change."""
    return models.PositiveIntegerField(
        default=1, editable=False, help_text="Bumped by each change (optimistic concurrency)."
    )


def _label(instance: models.Model) -> str:
    """ "webhook Acme ITSM"; the kind alone when the row's name needs a row that is gone."""
    try:
        return f"{instance._meta.verbose_name} {instance}"
    except ObjectDoesNotExist:
        return f"this {instance._meta.verbose_name}"


def lock(instance: M, expected: int | None = None, *, live: dict[str, Any] | None = None) -> M:
    """Reload `instance` from its row, locked for this transaction, and check it.

    Raises `Gone` if the row is no longer there (or does not match `live`) and
    `VersionConflict` if `expected` is given and differs from the row's version. Call inside
    `transaction.atomic`."""
    model = type(instance)
    what = _label(instance)
    rows = model._default_manager.select_for_update().filter(**(live or {}))
    try:
        instance.refresh_from_db(from_queryset=rows)
    except model.DoesNotExist:
        raise Gone(what) from None
    if expected is not None and instance.version != expected:
        raise VersionConflict(instance.version, what)
    return instance


def save(
    instance: models.Model, fields: Iterable[str], *, live: dict[str, Any] | None = None
) -> None:
    """Write `fields` of `instance` and bump its version, if the row is still at the version
    the instance holds (and matches `live`); never inserts. Raises `Gone` or `VersionConflict`
    (nothing written) otherwise. Sends `post_save` (with `update_fields`) as `Model.save`
    does."""
    model = type(instance)
    fields = list(fields)
    values: dict[str, Any] = {}
    for name in fields:
        field = model._meta.get_field(name)
        values[field.attname] = getattr(instance, field.attname)
    version = instance.version
    rows = model._default_manager.filter(pk=instance.pk, **(live or {}))
    if rows.filter(version=version).update(**values, version=F("version") + 1) == 0:
        current = rows.values_list("version", flat=True).first()
        if current is None:
            raise Gone(_label(instance))
        raise VersionConflict(current, _label(instance))
    instance.version = version + 1
    # As Model.save(update_fields=...) would: the receivers that drop caches keep working.
    signals.post_save.send(
        sender=model,
        instance=instance,
        created=False,
        update_fields=frozenset([*fields, "version"]),
        raw=False,
        using=router.db_for_write(model, instance=instance),
    )


def hold(instance: models.Model) -> bool:
    """Keep the row from being deleted until this transaction ends, without holding back its
    edits or other holders; False if it is already gone. For a write that needs its parent
    to exist (an alert of an integration): on PostgreSQL `SELECT ... FOR KEY SHARE`, which a
    delete's `lock` (FOR UPDATE) waits for and which waits for that delete; on SQLite the
    IMMEDIATE transactions serialise writers, so an existence check is enough. Call inside
    `transaction.atomic`."""
    model = type(instance)
    using = router.db_for_write(model, instance=instance)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return model._default_manager.using(using).filter(pk=instance.pk).exists()
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE {column} = %s FOR KEY SHARE",  # noqa: S608 - quoted names
            [instance.pk],
        )
        return cursor.fetchone() is not None


class VersionFormField(forms.IntegerField):
    """The hidden field of a settings form holding the version the page was drawn from.
    Optional, so that a form posted without it still works (applies to the current row); the
    pages always send it."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


def posted_version(data: Any, name: str = "version") -> int | None:
    """The version a hand-written page form posted (None when absent or not a number)."""
    try:
        value = int(data.get(name, ""))
    except (TypeError, ValueError):
        return None
    return value if value >= 1 else None


def conflict_message(current: dict[str, Any], labels: dict[str, str] | None = None) -> list[str]:
    """The form error of a conflict: the message, then the row's current values ("Name: X"),
    so the user can compare them with their own input, which the form keeps."""
    lines = [
        f"This was {CONFLICT}. Its current values are below; your changes are kept in the "
        "form: save again to replace them."
    ]
    for name, value in current.items():
        if name == "version":
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value) or "(none)"
        elif value in (None, ""):
            value = "(empty)"
        label = (labels or {}).get(name, name.replace("_", " ").capitalize())
        lines.append(f"{label} now: {value}")
    return lines


def form_conflict(form: forms.Form, error: VersionConflict, current: dict[str, Any]) -> None:
    """Show a conflict on a bound form: a form error with the current values (labelled as
    the form labels its fields), the user's input kept, the hidden version moved on."""
    labels = {name: str(form[name].label) for name in form.fields}
    form.add_error(None, conflict_message(current, labels))
    rebind(form, error.current)


def rebind(form: forms.Form, version: int) -> None:
    """Keep the user's input in `form` but point its hidden version at the current one, so
    that saving again (after reading the current values) replaces them deliberately."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data
