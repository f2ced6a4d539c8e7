"""Single sign-on for agents through OpenID Connect (mozilla-django-oidc).

Configured by DESKSIDE_OIDC_ISSUER, DESKSIDE_OIDC_CLIENT_ID and DESKSIDE_OIDC_CLIENT_SECRET
(docs/install.md, "Single sign-on"). The provider's endpoints come from its discovery document
(`<issuer>/.well-known/openid-configuration`), read on first use and kept for an hour.

Who may sign in: only an existing, active agent whose e-mail address equals the `email` claim,
when the provider says the address is verified (`email_verified`, unless
DESKSIDE_OIDC_REQUIRE_VERIFIED_EMAIL is off) and its domain is one of
DESKSIDE_OIDC_EMAIL_DOMAINS (when set). No account is ever created from an SSO identity, and
customers never sign in this way. The ID token's signature (the provider's JWKS), issuer,
audience (our client id), expiry and nonce are all checked.

Second factor: when an agent must give one (deskside.accounts.middleware), an ID token whose
`amr` claim names a second factor (RFC 8176: mfa, otp, hwk, swk, sms, fpt ...) counts as it
while DESKSIDE_OIDC_TRUST_IDP_MFA is on; otherwise the agent is asked for the local code.
"""

import logging
import threading
import time

import jwt
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.shortcuts import redirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from deskside.accounts.middleware import MFA_VERIFIED_BY_IDP
from deskside.accounts.models import User

logger = logging.getLogger(__name__)

DISCOVERY_TTL = 3600
TIMEOUT = 10
# RFC 8176 authentication method references that mean more than a password.
SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris", "sc"})

_cache: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def discovery() -> dict:
    """The provider's metadata (cached). Raises ImproperlyConfigured when SSO is not set up."""
    issuer = settings.DESKSIDE_OIDC_ISSUER
    if not issuer or not settings.OIDC_RP_CLIENT_ID:
        raise ImproperlyConfigured("single sign-on is not configured (DESKSIDE_OIDC_ISSUER)")
    with _lock:
        cached = _cache.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_TTL:
            return cached[1]
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
    response.raise_for_status()
    metadata = response.json()
    if metadata.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise ImproperlyConfigured(
            f"the provider at {issuer} names another issuer: {metadata.get('issuer')!r}"
        )
    with _lock:
        _cache[issuer] = (time.monotonic(), metadata)
    return metadata


def forget_discovery() -> None:
    with _lock:
        _cache.clear()


class AgentOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Endpoints are read when a sign-in happens (authenticate), not when Django lists the
        # backends: a desk without SSO, or with its provider down, still signs in by password.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = User

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs:
            return None  # not an SSO callback (a password sign-in reaches every backend)
        try:
            metadata = discovery()
        except (ImproperlyConfigured, requests.RequestException, ValueError) as exc:
            logger.warning("single sign-on: provider metadata unavailable: %s", exc)
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = metadata.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = metadata["jwks_uri"]
        self.issuer = metadata["issuer"]
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, jwt.PyJWTError) as exc:
            logger.warning("single sign-on failed: %s", exc)
            return None

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for `token`: by `kid` when the token names one, else the
        only signing key for the algorithm (some providers publish keys without ids)."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=TIMEOUT)
        response.raise_for_status()
        header = jwt.get_unverified_header(token)
        alg, kid = header.get("alg"), header.get("kid")
        keys = [
            k
            for k in response.json().get("keys", [])
            if k.get("use", "sig") == "sig" and k.get("alg", alg) == alg
        ]
        if kid is not None:
            keys = [k for k in keys if k.get("kid") == kid]
        if len(keys) != 1:
            raise SuspiciousOperation("no single signing key of the provider matches the token")
        return jwt.PyJWK(keys[0])

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("the ID token is not signed with the expected algorithm")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token rejected: {exc}") from None

    def get_or_create_user(self, access_token, id_token, payload):
        self.id_token_claims = payload
        return super().get_or_create_user(access_token, id_token, payload)

    def get_userinfo(self, access_token, id_token, payload):
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo is about another subject than the ID token")
            claims.update(info)
        return claims

    def verify_claims(self, claims) -> bool:
        email = (claims.get("email") or "").strip()
        if "@" not in email:
            return False
        if settings.DESKSIDE_OIDC_REQUIRE_VERIFIED_EMAIL and claims.get("email_verified") not in (
            True,
            "true",
        ):
            logger.warning("single sign-on refused: %s is not a verified address", email)
            return False
        domains = settings.DESKSIDE_OIDC_EMAIL_DOMAINS
        if domains and email.rsplit("@", 1)[1].lower() not in domains:
            logger.warning("single sign-on refused: %s is outside the allowed domains", email)
            return False
        return True

    def filter_users_by_claims(self, claims):
        return User.objects.filter(
            email__iexact=claims["email"].strip(), kind=User.Kind.AGENT, is_active=True
        )

    def update_user(self, user, claims):
        amr = self.id_token_claims.get("amr") or []
        if isinstance(amr, str):
            amr = [amr]
        if settings.DESKSIDE_OIDC_TRUST_IDP_MFA and SECOND_FACTOR_AMR.intersection(amr):
            self.request.session[MFA_VERIFIED_BY_IDP] = True
        return user

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorization endpoint (from its discovery)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except (ImproperlyConfigured, requests.RequestException, ValueError, KeyError) as exc:
            logger.warning("single sign-on: provider metadata unavailable: %s", exc)
            return redirect(settings.LOGIN_REDIRECT_URL_FAILURE)
        return super().get(request)
