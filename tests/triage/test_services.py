"""Training on the desk's history, suggestions that respect the teams serving a client,
accepting a suggestion, and the auto-apply (off by default; on, only above its threshold)."""

from datetime import timedelta

import pytest

from deskside.core import clock
from deskside.core.models import AuditEntry
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, EventKind, Priority, Ticket, TicketEvent
from deskside.triage import services, suggestions, training, worker
from deskside.triage.exceptions import InvalidInput, NotAllowed
from deskside.triage.models import KEEP, Job, ModelState, TriageModel


def new_ticket(actor, requester, subject, description="", **fields):
    fields.setdefault("priority", Priority.P3)
    new = tickets.NewTicket(
        requester=requester,
        organization=requester.organization,
        subject=subject,
        description=description,
        channel=Channel.PHONE,
        **fields,
    )
    return tickets.create_ticket(actor=actor, ticket=new).ticket


def test_training_beats_the_baseline_on_the_held_back_history(trained, capsys):
    assert trained.state == ModelState.READY
    assert trained.history == 600 and trained.size > 0 and len(trained.sha256) == 64
    with capsys.disabled():
        for name, f in trained.metrics.items():
            print(f"\n{name:<9} model {f['accuracy']:.1%}  baseline {f['baseline']:.1%}", end="")
    for name in ("team", "tier", "type", "priority"):
        figures = trained.metrics[name]
        assert figures["test"] == 120  # the most recent 20 %
        assert figures["accuracy"] > figures["baseline"] + 0.15, name


def test_not_enough_history_stores_the_reason_and_keeps_the_last_model(trained, admin):
    TriageModel.objects.all().delete()
    suggestions.forget()
    run = training.train(actor=admin)  # 600 tickets: fine again
    assert run.state == ModelState.READY
    Ticket.objects.filter(pk__in=list(Ticket.objects.values_list("pk", flat=True)[:500])).update(
        resolved_at=None
    )
    small = training.train(actor=admin)
    assert small.state == ModelState.NOT_ENOUGH
    assert small.message == "not enough history (100 resolved; needs 150)"
    assert small.blob is None
    assert suggestions.current()[0] == run.version  # the last good model stays in use


def test_old_runs_are_pruned_but_the_model_in_use_is_kept(trained, admin):
    for _ in range(KEEP + 1):
        training.train(actor=admin)
    assert TriageModel.objects.count() == KEEP
    assert suggestions.current()[0] == TriageModel.objects.order_by("-version").first().version


def test_never_a_team_that_does_not_serve_the_client(trained, acme, globex, network_team):
    for subject in ("VPN drops every hour", "No VPN from home", "Firewall tunnel timeout"):
        at_acme = suggestions.suggest(organization=acme, subject=subject)
        assert at_acme.get("team").team != network_team  # Tara serves Globex only
        at_globex = suggestions.suggest(organization=globex, subject=subject)
        assert at_globex.get("team").team == network_team
        assert at_globex.get("priority").value == "P2"


def test_no_model_no_suggestions(teams, acme):
    assert suggestions.suggest(organization=acme, subject="Printer jam") is None


def test_accept_applies_through_the_ticket_services(trained, alice, carol):
    ticket = new_ticket(alice, carol, "Printer on floor 3 offline")
    found = suggestions.for_ticket(ticket)
    assert found.get("team").label == "Desktop Support L2"
    event = services.accept(actor=alice, ticket=ticket, field="team", value=found.get("team").value)
    assert event.kind == EventKind.ASSIGNED and event.actor == alice
    assert event.data["team_to"] == "Desktop Support L2"
    event = services.accept(actor=alice, ticket=ticket, field="tier", value="L2")
    assert event.kind == EventKind.CHANGED and event.data["changes"] == {"tier": ["L1", "L2"]}
    event = services.accept(actor=alice, ticket=ticket, field="priority", value="P2")
    assert event.data["changes"] == {"priority": ["P3", "P2"]}
    ticket.refresh_from_db()
    assert (ticket.team.name, ticket.tier, ticket.priority) == ("Desktop Support L2", "L2", 2)


