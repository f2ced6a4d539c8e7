"""The demo's problems: a recurring cluster at Acme found by a pass and a known error at
Globex that a new VPN ticket matches; at any clock time; a second call adds nothing."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.problems.demo import KNOWN_TITLE, seed_demo
from deskside.problems.models import Cluster, KnownErrorMatch, Problem
from deskside.tickets import services as tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(msp, acme, globex, acme_hq):
    ana = accounts.create_user(
        email="ana@deskside.example", full_name="Ana Lima", kind="agent", tier=Tier.L1,
        organization=msp,
    )  # fmt: skip
    carol = accounts.create_user(email="carol@acme.example", organization=acme, site=acme_hq)
    dieter = accounts.create_user(email="dieter@globex.example", organization=globex)
    return ana, carol, dieter


def test_seed_demo(people):
    ana, _, dieter = people
    problem = seed_demo()
    assert problem.title == KNOWN_TITLE and problem.status == "known_error"
    assert problem.article is not None and problem.tickets.count() == 3
    cluster = Cluster.objects.get(organization__slug="acme")
    assert cluster.size == 5 and "outlook" in cluster.terms
    assert seed_demo().pk == problem.pk
    assert Problem.objects.count() == 1 and Cluster.objects.count() == 1
    new = tickets.NewTicket(
        subject="VPN drops every hour again", organization=dieter.organization, requester=dieter
    )
    ticket = tickets.create_ticket(actor=ana, ticket=new).ticket
    assert KnownErrorMatch.objects.get(ticket=ticket).problem == problem


def test_without_the_demo_people(db):
    assert seed_demo() is None
