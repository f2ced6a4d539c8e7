"""The email channel's records.

- `Mailbox`: an inbound mailbox (IMAP, or an address `deskside smtpd` receives for) and the
  defaults for the tickets its mail opens.
- `InboundMessage`: every message received, once (its `dedup_key`: the Message-ID, or the
  SHA-256 of the raw bytes for a message without one), with the raw bytes kept on disk, what
  became of it (`outcome`) and, for a message held in quarantine, why; and whether its sender
  was verified (`sender_check`, `deskside.mail.senders`).
- `MessageRef`: every Message-ID we received or sent, with its ticket: how replies find their
  ticket by `In-Reply-To` and `References`.
- `MailParticipant`: the To/Cc addresses of messages on a ticket (who is in its conversation).
- `OutboundMail`: the outbox. A row is written in the transaction of the event it is about and
  sent by the worker after that commit, with retries; a mail whose sending was cut off after
  the mail server may have taken it is "unknown", never sent again by itself.
- `MailTemplate`: an admin's edited text of an outgoing mail (built-in defaults otherwise).
"""

import os

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization, Team
from deskside.core import clock, crypto, versioning
from deskside.core.ids import new_public_id
from deskside.tickets.models import Priority, Ticket, TicketEvent

# The only environment variables a mailbox may take its password from: naming any other
# (DESKSIDE_SECRET_KEY, DATABASE_URL ...) would send its value to the server the admin names.
PASSWORD_ENV_PREFIX = "DESKSIDE_MAILBOX_"  # noqa: S105 - a name prefix, not a password


class Mailbox(models.Model):
    class Protocol(models.TextChoices):
        IMAPS = "imaps", "IMAP over TLS (port 993)"
        STARTTLS = "starttls", "IMAP with STARTTLS (port 143)"
        IMAP = "imap", "IMAP without encryption (local servers only)"
        DELIVERY = "delivery", "No polling: mail is delivered by deskside smtpd"

    class AfterImport(models.TextChoices):
        MOVE = "move", "Move to the processed folder"
        FLAG = "flag", "Mark as read (seen) and leave it"
        DELETE = "delete", "Delete from the server"

    class UnknownSenders(models.TextChoices):
        CREATE = "create", "Create a contact of the default organisation"
        QUARANTINE = "quarantine", "Hold the mail in quarantine for review"

    class UnverifiedMail(models.TextChoices):
        QUARANTINE = "quarantine", "Hold it in quarantine for review"
        NOTE = "note", 'Accept it as an internal note marked "sender not verified"'

    name = models.CharField(max_length=100, unique=True)
    address = models.EmailField(
        unique=True, help_text="The address customers write to (also the Reply-To of answers)."
    )
    protocol = models.CharField(max_length=10, choices=Protocol.choices, default=Protocol.IMAPS)
    host = models.CharField(max_length=200, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the default.")
    username = models.CharField(max_length=200, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)
    password_env = models.CharField(
        max_length=100,
        blank=True,
        help_text="Name of an environment variable holding the password (instead of storing it).",
    )
    folder = models.CharField(max_length=200, default="INBOX")
    after_import = models.CharField(
        max_length=10, choices=AfterImport.choices, default=AfterImport.FLAG
    )
    processed_folder = models.CharField(max_length=200, default="Deskside")
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Client of new contacts from unknown senders (when they are created).",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(
        choices=[(p.value, p.label) for p in (Priority.P2, Priority.P3, Priority.OPS)],
        default=Priority.P3,
    )
    unknown_senders = models.CharField(
        max_length=10, choices=UnknownSenders.choices, default=UnknownSenders.QUARANTINE
    )
    unverified_mail = models.CharField(
        "mail from unverified senders",
        max_length=10,
        choices=UnverifiedMail.choices,
        default=UnverifiedMail.QUARANTINE,
        help_text="Mail whose sender fails verification (DKIM, SPF, DMARC or a trusted "
        "Authentication-Results), or has nothing that verifies it. It never acts as an agent, "
        "whichever is chosen.",
    )
    reopen_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="A reply this many days or fewer after resolution reopens the ticket; later "
        "replies, and replies to closed tickets, open a follow-up linked to it.",
    )
    poll_seconds = models.PositiveIntegerField(default=60)
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def polls(self) -> bool:
        return self.protocol != self.Protocol.DELIVERY

    def set_password(self, raw: str) -> None:
        self.password_encrypted = crypto.encrypt("mailbox-password", raw)

    def password(self) -> str:
        """The IMAP password: from the named environment variable (which must start with
        PASSWORD_ENV_PREFIX, checked here again for rows saved before that rule), else the
        stored one.
        Raises ValueError with a clear message when neither can be had."""
        if self.password_env:
            if not self.password_env.startswith(PASSWORD_ENV_PREFIX):
                raise ValueError(
                    f"the environment variable {self.password_env} may not be used: only "
                    f"variables named {PASSWORD_ENV_PREFIX}... may hold a mailbox password "
                    "(rename the variable, or store the password)"
                )
            value = os.environ.get(self.password_env)
            if value is None:
                raise ValueError(f"the environment variable {self.password_env} is not set")
            return value
        if not self.password_encrypted:
            return ""
        try:
            return crypto.decrypt("mailbox-password", self.password_encrypted)
        except crypto.Unreadable:
            raise ValueError(
                "the stored password cannot be decrypted (the secret key changed?): enter it again"
            ) from None


