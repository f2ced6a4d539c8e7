"""The demo's triage model: trained on the demo's own resolved tickets, once."""

import pytest

from deskside import demo
from deskside.accounts.models import Organization
from deskside.triage import suggestions
from deskside.triage.demo import seed_demo
from deskside.triage.models import ModelState, TriageModel


@pytest.mark.slow
def test_seed_demo_trains_on_the_demo_history(db):
    demo.load()
    run = seed_demo()
    assert run.state == ModelState.READY, run.message
    assert run.history >= 150
    assert seed_demo() == run and TriageModel.objects.count() == 1  # idempotent
    for name, figures in run.metrics.items():
        print(f"{name}: model {figures['accuracy']:.1%} baseline {figures['baseline']:.1%}")
    found = suggestions.suggest(
        organization=Organization.objects.get(slug="acme"), subject="VPN keeps disconnecting"
    )
    assert found is not None and found.get("priority") is not None
