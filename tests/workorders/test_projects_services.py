"""Projects: the dry run's plan per row, creation in one transaction (nothing half-created),
duplicate submits, tenancy in the services, progress and resolving the project."""

import csv
import io

import pytest
from django.contrib import admin as django_admin

from deskside.accounts import services as accounts
from deskside.assets.models import Asset, AssetEvent, AssetTicket
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Status, Ticket
from deskside.workorders import admin_projects, project_csv
from deskside.workorders.exceptions import BadFile, InvalidInput, InvalidTransition, NotAllowed
from deskside.workorders.models import Project, WorkOrder
from deskside.workorders.queries import projects as queries
from deskside.workorders.services import projects
from tests.workorders.fixtures_projects import *  # noqa: F403 (the fixtures)
from tests.workorders.fixtures_projects import csv_bytes


def test_the_dry_run_plans_every_row_with_its_error(
    alice, new_project, bob, laptop, shredded, floor4, dave
):
    data = csv_bytes(
        "bob@acme.example,D-12,3.12,4.02,ACM-0001,Floor 4,Fragile monitor",  # 2 ok
        "nobody@acme.example,D-13,3.13,4.03,,,",  # 3 unknown user
        "dave@globex.example,D-14,3.14,4.04,,,",  # 4 another client's contact
        ",D-15,3.15,4.05,ACM-9999,,",  # 5 unknown asset
        ",D-16,3.16,4.06,ACM-0666,,",  # 6 disposed
        ",D-17,3.17,4.07,,Mars,",  # 7 unknown site
        "bob@acme.example,D-12,3.12,4.02,ACM-0001,Floor 4,Fragile monitor",  # 8 duplicate
        ",D-18,3.18,4.08,ACM-0001,,",  # 9 the same asset again
        ",D-19,3.19,4.09,,,,extra",  # 10 more cells than the header
        ",D-20,3.20,4.10,,,",  # 11 ok: Carol, the project's requester
    )
    plan = projects.check(alice, new_project(), data)
    by_line = {r.line: r for r in plan.rows}
    assert [r.line for r in plan.rows] == list(range(2, 12))
    assert by_line[2].action == "create" and by_line[2].requester == bob
    assert by_line[2].asset == laptop and by_line[2].site == floor4
    assert by_line[2].subject == "Desk move: Bob Builder, D-12, 3.12 → 4.02, ACM-0001"
    assert "unknown user 'nobody@acme.example'" in by_line[3].message
    assert "is not a contact of Acme Corp" in by_line[4].message
    assert "unknown asset tag 'ACM-9999'" in by_line[5].message
    assert "ACM-0666 is disposed" in by_line[6].message
    assert "unknown site 'Mars'" in by_line[7].message
    assert by_line[8].message == "duplicate of line 2"
    assert by_line[9].message == "asset ACM-0001 is on line 2 already"
    assert "8 cells but the header has 7" in by_line[10].message
    assert by_line[11].action == "create" and by_line[11].requester.email == "carol@acme.example"
    assert (plan.created, plan.errors) == (2, 8)
    assert "line 3: unknown user" in plan.errors_csv()
    assert not Ticket.objects.exists()  # a dry run writes nothing


def test_the_errors_csv_never_echoes_a_formula(alice, new_project):
    data = csv_bytes(
        "=cmd|' /C calc'!A0,@D-13,3.13,4.03,,,-2+3",
        header="user,desk,from,to,asset,site,=notes",
    )
    plan = projects.check(alice, new_project(), data)
    header, row = list(csv.reader(io.StringIO(plan.errors_csv())))
    assert header[6] == "'=notes"
    assert (row[0], row[1], row[6]) == ("'=cmd|' /C calc'!A0", "'@D-13", "'-2+3")
    assert row[-1].startswith("line 2: unknown user")


