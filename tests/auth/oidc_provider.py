"""A real OpenID Connect provider for the tests: oidc-provider-mock, served on 127.0.0.1 (as
"localhost") on a free port in a thread. Sign-ins go through its authorization page, its token
endpoint (code exchange), its JWKS and its userinfo endpoint over HTTP."""

from collections.abc import Iterator
from contextlib import contextmanager

import oidc_provider_mock

from deskside.accounts.oidc import forget_discovery

CLIENT_ID = "deskside-test"
CLIENT_SECRET = "test-secret-not-for-production"

# Predefined identities (the provider's one-click users), by subject.
USERS = [
    oidc_provider_mock.User(
        sub="alice-sso",
        claims={"email": "alice@msp.example", "email_verified": True, "name": "Alice Agent"},
    ),
    oidc_provider_mock.User(
        sub="alice-sso-mfa",
        claims={"email": "alice@msp.example", "email_verified": True, "amr": ["pwd", "mfa"]},
    ),
    oidc_provider_mock.User(
        sub="alice-unverified", claims={"email": "alice@msp.example", "email_verified": False}
    ),
    oidc_provider_mock.User(
        sub="carol-sso", claims={"email": "carol@acme.example", "email_verified": True}
    ),
    oidc_provider_mock.User(
        sub="stranger-sso", claims={"email": "stranger@msp.example", "email_verified": True}
    ),
]


@contextmanager
def provider() -> Iterator[str]:
    """Run the provider; yields its issuer URL."""
    with oidc_provider_mock.run_server_in_thread(
        port=0, require_nonce=True, user_claims=USERS
    ) as server:
        yield f"http://localhost:{server.server_port}"


def configure(settings, issuer: str) -> None:

    settings.DESKSIDE_OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    forget_discovery()
