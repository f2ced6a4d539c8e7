"""The webhook pages, mounted at /webhooks/ (namespace "webhooks"): the list, a webhook's
page (its settings, its secret, a chart of delivered and failed deliveries per day and its
delivery log with each payload), and the actions: create, edit, activate or deactivate,
rotate the secret, send a test, redeliver, delete.

Every agent may read the webhooks they can see (`queries.webhooks_visible_to`); only
administrators (`is_staff`) change anything, and only they see the secret and the full URL
(other agents see it masked, `redact.masked_url`): other agents get 403 on every POST.
Customers never reach these pages (sent to the portal; 403 for a POST).
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.core import crypto, versioning
from deskside.core.ratelimit import Limited
from deskside.core.views import page_number, paginate
from deskside.webhooks import redact, services
from deskside.webhooks.exceptions import WebhookError
from deskside.webhooks.forms import DeliveryFilterForm, WebhookForm
from deskside.webhooks.models import Delivery, Webhook
from deskside.webhooks.queries import (
    daily_outcomes,
    deliveries_of,
    last_deliveries,
    webhook_for,
    webhooks_visible_to,
)

WEBHOOK_PAGE = 50
DELIVERY_PAGE = 25


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("only administrators may change webhooks")


def _shown_url(user: User, webhook: Webhook) -> str:
    """The full URL for administrators; masked for other agents (it may hold a token)."""
    return webhook.url if is_admin(user) else redact.masked_url(webhook.url)


def _webhook_or_404(user: User, public_id: str) -> Webhook:
    webhook = webhook_for(user, public_id)
    if webhook is None:
        raise Http404("no such webhook")
    return webhook


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    page = paginate(
        webhooks_visible_to(request.user), page_number(request.GET.get("page")), WEBHOOK_PAGE
    )
    last = last_deliveries(page.rows)
    rows = [
        (webhook, last.get(webhook.pk), _shown_url(request.user, webhook)) for webhook in page.rows
    ]
    return render(
        request,
        "webhooks/index.html",
        {"page": page, "rows": rows, "can_edit": is_admin(request.user)},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def webhook_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    user = request.user
    if request.method != "POST":
        form = WebhookForm(user=user, initial={"is_active": True, "events": ["ticket.created"]})
        return _page(request, form, None)
    form = WebhookForm(request.POST, user=user)
    if form.is_valid():
        try:
            webhook = services.create_webhook(actor=user, **form.values())
        except WebhookError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"Webhook {webhook.name} created. Copy its secret to the receiver."
            )
            return redirect("webhooks:detail", webhook.public_id)
    return _page(request, form, None, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    webhook = _webhook_or_404(user, public_id)
    if request.method != "POST":
        initial = WebhookForm.initial_for(webhook) | {"url": _shown_url(user, webhook)}
        form = WebhookForm(user=user, initial=initial)
        if not is_admin(user):
            for field in form.fields.values():
                field.disabled = True
        return _page(request, form, webhook)
    _require_admin(user)
    form = WebhookForm(request.POST, user=user)
    if form.is_valid():
        try:
            services.update_webhook(
                actor=user, webhook=webhook, version=form.cleaned_data["version"], **form.values()
            )
        except versioning.VersionConflict as error:
            webhook = _webhook_or_404(user, public_id)
            current = WebhookForm.initial_for(webhook) | {"url": _shown_url(user, webhook)}
            versioning.form_conflict(form, error, current)
            return _page(request, form, webhook, status=409)
        except WebhookError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Webhook {webhook.name} saved.")
            return redirect("webhooks:detail", webhook.public_id)
    return _page(request, form, webhook, status=422)


def _page(
    request: HttpRequest, form: WebhookForm, webhook: Webhook | None, *, status: int = 200
) -> HttpResponse:
    context: dict = {"form": form, "webhook": webhook, "can_edit": is_admin(request.user)}
    if webhook is not None:
        filters = DeliveryFilterForm(request.GET or None)
        chosen = filters.cleaned_data["status"] if filters.is_valid() else ""
        page = paginate(
            deliveries_of(webhook, chosen or None),
            page_number(request.GET.get("page")),
            DELIVERY_PAGE,
        )
        days = daily_outcomes(webhook)
        top = max((d.total for d in days), default=0) or 1
        secret, secret_error = "", ""
        if is_admin(request.user):
            try:
                secret = webhook.secret
            except crypto.Unreadable as exc:
                secret_error = str(exc)
        context.update(
            page=page,
            filters=filters,
            deliveries=[
                (d, json.dumps(d.payload, indent=2, ensure_ascii=False)) for d in page.rows
            ],
            chart=[
                {
                    "day": d.day,
                    "delivered": d.delivered,
                    "failed": d.failed,
                    "delivered_pct": round(100 * d.delivered / top),
                    "failed_pct": round(100 * d.failed / top),
                }
                for d in days
            ],
            chart_delivered=sum(d.delivered for d in days),
            chart_failed=sum(d.failed for d in days),
            secret=secret,
            secret_error=secret_error,
        )
    return render(request, "webhooks/detail.html", context, status=status)


def _act(request: HttpRequest, public_id: str) -> tuple[User, Webhook]:
    user = request.user
    _require_admin(user)
    return user, _webhook_or_404(user, public_id)


@agent_required
@require_POST
def webhook_rotate(request: HttpRequest, public_id: str) -> HttpResponse:
    user, webhook = _act(request, public_id)
    services.rotate_secret(actor=user, webhook=webhook)
    messages.success(request, "New secret made: copy it to the receiver now.")
    return redirect("webhooks:detail", webhook.public_id)


@agent_required
@require_POST
def webhook_ping(request: HttpRequest, public_id: str) -> HttpResponse:
    user, webhook = _act(request, public_id)
    try:
        delivery = services.send_ping(actor=user, webhook=webhook)
    except (WebhookError, Limited) as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Test delivery {delivery.public_id} queued: it goes out within seconds."
        )
    return redirect("webhooks:detail", webhook.public_id)


@agent_required
@require_POST
def webhook_active(request: HttpRequest, public_id: str) -> HttpResponse:
    user, webhook = _act(request, public_id)
    active = request.POST.get("active") == "1"
    services.update_webhook(actor=user, webhook=webhook, is_active=active)
    messages.success(
        request,
        f"Webhook {webhook.name} "
        + ("activated." if active else "deactivated; its queued deliveries are cancelled."),
    )
    return redirect("webhooks:detail", webhook.public_id)


@agent_required
@require_POST
def webhook_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    user, webhook = _act(request, public_id)
    services.delete_webhook(actor=user, webhook=webhook)
    messages.success(request, f"Webhook {webhook.name} deleted.")
    return redirect("webhooks:index")


@agent_required
@require_POST
def delivery_redeliver(request: HttpRequest, public_id: str, delivery_id: str) -> HttpResponse:
    user, webhook = _act(request, public_id)
    delivery = Delivery.objects.filter(webhook=webhook, public_id=delivery_id).first()
    if delivery is None:
        raise Http404("no such delivery")
    delivery.webhook = webhook
    try:
        copy = services.redeliver(actor=user, delivery=delivery)
    except WebhookError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Queued again as delivery {copy.public_id}.")
    return redirect("webhooks:detail", webhook.public_id)
