"""The billing rules of time entries: no rule, shadowing, training, travel with and without
bill_travel, rounding, the contract's rate (and the default contract's), and the rule's
set-up by administrators with its audit entry."""

from datetime import timedelta
from decimal import Decimal

import pytest

from deskside.core import clock
from deskside.core.models import AuditEntry
from deskside.field.exceptions import InvalidInput, NotAllowed
from deskside.field.models import BillingRule, TimeKind
from deskside.field.services import time as svc
from tests.field.fixtures_time import *  # noqa: F403
from tests.field.fixtures_time import MONDAY, NOW, make_visit


def log(agent, ticket, minutes=50, kind=TimeKind.WORK, **kw):
    return svc.log_time(agent, ticket=ticket, day=MONDAY, minutes=minutes, kind=kind, **kw)


def test_no_rule_is_not_billable(leo, acme_ticket, acme_contract):
    entry = log(leo, acme_ticket)
    assert (entry.billable, entry.billed_minutes, entry.rate) == (False, 0, None)
    assert entry.minutes == 50


def test_no_contract_at_all_is_not_billable(leo, acme_ticket):
    assert log(leo, acme_ticket).billable is False


def test_work_is_billed_at_the_contract_rate_rounded_up(leo, acme_ticket, acme_rule):
    entry = log(leo, acme_ticket, minutes=50)
    assert entry.billable is True
    assert entry.billed_minutes == 60
    assert entry.rate == Decimal("120.00")
    assert svc.amount(entry.billed_minutes, entry.rate) == Decimal("120.00")


@pytest.mark.parametrize(
    ("step", "minutes", "billed"), [(1, 7, 7), (6, 7, 12), (15, 15, 15), (15, 16, 30), (30, 1, 30)]
)
def test_rounding(leo, acme_ticket, acme_rule, step, minutes, billed):
    acme_rule.round_up_to_minutes = step
    acme_rule.save()
    assert log(leo, acme_ticket, minutes=minutes).billed_minutes == billed


def test_the_default_contract_rule_serves_clients_without_a_contract(
    leo, acme_ticket, default_contract
):
    BillingRule.objects.create(contract=default_contract, hourly_rate=Decimal("90"))
    entry = log(leo, acme_ticket, minutes=30)
    assert entry.billable and entry.rate == Decimal("90.00")


def test_the_clients_own_contract_wins_over_the_default(
    leo, acme_ticket, default_contract, acme_contract
):
    BillingRule.objects.create(contract=default_contract, hourly_rate=Decimal("90"))
    assert log(leo, acme_ticket).billable is False  # Acme's contract has no rule


def test_shadowing_is_never_billed(leo, acme_ticket, acme_rule):
    assert log(leo, acme_ticket, kind=TimeKind.SHADOWING).billable is False


def test_training_is_never_billed_with_or_without_a_ticket(leo, acme_ticket, acme_rule):
    assert log(leo, acme_ticket, kind=TimeKind.TRAINING).billable is False
    alone = svc.log_time(leo, day=MONDAY, minutes=120, kind=TimeKind.TRAINING)
    assert alone.ticket is None and alone.organization is None and alone.billable is False


def test_only_training_may_have_no_ticket(leo):
    with pytest.raises(InvalidInput) as err:
        svc.log_time(leo, day=MONDAY, minutes=10, kind=TimeKind.WORK)
    assert err.value.field == "ticket"


def test_travel_is_billed_only_when_the_rule_says_so(leo, acme_ticket, acme_rule):
    assert log(leo, acme_ticket, kind=TimeKind.TRAVEL).billable is False
    acme_rule.bill_travel = True
    acme_rule.save()
    travel = log(leo, acme_ticket, kind=TimeKind.TRAVEL, minutes=20)
    assert travel.billable and travel.billed_minutes == 30


def test_the_shadowing_second_technician_is_shadowing(leo, tara, acme_ticket, acme_rule):
    acme_rule.bill_travel = True
    acme_rule.save()
    visit = make_visit(acme_ticket, tara, second=leo, shadowing=True)
    work = log(leo, acme_ticket, visit=visit)
    travel = log(leo, acme_ticket, visit=visit, kind=TimeKind.TRAVEL)
    assert (work.kind, work.billable) == (TimeKind.SHADOWING, False)
    assert (travel.kind, travel.billable) == (TimeKind.SHADOWING, False)
    # the cleared technician on the same visit bills as usual
    assert log(tara, acme_ticket, visit=visit).billable is True


def test_a_second_technician_who_is_not_shadowing_bills(leo, tara, acme_ticket, acme_rule):
    visit = make_visit(acme_ticket, tara, second=leo, shadowing=False)
    assert log(leo, acme_ticket, visit=visit).billable is True


