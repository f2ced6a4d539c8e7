"""A real worker killed with SIGKILL in the middle of a handover reminder, then restarted: the
reminder is claimed once and its notices are written once; a notice claimed before the kill
stays "sending" and is never sent again (the documented guarantee: reminders are never lost
nor written twice, notices go out at most once; docs/desk.md, "Reminders").

`deskside worker --once` runs as a subprocess on an SQLite database of its own (a copy of the
migrated template of tests/test_bench.py), with the real clock: the handovers are opened 20
minutes before the worker's now, so the incoming reminder (+15) is due and the lead's (+30)
is not. The first worker's mail goes to an SMTP port that accepts the connection and never
greets, so it stops inside the send, after the claim, every time (Django's SMTP timeout is
30 s; it is killed as soon as its claim is seen). The second worker mails to files."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_bench import REPO, SQLITE_FILE, fresh_database, run, template  # noqa: F401

# slow: migrates a template database once and starts worker processes
pytestmark = pytest.mark.slow

WAIT_SECONDS = 120.0  # a loaded CI machine: the worker starts and makes its passes first

# Run in the subprocess (its own DESKSIDE_DATA_DIR): a team with an outgoing, an incoming agent
# and a lead, and its handover 20 minutes ago, opened as the worker opens it.
SETUP = """
import sys
from datetime import timedelta

import django

django.setup()
from deskside.accounts import services as accounts
from deskside.accounts.models import Organization, Tier
from deskside.core import clock
from deskside.handovers import services

slug = sys.argv[1]
msp = Organization.objects.filter(slug="msp").first() or accounts.create_organization(
    name="Deskside MSP", slug="msp", is_msp=True
)
team = accounts.create_team(name=f"Desk {slug}", tier=Tier.L1)
people = [
    accounts.create_user(
        email=f"{role}-{slug}@msp.example", full_name=f"{role} {slug}", password="pass-123-pass",
        kind="agent", tier=Tier.L1, organization=msp, teams=[team],
    )
    for role in ("out", "in", "lead")
]
team.lead = people[2]
team.save()
at = clock.now() - timedelta(minutes=20)
services.open_handover(actor=None, shift=services.Shift(
    team=team, at=at, shift_start=at - timedelta(hours=8), ending="Early", starting="Late",
    outgoing=(people[0].pk,), incoming=(people[1].pk,),
))
"""


def query(database: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        return db.execute(sql, args).fetchall()


def reminders(database: Path, slug: str) -> list[tuple]:
    return query(
        database,
        "SELECT r.stage, r.state FROM handovers_reminder r JOIN handovers_handover h"
        " ON h.id = r.handover_id JOIN accounts_team t ON t.id = h.team_id"
        " WHERE t.slug = ? ORDER BY r.stage",
        slug,
    )


def notices(database: Path, slug: str) -> list[tuple]:
    return query(
        database,
        "SELECT u.email, n.reason, n.state FROM handovers_notice n JOIN handovers_handover h"
        " ON h.id = n.handover_id JOIN accounts_team t ON t.id = h.team_id"
        " JOIN accounts_user u ON u.id = n.recipient_id WHERE t.slug = ? ORDER BY n.id",
        slug,
    )


def worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "deskside.cli", "worker", "--once"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_inside_a_reminder_and_restarted_sends_each_once(tmp_path, template):  # noqa: F811
    data_dir = tmp_path / "data"
    fresh_database(template, data_dir)
    database = data_dir / SQLITE_FILE
    env = {
        **os.environ,
        "DESKSIDE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "deskside.settings",
        "DESKSIDE_LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DESKSIDE_TEST_NOW", None)
    run(["-c", SETUP, "first"], env)

    with socket.socket() as silent:  # accepts connections (the backlog), never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        stuck = worker(
            {
                **env,
                "DESKSIDE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "DESKSIDE_EMAIL_HOST": "127.0.0.1",
                "DESKSIDE_EMAIL_PORT": str(silent.getsockname()[1]),
            }
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while notices(database, "desk-first") != [
                ("in-first@msp.example", "remind_incoming", "sending")
            ]:
                assert stuck.poll() is None, stuck.stderr.read()[-2000:]
                assert time.monotonic() < deadline, notices(database, "desk-first")
                time.sleep(0.1)
        finally:
            stuck.send_signal(signal.SIGKILL)
            stuck.wait(timeout=10)
    assert stuck.returncode == -signal.SIGKILL
    assert reminders(database, "desk-first") == [("incoming", "sent"), ("lead", "pending")]

    # After the kill: a second team's handover, due the same way, shows the restarted worker
    # delivering; the first one's reminder is not claimed again nor its notice re-sent.
    run(["-c", SETUP, "second"], env)
    mail_dir = tmp_path / "mail"
    restarted = worker(
        {
            **env,
            "DESKSIDE_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DESKSIDE_EMAIL_FILE_PATH": str(mail_dir),
        }
    )
    _out, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err[-2000:]

    assert reminders(database, "desk-first") == [("incoming", "sent"), ("lead", "pending")]
    assert notices(database, "desk-first") == [
        ("in-first@msp.example", "remind_incoming", "sending")
    ]
    assert reminders(database, "desk-second") == [("incoming", "sent"), ("lead", "pending")]
    assert notices(database, "desk-second") == [
        ("in-second@msp.example", "remind_incoming", "sent")
    ]
    mailed = [path.read_text() for path in mail_dir.iterdir()]
    assert len(mailed) == 1
    assert "To: in-second@msp.example" in mailed[0]
    assert "in-first@msp.example" not in mailed[0]
