"""`deskside manage check --deploy` reports nothing with the production settings that
docs/install.md describes (issue 12 item 7), read from the document itself, so the two cannot
drift apart; and the systemd example environment file sets the same values."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "docs" / "install.md"
ENV_FILE = ROOT / "docs" / "systemd" / "deskside.env"


def production_settings() -> dict[str, str]:
    """The indented KEY=value lines of install.md's "Production settings" block."""
    text = INSTALL.read_text()
    section = text.split("## Production settings", 1)[1].split("\n## ", 1)[0]
    found = dict(re.findall(r"^ {4}([A-Z_]+)=(\S+)$", section, flags=re.MULTILINE))
    assert "DESKSIDE_HSTS_SECONDS" in found and "DESKSIDE_SSL_REDIRECT" in found, found
    return found


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    env = {
        # Only what the interpreter needs to find Deskside, a fresh data directory (the secret
        # key is generated there, as on a first start), and the documented settings.
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DESKSIDE_DATA_DIR": str(tmp_path / "data"),
        **production_settings(),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and CLI
        [sys.executable, "-m", "deskside.cli", "manage", "check", "--deploy"]
        + ["--fail-level", "DEBUG"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


@pytest.mark.slow
def test_check_deploy_warns_without_them(tmp_path):
    """The check is a real one: the defaults (fit for `deskside demo` on http://localhost)
    are not production settings, and it says so."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DESKSIDE_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(  # our own interpreter and CLI
        [sys.executable, "-m", "deskside.cli", "manage", "check", "--deploy"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    # deskside.W012: the session cookie's check (Django's own security.W012 looks for
    # django.contrib.sessions, which django-user-sessions replaces: deskside.accounts.checks).
    for warning in ("security.W004", "security.W008", "deskside.W012", "security.W016"):
        assert warning in output, output


def test_systemd_environment_file_sets_the_production_settings():
    lines = dict(
        re.findall(r"^([A-Z_]+)=(\S+)$", ENV_FILE.read_text(), flags=re.MULTILINE),
    )
    for name, value in production_settings().items():
        assert lines.get(name) == value, name
