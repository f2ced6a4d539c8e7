"""Log a call: the L1 desk's intake page, its caller look-up and the phone system's screen-pop.

    /tickets/new/                 the form (GET: `q` looks callers up, `caller` picks one;
                                  POST: a new ticket for a known or a new contact, or, with
                                  `log_on=T-xxxx`, the call logged on that open ticket)
    /tickets/new/callers/?q=      htmx: the look-up's listbox
    /tickets/new/contacts/        htmx: the requester and site pickers of the chosen client
                                  (with `requester`, that caller chosen and their open tickets
                                  swapped in beside the form)
    /tickets/call/?phone=         the screen-pop a softphone opens on an incoming call

Every look-up goes through `accounts.queries.callers_matching` / `callers_with_number`, which
only find contacts of the clients the agent serves: a URL names a number, never a tenancy.
"""

from typing import Any
from urllib.parse import unquote, unquote_plus

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.accounts.phones import display, to_e164
from deskside.accounts.queries import callers_matching, callers_with_number, contacts_served_by
from deskside.core.exceptions import DomainError
from deskside.core.forms import add_domain_error
from deskside.tickets import services
from deskside.tickets.exceptions import InvalidInput
from deskside.tickets.forms import MAX_CALL_MINUTES, CallIntakeForm
from deskside.tickets.models import Status, Ticket
from deskside.tickets.queries import open_ticket_counts, open_tickets_of, ticket_for

TEMPLATE = "tickets/new.html"
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _caller(agent: User, public_id: str | None) -> User | None:
    """The contact `public_id`, if the agent serves their client and they are active."""
    if not public_id:
        return None
    return contacts_served_by(agent).filter(public_id=public_id).first()


def _with_counts(agent: User, callers: list[User]) -> list[User]:
    """`callers`, each with `open_count`: their open tickets the agent may see (one query)."""
    counts = open_ticket_counts(agent, callers)
    for person in callers:
        person.open_count = counts.get(person.pk, 0)  # type: ignore[attr-defined]
    return callers


def _page(
    request: HttpRequest,
    form: CallIntakeForm,
    *,
    callers: list[User] | None = None,
    caller: User | None = None,
    new_contact: bool = False,
    status: int = 200,
) -> HttpResponse:
    agent = _agent(request)
    context: dict[str, Any] = {
        "form": form,
        "callers": callers,
        "caller": caller,
        "open_tickets": open_tickets_of(agent, caller) if caller else [],
        "new_contact": new_contact or any(form[name].value() for name in CONTACT_FIELDS),
    }
    return render(request, TEMPLATE, context, status=status)


@agent_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    """Phone and walk-up intake in one form: opens the ticket (adding the caller to the
    directory when they are new), logs the call and, when a resolution is given, resolves it
    on the spot (first-contact resolution); or logs the call on one of the caller's open
    tickets (`log_on`), so a repeat call is not a new ticket."""
    agent = _agent(request)
    if request.method != "POST":
        initial = request.GET.dict()
        caller = _caller(agent, initial.pop("caller", None))
        if caller is not None:
            initial.update(
                organization=caller.organization.slug, requester=caller.public_id, q=str(caller)
            )
        form = CallIntakeForm(initial=initial, user=agent)
        q = initial.get("q", "").strip()
        callers = _with_counts(agent, callers_matching(agent, q)) if q and not caller else None
        return _page(request, form, callers=callers, caller=caller)
    form = CallIntakeForm(request.POST, user=agent)
    if request.POST.get("log_on"):
        return _log_on_open_ticket(request, form, request.POST["log_on"])
    if form.is_valid():
        try:
            ticket = _open_ticket(agent, form)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            done = " and resolved on the call" if ticket.status == Status.RESOLVED else ""
            messages.success(request, f"{ticket.number} logged{done}.")
            return redirect(ticket)
    return _page(request, form, caller=_caller(agent, form["requester"].value()), status=422)


def _open_ticket(agent: User, form: CallIntakeForm) -> Ticket:
    data = form.cleaned_data
    call = {
        "site": data["site"],
        "channel": data["channel"],
        "description": data["description"],
        "priority": data["priority"],
        "type": data["type"],
        "minutes": data["minutes"],
        "resolution": data["resolution"],
    }
    if form.is_new_contact():
        return services.intake_call_new_contact(
            actor=agent,
            organization=data["organization"],
            contact=services.NewContact(
                full_name=data["contact_name"],
                email=data["contact_email"],
                phone=data["contact_phone"],
                site=data["site"],
            ),
            subject=data["subject"],
            **call,
        )
    return services.intake_call(
        actor=agent,
        organization=data["organization"],
        requester=data["requester"],
        subject=data["subject"],
        **call,
    )


