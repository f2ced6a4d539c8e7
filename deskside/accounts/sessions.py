"""The session engine: django-user-sessions' database store (user, address, browser, last
activity on each row), loading the way Django's own database store does.

django-user-sessions 2.0 writes a new, empty row whenever a request brings a cookie with no live
session behind it; here such a request simply has an empty session (and no row is written until
something is stored in it), so stale or invented cookies cost nothing; a request from a new
address or browser does not write the row by itself. And `create()` keeps what the session
already holds, as Django's store does (django-user-sessions empties it: django-axes creates
the key during a sign-in that replaced another user's session, which then lost the sign-in).
"""

from django.contrib.sessions.backends.base import CreateError
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
        # A changed address or browser is written with the next expiry refresh (at most once a
        # minute, deskside.accounts.middleware), not on every request.
        self.user_id = session.user_id
        return self.decode(session.session_data)

    def create(self):
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return
