"""Test settings: the real settings with a throw-away data directory and a cheap hasher."""

import atexit
import os
import shutil
import tempfile

if not os.environ.get("DESKSIDE_DATA_DIR"):
    # Made by the process that first loads these settings (with xdist, the controller: its
    # workers inherit the variable and use the same directory) and removed when it exits.
    _data_dir = tempfile.mkdtemp(prefix="deskside-test-")
    os.environ["DESKSIDE_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)

from deskside.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the default shared-cache in-memory database: that one answers concurrent
    # writers with "table is locked" instead of queueing them the way the production settings
    # (WAL, IMMEDIATE transactions, busy_timeout) do, so thread-race tests could not run on it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
else:
    # One test database per test process, so that several runs (engineers, CI, xdist workers)
    # can share one PostgreSQL server without dropping each other's database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_deskside_{os.getpid()}"}  # noqa: F405

# Django's live server wraps the site in a media-files handler built from MEDIA_URL, which
# fails on every request when MEDIA_URL is None; give it a prefix nothing links to, so browser
# tests still reach attachments only through the checking view.
MEDIA_URL = "/__media-not-served__/"

# One process in tests: saves keep the in-memory webhook list right; a timed re-read would be
# one stray query inside other apps' query-count assertions.
DESKSIDE_WEBHOOKS_REFRESH_SECONDS = None

# The outbound guard (deskside.core.netguard) allows nothing internal here, as in production:
# the tests that talk to their own servers on 127.0.0.1 (webhook receivers, Dovecot, Apprise
# json:// receivers) say so with the `allow_loopback` fixture (tests/conftest.py), which puts
# 127.0.0.1 alone on this list for that test. Names resolve through a stub in tests (the
# autouse `stub_dns` fixture): no DNS query leaves the machine from a guarded connection.
DESKSIDE_OUTBOUND_ALLOW: list[str] = []

# The receiving MTA the test suite trusts for sender verification: a test says "this message
# arrived verified" with tests.mailauth.arrived_verified (its Authentication-Results header).
DESKSIDE_MAIL_TRUSTED_AUTHSERV_IDS = ["mx.deskside.test"]
