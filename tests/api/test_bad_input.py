"""Input that a database or parser would choke on is refused as a 4xx naming the field."""

import pytest

from deskside.tickets.models import Ticket


@pytest.mark.parametrize(
    ("method", "path", "payload", "field"),
    [
        ("post", "/api/v1/tickets", {"subject": "a\x00b"}, "subject"),
        ("post", "/api/v1/tickets", {"subject": "ok", "watchers": ["a\x00"]}, "watchers.0"),
        ("get", "/api/v1/tickets?team=x%00", None, "team"),
        ("get", "/api/v1/tickets?q=printer%00", None, "q"),
        ("get", "/api/v1/organizations/acme%00", None, "slug"),
        ("get", "/api/v1/organizations/acme%00/sites", None, "slug"),
        ("get", "/api/v1/sites/x%00", None, "public_id"),
        ("get", "/api/v1/users?organization=acme%00", None, "organization"),
        ("post", "/api/v1/tickets/{number}/note", {"body": "a\x00b"}, "body"),
        ("post", "/api/v1/tickets/{number}/merge", {"into": "T-1\x00"}, "into"),
        ("patch", "/api/v1/tickets/{number}", {"description": "\x00"}, "description"),
    ],
)
def test_nul_characters_are_refused(as_alice, acme_ticket, method, path, payload, field):
    """PostgreSQL cannot store NUL in text; it must be a 422, not a 500, on both databases."""
    path = path.format(number=acme_ticket.number)
    client = getattr(as_alice, method)
    response = client(path, payload) if payload is not None else client(path)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_nul_in_the_idempotency_key(as_carol):
    response = as_carol.post("/api/v1/tickets", {"subject": "x"}, HTTP_IDEMPOTENCY_KEY="k\x00")
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
    assert not Ticket.objects.exists()


def test_a_missing_body_is_named(as_carol):
    response = as_carol.generic("POST", "/api/v1/tickets")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] is None
    assert "JSON object body" in body["detail"]


def test_a_body_that_is_not_an_object(as_carol):
    response = as_carol.generic(
        "POST", "/api/v1/tickets", b"[1, 2]", content_type="application/json"
    )
    assert response.status_code == 422
    assert "JSON object body" in response.json()["detail"]


def test_unparseable_json(as_carol):
    response = as_carol.generic(
        "POST", "/api/v1/tickets", b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Ticket.objects.exists()
