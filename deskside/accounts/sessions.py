"""The session engine: django-user-sessions' database store (user, address, browser, last
activity on each row), loading the way Django's own database store does.

django-user-sessions 2.0 writes a new, empty row whenever a request brings a cookie with no live
session behind it; here such a request simply has an empty session (and no row is written until
something is stored in it), so stale or invented cookies cost nothing.
"""

from django.utils import timezone
from user_sessions.backends.db import SessionStore as UserSessionStore
from user_sessions.models import Session


class SessionStore(UserSessionStore):
    def load(self):
        session = Session.objects.filter(
            session_key=self.session_key, expire_date__gt=timezone.now()
        ).first()
        if session is None:
            self._session_key = None
            return {}
        self.user_id = session.user_id
        if self.user_agent != session.user_agent or self.ip != session.ip:
            self.modified = True  # the row then shows where the session was used last
        return self.decode(session.session_data)
