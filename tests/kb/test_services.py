"""The knowledge-base services: rendering is sanitised, every save writes a revision and the
search text, who may publish, review due dates, draft from a ticket, solved-with, deflection."""

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from deskside.core import clock
from deskside.kb import queries, services
from deskside.kb.exceptions import InvalidInput, InvalidState, NotAllowed
from deskside.kb.history import unified_diff
from deskside.kb.models import ArticleSearch, ArticleStatus, Deflection, SolvedWith, Visibility
from deskside.kb.render import render_markdown
from deskside.kb.services import ArticleInput
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind

NOON = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<img src="x" onerror="alert(1)">',
        "![x](javascript:alert(1))",
        '<a href="https://x.example" onclick="alert(1)">x</a>',
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_markdown_is_sanitised(markdown):
    tags = Tags()
    tags.feed(str(render_markdown(markdown)))
    assert "script" not in [name for name, _ in tags.seen]
    for _, attrs in tags.seen:
        for name, value in attrs:
            assert not name.startswith("on")
            assert not (value or "").strip().lower().startswith(("javascript:", "data:"))


class Tags(HTMLParser):
    """The tags and attributes an HTML text really has (escaped text is no tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


def test_markdown_renders_the_usual():
    html = str(render_markdown("# Title\n\n**bold** [site](https://example.com)\n\n- a\n- b"))
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in html
    assert "<li>a</li>" in html


def test_every_save_writes_a_revision_and_the_search_text(admin, alice):
    with clock.frozen(NOON):
        article = services.create_article(
            actor=alice, data=ArticleInput(title="VPN", body="one\ntwo", tags=["vpn", " vpn "])
        )
    with clock.frozen(NOON + timedelta(hours=1)):
        services.update_article(
            actor=admin, article=article, data=ArticleInput(title="VPN setup", body="one\nthree")
        )
    revs = list(queries.revisions(article))
    assert [(r.number, r.title, r.author) for r in revs] == [
        (2, "VPN setup", admin),
        (1, "VPN", alice),
    ]
    assert revs[0].created_at == NOON + timedelta(hours=1)
    assert ArticleSearch.objects.get(article=article).title_text == "VPN setup"
    diff = [(d.kind, d.text) for d in unified_diff(revs[1], revs[0])]
    assert ("del", "-Title: VPN") in diff and ("add", "+Title: VPN setup") in diff
    assert ("del", "-two") in diff and ("add", "+three") in diff
    assert ("same", " one") in diff


def test_diff_keeps_markup_as_text(alice):
    article = services.create_article(actor=alice, data=ArticleInput(title="x", body="a"))
    services.update_article(
        actor=alice, article=article, data=ArticleInput(title="x", body="<script>bad()</script>")
    )
    new, old = queries.revisions(article)
    assert ("add", "+<script>bad()</script>") in [(d.kind, d.text) for d in unified_diff(old, new)]


def test_bad_input_names_the_field(alice):
    with pytest.raises(InvalidInput) as caught:
        services.create_article(actor=alice, data=ArticleInput(title="   "))
    assert caught.value.field == "title"
    with pytest.raises(InvalidInput) as caught:
        services.create_article(actor=alice, data=ArticleInput(title="x", visibility="secret"))
    assert caught.value.field == "visibility"


def test_who_may_publish(alice, admin, carol):
    internal = ArticleInput(title="Runbook", status=ArticleStatus.PUBLISHED)
    assert services.create_article(actor=alice, data=internal).status == "published"
    public = ArticleInput(
        title="For customers", status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC
    )
    with pytest.raises(NotAllowed):
        services.create_article(actor=alice, data=public)
    article = services.create_article(actor=admin, data=public)
    with pytest.raises(NotAllowed):  # an agent may not change what customers read
        services.update_article(actor=alice, article=article, data=public)
    with pytest.raises(NotAllowed):
        services.create_article(actor=carol, data=ArticleInput(title="x"))


def test_review_due_and_mark_reviewed(alice):
    with clock.frozen(NOON):
        article = services.create_article(
            actor=alice,
            data=ArticleInput(title="x", status=ArticleStatus.PUBLISHED, review_every_days=30),
        )
    assert article.review_due_at == NOON + timedelta(days=30)
    assert not queries.due_for_review(alice, NOON + timedelta(days=29)).exists()
    later = NOON + timedelta(days=31)
    assert list(queries.due_for_review(alice, later)) == [article]
    with clock.frozen(later):
        services.mark_reviewed(actor=alice, article=article)
    article.refresh_from_db()
    assert (article.last_reviewed_at, article.last_reviewed_by) == (later, alice)
    assert article.review_due_at == later + timedelta(days=30)
    assert not queries.due_for_review(alice, later).exists()


def test_draft_from_a_resolved_ticket(alice, acme_ticket):
    with pytest.raises(InvalidState):
        services.draft_from_ticket(actor=alice, ticket=acme_ticket)
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="Please power-cycle the printer.")
    tickets.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Replaced the fuser.")
    article = services.draft_from_ticket(actor=alice, ticket=acme_ticket)
    assert article.title == acme_ticket.subject
    assert (article.status, article.visibility) == ("draft", "internal")
    assert article.source_ticket == acme_ticket
    assert article.organization == acme_ticket.organization  # the client's text: its runbook
    assert "It shows offline." in article.body
    assert "Replaced the fuser." in article.body
    assert "Please power-cycle the printer." in article.body


def test_solved_with_writes_a_note_once(alice, acme_ticket, articles):
    article = articles["reset"]
    services.link_solved(actor=alice, article=article, ticket=acme_ticket)
    services.link_solved(actor=alice, article=article, ticket=acme_ticket)
    assert SolvedWith.objects.filter(article=article).count() == 1
    notes = acme_ticket.events.filter(kind=EventKind.NOTE)
    assert notes.count() == 1 and article.public_id in notes.get().body
    assert list(queries.solved_tickets(alice, article)) == [acme_ticket]
    assert queries.counts(article)["solved"] == 1


def test_solved_with_needs_a_ticket_the_agent_serves(admin_serving, globex, acme_ticket, articles):
    restricted = admin_serving(globex, email="g@msp.example")
    with pytest.raises(InvalidInput):
        services.link_solved(actor=restricted, article=articles["reset"], ticket=acme_ticket)


def test_deflection_only_of_a_visible_article(carol, dave, articles):
    services.record_deflection(actor=carol, article=articles["acme_vpn"], text="vpn broken")
    d = Deflection.objects.get()
    assert (d.organization, d.user, d.text) == (carol.organization, carol, "vpn broken")
    for name in ("acme_vpn", "outlook", "draft"):
        with pytest.raises(InvalidInput):
            services.record_deflection(actor=dave, article=articles[name])
    assert Deflection.objects.count() == 1
