"""Single sign-on for agents through OpenID Connect, against a real provider on 127.0.0.1:
real redirects, code exchange, JWKS signature check and userinfo (issue 12 item 6)."""

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from deskside.accounts.models import SecurityPolicy, User
from deskside.accounts.oidc import AgentOIDCBackend
from tests.auth.oidc_provider import configure
from tests.auth.test_mfa import enrol

pytestmark = pytest.mark.django_db


def sso_round_trip(client: Client, sub: str, next_url: str = ""):
    """Start at Deskside, authorize `sub` at the provider, come back to the callback."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    authorize_url = start["Location"]
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["client_id"] == ["deskside-test"] and "nonce" in query and "state" in query
    # The provider's own page (a real HTTP request): choose the identity and authorize.
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200 and sub in page.text
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == "/oidc/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def test_the_sign_in_page_offers_sso_when_configured(client, sso, settings):
    settings.DESKSIDE_OIDC_LABEL = "Contoso Entra ID"
    page = client.get("/login/").content.decode()
    assert 'href="/oidc/authenticate/"' in page and "Contoso Entra ID" in page


def test_no_sso_button_without_configuration(client):
    assert b"/oidc/authenticate/" not in client.get("/login/").content


def test_an_existing_agent_signs_in_through_the_provider(client, sso, alice):
    response = sso_round_trip(client, "alice-sso", next_url="/tickets/")
    assert response.status_code == 302 and response["Location"] == "/tickets/"
    assert int(client.session["_auth_user_id"]) == alice.pk
    assert client.get("/tickets/").status_code == 200


@pytest.mark.parametrize(
    "sub",
    ["stranger-sso", "carol-sso", "alice-unverified"],
    ids=["unknown", "customer", "unverified"],
)
def test_only_existing_agents_with_a_verified_address_get_in(client, sso, alice, carol, sub):
    users_before = User.objects.count()
    response = sso_round_trip(client, sub)
    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed"
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users_before  # nobody is created
    assert b"Single sign-on did not sign you in" in client.get("/login/?sso=failed").content


def test_an_inactive_agent_does_not_get_in(client, sso, alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert sso_round_trip(client, "alice-sso")["Location"] == "/login/?sso=failed"


def test_email_domains_restrict_sso(client, sso, alice, settings):
    settings.DESKSIDE_OIDC_EMAIL_DOMAINS = ["other.example"]
    assert sso_round_trip(client, "alice-sso")["Location"] == "/login/?sso=failed"
    settings.DESKSIDE_OIDC_EMAIL_DOMAINS = ["msp.example"]
    assert sso_round_trip(client, "alice-sso").status_code == 302
    assert int(client.session["_auth_user_id"]) == alice.pk


def test_a_callback_with_a_forged_state_is_refused(client, sso, alice):
    client.get("/oidc/authenticate/")
    response = client.get("/oidc/callback/?code=abc&state=forged")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_an_id_token_for_another_client_is_refused(client, sso, alice, settings):
    # The provider signs tokens for whatever client asks; ours must be the audience.
    start = client.get("/oidc/authenticate/")
    authorize_url = start["Location"].replace("client_id=deskside-test", "client_id=someone-else")
    answer = requests.post(
        authorize_url, data={"sub": "alice-sso"}, allow_redirects=False, timeout=10
    )
    callback = urlsplit(answer.headers["Location"])
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session


def test_required_mfa_without_the_provider_s_mfa_asks_for_enrolment(client, sso, alice):
    SecurityPolicy.objects.create(pk=1, require_agent_mfa=True)
    sso_round_trip(client, "alice-sso")
    held = client.get("/tickets/")
    assert held.status_code == 302 and held["Location"] == "/account/two-factor/"


def test_the_provider_s_mfa_counts_when_trusted(client, sso, alice, settings):
    SecurityPolicy.objects.create(pk=1, require_agent_mfa=True)
    sso_round_trip(client, "alice-sso-mfa")
    assert client.get("/tickets/").status_code == 200
    settings.DESKSIDE_OIDC_TRUST_IDP_MFA = False
    other = Client()
    sso_round_trip(other, "alice-sso-mfa")
    assert other.get("/tickets/")["Location"] == "/account/two-factor/"


def test_an_enrolled_agent_gives_the_local_code_after_sso(client, sso, alice):
    password_client = Client()
    password_client.force_login(alice)
    enrol(password_client)
    sso_round_trip(client, "alice-sso")
    held = client.get("/tickets/")
    assert held.status_code == 302 and held["Location"].startswith("/login/code/")


def test_sso_with_the_provider_down_fails_cleanly(client, settings, alice):

    configure(settings, "http://localhost:9")  # nothing listens on the discard port
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed"


@pytest.mark.parametrize(
    ("claim", "value"),
    [("aud", "someone-else"), ("iss", "http://evil.example"), ("exp", 1_000_000_000)],
)
def test_id_tokens_are_checked_for_audience_issuer_and_expiry(claim, value):

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    backend = AgentOIDCBackend()
    backend.OIDC_RP_CLIENT_ID = "deskside-test"
    backend.issuer = "http://localhost:1"
    now = int(time.time())
    claims = {"iss": backend.issuer, "aud": "deskside-test", "sub": "a", "iat": now}
    claims["exp"] = now + 300
    good = jwt.encode(claims, key, algorithm="RS256")
    assert backend._verify_jws(good, key.public_key())["sub"] == "a"
    bad = jwt.encode({**claims, claim: value}, key, algorithm="RS256")
    with pytest.raises(SuspiciousOperation):
        backend._verify_jws(bad, key.public_key())
