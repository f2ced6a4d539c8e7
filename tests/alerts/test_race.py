"""Requests racing to open the same de-duplication key end as one alert and one ticket, with
every occurrence counted: on PostgreSQL the partial unique constraint refuses the later
inserts, which are retried as occurrences; on SQLite the IMMEDIATE transactions serialise
them. Threads with their own connections, released together."""

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, IntakeError
from deskside.alerts.payloads import TRIGGER, AlertEvent, Rejection
from deskside.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def in_threads(n: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(i))
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results, errors


def test_racing_triggers_of_one_key_make_one_alert(acme_events, acme):
    integration, _ = acme_events
    event = AlertEvent(action=TRIGGER, dedup_key="same", summary="Disk full", severity="error")

    def work(_i: int):
        return alerts.trigger(integration=integration, event=event, organization=acme)

    results, errors = in_threads(THREADS, work)
    assert not errors, errors
    outcomes = sorted(r.outcome for r in results)
    assert outcomes == ["appended"] * (THREADS - 1) + ["created"]
    alert = Alert.objects.get()
    assert alert.occurrences == THREADS
    assert Ticket.objects.count() == 1
    assert {r.ticket for r in results} == {Ticket.objects.get().number}


def test_racing_triggers_of_one_key_from_two_clients_make_two_alerts(admin, acme, globex):
    """On an MSP-wide integration, the same key racing in from two clients: one alert (and
    one ticket) per client, each counting its own client's occurrences."""
    integration, _ = alert_setup.create_integration(actor=admin, name="RMM", kind="events")
    event = AlertEvent(action=TRIGGER, dedup_key="same", summary="Disk full", severity="error")
    clients = [acme, globex]

    def work(i: int):
        return alerts.trigger(integration=integration, event=event, organization=clients[i % 2])

    results, errors = in_threads(THREADS, work)
    assert not errors, errors
    assert sorted(r.outcome for r in results).count("created") == 2
    for org in clients:
        alert = Alert.objects.get(organization=org)
        assert alert.occurrences == THREADS // 2
        assert alert.ticket.organization == org
    assert Ticket.objects.count() == 2


def test_racing_first_alerts_of_a_client_share_its_monitoring_contact(acme_events, acme):
    integration, _ = acme_events

    def work(i: int):
        event = AlertEvent(action=TRIGGER, dedup_key=f"k{i}", summary=f"Alert {i}")
        return alerts.trigger(integration=integration, event=event, organization=acme)

    results, errors = in_threads(4, work)
    assert not errors, errors
    assert Ticket.objects.count() == 4
    assert Ticket.objects.values("requester").distinct().count() == 1


def test_racing_new_alerts_open_no_more_tickets_than_the_storm_threshold(admin, acme):
    """A flood of new alerts arriving at once: exactly `flood_threshold` of them open tickets
    of their own, the rest are grouped onto one storm ticket, however the requests interleave
    (each decision is taken with the integration's row locked)."""
    integration, _ = alert_setup.create_integration(
        actor=admin, name="RMM", kind="events", organization=acme, flood_threshold=4
    )

    def work(i: int):
        event = AlertEvent(action=TRIGGER, dedup_key=f"k{i}", summary=f"Alert {i}")
        return alerts.trigger(integration=integration, event=event, organization=acme)

    results, errors = in_threads(10, work)
    assert not errors, errors
    outcomes = sorted(r.outcome for r in results)
    assert outcomes == ["created"] * 4 + ["grouped"] * 6
    assert len({r.ticket for r in results if r.outcome == "grouped"}) == 1
    assert Ticket.objects.count() == 5


def test_racing_refusals_of_one_alert_count_on_one_intake_error(msp_alertmanager):
    """The same bad alert refused by concurrent requests: one intake error, every refusal
    counted (the unique constraint lets one insert win; the others count on its row)."""
    integration, _ = msp_alertmanager
    rejection = Rejection(
        reason="no client with the slug 'x'", field="labels.client", dedup_key="k", sample={}
    )

    def work(_i: int):
        return alerts.record_rejection(integration=integration, rejection=rejection)

    _, errors = in_threads(THREADS, work)
    assert not errors, errors
    assert IntakeError.objects.get().count == THREADS
