"""The route-planning demo: a proposed plan for the first day with unscheduled visits."""

from deskside.core import clock
from deskside.field import demo_route
from deskside.field.models import RoutePlan
from tests.field.fixtures_route import *  # noqa: F403 (the fixtures)
from tests.field.fixtures_route import DAY, at


def test_seed_demo_proposes_a_plan_once(field_leo, alice, acme_ticket, visit_at):
    visit = visit_at(acme_ticket, 9, 11)
    with clock.frozen(at(6).replace(day=8)):  # two days before the visit
        plan = demo_route.seed_demo()
        assert plan.day == DAY
        assert plan.stops.get().visit_id == visit.pk
        assert demo_route.seed_demo() == plan
    assert RoutePlan.objects.count() == 1
    assert plan.created_by.served_organizations.count() == 0  # an agent serving every client


def test_seed_demo_without_agents(db):
    assert demo_route.seed_demo() is None
