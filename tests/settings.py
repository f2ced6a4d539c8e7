"""Test settings: the real settings with a throw-away data directory and a cheap hasher."""

import os
import tempfile

os.environ.setdefault("DESKSIDE_DATA_DIR", tempfile.mkdtemp(prefix="deskside-test-"))

from deskside.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
