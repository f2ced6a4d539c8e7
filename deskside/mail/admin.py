"""Django admin for the email channel: read-only. Mailboxes and mail texts are configuration,
changed on the mail pages (/mail/), whose services check the actor's role, refuse a host at an
internal address, keep a mailbox's password encrypted and write-only, check a text's
placeholders and write the audit entry; the admin only shows them (never the password).
Received messages, the outbox and the thread references are records of what happened
(quarantine is worked in /mail/quarantine/, where reprocessing goes through the pipeline)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.mail.models import InboundMessage, Mailbox, MailTemplate, MessageRef, OutboundMail


@admin.register(Mailbox)
class MailboxAdmin(ReadOnlyAdmin):
    list_display = ["name", "address", "protocol", "host", "is_active", "last_polled_at"]
    list_filter = ["protocol", "is_active"]
    search_fields = ["name", "address", "host"]


@admin.register(MailTemplate)
class MailTemplateAdmin(ReadOnlyAdmin):
    list_display = ["kind", "subject", "updated_at", "updated_by"]


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
