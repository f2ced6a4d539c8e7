"""The mail pages for agents, mounted at /mail/ (namespace "mail"): the quarantine and every
received message, the outbox, the mailboxes and the texts of outgoing mail; and the original
of a received message (its raw .eml, its sanitised HTML), which customers reach too.

Every agent may read these pages; only active agents with the admin role (`is_staff`) may
change anything (reprocess, discard, retry, edit a mailbox or a text): their POSTs, and the
pages that only exist to write, answer 403 to other agents. Customers are sent to the portal
(403 for a POST), as on every agent page. An agent limited to some clients sees the received
mail and the outbox of those clients' tickets only, and mail that has no ticket.

The original of a message (`raw`, `html`) is served to: an agent who can see its ticket; an
administrator for a message without a ticket (held in quarantine, automatic mail); a customer
for a message of their own (sent from their address) on a ticket they can see. Anyone else
gets 404, so a message's existence does not leak.
"""

import base64
import re
from typing import Any
from urllib.parse import unquote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.core import clock, ratelimit, versioning
from deskside.core.views import page_number, paginate
from deskside.mail import services, templates
from deskside.mail.exceptions import InvalidInput
from deskside.mail.forms import (
    DEFAULT_PORTS,
    MailboxForm,
    MailTemplateForm,
    OutboxFilterForm,
    ReceivedFilterForm,
)
from deskside.mail.models import (
    InboundMessage,
    Mailbox,
    MailKind,
    MailTemplate,
    OutboundMail,
    Outcome,
)
from deskside.mail.parse import normal_id, parse
from deskside.mail.queries import (
    message_rows,
    messages_visible_to,
    original_for,
    outbox_visible_to,
)

MESSAGE_PAGE = 50
OUTBOX_PAGE = 50
MAILBOX_PAGE = 100
# The HTML of a message is shown in its own page that can load nothing but its own images.
HTML_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
# Inline images shown in the HTML page (as data: URLs); never SVG, which can carry script.
INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
INLINE_IMAGES_MAX_BYTES = 10 * 2**20
_CID_SRC = re.compile(r'(\ssrc=")cid:([^"]*)(")', re.IGNORECASE)


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("only administrators may change the mail settings")


# -- received mail and the quarantine ----------------------------------------------------------


@agent_required
@require_GET
def quarantine_view(request: HttpRequest) -> HttpResponse:
    """The messages held in quarantine, newest first, with why and what can be done."""
    qs = message_rows(request.user).filter(outcome=Outcome.QUARANTINED)
    page = paginate(qs, page_number(request.GET.get("page")), MESSAGE_PAGE)
    return render(
        request,
        "mail/quarantine.html",
        {"page": page, "can_edit": is_admin(request.user), "tab": "quarantine"},
    )


@agent_required
@require_GET
def received_view(request: HttpRequest) -> HttpResponse:
    """Every message received, newest first, with what became of it: where a mail went."""
    form = ReceivedFilterForm(request.GET or None)
    values = form.values()
    qs = message_rows(request.user)
    if values["outcome"]:
        qs = qs.filter(outcome=values["outcome"])
    if values["sender"]:
        qs = qs.filter(sender__icontains=values["sender"])
    page = paginate(qs, page_number(request.GET.get("page")), MESSAGE_PAGE)
    return render(
        request,
        "mail/received.html",
        {
            "page": page,
            "form": form,
            "query": _query_without_page(request),
            "can_edit": is_admin(request.user),
            "tab": "received",
        },
    )