def _log_on_open_ticket(request: HttpRequest, form: CallIntakeForm, number: str) -> HttpResponse:
    """The call logged on the caller's open ticket `number`: the summary is the description
    typed (or the subject), the minutes those of the form."""
    agent = _agent(request)
    ticket = ticket_for(agent, number, detail="no such ticket")
    summary = (request.POST.get("description") or request.POST.get("subject") or "").strip()
    try:
        minutes = int(request.POST.get("minutes") or 0)
    except ValueError:
        minutes = -1
    try:
        if not summary:
            raise InvalidInput(
                "Write what the call was about (subject or description) to log it.",
                field="description",
            )
        if not 0 <= minutes <= MAX_CALL_MINUTES:
            raise InvalidInput(
                f"minutes must be a whole number from 0 to {MAX_CALL_MINUTES}", field="minutes"
            )
        services.log_call(actor=agent, ticket=ticket, minutes=minutes, body=summary)
    except DomainError as error:
        form.is_valid()  # the form's own errors are not the point here: only the call's
        form.errors.clear()
        add_domain_error(form, error)
        caller = _caller(agent, form["requester"].value())
        return _page(request, form, caller=caller, status=422)
    messages.success(request, f"Call logged on {ticket.number}.")
    return redirect(ticket)


@agent_required
@require_GET
def intake_contacts(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the requester and site pickers for the chosen client; with `requester`
    (a caller picked from the look-up), that caller chosen and, swapped in beside the form,
    their open tickets."""
    agent = _agent(request)
    caller = _caller(agent, request.GET.get("requester"))
    initial = {"organization": request.GET.get("organization", "")}
    if caller is not None:
        initial.update(organization=caller.organization.slug, requester=caller.public_id)
    form = CallIntakeForm(initial=initial, user=agent)
    context = {
        "form": form,
        "caller": caller,
        "open_tickets": open_tickets_of(agent, caller) if caller else [],
        "oob": True,
    }
    return render(request, "tickets/_intake_contacts.html", context)


@agent_required
@require_GET
def callers(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the callers matching `q`, as the look-up's listbox."""
    agent = _agent(request)
    q = request.GET.get("q", "").strip()
    found = _with_counts(agent, callers_matching(agent, q)) if q else None
    return render(request, "tickets/_caller_results.html", {"callers": found, "q": q})


def phone_from_query(query_string: str) -> str:
    """The `phone` parameter as the phone system sent it. A `+` not URL-encoded
    (`?phone=+15550100`) is the number's own plus, not a space; when that reading is not a
    number, the form-encoded one (`+` for a space: `?phone=%2B1+555+010+0100`) is tried."""
    raw = ""
    for part in query_string.split("&"):
        name, _, value = part.partition("=")
        if unquote_plus(name) == "phone":
            raw = value
            break
    literal = unquote(raw).strip()
    if to_e164(literal) is not None:
        return literal
    return unquote_plus(raw).strip()


@agent_required
@require_GET
def screen_pop(request: HttpRequest) -> HttpResponse:
    """Log a call, opened by a phone system on an incoming call (`?phone=<caller ID>`): the
    matching contact chosen (one match), the choice (several), or the new-contact form with
    the number filled in (none). Only contacts of the clients the agent serves are found."""
    agent = _agent(request)
    phone = phone_from_query(request.META.get("QUERY_STRING", ""))[:100]
    found = callers_with_number(agent, phone) if phone else []
    if len(found) == 1:
        caller = found[0]
        initial = {
            "organization": caller.organization.slug,
            "requester": caller.public_id,
            "q": str(caller),
        }
        return _page(request, CallIntakeForm(initial=initial, user=agent), caller=caller)
    if found:
        form = CallIntakeForm(initial={"q": phone}, user=agent)
        return _page(request, form, callers=_with_counts(agent, found))
    e164 = to_e164(phone)
    initial = {"contact_phone": display(e164) if e164 else phone}
    form = CallIntakeForm(initial=initial, user=agent)
    form.fields["contact_name"].widget.attrs["autofocus"] = True
    return _page(request, form, callers=[], new_contact=True)
