"""Builders for the portal tests: a signed-in browser per persona and a few ticket states."""

import pytest
from django.test import Client

from deskside.accounts import services as accounts


@pytest.fixture
def as_user():
    """`as_user(carol)` -> a django.test.Client signed in as carol."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def erin(acme, acme_hq):
    """Carol's colleague at Acme: a plain customer, not an organisation admin."""
    return accounts.create_user(
        email="erin@acme.example",
        full_name="Erin Colleague",
        password="erin-pass-123",
        organization=acme,
        site=acme_hq,
    )


@pytest.fixture
def globex_other_site(globex):
    return accounts.create_site(organization=globex, name="Munich office")