def test_accept_refuses_a_team_not_serving_the_client_and_customers(
    trained, alice, carol, network_team
):
    ticket = new_ticket(alice, carol, "VPN down")
    with pytest.raises(InvalidInput) as caught:
        services.accept(actor=alice, ticket=ticket, field="team", value=network_team.slug)
    assert caught.value.field == "value"
    with pytest.raises(NotAllowed):
        services.accept(actor=carol, ticket=ticket, field="type", value="incident")
    with pytest.raises(InvalidInput):
        services.accept(actor=alice, ticket=ticket, field="colour", value="red")


def test_auto_apply_is_off_by_default(trained, alice, carol):
    ticket = new_ticket(alice, carol, "Server down", "database server not responding")
    assert not Job.objects.exists()
    assert worker.triage_pass() == 0
    ticket.refresh_from_db()
    assert ticket.priority == Priority.P3 and ticket.team is None


def test_auto_apply_on_applies_above_the_threshold_only(trained, admin, alice, carol, dave):
    probe = suggestions.suggest(
        organization=dave.organization, subject="VPN drops every hour", description=""
    )
    confidence = probe.get("priority").confidence
    services.set_field(actor=admin, field="priority", auto_apply=True, threshold=0.5)
    services.set_field(actor=admin, field="team", auto_apply=True, threshold=0.99)
    assert confidence >= 0.5
    ticket = new_ticket(alice, dave, "VPN drops every hour")
    assert Job.objects.filter(ticket=ticket, done_at=None).count() == 1
    assert worker.triage_pass() == 1
    ticket.refresh_from_db()
    assert ticket.priority == Priority.P2
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CHANGED).get()
    assert event.actor is None
    assert event.data["triage"]["version"] == trained.version
    assert event.body.startswith(f"Triage model v{trained.version}: priority P2 (")
    team_confidence = probe.get("team").confidence
    assert (ticket.team is not None) == (team_confidence >= 0.99)
    assert worker.triage_pass() == 0  # done once


def test_auto_apply_leaves_alone_what_a_person_decided(trained, admin, alice, dave):
    services.set_field(actor=admin, field="priority", auto_apply=True, threshold=0.5)
    urgent = new_ticket(alice, dave, "Password reset please", priority=Priority.P1)
    edited = new_ticket(alice, dave, "VPN drops every hour")
    tickets.update_ticket(actor=alice, ticket=edited, priority=Priority.P3, type="incident")
    tickets.update_ticket(actor=alice, ticket=edited, priority="OPS")
    worker.triage_pass()
    urgent.refresh_from_db()
    edited.refresh_from_db()
    assert urgent.priority == Priority.P1  # a P1 is never lowered by the model
    assert edited.priority == Priority.OPS  # a person changed it since creation


def test_settings_are_for_admins_and_audited(admin, alice):
    with pytest.raises(NotAllowed):
        services.set_field(actor=alice, field="team", auto_apply=True, threshold=0.9)
    with pytest.raises(InvalidInput) as caught:
        services.set_field(actor=admin, field="team", auto_apply=True, threshold=1.5)
    assert caught.value.field == "threshold"
    services.set_field(actor=admin, field="team", auto_apply=True, threshold=0.8)
    services.set_field(actor=admin, field="team", auto_apply=False, threshold=0.8)
    entries = AuditEntry.objects.filter(object_type="triage.setting").order_by("pk")
    assert [e.action for e in entries] == ["created", "updated"]
    assert entries[1].before == {"auto_apply": True} and entries[1].after == {"auto_apply": False}


def test_the_nightly_training_is_claimed_once(history, admin):
    history()
    now = clock.now()
    first = worker.training_pass(now)
    assert first is not None and first.state == ModelState.READY
    assert worker.training_pass(now) is None  # not due again until the night
    row = services.schedule()
    assert now < row.next_run_at <= now + timedelta(days=1)
    assert row.next_run_at.hour == 2 and row.next_run_at.minute == 0
    old = Job.objects.create(ticket=Ticket.objects.first(), done_at=now - timedelta(days=8))
    services.request_training(actor=admin)
    assert worker.training_pass(clock.now()).trained_by == admin
    assert not Job.objects.filter(pk=old.pk).exists()  # done a week ago: pruned
