"""The API keeps the promises of its OpenAPI document, checked by schemathesis.

Every operation of `/api/v1/openapi.json` is called with generated requests (valid ones and,
for an operation that takes input, invalid ones) through the WSGI application, once with an
administrator agent's token and once with a customer's, and every answer is checked: no
server error, a status code and a content type the document lists, a body that matches the
documented schema, and the documented headers (`Retry-After` ...). Zero failures.

Path parameters are sometimes the identifiers of real objects (a ticket, an organisation, a
site, an integration, a calendar, a schedule ...) and sometimes generated ones, so the success
answers are checked as well as the 404s; the alert intake gets its integrations' tokens. The
number of examples per operation is bounded (`EXAMPLES`) so the whole module runs in about a
minute of CPU on two cores.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from deskside.accounts.services import create_api_token
from deskside.alerts import setup as alert_setup
from deskside.api import api
from deskside.duty import services as duty
from deskside.macros import services as macros
from deskside.paging import services as paging
from deskside.paging.services import StepSpec
from deskside.sla.models import Calendar, Contract
from deskside.webhooks.enqueue import registry

EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@schemathesis.serializer("message/rfc822")
def raw_message(context, value):
    """POST /mail/inbound takes the raw message: generated text, as bytes."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


# slow: schemathesis fuzzes every operation
pytestmark = pytest.mark.slow

# The document /api/v1/openapi.json serves (JSON: status codes as strings), built without a
# request so that collecting this module touches no database; requests go to the WSGI app.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
schema.app = get_wsgi_application()

# The segment before a path parameter -> identifiers of real objects it may name, filled by
# the `world` fixture for each test (the generation hook below reads it while the test runs).
KNOWN: dict[str, list[str]] = {}


def _segment_before(path: str, name: str) -> str:
    segments = path.split("/")
    return segments[segments.index("{" + name + "}") - 1]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, the path parameters that name a real object name one."""
    path = context.operation.path
    real = {
        name: st.sampled_from(KNOWN[segment])
        for name in path_parameters or ()
        if KNOWN.get(segment := _segment_before(path, name))
    }
    if not real:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.fixed_dictionaries(real).map(lambda chosen: {**path_parameters, **chosen}),
    )


@pytest.fixture
def world(admin, leo, carol, acme, acme_hq, network_team, acme_ticket):
    """Objects to find, and a token per caller (the alert intake takes an integration's). As
    django.test.Client does, the requests do not close the test's database connection (that
    would end its transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    events, events_token = alert_setup.create_integration(
        actor=admin, name="Acme RMM", kind="events", organization=acme
    )
    manager, manager_token = alert_setup.create_integration(
        actor=admin, name="Prometheus", kind="alertmanager", team=network_team
    )
    calendar = Calendar.objects.create(name="24x7", definition={"timezone": "UTC", "24x7": True})
    contract = Contract.objects.create(name="Acme", organization=acme, calendar=calendar)
    schedule = duty.create_schedule(actor=admin, name="Primary", timezone="Europe/Berlin")
    policy = paging.create_policy(
        actor=admin,
        name="Night",
        team=network_team,
        steps=[StepSpec(target="user", user=leo, wait_minutes=5)],
    )
    contact = paging.add_contact_method(actor=admin, user=admin, kind="email", address=admin.email)
    macro = macros.create_macro(actor=admin, name="Thanks", body="Thanks, {{requester.name}}")
    KNOWN.clear()
    KNOWN.update(
        {
            "tickets": [acme_ticket.number],
            "organizations": [acme.slug],
            "sites": [acme_hq.public_id],
            "integrations": [events.public_id, manager.public_id],
            "calendars": [calendar.public_id],
            "contracts": [contract.public_id],
            "rules": [contract.public_id],
            "schedules": [schedule.slug],
            "policies": [policy.slug],
            "contact-methods": [contact.public_id],
            "macros": [macro.public_id],
            # deskside.directory: /directory/clients/{slug}, /contacts/{id}, /agents/{id} ...
            "clients": [acme.slug],
            "contacts": [carol.public_id],
            "agents": [leo.public_id],
            "teams": [network_team.slug],
        }
    )
    yield {
        "agent": create_api_token(user=admin, name="schemathesis"),
        "customer": create_api_token(user=carol, name="schemathesis"),
        "/api/v1/integrations/events": events_token,
        "/api/v1/integrations/events/v2/enqueue": events_token,
        "/api/v1/integrations/alertmanager": manager_token,
    }
    KNOWN.clear()
    registry.forget()  # a webhook an example made must not outlive the test's transaction
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


OPERATIONS = [result.ok() for result in schema.get_all_operations()]


def _strategy(operation):
    """Valid requests and, where the operation takes any input, invalid ones."""
    modes = [GenerationMode.POSITIVE]
    definition = operation.definition.raw
    if definition.get("parameters") or definition.get("requestBody"):
        modes.append(GenerationMode.NEGATIVE)
    return st.one_of(
        *(operation.as_strategy(generation_mode=mode, hooks=schema.hooks) for mode in modes)
    )


# One test per operation and caller, with ids a command line can name (the CI reruns the tests
# that read the clock by their ids; schemathesis's own test names hold spaces and slashes).
@pytest.mark.parametrize("caller", ["agent", "customer"])
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[op.definition.raw["operationId"] for op in OPERATIONS]
)
def test_the_api_keeps_its_document(operation, caller, world):
    token = world.get(operation.path) or world[caller]  # the intake: the integration's token
    headers = {"Authorization": f"Bearer {token}"}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=_strategy(operation))
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
