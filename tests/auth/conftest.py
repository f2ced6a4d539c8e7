import pytest

from deskside.accounts.oidc import forget_discovery
from tests.auth.oidc_provider import configure, provider


@pytest.fixture(scope="session")
def oidc_issuer():
    with provider() as issuer:
        yield issuer


@pytest.fixture
def sso(settings, oidc_issuer):
    """Single sign-on configured against the local provider."""
    configure(settings, oidc_issuer)
    yield oidc_issuer

    forget_discovery()
