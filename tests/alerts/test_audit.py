"""Integrations write one audit entry per change; their tokens never reach the log."""

import pytest

from deskside.alerts import setup
from deskside.alerts.exceptions import InvalidPayload
from tests.audit_helpers import mark, only, since, stored_text


def test_integration_created_updated_deleted_token_never_stored(admin, acme, helpdesk):
    start = mark()
    integration, raw = setup.create_integration(
        actor=admin, name="Acme RMM", kind="events", organization=acme, team=helpdesk
    )
    entry = only(start)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "created",
        "alerts.integration",
        integration.public_id,
    )
    assert entry.after["organization"] == "acme"
    assert entry.after["team"] == "help-desk-l1"

    start = mark()
    setup.update_integration(actor=admin, integration=integration, flood_threshold=50)
    entry = only(start)
    assert (entry.before, entry.after) == ({"flood_threshold": 20}, {"flood_threshold": 50})

    start = mark()
    new_raw = setup.regenerate_token(actor=admin, integration=integration)
    entry = only(start)
    assert (entry.action, entry.before, entry.after) == ("token_regenerated", None, None)

    text = stored_text()
    for secret in (raw, new_raw, raw[:8], new_raw[:8], integration.token_hash):
        assert secret not in text

    start = mark()
    setup.delete_integration(actor=admin, integration=integration)
    assert only(start).action == "deleted"


def test_a_failing_update_writes_no_entry(admin, acme_events):
    integration, _ = acme_events
    start = mark()
    with pytest.raises(InvalidPayload):
        setup.update_integration(actor=admin, integration=integration, flood_threshold=-1)
    assert since(start) == []
