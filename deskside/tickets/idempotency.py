"""Idempotency keys: a request sent again with the same `Idempotency-Key` (a retry after a
timeout or a dropped connection) is answered with what the first one did, and does nothing
again.

A key belongs to one user and one request. With the key the desk stores what it was for: the
action (`create`, `reply`, `note`, `call`), the ticket, the reply/note/call event it wrote,
and the SHA-256 of the canonical request (the action, the ticket it was on, and the request's
fields as JSON with sorted keys; related objects by id, files by name and size), so that

- the same key with the same request replays the first result (`Once.replayed`) and writes
  nothing;
- the same key with a different request (another body, another ticket, another action) is
  refused: `IdempotencyConflict` (409) naming the key, never the first result for a request
  that was not its;
- a key longer than MAX_KEY characters is refused (422), never cut: two keys that share
  their first 200 characters must not collide.

Racing duplicates (two requests with one key at the same time) end with one result: each
runs in its own transaction, whose last write is the key's row; the unique (user, key)
constraint lets one commit, and the other rolls back everything it wrote (its reply, the
mail the reply queued) and replays the winner's, on PostgreSQL and on SQLite alike.
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction

from deskside.accounts.models import User
from deskside.tickets.exceptions import IdempotencyConflict, InvalidInput
from deskside.tickets.models import IdempotencyKey, Ticket, TicketEvent

FIELD = "Idempotency-Key"
MAX_KEY = 200

R = TypeVar("R", Ticket, TicketEvent)


@dataclass(frozen=True)
class Once(Generic[R]):
    """What a keyed request did: the ticket or event, and whether it was a replay."""

    result: R
    replayed: bool = False


def clean_key(key: str) -> str:
    """The key without surrounding blanks; InvalidInput (422) when empty or too long."""
    key = key.strip()
    if not key:
        raise InvalidInput("the idempotency key is empty", field=FIELD)
    if len(key) > MAX_KEY:
        raise InvalidInput(
            f"the idempotency key is longer than {MAX_KEY} characters ({len(key)})", field=FIELD
        )
    return key


def _canonical(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, UploadedFile):
        return [value.name, value.size]
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_canonical(v) for v in value]
    return value


def fingerprint(action: str, ticket: Ticket | None, fields: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical request (see the module docstring)."""
    canonical = {"action": action, "ticket": ticket.pk if ticket else None, **_canonical(fields)}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def once(
    *,
    actor: User,
    key: str | None,
    action: str,
    ticket: Ticket | None,
    fields: Mapping[str, Any],
    run: Callable[[], R],
) -> Once[R]:
    """Run `run` (one service call, which writes a ticket or one event) in a transaction, once
    per `key`.

    Without a key, `run` simply runs. With one: the first request's result is replayed for
    the same request, IdempotencyConflict is raised for a different one (see the module
    docstring). `run` and the key's row commit together or not at all, so a request that
    failed (a 4xx) leaves its key free for the corrected request."""
    if key is None:
        with transaction.atomic():
            return Once(run())
    key = clean_key(key)
    digest = fingerprint(action, ticket, fields)
    if (row := _row(actor, key)) is not None:
        return _replay(row, key, action, digest)
    try:
        with transaction.atomic():
            result = run()
            event = result if isinstance(result, TicketEvent) else None
            IdempotencyKey.objects.create(
                user=actor,
                key=key,
                action=action,
                request_hash=digest,
                ticket=event.ticket if event is not None else result,
                event=event,
            )
    except IntegrityError:
        # Another request with this key committed first: answer as it did.
        if (row := _row(actor, key)) is not None:
            return _replay(row, key, action, digest)
        raise
    return Once(result)


def _row(actor: User, key: str) -> IdempotencyKey | None:
    return (
        IdempotencyKey.objects.filter(user=actor, key=key).select_related("ticket", "event").first()
    )


def _replay(row: IdempotencyKey, key: str, action: str, digest: str) -> Once[Any]:
    # A row kept from before requests were fingerprinted has no hash: it replays, as it did.
    if row.request_hash and row.request_hash != digest:
        what = "another action" if row.action != action else "a different request"
        raise IdempotencyConflict(
            f"the Idempotency-Key {key!r} was already used for {what} ({row.action}); "
            "send a new key for a new request",
            field=FIELD,
        )
    return Once(cast(Any, row.event if row.event_id else row.ticket), replayed=True)
