"""The mail channel's operations by people: work the quarantine (reprocess, discard), send an
outgoing mail again, create and change mailboxes, edit and reset the texts of outgoing mail.

Every one is an administrator's (an active agent with `is_staff`): others get NotAllowed.
Each is one transaction (reprocessing: the pipeline's own, after it has read the original and
checked the sender outside it), and takes the acting user first, for the audit entry.
Raises the mail app's errors (deskside.mail.exceptions), and, for settings edited from a page
drawn earlier, VersionConflict or Gone (deskside.core.versioning).
"""

from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from deskside.accounts.models import User
from deskside.accounts.permissions import is_admin
from deskside.core import audit, clock, versioning
from deskside.mail import outbound, pipeline, templates
from deskside.mail.exceptions import InvalidInput, NotAllowed
from deskside.mail.models import (
    InboundMessage,
    Mailbox,
    MailKind,
    MailTemplate,
    OutboundMail,
    Outcome,
)

# The settings of a mailbox people edit (the pages, the Django admin); never the poller's
# own fields (last poll, last error), which a save must not write back.
MAILBOX_FIELDS = (
    "name",
    "address",
    "is_active",
    "protocol",
    "host",
    "port",
    "username",
    "password_env",
    "folder",
    "after_import",
    "processed_folder",
    "organization",
    "team",
    "priority",
    "unknown_senders",
    "unverified_mail",
    "reopen_days",
    "poll_seconds",
)


def _require_admin(actor: User, what: str) -> None:
    if not is_admin(actor):
        raise NotAllowed(f"only administrators may {what}")


# -- the quarantine ----------------------------------------------------------------------------


def _not_held(message: InboundMessage) -> InvalidInput:
    return InvalidInput(f"the message is not in quarantine ({message.outcome})", field="outcome")


def reprocess_message(
    *, actor: User, message: InboundMessage, as_note: bool = False
) -> pipeline.Result:
    """Run a held message through the pipeline again (`pipeline.reprocess`); one that fails
    again stays held with its new reason (`result.failed`). With `as_note`, a message whose
    sender is not verified is taken as an internal note marked "sender not verified" (the
    mailbox's `note` policy, for this message only): it still never acts as its sender.

    Raises NotAllowed for a non-administrator, InvalidInput (field "outcome") for a message
    no longer in quarantine. The pipeline re-checks that under its row lock, so two
    administrators reprocessing at once act once."""
    _require_admin(actor, "reprocess mail")
    if message.outcome != Outcome.QUARANTINED:
        raise _not_held(message)
    policy = None
    if as_note:
        policy = replace(
            pipeline.Policy.restore(message.mailbox, message.options),
            unverified_mail=Mailbox.UnverifiedMail.NOTE,
        )
    return pipeline.reprocess(message, actor=actor, policy=policy)


@transaction.atomic
def discard_message(*, actor: User, message: InboundMessage) -> InboundMessage:
    """Drop a held message for good: its row says who discarded it and when; its original
    stays downloadable for administrators. Returns the message as it is now.

    Raises NotAllowed for a non-administrator, InvalidInput (field "outcome") for a message
    no longer in quarantine (read under a row lock)."""
    _require_admin(actor, "discard mail")
    row = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if row.outcome != Outcome.QUARANTINED:
        raise _not_held(row)
    pipeline.discard(row, actor=actor)
    row.refresh_from_db()
    return row


# -- the outbox --------------------------------------------------------------------------------


@transaction.atomic
def retry_mail(*, actor: User, mail: OutboundMail) -> bool:
    """Queue a failed mail, or one whose outcome is unknown, to be sent again now
    (`outbound.requeue`: the customer may get it twice). False, and nothing changed, when the
    mail is in neither state. Raises NotAllowed for a non-administrator."""
    _require_admin(actor, "send mail again")
    return outbound.requeue(mail, actor=actor)


# -- mailboxes ---------------------------------------------------------------------------------


