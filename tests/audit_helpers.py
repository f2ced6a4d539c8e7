"""Reading the audit entries a test's action wrote (deskside.core.audit)."""

import json

from django.db.models import Max

from deskside.core.models import AuditEntry


def mark() -> int:
    """The newest entry's id now: the entries written after it are the action's."""
    return AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0


def since(start: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=start).order_by("id"))


def only(start: int) -> AuditEntry:
    """The one entry written since `start` (fails when there are none or several)."""
    rows = since(start)
    assert len(rows) == 1, [(e.action, e.object_type, e.object_id) for e in rows]
    return rows[0]


def stored_text() -> str:
    """Every entry's stored values as one text, to look for secrets in."""
    return json.dumps(
        [
            [e.actor_label, e.object_id, e.object_label, e.before, e.after]
            for e in AuditEntry.objects.all()
        ]
    )
