"""A remote session is a contact for first-contact resolution (`is_first_contact`), through
the real services: the rule's four cases, and the reports' FCR figure, which reads
`Ticket.first_contact_resolution`."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from deskside.assets.services import remote
from deskside.reports import queries as reports
from deskside.reports.scope import Scope
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Ticket
from tests.assets.fixtures_remote import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db


def _session(alice, ticket, laptop):
    session = remote.start_session(actor=alice, ticket=ticket, asset=laptop, tool="rustdesk")
    remote.end_session(actor=alice, session=session)


def _resolved(alice, ticket) -> Ticket:
    tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed remotely")
    return Ticket.objects.get(pk=ticket.pk)


def test_web_ticket_settled_in_one_session_is_first_contact(
    now, alice, make_ticket, carol, laptop, templates
):
    ticket = make_ticket(carol, channel=Channel.WEB)
    _session(alice, ticket, laptop)
    assert _resolved(alice, ticket).first_contact_resolution is True


def test_web_ticket_with_a_reply_and_a_session_is_not(
    now, alice, make_ticket, carol, laptop, templates
):
    ticket = make_ticket(carol, channel=Channel.WEB)
    tickets.add_reply(actor=alice, ticket=ticket, body="Can I connect to your laptop?")
    _session(alice, ticket, laptop)
    assert _resolved(alice, ticket).first_contact_resolution is False


def test_phone_ticket_with_one_session_during_the_call_is(
    now, alice, make_ticket, carol, laptop, templates
):
    ticket = make_ticket(carol, channel=Channel.PHONE)
    _session(alice, ticket, laptop)
    assert _resolved(alice, ticket).first_contact_resolution is True


def test_phone_ticket_with_two_sessions_is_not(now, alice, make_ticket, carol, laptop, templates):
    ticket = make_ticket(carol, channel=Channel.PHONE)
    _session(alice, ticket, laptop)
    _session(alice, ticket, laptop)
    assert _resolved(alice, ticket).first_contact_resolution is False


def test_reports_fcr_counts_the_remote_fix(now, alice, make_ticket, carol, laptop, templates):
    one = make_ticket(carol, channel=Channel.WEB)
    _session(alice, one, laptop)
    _resolved(alice, one)
    two = make_ticket(carol, channel=Channel.PHONE)
    _session(alice, two, laptop)
    _session(alice, two, laptop)
    _resolved(alice, two)
    scope = Scope(start=date(2026, 12, 1), end=date(2026, 12, 31), zone=ZoneInfo("UTC"))
    report = reports.first_contact(Ticket.objects.all(), scope)
    resolved, fcr = report.totals[1].value, report.totals[2].value
    assert (resolved, fcr) == (2, 1)