def test_a_timer_is_priced_when_it_stops(leo, acme_ticket, acme_rule):
    svc.start_timer(leo, ticket=acme_ticket)
    with clock.frozen(NOW + timedelta(minutes=31, seconds=5)):
        entry = svc.stop_timer(leo)
    assert entry.minutes == 32  # a started minute counts
    assert (entry.billable, entry.billed_minutes, entry.rate) == (True, 45, Decimal("120.00"))


def test_a_changed_rate_applies_to_entries_saved_afterwards(leo, acme_ticket, acme_rule, admin):
    before = log(leo, acme_ticket)
    svc.set_billing_rule(admin, acme_rule.contract, hourly_rate=Decimal("150"))
    after = log(leo, acme_ticket)
    before.refresh_from_db()
    assert before.rate == Decimal("120.00") and after.rate == Decimal("150.00")
    # an edit prices the entry again by the rule of now
    assert svc.update_entry(leo, before, minutes=20).rate == Decimal("150.00")


def test_price_is_a_pure_rule():
    rule = BillingRule(hourly_rate=Decimal("100"), bill_travel=False, round_up_to_minutes=10)
    assert svc.price(TimeKind.WORK, 11, rule) == svc.Price(True, 20, Decimal("100"))
    assert svc.price(TimeKind.WORK, 0, rule) == svc.NOT_BILLED
    assert svc.price(TimeKind.TRAVEL, 11, rule) == svc.NOT_BILLED
    assert svc.price(TimeKind.WORK, 11, None) == svc.NOT_BILLED


# -- the rule's set-up ------------------------------------------------------------------------


def test_admins_set_a_rule_with_an_audit_entry(admin, acme_contract):
    rule = svc.set_billing_rule(
        admin, acme_contract, hourly_rate=Decimal("95.5"), currency="eur", bill_travel=True
    )
    assert (rule.hourly_rate, rule.currency, rule.bill_travel) == (Decimal("95.50"), "EUR", True)
    created = AuditEntry.objects.get(object_type="field.billingrule", action="created")
    assert created.object_id == acme_contract.public_id and created.actor == admin
    svc.set_billing_rule(admin, acme_contract, hourly_rate=Decimal("100"), currency="EUR")
    updated = AuditEntry.objects.get(object_type="field.billingrule", action="updated")
    assert updated.before == {"hourly_rate": "95.50", "bill_travel": True}
    assert updated.after == {"hourly_rate": "100.00", "bill_travel": False}
    svc.delete_billing_rule(admin, acme_contract)
    assert not BillingRule.objects.exists()
    assert AuditEntry.objects.filter(object_type="field.billingrule", action="deleted").exists()


def test_agents_and_other_clients_admins_may_not_set_rules(
    leo, admin_serving, globex, acme_contract
):
    with pytest.raises(NotAllowed):
        svc.set_billing_rule(leo, acme_contract, hourly_rate=Decimal("1"))
    other = admin_serving(globex, email="g@msp.example")
    with pytest.raises(NotAllowed):
        svc.set_billing_rule(other, acme_contract, hourly_rate=Decimal("1"))
    assert not AuditEntry.objects.filter(object_type="field.billingrule").exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hourly_rate": Decimal("-1")}, "hourly_rate"),
        ({"hourly_rate": Decimal("1.234")}, "hourly_rate"),
        ({"hourly_rate": Decimal("NaN")}, "hourly_rate"),
        ({"hourly_rate": Decimal("1"), "currency": "EURO"}, "currency"),
        ({"hourly_rate": Decimal("1"), "round_up_to_minutes": 0}, "round_up_to_minutes"),
    ],
)
def test_bad_rules_name_the_field(admin, acme_contract, values, field):
    with pytest.raises(InvalidInput) as err:
        svc.set_billing_rule(admin, acme_contract, **values)
    assert err.value.field == field


def test_two_admins_creating_the_same_rule_the_second_updates(admin, acme_contract, monkeypatch):
    """The race: both looked, found no rule, both create; the second hit the one-rule key
    (IntegrityError, a 500). Simulated by a lookup that misses the first one's rule once."""
    first = svc.set_billing_rule(admin, acme_contract, hourly_rate=Decimal("100"), currency="USD")
    real = svc._rule_locked
    looks = iter([lambda contract: None, real])
    monkeypatch.setattr(svc, "_rule_locked", lambda contract: next(looks)(contract))
    second = svc.set_billing_rule(admin, acme_contract, hourly_rate=Decimal("90"), currency="EUR")
    assert second.pk == first.pk and BillingRule.objects.count() == 1
    first.refresh_from_db()
    assert (first.hourly_rate, first.currency) == (Decimal("90.00"), "EUR")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["created", "updated"]
