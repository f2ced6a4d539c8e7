"""The `deskside` console script: each subcommand's success and its one-line errors."""

import pytest

from deskside import cli
from deskside.accounts.models import ApiToken, User
from deskside.accounts.services import user_for_token


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


def test_demo_worker_stops_when_the_demo_server_ends(tmp_path):
    """`deskside demo` starts the SLA worker beside the server (which replaces the demo's
    process): here a parent process starts it and exits; the worker must follow within seconds,
    never outlive the demo."""
    import os
    import subprocess
    import sys
    import time

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
    from django.db import connection

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
