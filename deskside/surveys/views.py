"""The surveys pages under /surveys/.

- `answer` (no sign-in): the signed link's page. A GET only shows the question (with the
  rating from the mail's link chosen) and a button: mail scanners fetch links, so only the
  POST records. A bad or altered link, an expired survey and a second answer get a clear page
  (400, 410, 409).
- `portal_answer` (the requester, signed in): the form on the portal's ticket page.
- `report`, `chart`, `export`, `responses`, `follow_ups` (agents): the CSAT report with its
  chart, CSV and the surveys behind each count; the follow-ups a bad rating opened.
"""

import csv
from typing import Any
from urllib.parse import urlencode

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.core.exceptions import DomainError
from deskside.core.forms import add_domain_error
from deskside.core.timezones import zone
from deskside.core.views import page_number, paginate
from deskside.surveys import chart, services
from deskside.surveys.exceptions import SurveyError
from deskside.surveys.forms import AnswerForm, FollowUpForm, ReportForm, local_today
from deskside.surveys.models import Rating, Survey
from deskside.surveys.queries import follow_ups_visible_to, surveys_visible_to
from deskside.surveys.report import Report, bounds, build


def _refused(
    request: HttpRequest, error: DomainError, survey: Survey | None = None
) -> HttpResponse:
    return render(
        request,
        "surveys/refused.html",
        {"error": error, "survey": survey},
        status=error.status_code,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str, rating: str = "") -> HttpResponse:
    """The answer page of a signed link (see the module docstring)."""
    try:
        survey = services.survey_for_token(token)
    except SurveyError as error:
        return _refused(request, error)
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.answer_by_link(
                    token=token,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except SurveyError as error:
                if error.field is None:
                    return _refused(request, error, survey)
                add_domain_error(form, error)
            else:
                return render(request, "surveys/thanks.html", {"survey": survey})
        return _answer_page(request, survey, form, status=422)
    if survey.answered_at is not None or not survey.is_open():
        return _refused(request, _closed(survey), survey)
    initial = {"rating": rating} if rating in Rating.values else {}
    return _answer_page(request, survey, AnswerForm(initial=initial))


def _closed(survey: Survey) -> SurveyError:
    """Why a survey takes no answer: answered already, or past its window."""
    try:
        services.check_open(survey)
    except SurveyError as error:
        return error
    raise AssertionError("an open survey")  # pragma: no cover


def _answer_page(
    request: HttpRequest, survey: Survey, form: AnswerForm, status: int = 200
) -> HttpResponse:
    ticket = survey.ticket
    return render(
        request,
        "surveys/answer.html",
        {"survey": survey, "form": form, "subject": ticket.subject},
        status=status,
    )


@login_required
@require_POST
def portal_answer(request: HttpRequest, public_id: str) -> HttpResponse:
    """The requester's answer from the portal's ticket page."""
    user: User = request.user  # type: ignore[assignment]
    survey = surveys_visible_to(user).filter(public_id=public_id).first()
    if survey is None:
        raise Http404("no such survey")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose good, okay or bad (the comment is optional).")
    else:
        try:
            services.answer_as_requester(
                actor=user,
                survey=survey,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except SurveyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Thank you for your answer.")
    return redirect("portal:detail", survey.ticket_number)


# -- the report (agents) -----------------------------------------------------------------------


def _report(request: HttpRequest) -> tuple[ReportForm, Report | None]:
    user: User = request.user  # type: ignore[assignment]
    tz = zone(user.timezone)
    form = ReportForm(request.GET, user, local_today(tz))
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    report = build(
        user,
        start=data["start"],
        end=data["end"],
        by=data["by"],
        tz=tz,
        organization=data["client"],
        team=data["team"],
        agent=data["agent"],
    )
    return form, report


def _query(form: ReportForm, **changes: str) -> str:
    values = {k: v for k, v in form.data.items() if k != "page" and v}
    values.update(changes)
    return urlencode(values)


@require_safe
@agent_required
def report(request: HttpRequest) -> HttpResponse:
    form, result = _report(request)
    context: dict[str, Any] = {"form": form, "report": result, "query": form.data.urlencode()}
    if result is not None:
        param = {"client": "client", "agent": "agent", "team": "team"}[result.by]
        base = {
            k: v for k, v in form.data.items() if k in ("start", "end", "client", "team", "agent")
        }
        context["rows"] = [{"row": row, "link": _link(base, param, row.key)} for row in result.rows]
        context["total_link"] = _link(base, "", "")
        context["open_follow_ups"] = (
            follow_ups_visible_to(request.user)
            .filter(  # type: ignore[arg-type]
                done_at__isnull=True
            )
            .count()
        )
    return render(request, "surveys/report.html", context, status=200 if result else 400)


LINK_KEYS = ("start", "end", "client", "team", "agent")


def _link(base: dict[str, str], param: str, key: str) -> str:
    values = dict(base)
    if param:
        values[param] = key or "none"
    return urlencode(values)


@require_safe
@agent_required
@csp_replace({"default-src": [NONE], "style-src": [UNSAFE_INLINE], "script-src": [NONE]})
def chart_svg(request: HttpRequest) -> HttpResponse:
    """The chart as an SVG document (the page shows it in an <img>)."""
    _form, result = _report(request)
    if result is None:
        return HttpResponse("bad query", status=400, content_type="text/plain")
    response = HttpResponse(chart.csat_chart(result), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


CSV_HEADER = ["group", "key", "sent", "answered", "good", "okay", "bad", "csat_pct", "response_pct"]


def csv_rows(result: Report) -> list[list[Any]]:
    return [
        [r.label, r.key, r.sent, r.answered, r.good, r.okay, r.bad, r.csat, r.response_rate]
        for r in [*result.rows, result.total]
    ]


@require_safe
@agent_required
def export(request: HttpRequest) -> HttpResponse:
    """The report's table as CSV (the total last)."""
    _form, result = _report(request)
    if result is None:
        return HttpResponse("bad query", status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="csat-{result.by}-{result.start:%Y%m%d}-{result.end:%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(result))
    return response


@require_safe
@agent_required
def responses(request: HttpRequest) -> HttpResponse:
    """The surveys behind a count of the report (same filters), each linking to its ticket."""
    form, result = _report(request)
    if result is None:
        return render(request, "surveys/responses.html", {"form": form, "page": None}, status=400)
    qs = responses_of(request.user, form, result)  # type: ignore[arg-type]
    page = paginate(qs, page_number(request.GET.get("page")))
    return render(
        request,
        "surveys/responses.html",
        {"form": form, "page": page, "report": result, "query": _query(form)},
    )


def responses_of(user: User, form: ReportForm, result: Report) -> Any:
    since, until = bounds(result.start, result.end, zone(user.timezone))
    qs = surveys_visible_to(user).filter(resolved_at__gte=since, resolved_at__lt=until)
    data = form.cleaned_data
    for name, column in (("client", "organization"), ("team", "team"), ("agent", "agent")):
        if data[name] is not None:
            qs = qs.filter(**{column: data[name]})
        elif name in form.none_of:
            qs = qs.filter(**{f"{column}__isnull": True})
    if data["rating"]:
        qs = qs.filter(rating=data["rating"])
    elif form.data.get("answered") == "1":
        qs = qs.filter(answered_at__isnull=False)
    return qs.order_by("-resolved_at", "-id")


@require_safe
@agent_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """The follow-ups bad ratings opened: open ones first (mine first), then the done ones."""
    user: User = request.user  # type: ignore[assignment]
    show = request.GET.get("show", "open")
    qs = follow_ups_visible_to(user)
    qs = qs.filter(done_at__isnull=True) if show == "open" else qs.filter(done_at__isnull=False)
    page = paginate(qs.order_by("-id"), page_number(request.GET.get("page")))
    return render(
        request,
        "surveys/follow_ups.html",
        {"page": page, "show": show, "form": FollowUpForm()},
    )


@require_POST
@agent_required
def follow_up_done(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    follow_up = get_object_or_404(follow_ups_visible_to(user), public_id=public_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.complete_follow_up(
                actor=user, follow_up=follow_up, note=form.cleaned_data["note"]
            )
        except SurveyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The follow-up of {follow_up.ticket_number} is done.")
    else:
        messages.error(request, "Say what was done.")
    return redirect("surveys:follow_ups")
