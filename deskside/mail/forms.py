"""Forms of the mail pages: the filters of the received-mail and outbox lists, a mailbox's
settings (its password write-only) and the text of an outgoing mail. They validate only: the
pages save through deskside.mail.services."""

import re
from typing import Any

from django import forms

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.core import netguard
from deskside.core.versioning import VersionFormField
from deskside.mail import templates
from deskside.mail.models import PASSWORD_ENV_PREFIX, Mailbox, OutboundMail, Outcome
from deskside.mail.services import MAILBOX_FIELDS, check_text

# The port a mailbox uses when none is set, per protocol.
DEFAULT_PORTS = {
    Mailbox.Protocol.IMAPS: 993,
    Mailbox.Protocol.STARTTLS: 143,
    Mailbox.Protocol.IMAP: 143,
}
PORT_HELP = "Empty: the protocol's default ({}); not used for delivery.".format(
    ", ".join(
        f"{port} for {Mailbox.Protocol(p).label.split(' (')[0]}"
        for p, port in DEFAULT_PORTS.items()
    )
)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MIN_POLL_SECONDS = 10


class ReceivedFilterForm(forms.Form):
    """The received-mail list's filters: what became of a message, who sent it."""

    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *Outcome.choices], label="Outcome"
    )
    sender = forms.CharField(required=False, max_length=254, label="Sender")

    def values(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"outcome": data.get("outcome", ""), "sender": data.get("sender", "").strip()}


class OutboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        required=False, choices=[("", "Any state"), *OutboundMail.State.choices], label="State"
    )

    def state_value(self) -> str:
        return self.cleaned_data.get("state", "") if self.is_valid() else ""


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.tier})"