def _query_without_page(request: HttpRequest) -> str:
    """The list's filters, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the list the button was on (a local path only)."""
    target = request.POST.get("next", "")
    if target.startswith("/mail/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect(default)


def _held_message(user: User, public_id: str) -> InboundMessage:
    return get_object_or_404(
        messages_visible_to(user).select_related("mailbox"), public_id=public_id
    )


def _already_handled(request: HttpRequest, message: InboundMessage) -> HttpResponse:
    message.refresh_from_db(fields=["outcome"])
    messages.info(request, f"That message was already handled ({message.get_outcome_display()}).")
    return _back(request, "mail:quarantine")


@agent_required
@require_POST
def reprocess_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Run a held message through the pipeline again; one that fails again stays held with
    its new reason. With `as_note`, a message whose sender is not verified is taken as an
    internal note marked "sender not verified" (the mailbox's `note` policy, for this message
    only): it still never acts as its sender."""
    _require_admin(request.user)
    message = _held_message(request.user, public_id)
    try:
        result = services.reprocess_message(
            actor=request.user, message=message, as_note=bool(request.POST.get("as_note"))
        )
    except InvalidInput:
        return _already_handled(request, message)
    if result.failed:
        held = result.message or message
        sender = held.sender or "an unknown sender"
        messages.error(
            request, f"The message from {sender} is still held: {held.detail or held.reason}"
        )
    elif result.ticket is not None:
        label = Outcome(result.outcome).label
        messages.success(request, f"Message reprocessed: {label.lower()} ({result.ticket.number}).")
    else:
        messages.success(request, f"Message reprocessed: {Outcome(result.outcome).label.lower()}.")
    return _back(request, "mail:quarantine")


@agent_required
@require_POST
def discard_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Drop a held message for good (its original stays downloadable for administrators)."""
    _require_admin(request.user)
    message = _held_message(request.user, public_id)
    try:
        services.discard_message(actor=request.user, message=message)
    except InvalidInput:
        return _already_handled(request, message)
    messages.success(
        request, f"The message from {message.sender or 'an unknown sender'} was discarded."
    )
    return _back(request, "mail:quarantine")


# -- the original of a message -----------------------------------------------------------------


def message_for(user: User, public_id: str) -> InboundMessage:
    """The received message `public_id` if `user` may read its original
    (`queries.original_for`); raises Http404 otherwise."""
    message = original_for(user, public_id)
    if message is None:
        raise Http404("no such message")
    return message


def _read_raw(message: InboundMessage) -> bytes:
    try:
        with message.raw.open("rb") as fh:
            return fh.read()
    except (FileNotFoundError, ValueError):
        raise Http404("the message is missing from storage") from None


@login_required
@require_GET
def raw_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """The message as received (.eml), as a download: mail clients open it."""
    message = message_for(request.user, public_id)
    try:
        handle = message.raw.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("the message is missing from storage") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"message-{message.public_id}.eml",
        content_type="message/rfc822",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def inline_images(raw: bytes, html: str) -> str:
    """`html` with its `cid:` images (inline parts of the message) as data: URLs; raster
    images only, up to INLINE_IMAGES_MAX_BYTES in all. Other `cid:` references stay as they
    are and show as broken images."""
    if "cid:" not in html.lower():
        return html
    parts = {
        p.content_id: p
        for p in parse(raw).attachments
        if p.content_id and p.content_type.lower() in INLINE_IMAGE_TYPES
    }
    budget = INLINE_IMAGES_MAX_BYTES

    def replace(match: re.Match[str]) -> str:
        nonlocal budget
        cid = normal_id(unquote(match.group(2).replace("&amp;", "&")))
        part = parts.get(cid)
        if part is None or len(part.data) > budget:
            return match.group(0)
        budget -= len(part.data)
        data = base64.b64encode(part.data).decode()
        return f"{match.group(1)}data:{part.content_type.lower()};base64,{data}{match.group(3)}"

    return _CID_SRC.sub(replace, html)


@login_required
@require_GET
def html_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """The message's HTML (sanitised when it was received) in a bare page that may load
    nothing but the message's own inline images, framed by this site only."""
    message = message_for(request.user, public_id)
    if not message.html:
        raise Http404("the message has no HTML part")
    html = inline_images(_read_raw(message), message.html)
    body = render_to_string(
        "mail/message_html.html",
        {"message": message, "html": mark_safe(html)},  # noqa: S308 - sanitised by parse (nh3)
    )
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = HTML_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


# -- the outbox --------------------------------------------------------------------------------


@agent_required
@require_GET
def outbox_view(request: HttpRequest) -> HttpResponse:
    """Outgoing mail, newest first: queued, being sent, sent, failed and unknown (maybe sent),
    with how many are unknown, since those wait for an administrator's decision."""
    form = OutboxFilterForm(request.GET or None)
    qs = (
        outbox_visible_to(request.user)
        .select_related("ticket", "requeued_by")
        .defer("body")
        .order_by("-id")
    )
    if state := form.state_value():
        qs = qs.filter(state=state)
    page = paginate(qs, page_number(request.GET.get("page")), OUTBOX_PAGE)
    return render(
        request,
        "mail/outbox.html",
        {
            "page": page,
            "form": form,
            "query": _query_without_page(request),
            "can_edit": is_admin(request.user),
            "tab": "outbox",
            "now": clock.now(),
            "unknown": outbox_visible_to(request.user)
            .filter(state=OutboundMail.State.UNKNOWN)
            .count(),
        },
    )


@agent_required
@require_POST
def retry_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Send a failed mail, or one whose outcome is unknown, again (`outbound.requeue`)."""
    _require_admin(request.user)
    mail = get_object_or_404(outbox_visible_to(request.user), public_id=public_id)
    was_unknown = mail.state == OutboundMail.State.UNKNOWN
    if services.retry_mail(actor=request.user, mail=mail):
        again = " (the customer may get it twice)" if was_unknown else ""
        messages.success(
            request, f"The mail to {mail.recipients} is queued to be sent again{again}."
        )
    else:
        messages.info(
            request,
            "Only a failed mail or one whose outcome is unknown can be sent again; this one is "
            f"{mail.get_state_display().lower()}.",
        )
    return _back(request, "mail:outbox")


# -- mailboxes ---------------------------------------------------------------------------------


@agent_required
@require_GET
def mailboxes_view(request: HttpRequest) -> HttpResponse:
    qs = Mailbox.objects.select_related("organization", "team").order_by("name", "id")
    page = paginate(qs, page_number(request.GET.get("page")), MAILBOX_PAGE)
    return render(
        request,
        "mail/mailboxes.html",
        {
            "page": page,
            "rows": [(box, box.port or DEFAULT_PORTS.get(box.protocol)) for box in page.rows],
            "can_edit": is_admin(request.user),
            "tab": "mailboxes",
        },
    )


@agent_required
@require_http_methods(["GET", "POST"])
def mailbox_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    if request.method != "POST":
        return _mailbox_page(request, MailboxForm(user=request.user), None)
    form = MailboxForm(request.POST, user=request.user)
    if form.is_valid():
        mailbox = services.create_mailbox(
            actor=request.user, values=form.values(), password=form.new_password() or ""
        )
        messages.success(request, f"Mailbox {mailbox.name} created.")
        return redirect("mail:mailbox", mailbox.pk)
    return _mailbox_page(request, form, None, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk)
    if request.method != "POST":
        form = MailboxForm(instance=mailbox, user=request.user)
        if not is_admin(request.user):
            for field in form.fields.values():
                field.disabled = True
        return _mailbox_page(request, form, mailbox)
    _require_admin(request.user)
    form = MailboxForm(request.POST, instance=mailbox, user=request.user)
    if form.is_valid():
        try:
            services.update_mailbox(
                actor=request.user,
                mailbox=mailbox,
                values=form.values(),
                password=form.new_password(),
                version=form.cleaned_data.get("version"),
            )
        except versioning.VersionConflict as error:
            current = get_object_or_404(Mailbox, pk=pk)
            shown = {name: getattr(current, name) for name in MailboxForm.Meta.fields}
            versioning.form_conflict(form, error, shown)
            return _mailbox_page(request, form, current, status=409)
        messages.success(request, f"Mailbox {mailbox.name} saved.")
        return redirect("mail:mailbox", mailbox.pk)
    return _mailbox_page(request, form, get_object_or_404(Mailbox, pk=pk), status=422)


def _mailbox_page(
    request: HttpRequest, form: MailboxForm, mailbox: Mailbox | None, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "mail/mailbox.html",
        {
            "form": form,
            "mailbox": mailbox,
            "can_edit": is_admin(request.user),
            "can_test": _imap_check() is not None,
            "tab": "mailboxes",
        },
        status=status,
    )


def _imap_check() -> Any:
    """`deskside.mail.imap.check`, or None while the IMAP module is not installed."""
    try:
        from deskside.mail import imap  # noqa: PLC0415
    except ImportError:
        return None
    return getattr(imap, "check", None)


@agent_required
@require_POST
def mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Connect to the mailbox's server with its saved settings, log in and open its folder,
    and say how it went (`deskside.mail.imap.check`; changes nothing)."""
    _require_admin(request.user)
    mailbox = get_object_or_404(Mailbox, pk=pk)
    check = _imap_check()
    if check is None or not mailbox.polls:
        raise Http404("no connection test for this mailbox")
    try:
        ratelimit.count_test_send(request.user, "mailbox connection test")
    except ratelimit.Limited as exc:
        messages.error(request, f"No connection test of {mailbox.name}: {exc.message}.")
        return redirect("mail:mailbox", mailbox.pk)
    try:
        error = check(mailbox)
    except Exception as exc:  # the test reports, it never breaks the page
        error = f"{type(exc).__name__}: {exc}"
    if error:
        messages.error(request, f"Connection test of {mailbox.name} failed: {error}")
    else:
        messages.success(
            request,
            f"Connection test of {mailbox.name}: logged in to {mailbox.host} and opened "
            f"the folder {mailbox.folder}.",
        )
    return redirect("mail:mailbox", mailbox.pk)


# -- the texts of outgoing mail ----------------------------------------------------------------


def template_variables() -> list[tuple[str, str]]:
    """(name, what it is) of the variables a mail text may use."""
    return templates.VARIABLES


def _kind_or_404(kind: str) -> MailKind:
    try:
        return MailKind(kind)
    except ValueError:
        raise Http404("no such kind of mail") from None


@agent_required
@require_GET
def templates_view(request: HttpRequest) -> HttpResponse:
    rows = {row.kind: row for row in MailTemplate.objects.select_related("updated_by")}
    return render(
        request,
        "mail/templates.html",
        {
            "kinds": [(kind, rows.get(kind.value)) for kind in MailKind],
            "can_edit": is_admin(request.user),
            "tab": "templates",
        },
    )


@agent_required
@require_http_methods(["GET", "POST"])
def template_detail(request: HttpRequest, kind: str) -> HttpResponse:
    """One kind's text: read (everyone), preview typed text, save (administrators)."""
    mail_kind = _kind_or_404(kind)
    row = MailTemplate.objects.filter(kind=mail_kind).select_related("updated_by").first()
    if request.method != "POST":
        text = templates.current(mail_kind)
        form = MailTemplateForm(
            initial={
                "subject": text.subject,
                "body": text.body,
                "version": row.version if row else 0,
            }
        )
        if not is_admin(request.user):
            for field in form.fields.values():
                field.disabled = True
        preview = templates.render(text, templates.SAMPLE)
        return _template_page(request, form, mail_kind, row, preview)
    _require_admin(request.user)
    form = MailTemplateForm(request.POST)
    if not form.is_valid():
        return _template_page(request, form, mail_kind, row, None, status=422)
    if request.POST.get("action") == "preview":
        return _template_page(request, form, mail_kind, row, form.preview())
    subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
    default = templates.DEFAULTS[mail_kind]
    try:
        services.save_template(
            actor=request.user,
            kind=mail_kind,
            subject=subject,
            body=body,
            version=form.cleaned_data["version"],
        )
    except versioning.VersionConflict as error:
        text = templates.current(mail_kind)
        versioning.form_conflict(form, error, {"subject": text.subject, "body": text.body})
        row = MailTemplate.objects.filter(kind=mail_kind).select_related("updated_by").first()
        return _template_page(request, form, mail_kind, row, None, status=409)
    if (subject, body) == (default.subject, default.body):
        messages.success(request, f"The {mail_kind.label.lower()} uses the default text.")
    else:
        messages.success(request, f"The text of the {mail_kind.label.lower()} was saved.")
    return redirect("mail:template", mail_kind.value)


def _template_page(
    request: HttpRequest,
    form: MailTemplateForm,
    kind: MailKind,
    row: MailTemplate | None,
    preview: templates.Text | None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "mail/template.html",
        {
            "form": form,
            "kind": kind,
            "row": row,
            "preview": preview,
            "variables": template_variables(),
            "can_edit": is_admin(request.user),
            "tab": "templates",
        },
        status=status,
    )


@agent_required
@require_POST
def template_reset(request: HttpRequest, kind: str) -> HttpResponse:
    """Back to the built-in text: the edited one is deleted."""
    _require_admin(request.user)
    mail_kind = _kind_or_404(kind)
    if services.reset_template(actor=request.user, kind=mail_kind):
        messages.success(request, f"The {mail_kind.label.lower()} uses the default text again.")
    else:
        messages.info(request, f"The {mail_kind.label.lower()} already uses the default text.")
    return redirect("mail:template", mail_kind.value)
