"""The knowledge base's share of the demo (called by deskside/demo.py once the directory and
the tickets exist): categories, a global public "Reset your password", an internal runbook
"Outlook keeps asking for password" (with a second revision, and due for review), Acme's
public VPN article and Acme's internal night runbook "whom to call at night", and a
"solved with" link on a resolved Acme ticket.

`seed_demo()`; idempotent (a second call changes nothing); works at any clock time: dates are
relative to `clock.now()`.
"""

from datetime import timedelta

from deskside.accounts.models import Organization, User
from deskside.core import clock
from deskside.kb import services
from deskside.kb.models import Article, ArticleStatus, Category, Visibility
from deskside.kb.services import ArticleInput
from deskside.tickets.models import Status, Ticket

ADMIN = "admin@deskside.example"
CATEGORIES = {
    "accounts": "Accounts and sign-in",
    "email": "Email and Outlook",
    "network": "Network and VPN",
}
RESET = """If you forgot your password or it expired:

1. Open **https://password.example.com** from any browser (your phone works too).
2. Choose *Forgot password* and enter your work email address.
3. Approve the prompt in your authenticator app, then choose a new password:
   at least 14 characters, not one you used before.

Signed in on a laptop off the network? Connect the VPN first, then lock and unlock it so
Windows learns the new password.

Still locked out after three tries? Call the service desk: we verify who you are and unlock
the account.
"""
OUTLOOK = """Symptom: Outlook prompts for the password again and again, often after a
password change.

1. Close Outlook. In **Credential Manager** → *Windows Credentials*, remove every entry
   starting with `MicrosoftOffice16_Data` and `msteams`.
2. Check that modern authentication is on: under
   `HKCU\\Software\\Microsoft\\Office\\16.0\\Common\\Identity`, `EnableADAL` = 1 (or absent).
3. Start Outlook and sign in once; tick *Remember me*.

If it comes back within a day, check the user's sign-in log for a conditional-access block
and escalate to the Servers L3 team.
"""
ACME_VPN = """Acme uses FortiClient VPN with the profile **acme-vpn** (gateway
`vpn.acme.example`, port 443).

- Sign in with your Acme email address and approve the prompt on your phone.
- "Credential or SSLVPN configuration is wrong (-7200)": your password expired: reset it
  first (see *Reset your password*).
- The VPN drops every hour: update FortiClient to 7.2 or later.
"""
ACME_NIGHT = """Acme runs a night shift at the Chicago plant: a VPN or ERP outage stops the
production line, so it is a P1 at any hour.

| when | whom | how |
| --- | --- | --- |
| 18:00-06:00 weekdays, all weekend | Acme duty manager | +1 312 555 0142 (mobile) |
| if no answer in 15 min | Dan Reyes, Acme IT lead | +1 312 555 0177 |

The firewall is a FortiGate 200F in the server room; our L3 on-call has the admin account in
the vault under "Acme FortiGate". Never reboot it without the duty manager's yes.
"""


def seed_demo() -> None:
    """Add the demo articles unless they are there (see the module docstring)."""
    if Article.objects.filter(title="Reset your password").exists():
        return
    admin = (
        User.objects.filter(email=ADMIN).first()
        or User.objects.filter(is_staff=True, is_active=True, kind=User.Kind.AGENT)
        .order_by("pk")
        .first()
    )
    acme = Organization.objects.get(slug="acme")
    cats = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in CATEGORIES.items()
    }
    published = ArticleStatus.PUBLISHED
    now = clock.now()
    with clock.frozen(now - timedelta(days=200)):  # written long ago: due for review now
        outlook = services.create_article(
            actor=admin,
            data=ArticleInput(
                title="Outlook keeps asking for password",
                body=OUTLOOK.split("\n\nIf it comes back")[0],
                status=published,
                category=cats["email"],
                tags=["outlook", "password", "m365"],
            ),
        )
    with clock.frozen(now - timedelta(days=190)):
        services.update_article(
            actor=admin,
            article=outlook,
            data=ArticleInput(
                title=outlook.title,
                body=OUTLOOK,
                status=published,
                category=cats["email"],
                tags=["outlook", "password", "m365"],
            ),
        )
    services.create_article(
        actor=admin,
        data=ArticleInput(
            title="Reset your password",
            body=RESET,
            visibility=Visibility.PUBLIC,
            status=published,
            category=cats["accounts"],
            tags=["password", "self-service"],
        ),
    )
    services.create_article(
        actor=admin,
        data=ArticleInput(
            title="Acme VPN: connecting with FortiClient",
            body=ACME_VPN,
            visibility=Visibility.PUBLIC,
            status=published,
            organization=acme,
            category=cats["network"],
            tags=["vpn", "forticlient"],
        ),
    )
    services.create_article(
        actor=admin,
        data=ArticleInput(
            title="Acme VPN down at night: whom to call",
            body=ACME_NIGHT,
            status=published,
            organization=acme,
            category=cats["network"],
            tags=["vpn", "runbook", "night"],
            review_every_days=90,
        ),
    )
    solved = (
        Ticket.objects.filter(organization=acme, status__in=[Status.RESOLVED, Status.CLOSED])
        .exclude(status=Status.CLOSED)
        .order_by("-pk")
        .first()
    )
    if solved is not None:
        services.link_solved(actor=admin, article=outlook, ticket=solved)
