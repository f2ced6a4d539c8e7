"""The REST API under /api/v1/: one NinjaAPI that mounts each app's router.

Authentication is a bearer token (`Authorization: Bearer <token>`), stored hashed. Errors are
JSON: `{"detail": message, "field": name-or-null}` with a 4xx status, never a traceback; a
database outage is a 503 with `Retry-After`. JSON bodies and query strings are read by
`deskside.core.jsonbody.Parser` (depth limit; no NUL, lone surrogate, NaN or Infinity), and
`deskside.core.errors.ApiErrorsAsJson` keeps the errors Django answers itself JSON too.

The OpenAPI document lists each operation's error responses (`DesksideApi`, with
`deskside.core.openapi` and the `ERRORS` table at the end of this module): what it lists is
what the API answers, checked by schemathesis (tests/api/test_schemathesis.py).
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.security import HttpBearer

from deskside.accounts import api as accounts_api
from deskside.accounts.api import router as directory_router
from deskside.accounts.models import User
from deskside.accounts.services import user_for_token
from deskside.alerts import api as alerts_api
from deskside.alerts.api import router as alerts_router
from deskside.assets.api import assets as assets_api
from deskside.assets.api import disposal as assets_disposal_api
from deskside.assets.api import imports as assets_imports_api
from deskside.assets.api import remote as assets_remote_api
from deskside.assets.api import rma as assets_rma_api
from deskside.assignment.api import router as assignment_router
from deskside.core.errors import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    database_unavailable,
    error_body,
)
from deskside.core.exceptions import DomainError
from deskside.core.jsonbody import BadInput, Parser
from deskside.core.openapi import document_errors
from deskside.core.ratelimit import Limited
from deskside.core.versioning import Gone, VersionConflict
from deskside.directory import api as directory_api
from deskside.directory.api import router as contacts_router
from deskside.duty import api as duty_api
from deskside.duty.api import router as duty_router
from deskside.field.api import clearance as field_clearance_api
from deskside.field.api import plans as field_plans_api
from deskside.field.api import time as field_time_api
from deskside.field.api import visits as field_visits_api
from deskside.field.api.board import router as field_board_router
from deskside.field.api.clearance import router as field_clearance_router
from deskside.field.api.plans import router as field_plans_router
from deskside.field.api.time import router as field_time_router
from deskside.handovers.api import router as handovers_router
from deskside.kb import api as kb_api
from deskside.kb.api import router as kb_router
from deskside.live.api import router as live_router
from deskside.macros import api as macros_api
from deskside.macros.api import router as macros_router
from deskside.mail import api as mail_api
from deskside.mail.api import router as mail_router
from deskside.notifications.api import router as notifications_router
from deskside.paging import api as paging_api
from deskside.paging.api import router as paging_router
from deskside.problems.api import router as problems_router
from deskside.recurring import api as recurring_api
from deskside.reports.api import router as reports_router
from deskside.review import api as review_api
from deskside.review.api import router as review_router
from deskside.rosters import api as rosters_api
from deskside.rosters.api import router as rosters_router
from deskside.rosters.supportduty_api import router as supportduty_router
from deskside.sla import api as sla_api
from deskside.sla.api import router as sla_router
from deskside.staffing.api import router as staffing_router
from deskside.surveys import api as surveys_api
from deskside.tickets import api as tickets_api
from deskside.tickets.api import router as tickets_router
from deskside.tickets.exceptions import StaleTicket
from deskside.triage.api import router as triage_router
from deskside.webhooks import api as webhooks_api
from deskside.webhooks.api import router as webhooks_router
from deskside.workorders.api import orders as workorders_orders_api
from deskside.workorders.api import projects as workorders_projects_api
from deskside.workorders.api import templates as workorders_templates_api
from deskside.workspace import api as workspace_api
from deskside.workspace.api import router as workspace_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class DesksideApi(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also lists each operation's error responses
    (`deskside.core.openapi.document_errors`, with `ERRORS` below)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(document, error_statuses())
        return document


api = DesksideApi(
    title="Deskside API",
    version="1",
    description="Tickets, timelines and the directory of a Deskside service desk.",
    auth=BearerToken(),
    urls_namespace="api",
    parser=Parser(),
)
# The alert intake first: its two routes take the volume (Django tries URL patterns in order).
api.add_router("/", alerts_router)
api.add_router("/tickets", tickets_router)
api.add_router("/", tickets_api.people_router)  # /users: the directory's people
api.add_router("/", directory_router)
# /calendars, /contracts and /organizations/{slug}/sla (the SLA set-up and report).
api.add_router("/", sla_router)
# /mail/messages, /mail/inbound, /mail/outbox (the email channel's records).
api.add_router("/", mail_router)
# /schedules and /oncall (on-call schedules).
api.add_router("/", duty_router)
# /rosters/... (desk rosters: shifts, rota, leave, cover, who works the desk).
api.add_router("/", rosters_router)
# /paging/... (policies, rules, escalations, pages) and /tickets/{number}/acknowledge.
api.add_router("/", paging_router)
# /webhooks (outbound subscriptions and their delivery log).
api.add_router("/", webhooks_router)
# /macros and /tickets/{number}/macros/{id}/preview|apply (canned replies).
api.add_router("/", macros_router)
# /kb/articles, /kb/suggest (the knowledge base: articles, revisions, deflections, solved-with).
api.add_router("/", kb_router)
# /directory/... (clients, sites, contacts and their CSV import, agents, teams: editing).
api.add_router("/directory", contacts_router)
# /notifications (the caller's own notifications and preferences).
api.add_router("/", notifications_router)
# /live/tickets/{number} (changes since a version, who has it open, the heartbeat).
api.add_router("/", live_router)
# /views (saved views of the queue: filters, sort, columns; their tickets and counts).
api.add_router("/", workspace_router)
# /support-duty (who answers a small team's desk: everyone, a fixed desk, a rotation).
api.add_router("/support-duty", supportduty_router)
# /assignment/... (each team's rule, the preview of the next assignment, required skills).
api.add_router("/assignment", assignment_router)
# /handovers (shift handovers: sections, notes, checklist, sign-off, acknowledgement).
api.add_router("/", handovers_router)
api.add_router("/", staffing_router)
# /review (the daily open-ticket review: groups, marks, history) and /wallboard.
api.add_router("/", review_router)
# /surveys (customer satisfaction: surveys, the CSAT report, answers, follow-ups).
api.add_router("/", surveys_api.router)
api.add_router("/triage", triage_router)  # suggestions, accept, the model, auto-apply
# /problems (recurring-issue clusters, problem records, their tickets, known-error matches).
api.add_router("/problems", problems_router)
# /reports (the desk reports as JSON, the monthly client report).
api.add_router("/", reports_router)
# /field/clearance (client clearance of technicians, the backfill of absent ones).
api.add_router("/field/clearance", field_clearance_router)
# /field/visits (on-site visits: schedule, the day's steps, sign-off; customers read theirs).
api.add_router("/field/visits", field_visits_api.router)
# /field/time/... (time entries, timesheets, the billable report, billing rules).
api.add_router("/field/time", field_time_router)
# /field/plans (route plans: plan the day, the proposal, accept or discard).
api.add_router("/field/plans", field_plans_router)
# /field/board (the dispatch board: technicians' visits, legs, warnings; the unscheduled queue).
api.add_router("/field/board", field_board_router)
# /workorders/projects (projects of many work orders: CSV dry run, create, progress, visits).
api.add_router("/workorders/projects", workorders_projects_api.router)
api.add_router("/recurring", recurring_api.router)  # recurring schedules and their preview
# /assets/import (the CSV import of a client's assets: dry run, then all or nothing).
api.add_router("/", assets_imports_api.router)
# /assets/disposal/... (certified disposal batches, certificates, the auditors' report).
api.add_router("/assets/disposal", assets_disposal_api.router)
# /assets/remote (remote-access templates, remote sessions from a ticket).
api.add_router("/assets/remote", assets_remote_api.router)
# /assets/rma/... (vendor cases of a ticket) and /assets/{id}/rma (an asset's RMA history).
api.add_router("/assets", assets_rma_api.router)
# Mounted after the literal paths above: the registry's /assets/{public_id} matches any word.
# /assets (the asset registry: lifecycle, timeline, ticket links; org admins read theirs).
api.add_router("/assets", assets_api.router)
# /workorders/templates (work-order templates and versions), before /workorders/{id}.
api.add_router("/workorders/templates", workorders_templates_api.router)
# /workorders (work orders: the checklist, QC, confirmation; customers' org admins read).
api.add_router("/workorders", workorders_orders_api.router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """Every app's service errors (deskside.core.exceptions): the error's status, its message
    and field."""
    response = api.create_response(
        request, error_body(exc.message, exc.field), status=exc.status_code
    )
    if exc.status_code in (503, 507):  # a file could not be stored: nothing kept, send it again
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(Limited)
def limited(request: HttpRequest, exc: Limited) -> HttpResponse:
    """Too many test sends (deskside.core.ratelimit): 429 with Retry-After."""
    response = api.create_response(request, error_body(exc.message), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(VersionConflict)
def version_conflict(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
    """A stale edit (see core.versioning): 409 with the row's current version."""
    body = {**error_body(exc.message, exc.field), "version": exc.current}
    return api.create_response(request, body, status=409)


