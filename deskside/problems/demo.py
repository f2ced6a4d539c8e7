"""The problems' share of the demo (call `seed_demo()` once the demo's directory and tickets
exist): a recurring failure at Acme (five callers over the last three days: Outlook keeps
asking for the password), found by a detection pass, and a known error at Globex (the VPN
drops every hour) with its workaround and a KB article, so that a new VPN ticket at Globex
shows "Known error PRB-n: workaround ...".

Idempotent (a second call returns the same problem and adds nothing) and correct at any
clock time: the tickets are opened through the ticket services at instants counted back from
now, so they are always inside the detection's 14-day window.
"""

from datetime import timedelta

from deskside.accounts.models import Organization, User
from deskside.core import clock
from deskside.kb import services as kb
from deskside.kb.models import Article, ArticleStatus
from deskside.problems import detection, services
from deskside.problems.models import Problem
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Ticket

OUTLOOK = [
    ("Outlook keeps asking for my password", "Outlook prompts for my password again and again."),
    ("Outlook asking for password again", "Outlook keeps asking for the password every hour."),
    ("Outlook password prompt keeps coming back", "Outlook keeps asking for my password."),
    (
        "Outlook asks for password repeatedly",
        "Outlook asks for the password again after I type it.",
    ),
    ("Outlook keeps asking for the password", "Since this morning Outlook asks for my password."),
]
VPN = [
    ("VPN disconnects every hour", "The VPN connection drops every hour and I must reconnect."),
    ("VPN connection drops every hour", "My VPN connection drops every hour during calls."),
    ("VPN drops every hour at home", "Working from home the VPN drops every hour."),
]
KNOWN_TITLE = "VPN drops every hour (idle timeout on the concentrator)"
WORKAROUND = (
    "Untick 'Disconnect when idle' in the VPN client's settings, or reconnect: the session "
    "is restored in seconds. The firmware fix is scheduled."
)
ARTICLE_TITLE = "VPN disconnects every hour: idle timeout workaround"
ARTICLE_BODY = (
    "## Symptom\n\nThe VPN drops after about an hour.\n\n## Workaround\n\n" + WORKAROUND + "\n"
)


def _open(agent: User, requester: User, texts: list[tuple[str, str]], hours: int) -> list[Ticket]:
    """Open one ticket per text, `hours` apart, the last one an hour ago."""
    now = clock.now()
    made = []
    for index, (subject, description) in enumerate(texts):
        with clock.frozen(now - timedelta(hours=1 + hours * (len(texts) - 1 - index))):
            new = tickets.NewTicket(
                subject=subject,
                description=description,
                organization=requester.organization,
                requester=requester,
                site=requester.site,
                channel=Channel.PHONE,
            )
            made.append(tickets.create_ticket(actor=agent, ticket=new).ticket)
    return made


def _article(agent: User, organization: Organization) -> Article:
    found = Article.objects.filter(title=ARTICLE_TITLE).first()
    if found is not None:
        return found
    data = kb.ArticleInput(
        title=ARTICLE_TITLE,
        body=ARTICLE_BODY,
        status=ArticleStatus.PUBLISHED,
        organization=organization,
    )
    article = kb.create_article(actor=agent, data=data)
    return kb.mark_reviewed(actor=agent, article=article)


def seed_demo() -> Problem | None:
    """Create the demo's recurring cluster and known error (None without the demo's people)."""
    existing = Problem.objects.filter(title=KNOWN_TITLE).first()
    if existing is not None:
        return existing
    agent = User.objects.filter(email="ana@deskside.example").first()
    carol = User.objects.filter(email="carol@acme.example").first()
    dieter = User.objects.filter(email="dieter@globex.example").first()
    if agent is None or carol is None or dieter is None:
        return None
    _open(agent, carol, OUTLOOK, hours=14)
    vpn = _open(agent, dieter, VPN, hours=20)
    problem = services.create_problem(
        actor=agent,
        title=KNOWN_TITLE,
        statement="Globex's remote staff lose the VPN about every hour.",
        organization_id=dieter.organization_id,
        tickets=vpn,
    )
    problem = services.update_problem(
        actor=agent,
        problem=problem,
        status="known_error",
        root_cause="The VPN concentrator's firmware ends idle sessions after 60 minutes.",
        workaround=WORKAROUND,
        article=_article(agent, dieter.organization),
    )
    detection.detect()
    return problem
