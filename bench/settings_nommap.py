"""deskside.settings without SQLite's memory map (PRAGMA mmap_size=0), for
`python bench/pages.py time --settings settings_nommap` (docs/scaling.md, worker memory)."""

from deskside.settings import *  # noqa: F403
from deskside.settings import DATABASES

_options = DATABASES["default"].get("OPTIONS", {})
if "init_command" in _options:
    _options["init_command"] = _options["init_command"].replace(
        "PRAGMA mmap_size=1073741824;", "PRAGMA mmap_size=0;"
    )
