"""Sign-in, the landing page and the account pages.

- Sign-in (/login/): Django's LoginView, throttled by django-axes (`locked_out` answers a sign-in
  refused while an account or address is locked out), with single sign-on when configured.
- The second factor (/login/code/) and its enrolment (/account/two-factor/), deskside.accounts.mfa.
- Password reset by mail and password change: Django's views with the desk's templates. A reset
  or a change ends the user's other sessions.
- The account page (/account/): password, two-factor, and the user's sessions, each of which
  can be ended.
- Sign-in security (/account/security/): admins require two-factor sign-in for every agent and
  reset an agent's lost device.
- The audit log (/audit/): configuration changes (deskside.core.audit), for admins.
"""

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from user_sessions.models import Session

from deskside.accounts import mfa, services
from deskside.accounts.middleware import needs_second_factor
from deskside.accounts.models import SecurityPolicy, User
from deskside.accounts.permissions import is_admin
from deskside.core import audit, ratelimit
from deskside.core.baseurl import base_url
from deskside.core.views import page_number, paginate


def sso_enabled() -> bool:
    return bool(settings.DESKSIDE_OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        context["sso_label"] = settings.DESKSIDE_OIDC_LABEL
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a sign-in while the account or the address is locked out: the
    sign-in page again, saying so without telling whether the account exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/login.html",
        {
            "locked_out": True,
            "cooloff_minutes": minutes,
            "sso_enabled": sso_enabled(),
            "sso_label": settings.DESKSIDE_OIDC_LABEL,
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # deletes the session row: the cookie is worth nothing afterwards
    return redirect("login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_agent:
        return redirect("tickets:queue")
    return redirect("portal:home")


# Password reset and change ----------------------------------------------------------------


class ResetForm(PasswordResetForm):
    """Django's reset form, with at most a few mails per person an hour
    (deskside.core.ratelimit.allow_reset_mail): beyond it the page answers as always, and no
    mail goes, so the form cannot flood an inbox nor tell whether an address has an account."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if ratelimit.allow_reset_mail(user))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # Links in the mail point at DESKSIDE_BASE_URL (or this request's checked host), never
        # at a Host header of the requester's choosing (deskside.core.baseurl).
        self.extra_email_context = {
            "base_url": base_url(self.request),
            "desk_name": settings.DESKSIDE_DESK_NAME,
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.end_other_sessions(form.user, keep=None)  # whoever knew the old password is out
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in
        services.end_other_sessions(self.request.user, keep=self.request.session.session_key)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


# The account page and sessions ------------------------------------------------------------


def session_handle(session_key: str) -> str:
    """The name a session goes by in the account page and its URLs: an HMAC of its key, so
    the page never shows the keys of one's other sessions (whoever held this session for a
    minute could otherwise copy them and stay signed in after it ends)."""
    return salted_hmac("deskside.accounts.session", session_key, algorithm="sha256").hexdigest()[
        :32
    ]


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Session expiry is stamped by Django's session store with Django's clock: compare with it.
    live = Session.objects.filter(user=user, expire_date__gt=timezone.now())
    sessions = list(live.order_by("-last_activity"))
    for session in sessions:
        session.handle = session_handle(session.session_key)
    return render(
        request,
        "accounts/account.html",
        {
            "sessions": sessions,
            "current_handle": session_handle(request.session.session_key or ""),
            "has_device": mfa.has_device(user),
            "mfa_required": mfa.required_for(user),
        },
    )


@login_required
@require_POST
def end_session(request: HttpRequest, handle: str) -> HttpResponse:
    """Ends one of the user's own sessions, named by its handle (`session_handle`)."""
    found = [
        session
        for session in Session.objects.filter(user=request.user)
        if constant_time_compare(session_handle(session.session_key), handle)
    ]
    if not found:
        raise Http404("No such session of yours")
    session = found[0]
    if session.session_key == request.session.session_key:
        logout(request)
        return redirect("login")
    session.delete()
    messages.success(request, "That session has ended.")
    return redirect("account")


@login_required
@require_POST
def end_other_sessions_view(request: HttpRequest) -> HttpResponse:
    count = services.end_other_sessions(request.user, keep=request.session.session_key)
    messages.success(request, f"Ended {count} other session{'s' if count != 1 else ''}.")
    return redirect("account")


# Two-factor sign-in ------------------------------------------------------------------------


def _safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    if needs_second_factor(request) != "verify":
        return redirect(_safe_next(request, reverse("home")))
    error = ""
    if request.method == "POST":
        code = "".join(request.POST.get("code", "").split())
        device = match_token(request.user, code) if code else None
        if device is not None:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. Make new ones on your "
                    "account page if you are running out.",
                )
            return redirect(_safe_next(request, reverse("home")))
        error = "That code is not right (or came too late). Try the current code."
    return render(
        request,
        "accounts/mfa_verify.html",
        {"error": error, "next": _safe_next(request, "")},
        status=200 if not error else 400,
    )


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and typed key, then a code to confirm it."""
    user = request.user
    if not user.is_agent:
        raise PermissionDenied("Two-factor sign-in is for agents.")
    if needs_second_factor(request) == "verify":
        return redirect("mfa_verify")  # replacing a device takes the current one first
    device = mfa.pending_app_device(user)
    error = ""
    if request.method == "POST":
        codes = mfa.confirm_app_device(device, request.POST.get("code", ""))
        if codes is not None:
            otp_login(request, device)
            return render(request, "accounts/mfa_codes.html", {"codes": codes})
        error = "That code is not right. Check the time on your phone and try the next code."
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "qr": mfa.qr_svg(device),
            "key": mfa.manual_key(device),
            "error": error,
            "has_device": mfa.has_device(user),
            "required": mfa.required_for(user),
            "held": needs_second_factor(request) is not None,  # at the gate: no navigation
        },
        status=200 if not error else 400,
    )


@login_required
@require_POST
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a verified agent with an app."""
    if not request.user.is_agent or not mfa.has_device(request.user):
        raise PermissionDenied("Set up an authenticator app first.")
    return render(
        request, "accounts/mfa_codes.html", {"codes": mfa.new_recovery_codes(request.user)}
    )


@login_required
@require_POST
def mfa_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa.required_for(user):
        messages.error(request, "Two-factor sign-in is required for agents on this desk.")
    else:
        mfa.reset_devices(user)
        messages.success(request, "Two-factor sign-in is off for your account.")
    return redirect("account")


# Sign-in security (admins) -------------------------------------------------------------------


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("Only administrators change sign-in security.")


@login_required
def security_policy(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    policy = SecurityPolicy.current()
    if request.method == "POST":
        policy = services.set_agent_mfa_required(
            actor=request.user, required=request.POST.get("require_agent_mfa") == "on"
        )
        messages.success(
            request,
            "Agents must now sign in with a second factor."
            if policy.require_agent_mfa
            else "Two-factor sign-in is now each agent's choice.",
        )
        return redirect("security_policy")
    agents = User.objects.filter(kind=User.Kind.AGENT, is_active=True).order_by("email")
    enrolled = set(mfa.TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    return render(
        request,
        "accounts/security_policy.html",
        {"policy": policy, "agents": [(a, a.pk in enrolled) for a in agents]},
    )


@login_required
@require_POST
def mfa_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """An admin removes an agent's devices (a lost phone): the agent signs in with the password
    and, when two-factor sign-in is required, sets up a new app straight away."""
    _require_admin(request.user)
    agent = get_object_or_404(User, pk=user_id, kind=User.Kind.AGENT)
    services.reset_agent_mfa(
        actor=request.user, agent=agent, keep_session=request.session.session_key
    )
    messages.success(request, f"Two-factor sign-in reset for {agent.email}.")
    return redirect("security_policy")


# -- the audit log (/audit/) -------------------------------------------------------------------
# Configuration changes (deskside.core.audit), newest first, for administrators; anyone else
# signed in gets 403. The filters are the API's (`GET /api/v1/audit`): actor (an e-mail address
# or part of one, or a user id), object type, action, object id and a date range (`since` and
# `until`, whole days in UTC, both included).

AUDIT_FILTERS = ("actor", "object_type", "action", "object_id", "since", "until")


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, filtered and paginated (see the comment above)."""
    if not is_admin(request.user):
        raise PermissionDenied("only administrators read the audit log")
    given = {k: request.GET.get(k, "").replace("\x00", "").strip()[:200] for k in AUDIT_FILTERS}
    since, until = _day(given["since"]), _day(given["until"])
    qs = audit.entries(
        actor=given["actor"] or None,
        object_type=given["object_type"] or None,
        action=given["action"] or None,
        object_id=given["object_id"] or None,
        since=dt.datetime.combine(since, dt.time(), dt.UTC) if since else None,
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        if until and until < dt.date.max
        else None,
    )
    page = paginate(qs, page_number(request.GET.get("page")))
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": replace(page, rows=[(e, audit.diff_rows(e)) for e in page.rows]),
            "filters": given,
            "query": urlencode({k: v for k, v in given.items() if v}),
            "object_types": audit.object_types(),
            "actions": [audit.CREATED, audit.UPDATED, audit.DELETED, *audit.OTHER_ACTIONS],
        },
    )