class MailboxForm(forms.ModelForm):
    """A mailbox's settings. The password is write-only: never rendered back, a blank field
    keeps the stored one, "clear" removes it. It and `password_env` are exclusive."""

    password = forms.CharField(
        required=False,
        strip=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Leave blank to keep the stored password.",
    )
    clear_password = forms.BooleanField(required=False, label="Clear the stored password")
    version = VersionFormField()

    class Meta:
        model = Mailbox
        fields = list(MAILBOX_FIELDS)
        labels = {
            "is_active": "Active",
            "password_env": "Password from environment variable",
            "organization": "Client of new contacts",
            "reopen_days": "Reopen window (days)",
            "poll_seconds": "Poll every (seconds)",
        }
        field_classes = {"team": TeamChoiceField}
        help_texts = {
            "password_env": "Name of an environment variable holding the password (instead of "
            f"storing it); it must start with {PASSWORD_ENV_PREFIX}.",
        }

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        """`user`: whose clients are offered as the organisation (every client without one,
        as in the Django admin)."""
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        organizations = organizations_visible_to(user) if user else Organization.objects.all()
        self.fields["organization"].queryset = organizations.filter(is_msp=False).order_by("name")
        self.fields["organization"].empty_label = "— none —"
        self.fields["team"].queryset = Team.objects.order_by("tier", "name")
        self.fields["team"].empty_label = "— routing rules decide —"
        self.fields["port"].help_text = PORT_HELP
        self.fields["port"].max_value = 65535
        self.fields["port"].widget.attrs.update({"min": 1, "max": 65535})
        self.fields["poll_seconds"].min_value = MIN_POLL_SECONDS
        self.fields["poll_seconds"].widget.attrs["min"] = MIN_POLL_SECONDS
        self.fields["folder"].required = False
        self.fields["folder"].help_text = "The IMAP folder read for new mail."
        self.fields["processed_folder"].required = False
        self.fields["processed_folder"].help_text = "Where imported mail is moved (for move)."

    @property
    def has_stored_password(self) -> bool:
        return bool(self.instance.pk and self.instance.password_encrypted)

    def clean_port(self) -> int | None:
        port = self.cleaned_data.get("port")
        if port is not None and not 1 <= port <= 65535:
            raise forms.ValidationError("a port is a number from 1 to 65535")
        return port

    def clean_poll_seconds(self) -> int:
        seconds = self.cleaned_data["poll_seconds"]
        if seconds < MIN_POLL_SECONDS:
            raise forms.ValidationError(f"poll at most every {MIN_POLL_SECONDS} seconds")
        return seconds

    def clean_password_env(self) -> str:
        name = self.cleaned_data.get("password_env", "").strip()
        if name and not _ENV_NAME.match(name):
            raise forms.ValidationError(
                "an environment variable name has letters, digits and underscores only"
            )
        if name and (not name.startswith(PASSWORD_ENV_PREFIX) or name == PASSWORD_ENV_PREFIX):
            raise forms.ValidationError(
                f"only variables named {PASSWORD_ENV_PREFIX}... may hold a mailbox password "
                f"(e.g. {PASSWORD_ENV_PREFIX}SUPPORT)"
            )
        return name

    def clean_host(self) -> str:
        host = self.cleaned_data.get("host", "").strip()
        # Advice at save time (the name resolves now); the poll's guard decides at each
        # connection (deskside.core.netguard).
        if reason := netguard.problem(host):
            raise forms.ValidationError(f"{host} {reason}")
        return host

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        protocol = cleaned.get("protocol")
        polls = protocol is not None and protocol != Mailbox.Protocol.DELIVERY
        if polls and not cleaned.get("host", "").strip():
            self.add_error("host", "the IMAP server's host name is required to poll a mailbox")
        if (
            polls
            and cleaned.get("after_import") == Mailbox.AfterImport.MOVE
            and not cleaned.get("processed_folder", "").strip()
        ):
            self.add_error("processed_folder", "name the folder imported mail is moved to")
        if polls and not cleaned.get("folder", "").strip():
            self.add_error("folder", "name the folder to read (usually INBOX)")
        password = cleaned.get("password", "")
        clear = cleaned.get("clear_password", False)
        if password and clear:
            self.add_error("password", "type a new password or clear the stored one, not both")
        keeps_stored = self.has_stored_password and not clear
        if cleaned.get("password_env") and (password or keeps_stored):
            self.add_error(
                "password_env",
                "use either a stored password or an environment variable, not both"
                + (
                    ": tick “clear the stored password” to use the variable" if keeps_stored else ""
                ),
            )
        if (
            cleaned.get("unknown_senders") == Mailbox.UnknownSenders.CREATE
            and cleaned.get("organization") is None
        ):
            self.add_error(
                "organization",
                "choose the client whose contacts unknown senders become (or hold their mail "
                "in quarantine)",
            )
        return cleaned

    def values(self) -> dict[str, Any]:
        """The settings to save (call on a valid form): `services.create_mailbox` and
        `services.update_mailbox` write them."""
        return {name: self.cleaned_data[name] for name in MAILBOX_FIELDS}

    def new_password(self) -> str | None:
        """The password to store (call on a valid form): "" to clear the stored one, None to
        keep it."""
        if self.cleaned_data.get("clear_password"):
            return ""
        return self.cleaned_data.get("password") or None


class MailTemplateForm(forms.Form):
    """The text of one kind of outgoing mail; it must compile and render with sample values.
    `version`: the edited text's version the page showed, 0 for the built-in text."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    subject = forms.CharField(max_length=250)
    body = forms.CharField(
        strip=False, widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        subject, body = cleaned.get("subject"), cleaned.get("body")
        if subject is None or body is None or not body.strip():
            if body is not None and not body.strip():
                self.add_error("body", "the mail needs a text")
            return cleaned
        # Each text alone first, so that the error lands on the field that has it.
        for field, error in (("subject", check_text(subject, "")), ("body", check_text("", body))):
            if error:
                self.add_error(field, error)
        if not self.errors and (error := check_text(subject, body)):
            self.add_error(None, error)
        return cleaned

    def preview(self) -> templates.Text:
        """The text rendered with the sample values (call on a valid form)."""
        text = templates.Text(self.cleaned_data["subject"], self.cleaned_data["body"])
        return templates.render(text, templates.SAMPLE)
