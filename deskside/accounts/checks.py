"""Deploy checks Django skips because sessions are django-user-sessions' (deskside.accounts.
sessions), not `django.contrib.sessions`: Django's own session-cookie checks (security.W010 to
W015) look for that app or its middleware by name, so without these `check --deploy` would no
longer say that the session cookie goes over plain HTTP or is readable by scripts."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

W012 = Warning(
    "SESSION_COOKIE_SECURE is off: the session cookie is also sent over plain HTTP, where "
    "anyone on the network can take over the session.",
    hint="Set DESKSIDE_SECURE_COOKIES=1 (docs/install.md, production settings).",
    id="deskside.W012",
)
W015 = Warning(
    "SESSION_COOKIE_HTTPONLY is off: scripts on the page can read the session cookie.",
    id="deskside.W015",
)


@register(Tags.security, deploy=True)
def session_cookie(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if settings.SESSION_COOKIE_SECURE is not True:
        found.append(W012)
    if settings.SESSION_COOKIE_HTTPONLY is not True:
        found.append(W015)
    return found