def test_dates_and_durations_are_checked_in_the_site_zone(alice, new_project, floor4, olivia):
    header = "user,site,window_start,window_end,duration"
    data = csv_bytes(
        ",Floor 4,2026-12-14 09:00,2026-12-14 12:00,45",
        ",Floor 4,14/12/2026,2026-12-15,",
        ",,2026-12-14,2026-12-15,",
        ",Floor 4,2026-12-15,2026-12-14,",
        ",Floor 4,2026-12-14,,",
        ",Floor 4,,,0",
        header=header,
    )
    rows = projects.check(alice, new_project(requester=olivia), data).rows  # she has no site
    assert rows[0].action == "create"
    assert rows[0].window[0].isoformat() == "2026-12-14T09:00:00-05:00"
    assert rows[0].duration == 45
    assert "window_start '14/12/2026' is not a date" in rows[1].message
    assert "a visit window needs a site" in rows[2].message
    assert "window_end is before window_start" in rows[3].message
    assert "go together" in rows[4].message
    assert "duration '0' must be 1 to 720 minutes" in rows[5].message


def test_a_file_that_cannot_be_read_is_refused_whole(alice, new_project):
    with pytest.raises(BadFile, match="not UTF-8"):
        projects.check(alice, new_project(), b"user\n\xff\xfe\n")
    with pytest.raises(BadFile, match="empty"):
        projects.check(alice, new_project(), b"")
    many = csv_bytes(*(f",D-{i}" for i in range(project_csv.MAX_ROWS + 1)), header="user,desk")
    with pytest.raises(BadFile, match="more than 2,000 rows"):
        projects.check(alice, new_project(), many)


def test_semicolons_and_a_byte_order_mark_are_read(alice, new_project, bob):
    data = "\ufeffUser;Desk;To\nbob@acme.example;D-1;4.01\n".encode()
    plan = projects.check(alice, new_project(), data)
    assert plan.ok and plan.rows[0].requester == bob


def test_create_makes_the_parent_and_one_work_order_per_row(
    alice, new_project, bob, laptop, floor4, now
):
    data = csv_bytes(
        "bob@acme.example,D-12,3.12,4.02,ACM-0001,Floor 4,Fragile monitor",
        ",D-20,3.20,4.10,,,",
    )
    project = projects.create_project(alice, new_project(), data, filename="desks.csv").project
    parent = project.ticket
    assert parent.subject == "Move 40 desks to floor 4"
    assert parent.type == "service_request" and parent.requester.email == "carol@acme.example"
    assert project.source_filename == "desks.csv"
    children = list(WorkOrder.objects.filter(project=project).order_by("row_number"))
    assert [c.row_number for c in children] == [2, 3]
    assert all(c.ticket.parent_id == parent.pk for c in children)
    assert all(c.template_version_id == project.template_version_id for c in children)
    first = children[0]
    assert first.ticket.requester == bob and first.ticket.site == floor4
    assert first.row_data["to"] == "4.02" and "Fragile monitor" in first.ticket.description
    assert AssetTicket.objects.filter(asset=laptop, ticket=first.ticket).exists()
    assert AssetEvent.objects.filter(asset=laptop, kind="linked").count() == 1
    assert first.ticket.events.filter(kind=EventKind.ASSET).count() == 1
    assert parent.events.filter(kind=EventKind.WORK_ORDER).count() == 1


def test_an_error_in_the_last_row_leaves_zero_tickets(alice, new_project):
    data = csv_bytes(*(f",D-{i},,,,," for i in range(30)), "nobody@acme.example,D-99,,,,,")
    with pytest.raises(projects.RowErrors) as refused:
        projects.create_project(alice, new_project(), data)
    assert refused.value.status_code == 422 and refused.value.field == "file"
    assert refused.value.plan.errors == 1 and refused.value.plan.created == 30
    assert not Ticket.objects.exists()
    assert not Project.objects.exists() and not WorkOrder.objects.exists()


def test_a_file_without_rows_creates_nothing(alice, new_project):
    with pytest.raises(projects.RowErrors, match="no data rows"):
        projects.create_project(alice, new_project(), csv_bytes())
    assert not Ticket.objects.exists()


def test_a_duplicate_submit_returns_the_first_project(alice, new_project):
    data = csv_bytes(",D-1,,,,,", ",D-2,,,,,")
    first = projects.create_project(alice, new_project(), data, idempotency_key="k-1")
    again = projects.create_project(alice, new_project(), data, idempotency_key="k-1")
    assert first.created and not again.created
    assert again.project.pk == first.project.pk
    assert Project.objects.count() == 1 and WorkOrder.objects.count() == 2
    assert Ticket.objects.count() == 3