@api.exception_handler(StaleTicket)
def stale_ticket(request: HttpRequest, exc: StaleTicket) -> HttpResponse:
    """A change based on a stale copy of a ticket (tickets.services.versions): 409 with the
    ticket's current version, as for a stale settings edit."""
    body = {**error_body(exc.message, exc.field), "version": exc.current}
    return api.create_response(request, body, status=409)


@api.exception_handler(Gone)
def gone(request: HttpRequest, exc: Gone) -> HttpResponse:
    """An edit of a row deleted since it was read: 404, as for any row that is not there."""
    return api.create_response(request, error_body(exc.message, exc.field), status=404)


def _field_name(loc: tuple | list) -> str | None:
    """`("query", "limit")` -> "limit"; `("body", "payload", "subject")` -> "subject": a JSON
    body is one schema parameter, whose name the client never sees."""
    parts = list(loc[2:] if loc and loc[0] == "body" else loc[1:])
    return ".".join(str(p) for p in parts) or None


def _message(error: dict) -> str | None:
    loc = error.get("loc", ())
    if len(loc) == 2 and loc[0] == "body":  # the body as a whole: missing, or not an object
        return f"the request needs a JSON object body ({error.get('msg')})"
    return error.get("msg")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Pydantic's errors, each naming its field (the last part of its location)."""
    errors = [{"field": _field_name(e.get("loc", ())), "message": _message(e)} for e in exc.errors]
    first = errors[0] if errors else {"field": None, "message": "invalid input"}
    body = {
        "detail": f"{first['field']}: {first['message']}" if first["field"] else first["message"],
        "field": first["field"],
        "errors": errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        error_body("a valid bearer token is required (Authorization: Bearer <token>)"),
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Also what a caller gets for an object they may not see: its existence is not confirmed."""
    return api.create_response(request, error_body(str(exc) or "not found"), status=404)


@api.exception_handler(BadInput)
def bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
    """What the parser refused: not JSON, too deep (400); NUL, lone surrogate, NaN (422)."""
    return api.create_response(request, error_body(exc.message, exc.field), status=exc.status_code)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja wraps whatever the parser raises in HttpError(400, "Cannot parse ..."):
    # answer with the parser's own message and field.
    if isinstance(exc.__cause__, BadInput):
        return bad_input(request, exc.__cause__)
    return api.create_response(request, error_body(str(exc)), status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django stops reading it there): nothing kept."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    shown = f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit} bytes"
    return api.create_response(
        request,
        error_body(f"the request body is too large (at most {shown}): nothing was kept", "body"),
        status=413,
    )


for _exc in DATABASE_UNAVAILABLE:  # 503 with Retry-After: the transaction was rolled back
    api.add_exception_handler(_exc, database_unavailable)


# -- the error responses of the OpenAPI document ------------------------------------------------
# What deskside.core.openapi cannot see in an operation's declaration: the errors it answers
# because of what it does. Every operation of these routers is for agents only (a customer's
# token gets 403), except the alert intake, which declares its own answers.
AGENTS_ONLY = (
    alerts_router,
    assignment_router,
    duty_router,
    rosters_router,
    handovers_router,
    macros_router,
    contacts_router,
    mail_router,
    notifications_router,
    live_router,
    paging_router,
    problems_router,
    review_router,
    sla_router,
    staffing_router,
    reports_router,
    webhooks_router,
    supportduty_router,
    triage_router,
    field_clearance_router,
    field_time_router,
    field_plans_router,
    field_board_router,
    workorders_projects_api.router,
    recurring_api.router,
    assets_imports_api.router,
    workorders_templates_api.router,
    assets_remote_api.router,
    assets_rma_api.router,
)
OWN_ANSWERS = {alerts_api.alertmanager_webhook, alerts_api.events_api, alerts_api.pagerduty_enqueue}
TICKET_STEPS = (  # agents only (403), and refused by the ticket's status (409)
    tickets_api.update_ticket,
    tickets_api.assign,
    tickets_api.escalate,
    tickets_api.note,
    tickets_api.log_call,
    tickets_api.resolve,
    tickets_api.merge,
    tickets_api.set_status,
)
ERRORS: dict[Callable[..., Any], set[int]] = {
    **{view: {403, 409} for view in TICKET_STEPS},
    # a customer's ticket for another organisation, or routed (403); a reused key (409)
    tickets_api.create_ticket: {403, 409},
    # SLA filters and the due-time sort are for agents
    tickets_api.list_tickets: {403},
    tickets_api.caller_lookup: {403},  # agents only
    tickets_api.bulk: {403},  # agents only; refusals per ticket are in the 200 body
    tickets_api.reply: {409},  # a closed ticket; a reused Idempotency-Key
    tickets_api.reopen: {409},  # only a resolved ticket
    tickets_api.close: {403, 409},  # agents or the requester; not twice
    alerts_api.delete_integration: {409},  # one that raised alerts: deactivate it instead
    sla_api.delete_calendar: {409},  # while a contract counts in it
    duty_api.accept_swap: {409},  # a swap no longer proposed
    duty_api.decline_swap: {409},
    duty_api.cancel_swap: {409},
    rosters_api.add_cover: {409},  # the rest rule or the weekly cap; already working, on leave
    rosters_api.delete_shift: {409},  # still used by a rota line or a coming cover
    rosters_api.update_roster: {409},  # changed since it was read (version)
    paging_api.acknowledge: {409},  # nothing waiting, or acknowledged already
    webhooks_api.ping: {409, 429},  # a deactivated webhook; too many test sends
    paging_api.test_contact: {429},  # too many test sends (deskside.core.ratelimit)
    webhooks_api.redeliver: {409},  # a delivery still queued, or a deactivated webhook
    mail_api.inbound: {507},  # the disk is full: nothing was recorded
    accounts_api.list_audit: {403},  # administrators only
    macros_api.apply: {409},  # a transition the ticket's status refuses
    # a team, client, reviewer or ticket the agent cannot see (404); marked already today (409)
    review_api.review: {404},
    review_api.marks: {404},
    review_api.mark: {404, 409},
    review_api.wallboard: {404},
    kb_api.create_article: {403},  # agents; a public article published by an administrator
    kb_api.update_article: {403},
    kb_api.list_revisions: {403},
    kb_api.mark_reviewed: {403},
    kb_api.link_solved: {403},
    kb_api.draft_from_ticket: {403, 409},  # agents; a ticket not resolved
    directory_api.import_contacts: {409},  # an address of the file taken meanwhile
    workspace_api.create_view: {403},  # sharing with a team one is not in; customers
    workspace_api.update_view: {403},  # someone else's view, or a default one
    workspace_api.delete_view: {403},
    # agents only (403); a link altered (400), answered already (409), closed (410)
    surveys_api.report: {403},
    surveys_api.list_follow_ups: {403},
    surveys_api.follow_up_done: {403, 409},
    surveys_api.answer_by_token: {400, 409, 410},
    surveys_api.answer: {403, 409, 410},
    # the intake reads its body itself (so it is not in the document): too large is a 413
    alerts_api.alertmanager_webhook: {413},
    alerts_api.events_api: {413},
    alerts_api.pagerduty_enqueue: {413},
    # a change the clearance's status refuses, or sign-off before the shadow visits (409)
    field_clearance_api.change_clearance: {409},
    # field visits: customers read (the customer view) and may not write (403); a status that
    # does not allow the step, or the clearance rule refusing the schedule (409)
    field_visits_api.create_visit: {403},
    field_visits_api.schedule_visit: {403, 409},
    field_visits_api.unschedule_visit: {403, 409},
    field_visits_api.set_out: {403, 409},
    field_visits_api.check_in: {403, 409},
    field_visits_api.add_checklist_item: {403, 409},
    field_visits_api.tick: {403, 409},
    field_visits_api.add_part: {403, 409},
    field_visits_api.check_out: {403, 409},
    field_visits_api.cancel: {403, 409},
    field_visits_api.sign: {403, 409},
    field_visits_api.send_signoff_link: {403, 409},
    field_visits_api.reassign_visit: {403, 409},
    # field time: a locked week, no running timer, a week not submitted (409)
    field_time_api.log_time: {409},
    field_time_api.start_timer: {409},
    field_time_api.stop_timer: {409},
    field_time_api.update_entry: {409},
    field_time_api.delete_entry: {409},
    field_time_api.submit_timesheet: {409},
    field_time_api.approve_timesheet: {409},
    field_time_api.return_timesheet: {409},
    # a plan decided already; a stop the clearance rule refuses (nothing is scheduled)
    field_plans_api.accept_plan: {409},
    field_plans_api.discard_plan: {409},  # a plan decided already
    # projects: a reused Idempotency-Key (409); a child still open (409)
    workorders_projects_api.create_project: {409},
    workorders_projects_api.resolve: {409},
    recurring_api.pause_schedule: {409},  # paused already
    recurring_api.resume_schedule: {409},  # running already, or the rule has ended
    # assets: org admins read (403 for other customers), agents write (403 for customers, or
    # a client not served); a disposed asset, a refused lifecycle change, linked twice (409)
    assets_api.list_assets: {403},
    assets_api.ticket_assets: {403},
    assets_api.create_asset: {403},
    assets_api.update_asset: {403, 409},
    assets_api.change_status: {403, 409},
    assets_api.timeline: {403},
    assets_api.link_ticket: {403, 409},
    assets_api.unlink_ticket: {403, 409},
    # assets: an asset of the file changed meanwhile (409); nothing imported
    assets_imports_api.import_assets: {409},
    # disposal: organisation admins and agents read, agents record (403 for anyone else); an
    # asset no longer retired (409); the certificate could not be stored (507)
    assets_disposal_api.list_batches: {403},
    assets_disposal_api.get_batch: {403},
    assets_disposal_api.certificate: {403},
    assets_disposal_api.report: {403},
    assets_disposal_api.create_batch: {403, 409, 507},
    # work-order templates: admins write (403)
    workorders_templates_api.create_template: {403},
    workorders_templates_api.new_version: {403},
    workorders_templates_api.set_active: {403},
    # work orders: agents write (403); a resolved ticket, a cancelled work order, QC not ready,
    # the second pair of eyes (409)
    workorders_orders_api.create_work_order: {403},
    workorders_orders_api.tick: {403, 409},
    workorders_orders_api.tick_with_file: {403, 409},
    workorders_orders_api.untick: {403, 409},
    workorders_orders_api.sign_qc: {403, 409},
    workorders_orders_api.confirm: {403, 409},
    workorders_orders_api.cancel: {403, 409},
    # remote: a template there already (409); a session ended, an asset retired or disposed
    assets_remote_api.create_template: {409},
    assets_remote_api.start_session: {409},
    assets_remote_api.end_session: {409},
    # rma: a case number already on the ticket, a disposed asset, a closed case (409)
    assets_rma_api.open_case: {409},
    assets_rma_api.add_entry: {409},
    assets_rma_api.close_case: {409},
}


def operation_id(view: Callable[..., Any]) -> str:
    """The OpenAPI operation id of a view's operation (its own `operation_id=`, or the one
    django-ninja makes of its module and name). KeyError for a view that is no operation."""
    for operation in operations():
        if operation.view_func is view:
            return operation.operation_id or api.get_openapi_operation_id(operation)
    raise KeyError(f"{view.__module__}.{view.__name__} is not an operation of the API")


def error_statuses() -> dict[str, set[int]]:
    """Operation id -> the error statuses `ERRORS` and `AGENTS_ONLY` give it."""
    found: dict[str, set[int]] = defaultdict(set)
    agents_only = {
        operation.view_func
        for router in AGENTS_ONLY
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }
    for operation in operations():
        view = operation.view_func
        op_id = operation.operation_id or api.get_openapi_operation_id(operation)
        if view in agents_only and view not in OWN_ANSWERS:
            found[op_id].add(403)
        found[op_id].update(ERRORS.get(view, ()))
    if missing := set(ERRORS) - {operation.view_func for operation in operations()}:
        raise ValueError(f"ERRORS names views that are no operation: {missing}")
    return found


def operations() -> list[Operation]:
    """Every operation of the API, in the order of the document."""
    return [
        operation
        for router in api._get_bound_routers()
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    ]
