"""The audit log: who changed which piece of the desk's configuration, and how.

Setup services (contracts and calendars, paging rules and escalation policies, on-call
schedules, integrations, webhooks, teams, roles, the security policy, mailboxes and
templates) call `record` inside their own transaction, so an entry exists exactly when the
change was committed: a service that fails writes none. As in Zulip's RealmAuditLog, the
entry names the actor and a verb; as in NetBox's ObjectChange, it keeps the object's fields
before and after (for an update, only the fields that changed: `changes`).

Core knows no app: callers pass the object's type as "app.model" ("sla.contract"), the
public id their API uses (a public id, slug or number; a primary key only where the API and
pages show one, as for on-call layers and overrides), a label, and dicts of fields, usually
made with `snapshot(instance, fields)`. Who may read the log is a role, so accounts says:
the page is deskside/accounts/views.py `audit_log` (administrators), the API
`GET /api/v1/audit` in deskside/accounts/api.py.

Secrets never reach the table: a field whose name looks like a secret (`SECRET_MARKERS`:
webhook signing secrets, integration tokens, mailbox passwords ...) is stored as
`REDACTED` when it has a value, by `snapshot` and again by `record` for any dict key, at any
depth. A rotated secret is therefore recorded as a verb ("secret_rotated") with no values.
"""

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet

from deskside.core import clock
from deskside.core.models import AuditEntry

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"
OTHER_ACTIONS = (
    "roles_changed",
    "secret_rotated",
    "token_regenerated",
    "feed_regenerated",
    "mfa_reset",
    "password_changed",
    "reset",
    "deactivated",
    "reactivated",
    "imported",
)
"""The services' own verbs (listed for the page's filter; record takes any verb)."""

REDACTED = "[redacted]"
SECRET_MARKERS = ("secret", "password", "passwd", "token", "api_key", "credential", "private")
"""Substrings of a field name (lower-cased) whose value is never stored."""

REF_ATTRIBUTES = ("email", "slug", "number", "public_id")
"""How a related object is named in a snapshot: the first of these it has, else its pk (a
person by e-mail address, which people read; the rest by the name the API uses)."""


def is_secret(name: str) -> bool:
    """Whether a field called `name` holds a secret (see SECRET_MARKERS)."""
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


def ref(obj: models.Model | None) -> str | None:
    """The public name of a related object (see REF_ATTRIBUTES), or None."""
    if obj is None:
        return None
    for attribute in REF_ATTRIBUTES:
        value = getattr(obj, attribute, None)
        if value not in (None, ""):
            return str(value)
    return str(obj.pk)


def jsonable(value: Any) -> Any:
    """`value` as JSON-safe data: times in ISO 8601, decimals as strings, objects by `ref`."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return ref(value)
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if is_secret(str(k)) and v else jsonable(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of `instance` as JSON-safe values, secrets redacted.

    A foreign key is the related object's public name (`ref`), a many-to-many field (or the
    reverse of a foreign key) the sorted list of them; a name that is not a model field (a
    property) is read as is."""
    out: dict[str, Any] = {}
    for name in fields:
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:  # a property or a plain attribute
            field = None
        if field is not None and (field.many_to_many or field.one_to_many):
            value: Any = (
                sorted(ref(o) or "" for o in getattr(instance, name).all()) if instance.pk else []
            )
        elif field is not None and field.is_relation and field.concrete:
            value = ref(getattr(instance, name))
        else:
            value = jsonable(getattr(instance, name))
        out[name] = REDACTED if is_secret(name) and value not in (None, "") else value
    return out


def changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ between two snapshots: (their old values, their new values).

    A key present on one side only counts as changed (its other value is None)."""
    before = before or {}
    after = after or {}
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key in list(before) + [k for k in after if k not in before]:
        if before.get(key) != after.get(key):
            old[key] = before.get(key)
            new[key] = after.get(key)
    return old, new


def _actor(actor: Any) -> tuple[Any, str]:
    if actor is None or getattr(actor, "pk", None) is None:
        return None, ""
    label = getattr(actor, "email", "") or str(actor)
    return actor, label[:254]


def record(
    actor: Any,
    action: str,
    obj_type: str,
    obj_id: str,
    *,
    label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry (call it inside the service's transaction).

    `actor` is the user who acted, or None for the system (a command, the demo seeder);
    `action` a verb (CREATED, UPDATED, DELETED or one of the service's own, such as
    "secret_rotated"); `before`/`after` dicts of fields (for an update, pass `changes`).
    Secret-looking keys are redacted at any depth."""
    user, actor_label = _actor(actor)
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_label,
        action=action[:40],
        object_type=obj_type[:60],
        object_id=str(obj_id or "")[:100],
        object_label=str(label or "")[:200],
        before=jsonable(dict(before)) if before is not None else None,
        after=jsonable(dict(after)) if after is not None else None,
        created_at=clock.now(),
    )


def record_update(
    actor: Any,
    obj_type: str,
    obj_id: str,
    *,
    label: str = "",
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    action: str = UPDATED,
) -> AuditEntry | None:
    """Record an update with only the changed fields; nothing when no field changed."""
    old, new = changes(before, after)
    if not old and not new:
        return None
    return record(actor, action, obj_type, obj_id, label=label, before=old, after=new)


def entries(
    *,
    actor: str | int | None = None,
    object_type: str | None = None,
    action: str | None = None,
    object_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, narrowed by the page's and the API's filters.

    `actor` is a user's id or (part of) the kept actor label (an e-mail address)."""
    qs = AuditEntry.objects.select_related("actor")
    if actor not in (None, ""):
        text = str(actor).strip()
        if text.isdigit():
            qs = qs.filter(actor_id=int(text)) if len(text) <= 18 else qs.none()
        else:
            qs = qs.filter(actor_label__icontains=text)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if action:
        qs = qs.filter(action=action)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.order_by("-created_at", "-id")


def object_types() -> list[str]:
    """The object types that have entries (for the page's filter)."""
    return list(
        AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


def shown(value: Any) -> str:
    """A stored value as the page shows it: text as is, "–" for none, the rest as JSON."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff_rows(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field of an entry, as text, for a readable diff."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    keys = list(before) + [k for k in after if k not in before]
    return [(key, shown(before.get(key)), shown(after.get(key))) for key in keys]
