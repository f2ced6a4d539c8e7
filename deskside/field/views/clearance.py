"""The clearance and backfill pages (agents only; customers are sent to the portal, 403 for a
POST), mounted under /field/ (namespace "field"):

- `/field/clearance/`: the matrix of technicians x the clients the viewer serves, each cell
  the status and, while shadowing, the shadow visits done / required;
- `/field/clearance/clients/<slug>/`: one client's technicians;
- `/field/clearance/technicians/<public id>/`: one technician's clearances and history;
- `/field/clearance/clients/<slug>/technicians/<public id>/`: one technician at one client:
  status, history, and the forms that change it (POST `shadowing/`, `sign-off/`, `revoke/`
  below it);
- `/field/backfill/`: who is away in a period, their visits with suggested replacements and
  a one-click reassign (POST `/field/backfill/reassign/`), and the clients flagged ahead.

A client the viewer does not serve is a 404, as is a person who is no agent. A service error
is a form error on the same page (status 400, 403 or 409 as the error says).
"""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import agent_required
from deskside.field import backfill as backfill_reads
from deskside.field.exceptions import FieldError
from deskside.field.forms.clearance import (
    PeriodForm,
    ReassignForm,
    RevokeForm,
    ShadowingForm,
    SignOffForm,
)
from deskside.field.models import ClearanceStatus
from deskside.field.queries import clearance as reads
from deskside.field.queries import visits_visible_to
from deskside.field.services import clearance as svc
from deskside.field.services import scheduling

ACTIONS = ("shadowing", "sign-off", "revoke")


def _client(request: HttpRequest, slug: str) -> Organization:
    found = reads.clients_visible_to(request.user).filter(slug=slug).first()  # type: ignore[arg-type]
    if found is None:
        raise Http404("no such client")
    return found


def _person(public_id: str) -> User:
    found = User.objects.filter(public_id=public_id, kind=User.Kind.AGENT).first()
    if found is None:
        raise Http404("no such technician")
    return found


@agent_required
@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    clients, rows = reads.matrix(request.user)  # type: ignore[arg-type]
    return render(request, "field/clearance_matrix.html", {"clients": clients, "rows": rows})


@agent_required
@require_GET
def client(request: HttpRequest, slug: str) -> HttpResponse:
    org = _client(request, slug)
    return render(
        request,
        "field/clearance_client.html",
        {"client": org, "cells": reads.client_cells(request.user, org)},  # type: ignore[arg-type]
    )


@agent_required
@require_GET
def technician(request: HttpRequest, public_id: str) -> HttpResponse:
    person = _person(public_id)
    viewer: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "field/clearance_technician.html",
        {
            "person": person,
            "cells": reads.technician_cells(viewer, person),
            "events": list(reads.history(viewer, technician=person)[:200]),
        },
    )


def _forms(viewer: User, org: Organization, data=None, action: str = "") -> dict:
    return {
        "shadowing_form": ShadowingForm(
            data if action == "shadowing" else None,
            regulars=reads.cleared_at(viewer, org),
            auto_id="shadow-%s",
        ),
        "sign_off_form": SignOffForm(data if action == "sign-off" else None, auto_id="signoff-%s"),
        "revoke_form": RevokeForm(data if action == "revoke" else None, auto_id="revoke-%s"),
    }


def _detail(
    request: HttpRequest, org: Organization, person: User, forms: dict, status: int = 200
) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    row = reads.clearance_for(viewer, org, person)
    current = row.status if row else ClearanceStatus.NOT_CLEARED
    return render(
        request,
        "field/clearance_detail.html",
        {
            "client": org,
            "person": person,
            "clearance": row,
            "status": current,
            "status_label": ClearanceStatus(current).label,
            "shadow_done": svc.shadow_visits_done(person.pk, org.pk),
            "shadow_required": row.shadow_visits_required if row else 2,
            "events": list(reads.history(viewer, clearance=row)) if row else [],
            "can_shadow": current in (ClearanceStatus.NOT_CLEARED, ClearanceStatus.REVOKED),
            "can_sign_off": current == ClearanceStatus.SHADOWING,
            "can_revoke": current in (ClearanceStatus.SHADOWING, ClearanceStatus.CLEARED),
            **forms,
        },
        status=status,
    )


