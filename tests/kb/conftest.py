"""Articles for the knowledge-base tests, written through the services as agents would: a
global public article, an internal one, Acme's public runbook, Globex's public runbook, a
public draft, and Acme's internal night runbook."""

import pytest

from deskside.kb import services
from deskside.kb.models import ArticleStatus, Category, Visibility
from deskside.kb.services import ArticleInput

PUBLISHED, DRAFT = ArticleStatus.PUBLISHED, ArticleStatus.DRAFT
PUBLIC, INTERNAL = Visibility.PUBLIC, Visibility.INTERNAL


@pytest.fixture
def accounts_category(db):
    return Category.objects.create(name="Accounts", slug="accounts")


@pytest.fixture
def write(admin):
    def make(title, body="", *, visibility=PUBLIC, status=PUBLISHED, org=None, **kw):
        data = ArticleInput(
            title=title, body=body, visibility=visibility, status=status, organization=org, **kw
        )
        return services.create_article(actor=admin, data=data)

    return make


@pytest.fixture
def articles(write, acme, globex, accounts_category):
    return {
        "reset": write(
            "Reset your password",
            "Open the **self-service** page and choose *Forgot password*.",
            category=accounts_category,
            tags=["password", "self-service"],
        ),
        "outlook": write(
            "Outlook keeps asking for password",
            "Clear the cached credentials in Credential Manager, then restart Outlook.",
            visibility=INTERNAL,
        ),
        "acme_vpn": write(
            "Acme VPN: connecting", "Use the FortiClient profile acme-vpn.", org=acme
        ),
        "globex_vpn": write("Globex VPN: connecting", "Use the Globex VPN portal.", org=globex),
        "draft": write("Printer driver password prompt", "Secret draft.", status=DRAFT),
        "acme_night": write(
            "Acme: whom to call at night",
            "Call the Acme duty manager on +1 555 0100 for a VPN outage.",
            visibility=INTERNAL,
            org=acme,
        ),
    }
