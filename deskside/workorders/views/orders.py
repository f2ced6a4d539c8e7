"""The work-order pages (agents only; a customer is sent to the portal, 403 for a POST),
mounted under /workorders/ (namespace "workorders"):

- `/workorders/`: open work orders of the clients the viewer serves, filtered by client,
  template and state, paginated;
- `/workorders/new/`: a new work order (its ticket is opened from the template);
- `/workorders/<public id>/`: the work order page (phone-friendly): the checklist with
  evidence upload, the QC section and its sign-off, the confirmation with the user, progress,
  what is missing before resolving, and a link to the ticket; POST `items/<id>/tick/`,
  `items/<id>/untick/`, `sign/`, `confirm/`, `cancel/` below it;
- `/workorders/tickets/<number>/`: the ticket page's panel (an htmx fragment), with "Make this
  ticket a work order" (POST `.../start/`) when it is none.

A work order or ticket of a client the viewer does not serve is a 404. A service refusal is a
form error on the same page (422; htmx requests get 200 so the fragment is swapped).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.core.exceptions import DomainError
from deskside.core.views import page_number, paginate
from deskside.tickets.queries import ticket_for
from deskside.workorders import gate
from deskside.workorders.forms.orders import (
    CancelForm,
    ConfirmForm,
    ListFilterForm,
    NewWorkOrderForm,
    SignForm,
    StartForm,
    TickForm,
)
from deskside.workorders.models import Section, WorkOrder
from deskside.workorders.queries.orders import (
    RELATED,
    in_state,
    progress,
    state_of,
    work_orders_visible_to,
)
from deskside.workorders.services import orders, steps

PAGE_SIZE = 25


def _work_order(request: HttpRequest, public_id: str) -> WorkOrder:
    found = (
        work_orders_visible_to(request.user)  # type: ignore[arg-type]
        .select_related(*RELATED)
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404("no such work order")
    return found


@agent_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    query = request.GET.copy()
    query.setdefault("state", "open")
    form = ListFilterForm(query, user=user)
    qs = work_orders_visible_to(user).select_related(*RELATED).order_by("-created_at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["client"]:
            qs = qs.filter(organization=data["client"])
        if data["template"]:
            qs = qs.filter(template_version__template=data["template"])
        qs = in_state(qs, data["state"] or "open")
    else:  # an unknown client or template: nothing matches (the form says which)
        qs = qs.none()
    page = paginate(qs, page_number(request.GET.get("page")), PAGE_SIZE)
    rows = [(wo, state_of(wo)) for wo in page.rows]
    keep = query.copy()
    keep.pop("page", None)
    return render(
        request,
        "workorders/orders_list.html",
        {"form": form, "page": page, "rows": rows, "query": keep.urlencode()},
    )


@agent_required
def order_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    initial = {"template": request.GET.get("template", "")}
    form = NewWorkOrderForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            work_order = orders.create_work_order(
                user,
                data["template"],
                orders.NewWorkOrder(
                    organization=data["client"],
                    requester=data["requester_user"],
                    site=data["site"],
                    assignee=data["assignee"],
                    description=data["description"],
                ),
            )
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Work order {work_order.ticket.number} opened.")
            return redirect("workorders:order", work_order.public_id)
    status = 422 if form.is_bound else 200
    return render(request, "workorders/orders_new.html", {"form": form}, status=status)


def _page(
    request: HttpRequest,
    work_order: WorkOrder,
    *,
    bound: dict[str, Any] | None = None,
    failed_item: int | None = None,
    status: int = 200,
) -> HttpResponse:
    items = list(work_order.items.select_related("done_by", "attachment"))
    bound = bound or {}
    open_ = work_order.ticket.is_open and work_order.cancelled_at is None
    context = {
        "wo": work_order,
        "ticket": work_order.ticket,
        "version": work_order.template_version,
        "work_items": [i for i in items if i.section == Section.WORK],
        "qc_items": [i for i in items if i.section == Section.QC],
        "progress": progress(items),
        "missing": gate.missing(work_order) if work_order.cancelled_at is None else [],
        "state": state_of(work_order),
        "editable": open_,
        "installers": steps.installer_ids(work_order),
        "tick_form": bound.get("tick") or TickForm(auto_id="tick-%s"),
        "failed_item": failed_item,
        "sign_form": bound.get("sign") or SignForm(auto_id="sign-%s"),
        "confirm_form": bound.get("confirm") or ConfirmForm(auto_id="confirm-%s"),
        "cancel_form": bound.get("cancel") or CancelForm(auto_id="cancel-%s"),
    }
    return render(request, "workorders/order_detail.html", context, status=status)


@agent_required
@require_GET
def order_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _page(request, _work_order(request, public_id))


def _run(
    request: HttpRequest,
    public_id: str,
    name: str,
    form: Any,
    run: Any,
    done: str,
    *,
    item: int | None = None,
) -> HttpResponse:
    work_order = _work_order(request, public_id)
    if form.is_valid():
        try:
            run(request.user, work_order, form.cleaned_data)
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, done)
            anchor = f"#item-{item}" if item else f"#{name}"
            return redirect(reverse("workorders:order", args=[work_order.public_id]) + anchor)
    work_order = _work_order(request, public_id)
    return _page(request, work_order, bound={name: form}, failed_item=item, status=422)


@agent_required
@require_POST
def item_tick(request: HttpRequest, public_id: str, item: int) -> HttpResponse:
    form = TickForm(request.POST, request.FILES, auto_id="tick-%s")
    return _run(
        request,
        public_id,
        "tick",
        form,
        lambda actor, wo, d: steps.tick_item(actor, wo, item=item, note=d["note"], file=d["file"]),
        "Item ticked.",
        item=item,
    )


@agent_required
@require_POST
def item_untick(request: HttpRequest, public_id: str, item: int) -> HttpResponse:
    return _run(
        request,
        public_id,
        "tick",
        TickForm({}, auto_id="tick-%s"),
        lambda actor, wo, d: steps.untick_item(actor, wo, item=item),
        "Item unticked.",
        item=item,
    )


@agent_required
@require_POST
def sign(request: HttpRequest, public_id: str) -> HttpResponse:
    return _run(
        request,
        public_id,
        "sign",
        SignForm(request.POST, auto_id="sign-%s"),
        lambda actor, wo, d: steps.sign_qc(actor, wo, note=d["note"]),
        "QC signed.",
    )


@agent_required
@require_POST
def confirm(request: HttpRequest, public_id: str) -> HttpResponse:
    return _run(
        request,
        public_id,
        "confirm",
        ConfirmForm(request.POST, auto_id="confirm-%s"),
        lambda actor, wo, d: steps.confirm_with_user(
            actor, wo, who=d["who"], how=d["how"], note=d["note"]
        ),
        "Confirmation with the user recorded.",
    )


@agent_required
@require_POST
def cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    return _run(
        request,
        public_id,
        "cancel",
        CancelForm(request.POST, auto_id="cancel-%s"),
        lambda actor, wo, d: steps.cancel_work_order(actor, wo, reason=d["reason"]),
        "Work order cancelled: the ticket may now be closed.",
    )


# -- the ticket page's panel ----------------------------------------------------------------


def _panel(request: HttpRequest, ticket: Any, form: StartForm | None = None) -> HttpResponse:
    work_order = (
        work_orders_visible_to(request.user)  # type: ignore[arg-type]
        .select_related("template_version__template")
        .filter(ticket=ticket)
        .first()
    )
    context: dict[str, Any] = {"ticket": ticket, "wo": work_order}
    if work_order is not None:
        context["progress"] = progress(list(work_order.items.all()))
        context["missing"] = gate.missing(work_order) if work_order.cancelled_at is None else []
    else:
        context["form"] = form or StartForm(auto_id="wo-start-%s")
    return render(request, "workorders/_ticket_panel.html", context)


@agent_required
@require_GET
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket's work order (progress, what is missing, a link) as an HTML fragment."""
    return _panel(request, ticket_for(request.user, number))


@agent_required
@require_POST
def ticket_start(request: HttpRequest, number: str) -> HttpResponse:
    """ "Make this ticket a work order": `orders.start_on_ticket`, then the work order page."""
    user: User = request.user  # type: ignore[assignment]
    ticket = ticket_for(user, number)
    form = StartForm(request.POST, auto_id="wo-start-%s")
    if form.is_valid():
        try:
            work_order = orders.start_on_ticket(user, ticket, form.cleaned_data["template"])
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            url = reverse("workorders:order", args=[work_order.public_id])
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponseClientRedirect(url)
            return redirect(url)
    return _panel(request, ticket, form)
