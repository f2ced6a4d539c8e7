"""Deskside's settings with persistent database connections, for an experiment:

    python bench/load.py --name sqlite --settings bench.settings_persistent

deskside/settings.py sets CONN_MAX_AGE = 0 on SQLite, so every request opens the database,
runs the PRAGMAs, starts with a cold page cache, and (when it was the last connection) checkpoints
the WAL on close. This measures what keeping the connection for the life of a worker is worth.
"""

from deskside.settings import *  # noqa: F403
from deskside.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 600
