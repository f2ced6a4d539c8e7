"""Django admin for the email channel. Mailboxes and mail texts are configuration, also edited
in the mail pages (/mail/); a mailbox's password is write-only here too. Received messages,
the outbox and the thread references are records of what happened: read-only (quarantine is
worked in /mail/quarantine/, where reprocessing goes through the pipeline)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from deskside.core import clock
from deskside.mail import services
from deskside.mail.forms import MailboxForm, check_text
from deskside.mail.models import InboundMessage, Mailbox, MailTemplate, MessageRef, OutboundMail
from deskside.tickets.admin import ReadOnlyAdmin


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm  # the mail page's validation; the password write-only
    list_display = ["name", "address", "protocol", "host", "is_active", "last_polled_at"]
    list_filter = ["protocol", "is_active"]
    search_fields = ["name", "address", "host"]
    readonly_fields = ["last_polled_at", "last_error", "created_at", "version"]

    def save_model(
        self, request: HttpRequest, obj: Mailbox, form: MailboxForm, change: bool
    ) -> None:
        """Saved by the mail services, as from the mail pages."""
        if change:
            services.update_mailbox(
                actor=request.user,
                mailbox=obj,
                values=form.values(),
                password=form.new_password(),
                version=form.cleaned_data.get("version"),
            )
            return
        created = services.create_mailbox(
            actor=request.user, values=form.values(), password=form.new_password() or ""
        )
        obj.pk, obj._state.adding = created.pk, False  # the admin logs and links to `obj`
        obj.refresh_from_db()


class MailTemplateAdminForm(forms.ModelForm):
    class Meta:
        model = MailTemplate
        fields = ["kind", "subject", "body"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        subject, body = cleaned.get("subject"), cleaned.get("body")
        if subject is not None and body is not None and (error := check_text(subject, body)):
            raise forms.ValidationError(error)
        return cleaned


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    form = MailTemplateAdminForm
    list_display = ["kind", "subject", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(
        self, request: HttpRequest, obj: MailTemplate, form: forms.Form, change: bool
    ) -> None:
        obj.updated_at, obj.updated_by = clock.now(), request.user
        super().save_model(request, obj, form, change)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "sender", "subject", "outcome", "reason", "ticket", "mailbox"]
    list_filter = ["outcome", "source", "mailbox"]
    list_select_related = ["ticket", "mailbox"]
    search_fields = ["sender", "subject", "message_id", "public_id"]
    exclude = ["html"]
    show_full_result_count = False


@admin.register(OutboundMail)
class OutboundMailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipients", "state", "attempts", "ticket"]
    list_filter = ["state", "kind"]
    list_select_related = ["ticket"]
    search_fields = ["recipients", "message_id", "public_id"]
    show_full_result_count = False


@admin.register(MessageRef)
class MessageRefAdmin(ReadOnlyAdmin):
    list_display = ["message_id", "ticket", "outbound", "created_at"]
    list_select_related = ["ticket"]
    search_fields = ["message_id"]
    show_full_result_count = False
