"""The `deskside` console script: each subcommand's success and its one-line errors."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.db import connection

from deskside import cli
from deskside.accounts.models import ApiToken, User
from deskside.accounts.services import user_for_token
from deskside.core import baseurl
from deskside.mail.worker import mail_pass
from deskside.tickets import services as tickets
from deskside.webhooks.payloads import ticket_part


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_createuser_agent_and_customer(capsys, acme, helpdesk):
    code, out, _ = run(
        capsys,
        "createuser",
        "new.agent@msp.example",
        "--kind",
        "agent",
        "--tier",
        "L2",
        "--team",
        helpdesk.slug,
        "--password",
        "pw-123456",
        "--name",
        "New Agent",
    )
    assert code == 0 and "created agent" in out
    agent = User.objects.get(email="new.agent@msp.example")
    assert agent.is_agent and agent.tier == "L2" and list(agent.teams.all()) == [helpdesk]
    assert agent.check_password("pw-123456")

    code, _, _ = run(
        capsys,
        "createuser",
        "Boss@Acme.example",
        "--kind",
        "customer",
        "--organization",
        "acme",
        "--org-admin",
        "--password",
        "pw-123456",
    )
    assert code == 0
    boss = User.objects.get(email="boss@acme.example")
    assert boss.is_customer and boss.is_org_admin and boss.organization == acme


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["createuser", "x@y.example", "--kind", "customer", "--password", "p"],
            "a customer belongs to an organisation",
        ),
        (
            ["createuser", "x@y.example", "--kind", "customer", "--organization", "nope"],
            "no organisation with slug 'nope'",
        ),
        (
            ["createuser", "not-an-email", "--kind", "agent", "--password", "p"],
            "is not a valid email address",
        ),
        (
            ["createuser", "x@y.example", "--kind", "agent", "--team", "ghosts", "--password", "p"],
            "no team with slug 'ghosts'",
        ),
        (["token", "create", "nobody@example.com"], "no active user with email"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(capsys, db, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert err.startswith("deskside: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_duplicate_user_is_refused(capsys, carol):
    code, _, err = run(
        capsys,
        "createuser",
        carol.email,
        "--kind",
        "customer",
        "--organization",
        "acme",
        "--password",
        "p",
    )
    assert code == 2 and "exists" in err


def test_token_create_prints_a_working_token_stored_hashed(capsys, alice):
    code, out, _ = run(capsys, "token", "create", "ALICE@msp.example", "--name", "rmm")
    raw = out.strip()
    assert code == 0 and raw.startswith("dsk_")
    assert user_for_token(raw) == alice
    stored = ApiToken.objects.get(user=alice)
    assert stored.name == "rmm" and raw not in (stored.token_hash, stored.prefix)


def test_manage_passes_through_to_django(capsys, db):
    assert cli.main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


def test_migrate(capsys, db):
    assert cli.main(["migrate"]) == 0


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["frobnicate"])
    assert exc.value.code == 2


@pytest.mark.slow
def test_demo_worker_stops_when_the_demo_server_ends(tmp_path):
    """`deskside demo` starts the SLA worker beside the server (which replaces the demo's
    process): here a parent process starts it and exits; the worker must follow within seconds,
    never outlive the demo."""

    env = {**os.environ, "DESKSIDE_DATA_DIR": str(tmp_path), "DESKSIDE_LOG_LEVEL": "INFO"}
    env.pop("DATABASE_URL", None)
    out = tmp_path / "parent.out"
    with out.open("w") as stdout:  # a file, not a pipe: the worker inherits it and lives on
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from deskside.cli import start_demo_worker as s; print(s().pid)",
            ],
            env=env,
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=True,
        )
    pid = int(out.read_text().split()[-1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break  # reaped by init: gone
        # A zombie until init reaps it counts as ended
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().split(")")[-1].split()[0] == "Z":
                break
        time.sleep(0.2)
    else:
        os.kill(pid, 9)
        pytest.fail("the demo's SLA worker outlived its parent")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["createuser"], "the following arguments are required: email, --kind"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["token"], "the following arguments are required: ACTION"),
        (["worker", "--interval", "soon"], "invalid float value: 'soon'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert message in err and "--help" in err
    assert err.count("\n") == 1 and "usage:" not in err


def test_a_database_without_tables_says_to_migrate(capsys, alice, django_db_blocker):

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE accounts_apitoken")  # rolled back with the test
    code, _, err = run(capsys, "token", "create", alice.email)
    assert code == 2
    assert err.count("\n") == 1
    assert "run `deskside migrate` first" in err


def test_manage_errors_exit_2(capsys, db):
    with pytest.raises(SystemExit) as exc:
        cli.main(["manage", "nosuchcommand"])
    assert exc.value.code == 2
    assert "Unknown command: 'nosuchcommand'" in capsys.readouterr().err


# -- the environment (deskside.core.env) -------------------------------------------------------


def _broken_migrate(monkeypatch):
    def boom(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "cmd_migrate", boom)


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "OFF", ""])
def test_debug_switched_off_keeps_errors_one_line(capsys, monkeypatch, value):
    """DESKSIDE_DEBUG=0 used to count as set and turn tracebacks on."""
    monkeypatch.setenv("DESKSIDE_DEBUG", value)
    _broken_migrate(monkeypatch)
    code, _, err = run(capsys, "migrate")
    assert code == 2
    assert err == "deskside: error: RuntimeError: boom\n"


def test_debug_on_shows_the_traceback(capsys, monkeypatch):
    monkeypatch.setenv("DESKSIDE_DEBUG", "yes")
    _broken_migrate(monkeypatch)
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["migrate"])


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DESKSIDE_DEBUG", "maybe", "one of 1, true, yes, on (on) or 0, false, no, off (off)"),
        ("DESKSIDE_THREADS", "many", "a whole number of at least 1"),
        ("DESKSIDE_WORKERS", "0", "a whole number of at least 1"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(capsys, monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    code, out, err = run(capsys, "migrate")
    assert code == 2 and out == ""
    assert err == f"deskside: error: {name}={value!r}: expected {expected}\n"


def test_a_bad_variable_read_by_the_settings_stops_the_command(tmp_path):
    """The settings are read once per process, so a fresh `deskside` shows what a user sees."""

    env = {**os.environ, "DESKSIDE_DATA_DIR": str(tmp_path), "DESKSIDE_EMAIL_PORT": "smtp"}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DESKSIDE_DEBUG"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "deskside.cli", "migrate"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,  # this checkout's deskside package
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "deskside: error: DESKSIDE_EMAIL_PORT='smtp': expected a whole number from 1 to 65535\n"
    )


# -- links follow the serving address (deskside.core.baseurl) ----------------------------------


@pytest.fixture
def serving(monkeypatch, settings, tmp_path):
    """`deskside serve` without its server (the gunicorn call is recorded, not made), a data
    directory of its own and no DESKSIDE_BASE_URL."""

    settings.DATA_DIR = tmp_path
    settings.DESKSIDE_BASE_URL = ""
    monkeypatch.setenv(baseurl.SERVED_ENV, "")  # restored after the test: serve sets it
    calls = []
    monkeypatch.setattr(cli, "_gunicorn", lambda *args: calls.append(args))
    return calls


def test_serve_on_another_port_points_every_link_there(
    capsys, monkeypatch, serving, settings, alice, acme_ticket
):

    assert cli.main(["serve", "--no-migrate", "--port", "9000"]) == 0
    assert serving == [("127.0.0.1", 9000, 2, 4)]
    # The server's own processes (gunicorn inherits the environment) ...
    assert baseurl.base_url() == "http://127.0.0.1:9000"
    assert ticket_part(acme_ticket, internal=False)["url"] == (
        f"http://127.0.0.1:9000/portal/{acme_ticket.number}/"
    )
    # ... and a `deskside worker` started on its own, which reads the data directory.
    monkeypatch.setenv(baseurl.SERVED_ENV, "")
    assert baseurl.recorded() == "http://127.0.0.1:9000"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")
    mail_pass()
    assert f"http://127.0.0.1:9000/portal/{acme_ticket.number}/" in django_mail.outbox[0].body


def test_serve_records_the_base_url_setting_when_there_is_one(serving, settings):

    settings.DESKSIDE_BASE_URL = "https://desk.example.com"
    assert cli.main(["serve", "--no-migrate", "--port", "9000"]) == 0
    assert baseurl.recorded() == "https://desk.example.com"
    assert baseurl.base_url() == "https://desk.example.com"


@pytest.mark.parametrize(
    ("host", "expected"),
    [("::1", "http://[::1]:8080"), ("desk.lan", "http://desk.lan:8080")],
)
def test_serve_address_forms(serving, host, expected):

    assert cli.main(["serve", "--no-migrate", "--host", host, "--port", "8080"]) == 0
    assert baseurl.base_url() == expected


def test_serve_on_every_interface_links_to_the_host_name(serving):

    every = "0.0.0.0"  # noqa: S104 - the point of the test
    assert cli.main(["serve", "--no-migrate", "--host", every, "--port", "8080"]) == 0
    assert baseurl.base_url() == f"http://{socket.gethostname()}:8080"


def test_serve_refuses_a_port_out_of_range(capsys, db, monkeypatch, tmp_path, settings):
    settings.DATA_DIR = tmp_path

    monkeypatch.setenv(baseurl.SERVED_ENV, "")
    code, _, err = run(capsys, "serve", "--no-migrate", "--port", "70000")
    assert code == 2 and err == "deskside: error: --port must be from 1 to 65535\n"
