"""The pages: /triage/ for administrators, the panel beside the intake form, the suggestions
and their Accept on a new ticket's page; a deskside triage train on the command line."""

from deskside import cli
from deskside.core.models import AuditEntry
from deskside.tickets.models import EventKind, Priority, TicketEvent
from deskside.triage.models import FieldSetting, ModelState, TriageModel
from tests.triage.test_services import new_ticket


def test_admin_page_shows_accuracy_against_the_baseline(trained, web_admin, signed_in, alice):
    page = web_admin.get("/triage/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Version {trained.version}" in text
    figures = trained.metrics["team"]
    assert f"{round(figures['accuracy'] * 100)} %" in text
    assert f"{round(figures['baseline'] * 100)} %" in text
    assert signed_in(alice).get("/triage/").status_code == 403


def test_admin_page_before_enough_history(teams, web_admin):
    web_admin.post("/triage/train/")
    from deskside.triage import worker  # noqa: PLC0415

    worker.training_pass()
    text = web_admin.get("/triage/").content.decode()
    assert "not enough history (0 resolved; needs 150)" in text
    assert TriageModel.objects.get().state == ModelState.NOT_ENOUGH


def test_admin_turns_auto_apply_on(web_admin, signed_in, alice):
    r = web_admin.post(
        "/triage/fields/team/", {"team-auto_apply": "on", "team-threshold": "0.85"}, follow=True
    )
    assert "Auto-apply of the team saved." in r.content.decode()
    setting = FieldSetting.objects.get(field="team")
    assert setting.auto_apply and setting.threshold == 0.85
    assert AuditEntry.objects.filter(object_type="triage.setting", object_id="team").exists()
    r = web_admin.post("/triage/fields/team/", {"team-threshold": "3"}, follow=True)
    assert (
        "team:" in r.content.decode() and FieldSetting.objects.get(field="team").threshold == 0.85
    )
    assert (
        signed_in(alice).post("/triage/fields/team/", {"team-threshold": "0.9"}).status_code == 403
    )


def test_intake_panel(trained, signed_in, alice, globex, carol):
    page = signed_in(alice).get("/tickets/new/").content.decode()
    assert 'hx-get="/triage/suggest/"' in page and "keyup changed delay:400ms" in page
    r = signed_in(alice).get(
        "/triage/suggest/",
        {"organization": globex.slug, "subject": "VPN drops every hour", "description": ""},
    )
    text = r.content.decode()
    assert "Network L3" in text
    assert 'data-triage-fill="id_priority" data-value="P2"' in text
    assert signed_in(carol).get("/triage/suggest/", {"subject": "VPN"}).status_code == 302


def test_new_ticket_page_accepts_a_suggestion(trained, signed_in, alice, carol):
    ticket = new_ticket(alice, carol, "Printer on floor 2 offline", "toner")
    page = signed_in(alice).get(f"/tickets/{ticket.number}/").content.decode()
    assert "Triage suggestions" in page and "Desktop Support L2" in page
    r = signed_in(alice).post(
        f"/triage/tickets/{ticket.number}/accept/",
        {"field": "team", "value": "desktop-support-l2"},
        follow=True,
    )
    assert "Triage suggestion accepted" in r.content.decode()
    ticket.refresh_from_db()
    assert ticket.team.slug == "desktop-support-l2" and ticket.priority == Priority.P3
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED, actor=alice).exists()
    assert signed_in(carol).post(
        f"/triage/tickets/{ticket.number}/accept/", {"field": "tier", "value": "L2"}
    ).status_code in (302, 403)
    ticket.refresh_from_db()
    assert ticket.tier == "L1"
    portal = signed_in(carol).get(f"/portal/{ticket.number}/")
    assert portal.status_code == 200
    portal = portal.content.decode()
    assert "Triage suggestions" not in portal


def test_cli_train(history, capsys):
    history()
    assert cli.main(["triage", "train", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "team      accuracy" in out and "model v1: 600 tickets" in out