def test_project_fields_are_checked(alice, new_project, dave, globex_site, admin_serving, globex):
    with pytest.raises(InvalidInput) as bad:
        projects.check(alice, new_project(requester=dave), csv_bytes())
    assert bad.value.field == "requester"
    with pytest.raises(InvalidInput) as bad:
        projects.check(alice, new_project(site=globex_site), csv_bytes())
    assert bad.value.field == "site"
    with pytest.raises(InvalidInput) as bad:
        projects.check(alice, new_project(title="  "), csv_bytes())
    assert bad.value.field == "title"


def test_an_agent_not_serving_the_client_and_a_customer_are_refused(
    new_project, msp, globex, carol
):
    gil = accounts.create_user(
        email="gil@msp.example", full_name="Gil", kind="agent", organization=msp
    )
    gil.served_organizations.set([globex])
    with pytest.raises(NotAllowed):
        projects.check(gil, new_project(), csv_bytes(",D-1,,,,,"))
    with pytest.raises(NotAllowed):
        projects.create_project(carol, new_project(), csv_bytes(",D-1,,,,,"))
    assert not Ticket.objects.exists()
    assert not queries.projects_visible_to(gil).exists()


def _finish(actor, work_order):
    """Complete a child as the technician would (the QC gate then lets it resolve)."""
    when = work_order.created_at
    work_order.items.update(done_at=when, done_by=actor)
    work_order.qc_signed_at, work_order.qc_signed_by = when, actor
    work_order.save()
    tickets.resolve_ticket(actor=actor, ticket=work_order.ticket, resolution="Moved")


def test_progress_counts_done_open_and_cancelled(alice, new_project, now):
    data = csv_bytes(*(f",D-{i},,,,," for i in range(5)))
    project = projects.create_project(alice, new_project(), data).project
    children = list(WorkOrder.objects.filter(project=project).order_by("row_number"))
    _finish(alice, children[0])
    _finish(alice, children[1])
    tickets.close_ticket(actor=alice, ticket=children[1].ticket, reason="done")
    children[2].cancelled_at = now
    children[2].save()
    progress = queries.progress(project)
    assert (progress.total, progress.done, progress.open, progress.cancelled) == (5, 2, 2, 1)
    assert progress.percent == 50
    assert [queries.state_of(w) for w in queries.children(project)] == [
        "done",
        "done",
        "cancelled",
        "open",
        "open",
    ]
    assert queries.children(project, "open").count() == 2


def test_the_project_resolves_only_when_no_child_is_open(alice, new_project):
    project = projects.create_project(alice, new_project(), csv_bytes(",D-1,,,,,")).project
    child = WorkOrder.objects.get(project=project)
    still_open = f"1 work order is still open: {child.ticket.number}"
    with pytest.raises(InvalidTransition, match=still_open):
        projects.resolve_project(alice, project, resolution="All moved")
    project.ticket.refresh_from_db()
    assert project.ticket.status != Status.RESOLVED
    _finish(alice, child)
    projects.resolve_project(alice, project, resolution="All moved")
    project.ticket.refresh_from_db()
    assert project.ticket.status == Status.RESOLVED


def test_progress_of_a_page_of_projects_is_one_query(alice, new_project, django_assert_num_queries):
    first = projects.create_project(alice, new_project(), csv_bytes(",D-1,,,,,")).project
    second = projects.create_project(
        alice, new_project(title="Second"), csv_bytes(",D-1,,,,,", ",D-2,,,,,")
    ).project
    with django_assert_num_queries(1):
        found = queries.progress_of([first.pk, second.pk, 999_999])
    assert (found[first.pk].total, found[second.pk].total, found[999_999].total) == (1, 2, 0)
    assert found[second.pk] == queries.progress(second)


def test_another_clients_asset_tag_is_unknown(alice, new_project, globex):
    Asset.objects.create(organization=globex, kind="laptop", asset_tag="GLX-0001")
    plan = projects.check(alice, new_project(), csv_bytes(",D-1,,,GLX-0001,,"))
    assert plan.rows[0].message == "unknown asset tag 'GLX-0001'"


def test_the_admin_registers_projects_read_only(rf, admin):
    assert django_admin.site.is_registered(Project)
    model_admin = django_admin.site._registry[Project]
    assert isinstance(model_admin, admin_projects.ProjectAdmin)
    request = rf.get("/admin/")
    request.user = admin
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request)
