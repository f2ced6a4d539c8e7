"""Builders for the portal tests: more people and sites (`signed_in` is in tests/conftest.py)."""

import pytest

from deskside.accounts import services as accounts


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
