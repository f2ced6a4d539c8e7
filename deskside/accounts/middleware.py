"""Sessions that record who holds them, and the second-factor gate.

`SessionMiddleware` is Django's, with django-user-sessions' store: each session row keeps its
user, client address (deskside.accounts.clientip: trusted proxies only) and browser, so an
agent can see and end their other sessions. The session's expiry moves forward with use (idle
timeout, SESSION_COOKIE_AGE), at most once a minute so that a busy page does not write the
session row on every request.

`SecondFactorGate` stops an agent who signed in with a password (or through SSO without the
provider's own second factor) until they give a code, and an agent without a device, when
admins require two-factor sign-in, until they enrol one. The API (token authentication) is
not affected: it does not use the session.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from deskside.accounts.clientip import client_ip
from deskside.core import clock

SEEN_KEY = "_deskside_seen"  # epoch seconds of the last expiry refresh
REFRESH_SECONDS = 60


class SessionMiddleware(DjangoSessionMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        request.session = self.SessionStore(
            ip=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
            session_key=session_key,
        )

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(clock.now().timestamp())
            seen = session.get(SEEN_KEY)
            if not isinstance(seen, int) or not 0 <= now - seen < REFRESH_SECONDS:
                session[SEEN_KEY] = now  # marks it modified: saved with a new expiry
        return super().process_response(request, response)


MFA_VERIFIED_BY_IDP = "_deskside_idp_mfa"

# Paths an agent held at the gate may still reach (prefixes). The API authenticates by token
# only (deskside.api.BearerToken): a session, verified or not, gives nothing there.
_OPEN_PREFIXES = ("/api/", "/static/", "/logout/", "/password/reset/")


def needs_second_factor(request: HttpRequest) -> str | None:
    """'verify' when a signed-in agent must give a code, 'enrol' when they must set up a
    device first, else None."""
    from deskside.accounts import mfa

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_agent:
        return None
    if user.is_verified() or request.session.get(MFA_VERIFIED_BY_IDP):
        return None
    if mfa.has_device(user):
        return "verify"
    if mfa.required_for(user):
        return "enrol"
    return None


class SecondFactorGate:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_OPEN_PREFIXES) or not hasattr(request, "session"):
            return self.get_response(request)
        step = needs_second_factor(request)
        if step is None:
            return self.get_response(request)
        target = reverse("mfa_verify" if step == "verify" else "mfa_setup")
        if request.path == target:
            return self.get_response(request)
        next_url = request.get_full_path() if request.method == "GET" else ""
        if step == "verify" and next_url and next_url != "/":
            target += "?" + urlencode({"next": next_url})
        return redirect(target)
