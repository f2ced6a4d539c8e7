"""Webhooks write one audit entry per change; their secrets and URL credentials never do."""

from deskside.webhooks import services
from tests.audit_helpers import mark, only, stored_text

URL = "https://user:pa55word@hooks.example.com/services/T0/B0/s3cr3tpath?token=abcdef123"


def test_webhook_created_updated_rotated_deleted(admin, stub_dns):
    stub_dns.names["hooks.example.com"] = ["93.184.216.34"]
    start = mark()
    webhook = services.create_webhook(actor=admin, name="Slack", url=URL, events=["ticket.created"])
    entry = only(start)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "created",
        "webhooks.webhook",
        webhook.public_id,
    )
    assert entry.after["events"] == ["ticket.created"]
    assert entry.after["url"].startswith("https://***@hooks.example.com/***?***")
    first_secret = webhook.secret

    start = mark()
    services.update_webhook(actor=admin, webhook=webhook, url=URL.replace("abcdef123", "zzz999"))
    entry = only(start)
    assert list(entry.after) == ["url"]  # the masked URLs differ by their fingerprint
    assert entry.before["url"] != entry.after["url"]

    start = mark()
    services.rotate_secret(actor=admin, webhook=webhook)
    entry = only(start)
    assert (entry.action, entry.before, entry.after) == ("secret_rotated", None, None)

    start = mark()
    services.delete_webhook(actor=admin, webhook=webhook)
    assert only(start).action == "deleted"

    text = stored_text()
    webhook.refresh_from_db()
    for secret in (first_secret, webhook.secret, "pa55word", "s3cr3tpath", "abcdef123", "zzz999"):
        assert secret not in text
