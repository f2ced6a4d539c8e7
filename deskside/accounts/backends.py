"""Sign-in throttling (django-axes) as the first authentication backend."""

from axes.backends import AxesStandaloneBackend


class ThrottlingBackend(AxesStandaloneBackend):
    """django-axes' check, refusing sign-ins while an account or address is locked out.

    A sign-in from a page always carries its request (Django's LoginView passes it). Only code
    without a request reaches here without one: the test client's `login()` and management
    commands; those are not guesses from the network, so the check is left to the next
    backend instead of failing with django-axes' "request required" error.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