class Outcome(models.TextChoices):
    CREATED = "created", "Opened a ticket"
    APPENDED = "appended", "Added to a ticket"
    FOLLOW_UP = "follow_up", "Opened a follow-up ticket"
    AUTO_REPLY = "auto_reply", "Automatic mail (no ticket, no answer)"
    OWN_MAIL = "own_mail", "Our own mail coming back (ignored)"
    QUARANTINED = "quarantined", "Held in quarantine"
    DISCARDED = "discarded", "Discarded from quarantine"


class Source(models.TextChoices):
    IMAP = "imap", "IMAP"
    SMTP = "smtp", "SMTP delivery"
    LMTP = "lmtp", "LMTP delivery"
    IMPORT = "import", "Import"
    API = "api", "REST API"


class SenderCheck(models.TextChoices):
    PASS = "pass", "Sender verified"
    FAIL = "fail", "Sender not verified (failed)"
    NONE = "none", "Sender not verified (nothing to verify)"


def raw_path(digest: str) -> str:
    """Raw messages are stored by content: the same bytes twice are one file."""
    return f"mail/{digest[:2]}/{digest}.eml"


class InboundMessage(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    dedup_key = models.CharField(max_length=255, unique=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the raw message.")
    message_id = models.CharField(max_length=255, blank=True)
    raw = models.FileField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=250, blank=True)
    received_at = models.DateTimeField(default=clock.now)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=40, blank=True, help_text="Why: a short code.")
    detail = models.TextField(blank=True, help_text="Why, for people: the error or the rule.")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        TicketEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The reply or automatic-mail note it added; none when it opened the ticket.",
    )
    html = models.TextField(blank=True, help_text="The HTML part, sanitised, for display.")
    sender_check = models.CharField(
        max_length=4,
        choices=SenderCheck.choices,
        blank=True,
        help_text="Sender verification (deskside.mail.senders); empty: not checked.",
    )
    sender_check_reason = models.CharField(max_length=500, blank=True)
    envelope_from = models.CharField(max_length=254, blank=True)
    options = models.JSONField(
        default=dict, blank=True, help_text="The intake's policy, applied again on reprocess."
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_sender_time"),
            models.Index(fields=["outcome", "-id"], name="inbound_outcome_id"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class MessageRef(models.Model):
    """A Message-ID that belongs to a ticket's thread (received or sent)."""

    message_id = models.CharField(max_length=255, db_index=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    outbound = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"], name="msgref_ticket_id")]

    def __str__(self) -> str:
        return self.message_id


class MailParticipant(models.Model):
    """An address that was in To or Cc of a (verified) message on a ticket: with the requester,
    the watchers, the client's organisation admins and the addresses the desk wrote to about
    the ticket, it is in the ticket's conversation and may join it by mail
    (`deskside.mail.conversation.in_conversation`)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "address"], name="mailparticipant_unique")
        ]

    def __str__(self) -> str:
        return self.address


class MailKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement of a new ticket"
    REPLY = "reply", "Agent's public reply"
    RESOLUTION = "resolution", "Resolution notice"


class OutboundMail(models.Model):
    """One outgoing mail (see `deskside.mail.outbound`). `handed_at` is committed before the
    SMTP conversation starts: a row left in "sending" without it never reached the mail server
    (sent again safely); with it, the server may have the mail, so it becomes "unknown" and
    only an administrator sends it again."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Unknown: maybe sent"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=MailKind.choices)
    recipients = models.TextField(help_text="Comma-separated addresses.")
    message_id = models.CharField(max_length=255, unique=True)
    subject = models.CharField(max_length=250, blank=True)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker began handing it to the mail server."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    requeued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requeued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbound_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"


class MailTemplate(models.Model):
    """An admin's text for one kind of outgoing mail (Django template syntax); a kind without
    a row uses the built-in text in `deskside.mail.templates`."""

    kind = models.CharField(max_length=20, choices=MailKind.choices, unique=True)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = versioning.version_field()

    def __str__(self) -> str:
        return self.kind
