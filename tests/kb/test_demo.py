"""The demo's articles: seeded through the services, idempotent, visible as the rule says."""

from deskside.kb import queries
from deskside.kb.demo import seed_demo
from deskside.kb.models import Article, SolvedWith
from deskside.tickets import services as tickets


def test_seed_demo(admin, acme, alice, carol, dave, acme_ticket):
    tickets.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Done.")
    seed_demo()
    seed_demo()
    assert Article.objects.count() == 4
    outlook = Article.objects.get(title="Outlook keeps asking for password")
    assert outlook.revisions.count() == 2
    assert SolvedWith.objects.get().ticket == acme_ticket
    assert outlook in queries.due_for_review(alice, outlook.created_at.replace(year=9999))
    assert {a.title for a in queries.visible_articles(carol)} == {
        "Reset your password",
        "Acme VPN: connecting with FortiClient",
    }
    assert {a.title for a in queries.visible_articles(dave)} == {"Reset your password"}
