"""Who may do what, by role: one definition each, used by services, pages and the API.

- an *agent* is a signed-in, active user of kind agent (a technician of the MSP);
- an *administrator* is an agent with the admin role (`is_staff`): they change the set-up
  (contracts, calendars, schedules, paging, integrations, webhooks, mail settings, sign-in
  security);
- a *customer* is a signed-in, active user of a client organisation.

Which clients an agent serves is `deskside.accounts.queries` (`serves`,
`served_organization_ids`). `agent_required` guards the agent pages.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from deskside.core.timezones import zone

View = Callable[..., HttpResponse]


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_agent(user: Any) -> bool:
    """A signed-in, active agent (anyone else: anonymous, a customer, a deactivated user)."""
    return _signed_in(user) and bool(user.is_agent)


def is_admin(user: Any) -> bool:
    """An active agent with the admin role (`is_staff`)."""
    return is_agent(user) and bool(user.is_staff)


def is_customer(user: Any) -> bool:
    """A signed-in, active customer."""
    return _signed_in(user) and bool(user.is_customer)


def agent_required(view: View) -> View:
    """Agents only: anonymous users go to the login page, customers to the portal (the same
    ticket's portal page for a ticket link; 403 for a POST). Times on the page are rendered
    in the agent's own time zone."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_agent:
            if request.method in ("GET", "HEAD"):
                # A ticket link (say, from an email) opens the same ticket in the portal,
                # which checks the customer's visibility itself.
                if "number" in kwargs:
                    return redirect("portal:detail", kwargs["number"])
                return redirect("portal:home")
            raise PermissionDenied("agents only")
        with timezone.override(zone(user.timezone)):
            return view(request, *args, **kwargs)

    return wrapper
