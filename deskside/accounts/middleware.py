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
from django_htmx.http import HttpResponseClientRedirect

from deskside.accounts.clientip import client_ip
from deskside.core import clock

SEEN_KEY = "_deskside_seen"  # epoch seconds of the last expiry refresh
REFRESH_SECONDS = 60


def stamp_session_at_sign_in(sender, request, user, **kwargs) -> None:
    """A session saved at sign-in has its full idle time (no refresh in its first minute), and
    the second-factor gate's answer for it is known."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(clock.now().timestamp())
    session[SEEN_KEY] = now
    session.pop(GATE_PASSED_KEY, None)
    if second_factor_step(user, session) is None:
        session[GATE_PASSED_KEY] = now


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
# When the gate last found nothing to ask (epoch seconds): it looks again (three queries) at most
# once a minute, so a policy an admin turns on reaches signed-in agents within a minute.
GATE_PASSED_KEY = "_deskside_2fa_ok"

# Paths an agent held at the gate may still reach (prefixes). The API authenticates by token
# only (deskside.api.BearerToken): a session, verified or not, gives nothing there.
_OPEN_PREFIXES = ("/api/", "/static/", "/logout/", "/password/reset/")


def needs_second_factor(request: HttpRequest) -> str | None:
    """'verify' when a signed-in agent must give a code, 'enrol' when they must set up a
    device first, else None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if getattr(user, "is_verified", lambda: False)():
        return None
    return second_factor_step(user, request.session)


def second_factor_step(user, session) -> str | None:
    """As needs_second_factor, for a user not (yet) verified by a code in this session."""
    from deskside.accounts import mfa  # noqa: PLC0415 - models: loaded before the app registry

    if not user.is_agent or session.get(MFA_VERIFIED_BY_IDP):
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
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_agent:
            return self.get_response(request)
        now = int(clock.now().timestamp())
        passed = request.session.get(GATE_PASSED_KEY)
        if isinstance(passed, int) and 0 <= now - passed < REFRESH_SECONDS:
            return self.get_response(request)
        step = needs_second_factor(request)
        if step is None:
            request.session[GATE_PASSED_KEY] = now
            return self.get_response(request)
        target = reverse("mfa_verify" if step == "verify" else "mfa_setup")
        if request.path == target:
            return self.get_response(request)
        if request.headers.get("HX-Request"):
            # htmx would follow a 302 and swap the whole gate page into a fragment (a poll's
            # badge): it is told to load the gate page instead, with no fragment to come back to.
            return HttpResponseClientRedirect(target)
        next_url = request.get_full_path() if request.method == "GET" else ""
        if step == "verify" and next_url and next_url != "/":
            target += "?" + urlencode({"next": next_url})
        return redirect(target)
