"""Builders for the alerts tests: an administrator, integrations (a client's and an MSP-wide
one) with their raw tokens, and API clients that send an integration's token."""

import pytest

from deskside.alerts import setup as alert_setup
from tests.conftest import ApiClient

INTAKE = "/api/v1/integrations"


@pytest.fixture
def acme_events(admin, acme, helpdesk):
    """Acme's own events-API integration: (integration, raw token)."""
    return alert_setup.create_integration(
        actor=admin, name="Acme RMM", kind="events", organization=acme, team=helpdesk
    )


@pytest.fixture
def msp_alertmanager(admin, acme, globex, network_team):
    """An MSP-wide Alertmanager integration routing by the `client` label."""
    return alert_setup.create_integration(
        actor=admin, name="Prometheus", kind="alertmanager", team=network_team
    )


@pytest.fixture
def acme_alertmanager(admin, acme):
    return alert_setup.create_integration(
        actor=admin, name="Acme Prometheus", kind="alertmanager", organization=acme
    )


def intake(token: str) -> ApiClient:
    return ApiClient(token)
