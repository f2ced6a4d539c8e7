"""The review pages (agents only): today's review with its groups, one group paged, the
one-click mark (htmx swaps the ticket's row; without script the form posts and redirects),
the setting (admins), the history per day and per reviewer, and the wall board with its
30-second partial. No business logic: each POST calls one service."""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.accounts.queries import organizations_visible_to
from deskside.core.views import page_number, paginate
from deskside.review import queries, services
from deskside.review.exceptions import AlreadyReviewed, ReviewError
from deskside.review.forms import MarkForm, SettingsForm
from deskside.review.models import ReviewMark
from deskside.review.wallboard import board
from deskside.tickets.queries import ticket_for

SHOWN = 10  # tickets per group on the review page; the group's own page shows more
GROUP_PAGE = 50
HISTORY_PAGE = 30


def _scope(request: HttpRequest) -> queries.Scope:
    team_slug, client_slug = request.GET.get("team"), request.GET.get("client")
    team = queries.team_by_slug(team_slug)
    client = queries.client_by_slug(request.user, client_slug)
    if team_slug and team is None:
        raise Http404(f"no team {team_slug}")
    if client_slug and client is None:
        raise Http404(f"no client {client_slug}")
    return queries.scope_for(request.user, team=team, client=client)


def _filters(request: HttpRequest) -> dict:
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "teams": Team.objects.order_by("name"),
        "clients": organizations_visible_to(request.user).filter(is_msp=False).order_by("name"),
        "query": query.urlencode(),
        "team_slug": request.GET.get("team", ""),
        "client_slug": request.GET.get("client", ""),
    }


def _with_marks(scope: queries.Scope, groups: list[dict]) -> None:
    ids = [t.pk for g in groups for t in g["tickets"]]
    found = queries.marks_for(scope.day, ids)
    for g in groups:
        g["rows"] = [(t, found.get(t.pk)) for t in g["tickets"]]
        g["done"] = sum(1 for _, m in g["rows"] if m)


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    groups = []
    for name in queries.GROUPS:
        qs = queries.group(scope, name)
        tickets = list(qs[: SHOWN + 1])
        groups.append(
            {
                "name": name,
                "label": scope.label(name),
                "count": queries.capped_count(qs) if len(tickets) > SHOWN else len(tickets),
                "tickets": tickets[:SHOWN],
                "more": len(tickets) > SHOWN,
            }
        )
    _with_marks(scope, groups)
    context = {
        "scope": scope,
        "groups": groups,
        "cap": queries.COUNT_CAP,
        "settings_form": SettingsForm(initial={"open_days": scope.open_days}),
        "may_configure": is_admin(request.user),
        **_filters(request),
    }
    return render(request, "review/index.html", context)


@agent_required
@require_GET
def group(request: HttpRequest, name: str) -> HttpResponse:
    if name not in queries.GROUPS:
        raise Http404(f"no review group {name}")
    scope = _scope(request)
    page = paginate(queries.group(scope, name), page_number(request.GET.get("page")), GROUP_PAGE)
    found = queries.marks_for(scope.day, [t.pk for t in page.rows])
    context = {
        "scope": scope,
        "group": {"name": name, "label": scope.label(name)},
        "rows": [(t, found.get(t.pk)) for t in page.rows],
        "page": page,
        **_filters(request),
    }
    return render(request, "review/group.html", context)


@agent_required
@require_POST
def mark(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_for(request.user, number, related=("organization", "assignee", "team"))
    form = MarkForm(request.POST)
    group_name = request.POST.get("group", "")
    error = ""
    done: ReviewMark | None = None
    if form.is_valid():
        try:
            done = services.mark_reviewed(
                actor=request.user, ticket=ticket, note=form.cleaned_data["note"]
            )
        except AlreadyReviewed as exc:
            error = exc.message
            done = ReviewMark.objects.select_related("reviewer").get(
                ticket=ticket, day=queries.viewer_day(request.user)
            )
        except ReviewError as exc:
            form.add_service_error(exc)
    if not request.htmx:
        if done is not None and not error:
            messages.success(request, f"{ticket.number} reviewed.")
        else:
            messages.error(request, error or " ".join(form.errors.get("note", [])) or "Not saved.")
        return redirect(request.POST.get("next") or reverse("review:index"))
    context = {"ticket": ticket, "mark": done, "form": form, "error": error, "group": group_name}
    status = 200 if done is not None else 422
    return render(request, "review/_row.html", context, status=status)


@agent_required
@require_POST
def settings(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.set_open_days(actor=request.user, days=form.cleaned_data["open_days"])
        except ReviewError as exc:
            messages.error(request, exc.message)
        else:
            days = form.cleaned_data["open_days"]
            messages.success(request, f"Open tickets older than {days} days are listed.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("review:index")


def _history_page(request: HttpRequest, qs, title: str, **extra: object) -> HttpResponse:
    page = paginate(qs, page_number(request.GET.get("page")), HISTORY_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "title": title, "query": query.urlencode(), **extra}
    return render(request, "review/marks.html", context)


@agent_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    page = paginate(
        queries.history_days(request.user), page_number(request.GET.get("page")), HISTORY_PAGE
    )
    by_day = queries.day_reviewers(request.user, [row["day"] for row in page.rows])
    rows = [(row, by_day.get(row["day"], [])) for row in page.rows]
    return render(
        request,
        "review/history.html",
        {"page": page, "rows": rows, "reviewers": queries.reviewers(request.user)},
    )


@agent_required
@require_GET
def history_day(request: HttpRequest, day: str) -> HttpResponse:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise Http404(f"no day {day}: give YYYY-MM-DD") from None
    who = request.GET.get("reviewer")
    reviewer = User.objects.filter(public_id=who, kind=User.Kind.AGENT).first() if who else None
    if who and reviewer is None:
        raise Http404(f"no reviewer {who}")
    qs = queries.marks(request.user, day=when, reviewer=reviewer)
    title = f"Reviewed on {when:%a %d %b %Y}" + (f" by {reviewer}" if reviewer else "")
    return _history_page(request, qs, title, day=when)


@agent_required
@require_GET
def history_reviewer(request: HttpRequest, public_id: str) -> HttpResponse:
    reviewer = User.objects.filter(public_id=public_id, kind=User.Kind.AGENT).first()
    if reviewer is None:
        raise Http404(f"no reviewer {public_id}")
    qs = queries.marks(request.user, reviewer=reviewer)
    return _history_page(request, qs, f"Reviewed by {reviewer}", reviewer=reviewer)


def _board_team(request: HttpRequest) -> Team | None:
    slug = request.GET.get("team")
    team = queries.team_by_slug(slug)
    if slug and team is None:
        raise Http404(f"no team {slug}")
    return team


@agent_required
@require_GET
def wallboard(request: HttpRequest) -> HttpResponse:
    team = _board_team(request)
    return render(
        request, "review/wallboard.html", {"board": board(request.user, team), "team": team}
    )


@agent_required
@require_GET
def wallboard_panel(request: HttpRequest) -> HttpResponse:
    team = _board_team(request)
    return render(
        request, "review/_wallboard_panel.html", {"board": board(request.user, team), "team": team}
    )
