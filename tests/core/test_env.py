"""deskside.core.env: one parser for every DESKSIDE_* variable. Unset and empty mean the
default, 0/false/no/off are off, and a bad value is one line naming the variable."""

import re
from pathlib import Path

import pytest

from deskside.core.env import (
    EnvError,
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_str,
    env_url,
)

NAME = "DESKSIDE_TEST_VALUE"


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " On "])
def test_switch_on(monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert env_bool(NAME) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "off", "", "  "])
def test_switch_off_even_with_an_on_default_when_written_out(monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert env_bool(NAME) is False
    # An empty value is "not set": the default applies; a written-out 0 is off.
    assert env_bool(NAME, default=True) is (value.strip() == "")


def test_switch_unset_is_the_default(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert env_bool(NAME) is False
    assert env_bool(NAME, default=True) is True


@pytest.mark.parametrize("value", ["2", "maybe", "enabled", "y"])
def test_a_bad_switch_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    with pytest.raises(EnvError) as exc:
        env_bool(NAME)
    message = str(exc.value)
    assert message.startswith(f"{NAME}={value!r}: expected ")
    assert "\n" not in message and "0, false, no, off" in message
    assert exc.value.name == NAME


def test_int_with_bounds(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert env_int(NAME, 25) == 25
    monkeypatch.setenv(NAME, " 587 ")
    assert env_int(NAME, 25, minimum=1, maximum=65535) == 587
    for bad, expected in [
        ("abc", "a whole number from 1 to 65535"),
        ("2.5", "a whole number from 1 to 65535"),
        ("0", "a whole number from 1 to 65535"),
        ("70000", "a whole number from 1 to 65535"),
    ]:
        monkeypatch.setenv(NAME, bad)
        with pytest.raises(EnvError, match=f"^{NAME}='{bad}': expected {expected}$"):
            env_int(NAME, 25, minimum=1, maximum=65535)
    monkeypatch.setenv(NAME, "-1")
    with pytest.raises(EnvError, match="at least 0"):
        env_int(NAME, 30, minimum=0)


def test_list_str_and_choice(monkeypatch):
    monkeypatch.setenv(NAME, " desk.example , ,localhost ")
    assert env_list(NAME, ["x"]) == ["desk.example", "localhost"]
    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, ["x"]) == ["x"]
    assert env_str(NAME, "fallback") == "fallback"
    monkeypatch.setenv(NAME, "info")
    assert env_choice(NAME, ("DEBUG", "INFO"), "DEBUG") == "INFO"
    monkeypatch.setenv(NAME, "loud")
    with pytest.raises(EnvError, match="expected one of DEBUG, INFO$"):
        env_choice(NAME, ("DEBUG", "INFO"), "DEBUG")


def test_url(monkeypatch):
    monkeypatch.setenv(NAME, "https://desk.example.com/desk/")
    assert env_url(NAME) == "https://desk.example.com/desk"
    monkeypatch.delenv(NAME)
    assert env_url(NAME) == ""
    for bad in ["desk.example.com", "ftp://desk.example", "https://", "https://d.example:x"]:
        monkeypatch.setenv(NAME, bad)
        with pytest.raises(EnvError, match=f"^{NAME}="):
            env_url(NAME)


def test_secrets_are_never_echoed(monkeypatch):
    monkeypatch.setenv("DESKSIDE_EMAIL_PASSWORD_PORT", "hunter2")
    with pytest.raises(EnvError) as exc:
        env_int("DESKSIDE_EMAIL_PASSWORD_PORT", 1)
    assert "hunter2" not in str(exc.value) and "(hidden)" in str(exc.value)
    monkeypatch.setenv("DATABASE_URL", "postgres://u:s3cret@db:port/x")
    with pytest.raises(EnvError) as exc:
        env_database("DATABASE_URL", "sqlite:///x")
    assert str(exc.value).startswith("DATABASE_URL=(hidden): expected a database URL")
    assert "s3cret" not in str(exc.value)
    monkeypatch.setenv("DATABASE_URL", "nosuchdb://x/y")
    with pytest.raises(EnvError, match="^DATABASE_URL=\\(hidden\\)"):
        env_database("DATABASE_URL", "sqlite:///x")


def test_database_default_and_options(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env_database("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3", conn_max_age=600)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["CONN_MAX_AGE"] == 600


def test_no_deskside_variable_is_read_around_the_parser():
    """Every DESKSIDE_* variable goes through deskside.core.env, so they all follow its rules
    (a second, home-made parser is how DESKSIDE_DEBUG=0 came to mean "on")."""

    package = Path(__file__).resolve().parent.parent.parent / "deskside"
    pattern = re.compile(r"""(os\.environ(\.get\(|\[)|os\.getenv\()\s*["']DESKSIDE_""")
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.name != "env.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
