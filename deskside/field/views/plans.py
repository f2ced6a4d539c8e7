"""The route-plan pages under /field/plans/ (agents): "plan the day" for a date, the recent
plans, one proposal as routes per technician (stops, arrivals, legs, total travel, what was
not assigned and why) with accept and discard. After accepting, the visits are on the
dispatch board, where the dispatcher edits them. No business logic: the services decide."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.permissions import agent_required
from deskside.core.forms import add_domain_error
from deskside.core.views import page_number, paginate
from deskside.field.exceptions import FieldError
from deskside.field.queries.plans import plan_detail, plans_visible_to, visible_plan
from deskside.field.services import planning

PAGE = 50  # recent plans per page


class PlanDayForm(forms.Form):
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))


@agent_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = PlanDayForm(request.POST)
        if form.is_valid():
            try:
                plan = planning.plan_day(request.user, form.cleaned_data["day"])
            except FieldError as error:
                add_domain_error(form, error)
            else:
                return redirect("field:plan", plan.public_id)
        status = 422
    else:
        # Today where the viewer is (the zone a plan's day is taken in).
        form = PlanDayForm(initial={"day": planning.today(request.user)})
    page = paginate(plans_visible_to(request.user), page_number(request.GET.get("page")), PAGE)
    return render(
        request,
        "field/plans.html",
        {"form": form, "plans": page.rows, "page": page},
        status=status,
    )


@agent_required
@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = visible_plan(request.user, public_id)
    return render(request, "field/plan_detail.html", {"p": plan_detail(plan)})


@agent_required
@require_POST
def accept(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = visible_plan(request.user, public_id)
    try:
        planning.accept_plan(request.user, plan)
    except FieldError as error:
        messages.error(request, f"Not accepted: {error.message}")
    else:
        messages.success(request, "Plan accepted: its visits are scheduled on the board.")
    return redirect("field:plan", public_id)


@agent_required
@require_POST
def discard(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = visible_plan(request.user, public_id)
    try:
        planning.discard_plan(request.user, plan)
    except FieldError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Plan discarded: nothing was scheduled.")
    return redirect("field:plan", public_id)
