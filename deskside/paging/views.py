"""The paging pages, mounted at /paging/ (namespace "paging").

- index: the chains waiting for someone (with each chain's grid of steps and rounds) and the
  pages sent to me, each with an Acknowledge button;
- ticket_panel: the HTML fragment of one ticket's chain that the ticket page includes by htmx;
  acknowledging there answers with the panel and the "ticket-changed" event, on which the
  rest of the ticket page reloads (the acknowledgement assigned the ticket and wrote events);
- ack: the signed link in a page. GET only shows a confirmation page (link previews in Slack,
  Teams or Outlook fetch URLs, and must never acknowledge); its POST acknowledges. No sign-in:
  the signature is the credential, and the paged person acknowledges; an agent who is signed
  in acknowledges as themselves (if they serve the client), and the page says so.
- contacts: every agent's own contact methods (add, order, pause, delete, send a test);
- policies and rules: readable by every agent, changed by administrators (`is_staff`) only.

Agents only (customers go to the portal; 403 for a POST). Reads through `queries.py`, writes
through `services.py`; a service error becomes a message or a form error on the same page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.core import ratelimit, versioning
from deskside.duty.models import Schedule
from deskside.paging import queries, services
from deskside.paging.delivery import DeliveryFailed, send_test
from deskside.paging.exceptions import InvalidInput, PagingError
from deskside.paging.models import (
    ContactMethod,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    PagingRule,
)
from deskside.paging.services import StepSpec
from deskside.sla.queries import contracts_visible_to
from deskside.tickets.models import Ticket, parse_number
from deskside.tickets.queries import visible_tickets

BLANK_STEPS = 2
# The htmx event (HX-Trigger) a panel's answer raises when the ticket itself changed: the
# ticket page's main part listens for it on the body and reloads (tickets/detail.html).
TICKET_CHANGED = "ticket-changed"
GRID_PREFETCH = (
    "pages__user",
    "policy__steps__schedule",
    "policy__steps__user",
    "policy__steps__team",
)


# -- the chain grid ----------------------------------------------------------------------------


def chain_grid(escalation: Escalation) -> dict[str, object]:
    """Rounds x steps, each cell "done", "now" (the next to run) or "todo", with the people
    paged in it: what the panel and the index draw."""
    steps = list(escalation.policy.steps.all())
    paged: dict[tuple[int, int], list[str]] = {}
    for page in escalation.pages.all():
        names = paged.setdefault((page.cycle, page.step), [])
        if page.user.get_full_name() not in names:
            names.append(page.user.get_full_name())
    n = len(steps)
    position = (escalation.cycle, escalation.step)
    rows = []
    for cycle in range(max(escalation.policy.repeat, escalation.cycle) + 1):
        cells = []
        for i, step in enumerate(steps):
            state = "todo"
            if (cycle, i) < position:
                state = "done"
            elif (cycle, i) == position and escalation.status == Escalation.Status.ACTIVE:
                state = "now"
            cells.append({"state": state, "step": step, "paged": paged.get((cycle, i), [])})
        rows.append({"cycle": cycle + 1, "cells": cells})
    lead = None
    if escalation.policy.notify_team_lead and escalation.policy.team:
        state = "todo"
        if any(step == n for _, step in paged):
            state = "done"
        elif position == (escalation.policy.repeat, n) and escalation.status == "active":
            state = "now"
        lead = {"state": state, "user": escalation.policy.team.lead}
    return {"rows": rows, "lead": lead, "steps": steps}


def _with_grid(escalations: list[Escalation]) -> list[Escalation]:
    for escalation in escalations:
        escalation.grid = chain_grid(escalation)  # type: ignore[attr-defined]
    return escalations


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(default)


# -- index and acknowledging -------------------------------------------------------------------


@require_GET
@agent_required
def index(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    open_ = _with_grid(
        list(
            queries.open_escalations(user)
            .select_related("policy__team__lead")
            .prefetch_related(*GRID_PREFETCH)
        )
    )
    mine = list(queries.pages_visible_to(user, mine=True)[:30])
    recent = list(
        queries.escalations_visible_to(user)
        .exclude(status__in=queries.OPEN)
        .order_by("-started_at", "-id")[:20]
    )
    return render(
        request,
        "paging/index.html",
        {
            "open": open_,
            "mine": mine,
            "recent": recent,
            "has_methods": user.contact_methods.exists(),
        },
    )


@require_POST
@agent_required
def acknowledge(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    escalation = queries.escalations_visible_to(user).filter(public_id=public_id).first()
    if escalation is None:
        raise Http404("no such escalation")
    try:
        services.acknowledge(actor=user, escalation=escalation, via=Escalation.Via.PAGE)
    except PagingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{escalation.ticket.number} acknowledged and assigned to you.")
    if request.htmx:  # type: ignore[attr-defined]
        # The panel answers for itself; the rest of the ticket page (status, assignee,
        # timeline) changed too, and reloads on this event (tickets/detail.html listens).
        return trigger_client_event(_panel(request, escalation.ticket), TICKET_CHANGED)
    return _back(request, reverse("paging:index"))


@require_GET
@agent_required
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket's paging as an HTML fragment (no base.html), for the ticket page."""
    user: User = request.user  # type: ignore[assignment]
    pk = parse_number(number)
    ticket = visible_tickets(user).filter(pk=pk).first() if pk is not None else None
    if ticket is None:
        raise Http404("no such ticket")
    return _panel(request, ticket)


