"""Every endpoint needs a bearer token; the OpenAPI document and the docs page are public."""

import pytest

from deskside.accounts.services import create_api_token, revoke_api_token
from tests.conftest import ApiClient

ENDPOINTS = [
    ("get", "/api/v1/tickets"),
    ("post", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/T-10001"),
    ("patch", "/api/v1/tickets/T-10001"),
    ("post", "/api/v1/tickets/T-10001/assign"),
    ("post", "/api/v1/tickets/T-10001/escalate"),
    ("post", "/api/v1/tickets/T-10001/reply"),
    ("post", "/api/v1/tickets/T-10001/note"),
    ("post", "/api/v1/tickets/T-10001/calls"),
    ("post", "/api/v1/tickets/T-10001/resolve"),
    ("post", "/api/v1/tickets/T-10001/reopen"),
    ("post", "/api/v1/tickets/T-10001/close"),
    ("post", "/api/v1/tickets/T-10001/merge"),
    ("post", "/api/v1/tickets/T-10001/status"),
    ("get", "/api/v1/tickets/T-10001/events"),
    ("get", "/api/v1/organizations"),
    ("get", "/api/v1/organizations/acme"),
    ("get", "/api/v1/organizations/acme/sites"),
    ("get", "/api/v1/sites/abc"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/teams"),
    ("get", "/api/v1/me"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_missing_token(anon, acme_ticket, method, path):
    response = getattr(anon, method)(path)
    assert response.status_code == 401
    assert "bearer token" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_an_unknown_token(acme_ticket, method, path):
    response = getattr(ApiClient("dsk_not-a-real-token"), method)(path)
    assert response.status_code == 401


def test_a_revoked_token_is_refused(carol):
    raw = create_api_token(user=carol)
    client = ApiClient(raw)
    assert client.get("/api/v1/me").status_code == 200
    revoke_api_token(token=carol.api_tokens.get())
    assert client.get("/api/v1/me").status_code == 401


def test_an_inactive_users_token_is_refused(carol):
    client = ApiClient(create_api_token(user=carol))
    carol.is_active = False
    carol.save()
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_login_is_not_an_api_login(anon, carol):
    """The API answers to bearer tokens only, so a browser's session cookie (and a CSRF-able
    form post from another site) cannot drive it."""
    anon.force_login(carol)
    assert anon.get("/api/v1/me").status_code == 401


def test_openapi_document_lists_every_path(anon):
    response = anon.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "Deskside API"
    for method, path in ENDPOINTS:
        templated = (
            path.replace("T-10001", "{number}")
            .replace("/acme", "/{slug}")
            .replace("/abc", "/{public_id}")
        )
        assert method in doc["paths"].get(templated, {}), f"{method} {templated} is not listed"
        assert doc["paths"][templated][method].get("security"), f"{method} {path} is unsecured"


def test_openapi_documents_the_idempotency_header_and_pagination(anon):
    doc = anon.get("/api/v1/openapi.json").json()
    create = doc["paths"]["/api/v1/tickets"]["post"]
    headers = {p["name"] for p in create["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    listing = doc["paths"]["/api/v1/tickets"]["get"]
    query = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert {"page", "limit", "q", "status", "priority", "organization", "team"} <= query


def test_interactive_docs_page(anon):
    response = anon.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
