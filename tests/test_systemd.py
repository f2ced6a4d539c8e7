"""The systemd units in docs/systemd: they parse (systemd-analyze verify where it is
installed), run commands the `deskside` parser accepts, and start in the right order."""

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deskside import cli

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "docs" / "systemd"
BINARY = "/opt/deskside/venv/bin/deskside"
NAMES = ["deskside-web.service", "deskside-worker.service", "deskside-smtpd.service"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((UNITS / name).read_text())
    return parser


def commands(parsed: configparser.ConfigParser) -> list[list[str]]:
    service = parsed["Service"]
    return [shlex.split(service[k]) for k in ("ExecStartPre", "ExecStart") if k in service]


@pytest.mark.parametrize("name", NAMES)
def test_unit_structure_and_commands(name):
    parsed = unit(name)
    assert {"Unit", "Service", "Install"} <= set(parsed.sections())
    service = parsed["Service"]
    assert service["User"] == "deskside" and service["StateDirectory"] == "deskside"
    assert service["EnvironmentFile"] == "/etc/deskside/deskside.env"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    for argv in commands(parsed):
        assert argv[0] == BINARY
        cli.build_parser().parse_args(argv[1:])  # exits 2 on an option deskside lacks


def test_web_migrates_before_the_worker_starts():
    web = unit("deskside-web.service")["Service"]
    assert shlex.split(web["ExecStartPre"])[1:] == ["migrate"]
    assert "--no-migrate" in shlex.split(web["ExecStart"])
    for name in ("deskside-worker.service", "deskside-smtpd.service"):
        assert "deskside-web.service" in unit(name)["Unit"]["After"].split()
    assert shlex.split(unit("deskside-worker.service")["Service"]["ExecStart"])[1:] == ["worker"]


def test_environment_file_names_only_documented_variables():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`((?:DESKSIDE_|DATABASE_)[A-Z_]+)`", readme))
    text = (UNITS / "deskside.env").read_text()
    names = re.findall(r"^#?\s*([A-Z_]+)=", text, flags=re.MULTILINE)
    assert names and set(names) <= documented, set(names) - documented


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path):
    """systemd's own parser, with the binary pointed at this environment's `deskside` (verify
    insists that it exists)."""
    deskside = Path(sys.executable).parent / "deskside"
    assert deskside.exists()
    for name in NAMES:
        text = (UNITS / name).read_text().replace(BINARY, str(deskside))
        (tmp_path / name).write_text(text)
    done = subprocess.run(  # noqa: S603 - fixed program, our own files
        [shutil.which("systemd-analyze"), "verify", *(str(tmp_path / n) for n in NAMES)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Unknown keys and bad values are only warnings (exit 0): any line about our units fails.
    ours = [
        line for line in done.stderr.splitlines() if str(tmp_path) in line or ".service" in line
    ]
    assert done.returncode == 0 and not ours, done.stderr