@agent_required
@require_GET
def detail(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    org, person = _client(request, slug), _person(public_id)
    return _detail(request, org, person, _forms(request.user, org))  # type: ignore[arg-type]


@agent_required
@require_POST
def change(request: HttpRequest, slug: str, public_id: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("no such change")
    org, person = _client(request, slug), _person(public_id)
    actor: User = request.user  # type: ignore[assignment]
    forms = _forms(actor, org, request.POST, action)
    form = forms[
        {"shadowing": "shadowing_form", "sign-off": "sign_off_form"}.get(action, "revoke_form")
    ]
    if not form.is_valid():
        return _detail(request, org, person, forms, status=400)
    data = form.cleaned_data
    row = reads.clearance_for(actor, org, person)
    try:
        if action == "shadowing":
            svc.start_shadowing(
                actor=actor,
                technician=person,
                organization=org,
                regular_technician=data["regular_technician"],
                shadow_visits_required=data["shadow_visits_required"],
                note=data["note"],
            )
            done = f"{person} is shadowing at {org.name}."
        elif row is None:
            form.add_error(None, f"{person} is not cleared at {org.name}: start shadowing first")
            return _detail(request, org, person, forms, status=409)
        elif action == "sign-off":
            svc.sign_off(actor=actor, clearance=row, note=data["note"], override=data["override"])
            done = f"{person} is cleared at {org.name}."
        else:
            svc.revoke(actor=actor, clearance=row, reason=data["reason"])
            done = f"{person}'s clearance at {org.name} is revoked."
    except FieldError as exc:
        form.add_service_error(exc)
        return _detail(request, org, person, forms, status=exc.status_code)
    messages.success(request, done)
    return redirect("field:clearance_detail", org.slug, person.public_id)


# -- backfill ----------------------------------------------------------------------------------


def _backfill_page(
    request: HttpRequest, form: PeriodForm, *, reassign_error: str = "", status: int = 200
) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    report = None
    if form.is_valid():
        try:
            report = backfill_reads.backfill(
                viewer, form.cleaned_data.get("start"), form.cleaned_data.get("end")
            )
        except FieldError as exc:
            form.add_service_error(exc)
            status = max(status, 400)
    else:
        status = max(status, 400)
    return render(
        request,
        "field/clearance_backfill.html",
        {"form": form, "report": report, "reassign_error": reassign_error},
        status=status,
    )


@agent_required
@require_GET
def backfill(request: HttpRequest) -> HttpResponse:
    return _backfill_page(request, PeriodForm(request.GET or {}, auto_id="period-%s"))


def _period_query(start: date | None, end: date | None) -> str:
    """`?start=...&end=...` for the days given ("" for none)."""
    parts = [f"{name}={day.isoformat()}" for name, day in (("start", start), ("end", end)) if day]
    return "?" + "&".join(parts) if parts else ""


@agent_required
@require_POST
def reassign(request: HttpRequest) -> HttpResponse:
    """Give a visit of someone away to a suggested replacement: `scheduling.reassign` (same
    start and second technician; the clearance rule is asked there)."""
    actor: User = request.user  # type: ignore[assignment]
    form = ReassignForm(request.POST)
    period = PeriodForm({k: request.POST.get(k, "") for k in ("start", "end")}, auto_id="period-%s")
    if not form.is_valid():
        return _backfill_page(
            request, period, reassign_error="choose a visit and a technician", status=400
        )
    visit = visits_visible_to(actor).filter(public_id=form.cleaned_data["visit"]).first()
    person = User.objects.filter(
        public_id=form.cleaned_data["technician"], kind=User.Kind.AGENT
    ).first()
    if visit is None or person is None:
        return _backfill_page(
            request, period, reassign_error="no such visit or technician", status=404
        )
    try:
        scheduling.reassign(actor, visit, person)
    except FieldError as exc:
        return _backfill_page(request, period, reassign_error=exc.message, status=exc.status_code)
    messages.success(request, f"Visit for {visit.ticket.number} reassigned to {person}.")
    query = _period_query(form.cleaned_data.get("start"), form.cleaned_data.get("end"))
    return redirect(reverse("field:backfill") + query)