def _apply(mailbox: Mailbox, values: dict[str, Any], password: str | None) -> None:
    unknown = set(values) - set(MAILBOX_FIELDS)
    if unknown:
        raise InvalidInput(f"not a mailbox setting: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(mailbox, name, value)
    if password is not None:
        mailbox.set_password(password)


@transaction.atomic
def create_mailbox(*, actor: User, values: dict[str, Any], password: str = "") -> Mailbox:
    """Create a mailbox from `values` (validated settings, names from MAILBOX_FIELDS) and its
    `password` (stored encrypted; empty for none). Raises NotAllowed for a non-administrator,
    InvalidInput for a name that is not a setting."""
    _require_admin(actor, "change the mail settings")
    mailbox = Mailbox()
    _apply(mailbox, values, password)
    mailbox.save()
    audit.record(
        actor,
        audit.CREATED,
        "mail.mailbox",
        str(mailbox.pk),
        label=mailbox.name,
        after=audit.snapshot(mailbox, MAILBOX_FIELDS),
    )
    return mailbox


@transaction.atomic
def update_mailbox(
    *,
    actor: User,
    mailbox: Mailbox,
    values: dict[str, Any],
    password: str | None = None,
    version: int | None = None,
) -> Mailbox:
    """Change `mailbox`'s settings to `values` (names from MAILBOX_FIELDS): `password` None
    keeps the stored one, "" clears it, anything else replaces it. One conditional UPDATE at
    `version` (the one the page was drawn from; None: the one `mailbox` was loaded at), so a
    mailbox changed since raises VersionConflict and a deleted one Gone: it is never
    re-inserted, and the poller's own fields are never written back. Raises NotAllowed for a
    non-administrator, InvalidInput for a name that is not a setting."""
    _require_admin(actor, "change the mail settings")
    old = audit.snapshot(mailbox, MAILBOX_FIELDS)
    _apply(mailbox, values, password)
    if version is not None:
        mailbox.version = version
    versioning.save(mailbox, [*MAILBOX_FIELDS, "password_encrypted"])
    mailbox_id, label = str(mailbox.pk), mailbox.name
    after = audit.snapshot(mailbox, MAILBOX_FIELDS)
    audit.record_update(actor, "mail.mailbox", mailbox_id, label=label, before=old, after=after)
    if password is not None:  # the password itself is never recorded: only that it changed
        audit.record(actor, "password_changed", "mail.mailbox", mailbox_id, label=label)
    return mailbox


# -- the texts of outgoing mail ----------------------------------------------------------------


def check_text(subject: str, body: str) -> str:
    """`templates.check`, and any other error rendering raises (a missing template in
    `{% include %}` is not a syntax error) as text too; empty when the text is fine."""
    try:
        return templates.check(subject, body)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _kind(kind: str) -> MailKind:
    try:
        return MailKind(kind)
    except ValueError:
        raise InvalidInput(f"no kind of mail {kind!r}", field="kind") from None


@transaction.atomic
def save_template(
    *, actor: User, kind: str, subject: str, body: str, version: int | None = None
) -> None:
    """Store the text of `kind` (the default text deletes the edited one), if the text in
    force is still the one the editor saw: `version` is its version, 0 for the built-in
    text, None not to check. Raises VersionConflict (with the version now in force, 0 for
    the built-in text) otherwise, so two admins editing at once never silently undo each
    other, and a text reset meanwhile is not brought back unseen. Raises NotAllowed for a
    non-administrator, InvalidInput for an unknown kind or a text that does not render."""
    _require_admin(actor, "change the texts of outgoing mail")
    kind = _kind(kind)
    if not body.strip():
        raise InvalidInput("the mail needs a text", field="body")
    if error := check_text(subject, body):
        raise InvalidInput(error)
    default = templates.DEFAULTS[kind]
    row = MailTemplate.objects.select_for_update().filter(kind=kind).first()
    now_at = row.version if row else 0
    if version is not None and version != now_at:
        raise versioning.VersionConflict(now_at, "this text")
    audit.record_update(
        actor,
        "mail.template",
        kind.value,
        label=kind.label,
        before={"subject": row.subject, "body": row.body}
        if row
        else {"subject": default.subject, "body": default.body},
        after={"subject": subject, "body": body},
    )
    if (subject, body) == (default.subject, default.body):
        MailTemplate.objects.filter(kind=kind).delete()  # the default, kept up to date
        return
    values = {"subject": subject, "body": body, "updated_at": clock.now(), "updated_by": actor}
    if row is not None:
        MailTemplate.objects.filter(pk=row.pk).update(**values, version=F("version") + 1)
        return
    try:
        with transaction.atomic():
            MailTemplate.objects.create(kind=kind, **values)
    except IntegrityError:  # another admin's first edit won (PostgreSQL, unlocked gap)
        raise versioning.VersionConflict(templates.version_of(kind), "this text") from None


@transaction.atomic
def reset_template(*, actor: User, kind: str, version: int | None = None) -> bool:
    """Back to the built-in text of `kind` (True if an edited one was deleted). With
    `version`, only the edited text the admin saw is deleted (VersionConflict if it changed
    since). Raises NotAllowed for a non-administrator, InvalidInput for an unknown kind."""
    _require_admin(actor, "change the texts of outgoing mail")
    rows = MailTemplate.objects.select_for_update().filter(kind=_kind(kind))
    row = rows.first()
    if row is None:
        return False
    if version is not None and version != row.version:
        raise versioning.VersionConflict(row.version, "this text")
    rows.delete()
    audit.record(
        actor,
        "reset",
        "mail.template",
        row.kind,
        label=MailKind(row.kind).label,
        before={"subject": row.subject, "body": row.body},
    )
    return True
