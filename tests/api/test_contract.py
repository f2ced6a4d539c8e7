"""The API's contract: the OpenAPI document lists each operation's errors with one shared
schema, no two schemas share a name, every error under /api/ is JSON (414 included), and the
mail intake takes messages up to DESKSIDE_MAX_MESSAGE_MB (a JSON 413 past it, nothing kept)."""

import json
from email.message import EmailMessage

import pytest
from django.test import Client
from ninja import NinjaAPI, Router, Schema

from deskside import cli
from deskside.api import api, operation_id, operations
from deskside.core.errors import MAX_URI_LENGTH
from deskside.core.openapi import ERROR_REF, document_errors, schema_name_clashes
from deskside.mail.models import InboundMessage
from deskside.tickets.models import Ticket, TicketEvent
from deskside.webhooks import api as webhooks_api
from tests.conftest import client_for
from tests.mailauth import mark_verified

MiB = 2**20
# The alert intake answers in its own shapes (PagerDuty's, for one), which it declares itself.
INTAKE = {
    "/api/v1/integrations/alertmanager",
    "/api/v1/integrations/events",
    "/api/v1/integrations/events/v2/enqueue",
}


@pytest.fixture
def document(anon):
    response = anon.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_schemathesis_checks_the_document_the_api_serves(document):
    """tests/api/test_schemathesis.py builds the document without a request."""
    assert document == json.loads(json.dumps(api.get_openapi_schema()))


# -- schema names -------------------------------------------------------------------------------


def test_no_two_schemas_share_a_name():
    """django-ninja files each schema under its class name: a second class of the same name
    replaced the first (the SLA report was described with the on-call report's schema)."""
    assert schema_name_clashes(operations()) == {}


def test_a_shared_schema_name_is_found():
    first, second = Router(), Router()

    class ReportOut(Schema):
        hours: float

    @first.get("/a", response=ReportOut)
    def a(request):  # pragma: no cover - never called
        return {}

    class ReportOut(Schema):  # the clash under test
        rows: list[int]

    @second.get("/b", response=list[ReportOut])
    def b(request):  # pragma: no cover
        return []

    probe = NinjaAPI(urls_namespace="probe")
    probe.add_router("/one", first)
    probe.add_router("/two", second)
    found = [
        op
        for r in probe._get_bound_routers()
        for v in r.path_operations.values()
        for op in v.operations
    ]
    clashes = schema_name_clashes(found)
    assert list(clashes) == ["ReportOut"]
    assert len(clashes["ReportOut"]) == 2


def test_the_two_reports_have_their_own_schemas(document):
    def schema_of(path):
        ref = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        return document["components"]["schemas"][ref["schema"]["$ref"].rsplit("/", 1)[1]]

    sla = schema_of("/api/v1/organizations/{slug}/sla")
    oncall = schema_of("/api/v1/schedules/{slug}/report")
    assert {"organization", "rows", "total"} <= set(sla["properties"])
    assert {"schedule", "gaps", "hours"} <= set(oncall["properties"])


# -- error responses in the document ------------------------------------------------------------


def test_every_operation_lists_its_errors_with_the_shared_schema(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "field"]
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        assert "503" in responses, where
        assert responses["503"]["headers"]["Retry-After"]["required"], where
        if operation.get("security"):
            assert "401" in responses, where
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in responses, where
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, where
        if operation.get("requestBody"):
            assert "413" in responses, where
        for status, response in responses.items():
            if status.startswith(("4", "5")) and path not in INTAKE:
                content = response["content"]["application/json"]["schema"]
                assert content == {"$ref": ERROR_REF}, f"{where} {status}"


def test_statuses_that_come_from_what_an_operation_does(document):
    def statuses(method, path):
        return set(document["paths"][f"/api/v1{path}"][method]["responses"])

    assert {"403", "409"} <= statuses("post", "/tickets/{number}/note")  # agents; closed
    assert "409" in statuses("post", "/tickets")  # a reused Idempotency-Key
    assert "403" not in statuses("get", "/tickets/{number}")  # not visible: 404
    assert "403" in statuses("get", "/webhooks")  # agents only
    assert "409" in statuses("delete", "/calendars/{public_id}")  # in use
    assert {"413", "507"} <= statuses("post", "/mail/inbound")
    assert statuses("get", "/me") == {"200", "401", "503"}
    # /integrations/events is the intake's (POST only): GET of it as a public id is a 405
    assert "405" in statuses("get", "/integrations/{public_id}")
    # so is /tickets/bulk (POST only, the bulk actions): GET /tickets/bulk is a 405 too
    assert "405" in statuses("get", "/tickets/{number}")
    assert "405" not in statuses("get", "/tickets/{number}/events")


def test_the_intake_keeps_its_own_declared_answers(document):
    pagerduty = document["paths"]["/api/v1/integrations/events/v2/enqueue"]["post"]
    assert set(pagerduty["responses"]) == {"202", "400", "413", "503"}
    assert "$ref" not in str(pagerduty["responses"]["400"])  # PagerDuty's own shape


def test_statuses_for_an_unknown_operation_are_refused():
    doc = api.get_openapi_schema(path_prefix="")
    with pytest.raises(ValueError, match="unknown operations"):
        document_errors(doc, {"no_such_operation": {409}})
    assert operation_id(webhooks_api.ping) in {
        op["operationId"] for _, _, op in _operations(api.get_openapi_schema(path_prefix=""))
    }