def _panel(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    escalations = list(queries.escalations_of(ticket).prefetch_related(*GRID_PREFETCH)[:5])
    return render(
        request,
        "paging/_ticket_panel.html",
        {"ticket": ticket, "escalations": _with_grid(escalations)},
    )


@require_http_methods(["GET", "POST"])
def ack_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link of a page: GET confirms, POST acknowledges (see the module docstring)."""
    try:
        page = services.page_for_token(token)
    except PagingError as exc:
        return render(request, "paging/ack.html", {"error": exc.message}, status=400)
    escalation = page.escalation
    actor = services.link_actor(page, request.user)  # type: ignore[arg-type]
    context = {
        "page": page,
        "ticket": escalation.ticket,
        "escalation": escalation,
        "actor": actor,
        "as_other": actor.pk != page.user_id,
    }
    if request.method == "POST":
        try:
            escalation = services.acknowledge_link(token=token, user=request.user)  # type: ignore[arg-type]
        except PagingError as exc:
            context["error"] = exc.message
            return render(request, "paging/ack.html", context, status=exc.status_code)
        context.update(escalation=escalation, done=True)
    return render(request, "paging/ack.html", context)


# -- contact methods ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@agent_required
def contacts(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = {"kind": "apprise", "address": "", "label": ""}
    error = None
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            method = services.add_contact_method(
                actor=user,
                user=user,
                kind=form["kind"],
                address=form["address"],
                label=form["label"],
            )
        except PagingError as exc:
            error = exc
        else:
            messages.success(request, f"{method.service} added.")
            return redirect("paging:contacts")
    return render(
        request,
        "paging/contacts.html",
        {
            "methods": list(queries.contact_methods_of(user)),
            "form": form,
            "error": error,
            "kinds": ContactMethod.Kind.choices,
        },
        status=422 if error else 200,
    )


@require_POST
@agent_required
def contact_action(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    method = ContactMethod.objects.filter(public_id=public_id, user=user).first()
    if method is None:
        raise Http404("no such contact method")
    action = request.POST.get("action")
    version = versioning.posted_version(request.POST)
    try:
        if action == "delete":
            services.delete_contact_method(actor=user, method=method, version=version)
            messages.success(request, f"{method.service} removed.")
        elif action in ("up", "down"):
            step = -1 if action == "up" else 1
            services.update_contact_method(
                actor=user, method=method, position=max(0, method.position + step), version=version
            )
        elif action == "toggle":
            services.update_contact_method(
                actor=user, method=method, is_active=not method.is_active, version=version
            )
        elif action == "test":
            try:
                ratelimit.count_test_send(user, "contact method test")
                send_test(method)
            except ratelimit.Limited as exc:
                messages.error(request, f"No test sent: {exc.message}.")
            except DeliveryFailed as exc:
                messages.error(request, f"The test to {method.service} failed: {exc}")
            else:
                messages.success(request, f"Test notification handed to {method.service}.")
        else:
            messages.error(request, "Unknown action.")
    except versioning.VersionConflict:
        messages.error(
            request,
            f"{method.service} was {versioning.CONFLICT}: nothing was changed; "
            "here is how it is now.",
        )
    except PagingError as exc:
        messages.error(request, exc.message)
    return redirect("paging:contacts")


# -- policies ----------------------------------------------------------------------------------


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("only administrators may change paging set-up")


@require_GET
@agent_required
def policies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "paging/policies.html",
        {"policies": list(queries.policies()), "can_edit": is_admin(request.user)},
    )


def _choices() -> dict[str, object]:
    return {
        "schedules": list(Schedule.objects.order_by("name")),
        "agents": list(
            User.objects.filter(kind=User.Kind.AGENT, is_active=True).order_by("full_name")
        ),
        "teams": list(Team.objects.order_by("name")),
        "targets": EscalationStep.Target.choices,
    }


def _steps_from(post: dict) -> list[StepSpec]:
    """The step rows of the policy form (rows with no target are left out)."""
    targets = post.getlist("step_target")
    schedules = post.getlist("step_schedule")
    users = post.getlist("step_user")
    teams = post.getlist("step_team")
    waits = post.getlist("step_wait")
    specs = []
    for i, target in enumerate(targets):
        if not target:
            continue
        try:
            wait = int(waits[i] or 0)
        except (ValueError, IndexError):
            raise InvalidInput(
                "the wait is a number of minutes", field=f"steps.{len(specs)}.wait_minutes"
            ) from None
        specs.append(
            StepSpec(
                target=target,
                wait_minutes=wait,
                schedule=Schedule.objects.filter(pk=_int(schedules, i)).first(),
                user=User.objects.filter(pk=_int(users, i), kind=User.Kind.AGENT).first(),
                team=Team.objects.filter(pk=_int(teams, i)).first(),
            )
        )
    return specs


def _int(values: list[str], i: int) -> int | None:
    try:
        return int(values[i])
    except (ValueError, IndexError):
        return None


@require_http_methods(["GET", "POST"])
@agent_required
def policy_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    policy = None
    if slug is not None:
        policy = queries.policies().filter(slug=slug).first()
        if policy is None:
            raise Http404("no such policy")
    elif not is_admin(user):
        raise PermissionDenied("only administrators may create policies")
    error = None
    conflict: list[str] = []
    version = policy.version if policy is not None else None
    if request.method == "POST":
        _require_admin(user)
        post = request.POST
        posted = versioning.posted_version(post)
        if post.get("action") == "delete" and policy is not None:
            try:
                services.delete_policy(actor=user, policy=policy, version=posted)
            except versioning.VersionConflict as exc:
                messages.error(request, f"Not deleted: {exc.message}")
                return redirect("paging:policy", policy.slug)
            except PagingError as exc:
                messages.error(request, exc.message)
                return redirect("paging:policy", policy.slug)
            messages.success(request, f"{policy.name} deleted.")
            return redirect("paging:policies")
        team = Team.objects.filter(pk=_int([post.get("team", "")], 0)).first()
        try:
            repeat = int(post.get("repeat") or 0)
            fields = {
                "name": post.get("name", ""),
                "slug": post.get("slug", ""),
                "team": team,
                "repeat": repeat,
                "notify_team_lead": bool(post.get("notify_team_lead")),
                "description": post.get("description", ""),
                "steps": _steps_from(post),
            }
            if policy is None:
                policy = services.create_policy(actor=user, **fields)
            else:
                policy = services.update_policy(actor=user, policy=policy, version=posted, **fields)
        except versioning.VersionConflict as exc:
            policy = queries.policies().get(pk=policy.pk)
            version = exc.current
            conflict = versioning.conflict_message(
                {
                    "name": policy.name,
                    "slug": policy.slug,
                    "team": policy.team.name if policy.team else None,
                    "repeat": policy.repeat,
                    "steps": [
                        f"{s.target} {s.schedule or s.user or s.team}, wait {s.wait_minutes} min"
                        for s in policy.steps.all()
                    ],
                }
            )
        except ValueError:
            error = InvalidInput("repeat is a number", field="repeat")
        except PagingError as exc:
            error = exc
        else:
            messages.success(request, f"{policy.name} saved.")
            return redirect("paging:policy", policy.slug)
    steps = list(policy.steps.all()) if policy is not None and policy.pk else []
    return render(
        request,
        "paging/policy.html",
        {
            "policy": policy,
            "steps": steps,
            "blank": range(BLANK_STEPS),
            "can_edit": is_admin(user),
            "error": error,
            "conflict": conflict,
            "version": version,
            "post": request.POST if error or conflict else None,
            **_choices(),
        },
        status=409 if conflict else 422 if error else 200,
    )


# -- rules -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@agent_required
def rules(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        _require_admin(user)
        contract = (
            contracts_visible_to(user).filter(public_id=request.POST.get("contract", "")).first()
        )
        if contract is None:
            raise Http404("no such contract")
        try:
            if request.POST.get("action") == "delete":
                rule = PagingRule.objects.filter(contract=contract).first()
                if rule is not None:
                    services.delete_rule(
                        actor=user, rule=rule, version=versioning.posted_version(request.POST)
                    )
                messages.success(request, f"{contract.name} no longer pages.")
            else:
                policy = EscalationPolicy.objects.filter(
                    pk=_int([request.POST.get("policy", "")], 0)
                ).first()
                if policy is None:
                    raise InvalidInput("choose a policy", field="policy")
                services.set_rule(
                    actor=user,
                    contract=contract,
                    policy=policy,
                    page_p1=bool(request.POST.get("page_p1")),
                    p2=request.POST.get("p2", ""),
                    alert_severity=request.POST.get("alert_severity", ""),
                    version=versioning.posted_version(request.POST),
                )
                messages.success(request, f"Paging rule of {contract.name} saved.")
        except versioning.VersionConflict:
            messages.error(
                request,
                f"The paging rule of {contract.name} was {versioning.CONFLICT}: nothing was "
                "changed; here is how it is now.",
            )
        except versioning.Gone:
            messages.error(request, f"The paging rule of {contract.name} was removed meanwhile.")
        except PagingError as exc:
            messages.error(request, exc.message)
        return redirect("paging:rules")
    # The contracts of the clients the agent serves and the default one (as the SLA pages).
    contracts = list(contracts_visible_to(user).select_related("paging_rule__policy"))
    return render(
        request,
        "paging/rules.html",
        {
            "contracts": contracts,
            "policies": list(EscalationPolicy.objects.order_by("name")),
            "can_edit": is_admin(user),
            "p2_choices": PagingRule.P2.choices,
            "severity_choices": PagingRule.Severity.choices,
        },
    )