# -- every error is JSON ------------------------------------------------------------------------


def test_a_shadowed_identifier_is_a_json_405(as_alice):
    response = as_alice.get("/api/v1/integrations/events")
    assert response.status_code == 405
    assert response.json()["detail"].startswith("GET is not allowed")
    assert response["Allow"] == "POST"


def test_a_uri_over_the_limit_is_a_json_414_and_does_nothing(as_carol, acme_ticket):
    padding = "x" * MAX_URI_LENGTH
    path = f"/api/v1/tickets/{acme_ticket.number}/reply?pad={padding}"
    before = TicketEvent.objects.count()
    response = as_carol.post(path, {"body": "still there?"})
    assert response.status_code == 414
    assert response["Content-Type"] == "application/json"
    assert str(MAX_URI_LENGTH) in response.json()["detail"]
    assert TicketEvent.objects.count() == before  # the view never ran

    unknown = as_carol.get(f"/api/v1/no-such-thing?pad={padding}")
    assert unknown.status_code == 414
    assert unknown.json()["field"] is None


def test_a_uri_at_the_limit_is_answered(as_carol):
    path = "/api/v1/me?pad="
    response = as_carol.get(path + "x" * (MAX_URI_LENGTH - len(path)))
    assert response.status_code == 200


def test_serve_lets_gunicorn_pass_uris_up_to_its_largest_request_line(monkeypatch):
    """gunicorn answers a request line over --limit-request-line itself, in plain text, so
    `deskside serve` sets it to gunicorn's maximum, above MAX_URI_LENGTH."""
    calls = []
    monkeypatch.setattr(cli.os, "execv", lambda program, args: calls.append(args))
    cli._gunicorn("127.0.0.1", 8000, 1)
    (args,) = calls
    limit = int(args[args.index("--limit-request-line") + 1])
    assert limit == 8190
    assert limit > MAX_URI_LENGTH + len("DELETE  HTTP/1.1")


def test_a_json_body_over_the_limit_is_a_413_naming_the_body(as_carol, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * MiB
    body = b'{"subject": "' + b"x" * (5 * MiB) + b'"}'
    response = Client.post(as_carol, "/api/v1/tickets", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "the request body is too large (at most 5 MiB): nothing was kept",
        "field": "body",
    }
    assert not Ticket.objects.exists()


# -- the mail intake's limit --------------------------------------------------------------------


def message_of(size: int) -> bytes:
    """A message of exactly `size` bytes: a note and an attachment (as a real one is sent),
    from a sender the trusted receiving MTA verified."""
    pad = 0
    attachment = size * 3 // 4
    for _ in range(20):
        msg = EmailMessage()
        msg["From"] = "carol@acme.example"
        msg["To"] = "help@desk.example"
        msg["Subject"] = "Scans of the broken printer"
        msg["Message-ID"] = f"<scan-{size}@acme.example>"
        mark_verified(msg)  # as the trusted MTA hands it on (tests/mailauth.py)
        filler = ("x" * 69 + "\n") * (pad // 70) + "x" * (pad % 70)  # lines SMTP takes
        msg.set_content("See the scans attached.\n" + filler + "\n")
        msg.add_attachment(b"\x89" * attachment, maintype="image", subtype="png", filename="a.png")
        raw = msg.as_bytes()
        missing = size - len(raw)
        if missing == 0:
            return raw
        if 0 < missing < 900:
            pad += missing
        else:
            attachment += missing * 3 // 4
    raise AssertionError(f"no message of {size} bytes")


def _deliver(client, raw: bytes):
    return Client.post(client, "/api/v1/mail/inbound", raw, content_type="message/rfc822")


@pytest.mark.slow
@pytest.mark.parametrize("limit_mb", [7])
def test_the_mail_intake_takes_a_message_up_to_its_limit(admin, acme, carol, settings, limit_mb):
    """Over Django's 5 MiB for other bodies: the message limit is DESKSIDE_MAX_MESSAGE_MB."""
    settings.DESKSIDE_MAX_MESSAGE_BYTES = limit_mb * MiB
    assert settings.DESKSIDE_MAX_MESSAGE_BYTES > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = client_for(admin)

    over = _deliver(client, message_of(limit_mb * MiB + 1))
    assert over.status_code == 413
    assert over.json() == {
        "detail": f"the message is larger than {limit_mb} MiB (DESKSIDE_MAX_MESSAGE_MB): "
        "nothing was kept",
        "field": "body",
    }
    assert not InboundMessage.objects.exists()

    at_limit = _deliver(client, message_of(limit_mb * MiB))
    assert at_limit.status_code == 200, at_limit.content[:300]
    assert at_limit.json()["outcome"] == "created"
    ticket = Ticket.objects.get()
    assert ticket.requester == carol


def test_a_declared_length_over_the_limit_is_refused_before_reading(admin, settings):
    settings.DESKSIDE_MAX_MESSAGE_BYTES = 1 * MiB
    response = Client.generic(
        client_for(admin),
        "POST",
        "/api/v1/mail/inbound",
        b"Subject: short\r\n\r\nbody\r\n",
        content_type="message/rfc822",
        CONTENT_LENGTH=str(MiB + 1),
    )
    assert response.status_code == 413
    assert response.json()["field"] == "body"
    assert not InboundMessage.objects.exists()
