"""Tenancy of the knowledge base for an agent limited to some clients: Gina serves Globex only.
She reads global articles and Globex's runbooks, never Acme's, at every page and endpoint, and
writes, moves, reviews, attaches to and links only what she may read, for clients she serves.
Alice (no served clients: every client) is the control that each refusal is about Gina."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.kb import queries, services
from deskside.kb.exceptions import InvalidInput
from deskside.kb.models import Article, ArticleAttachment, Deflection, Revision, SolvedWith
from deskside.kb.services import ArticleInput
from deskside.tickets import services as tickets

GINA_SEES = {"reset", "outlook", "globex_vpn", "draft"}
ACME = ("acme_vpn", "acme_night")


@pytest.fixture
def gina(msp, globex, helpdesk):
    """An L1 agent who serves Globex only."""
    user = accounts.create_user(
        email="gina@msp.example",
        full_name="Gina Globex",
        password="gina-pass-123",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
        teams=[helpdesk],
    )
    user.served_organizations.set([globex])
    return user


@pytest.fixture
def acme_file(articles, admin):
    upload = SimpleUploadedFile("vpn.txt", b"acme secret profile", content_type="text/plain")
    (item,) = services.add_attachments(actor=admin, article=articles["acme_vpn"], files=[upload])
    return item


def names(articles, found):
    by_pk = {a.pk: name for name, a in articles.items()}
    return {by_pk[a.pk] for a in found}


FORM = {
    "title": "Acme printers",
    "body": "Tray 2.",
    "visibility": "internal",
    "status": "draft",
    "organization": "acme",
    "tags": "",
    "review_every_days": 90,
}


# -- the rule and the services --------------------------------------------------------------


def test_the_rule(articles, gina, alice):
    assert names(articles, queries.visible_articles(gina)) == GINA_SEES
    assert names(articles, queries.visible_articles(alice)) == set(articles)
    found = queries.suggest(gina, "vpn night call password outlook connecting", limit=10)
    assert names(articles, (s.article for s in found)) <= GINA_SEES
    assert "globex_vpn" in names(articles, (s.article for s in found))
    assert not any("555 0100" in s.snippet or "FortiClient" in s.snippet for s in found)
    assert names(articles, queries.articles(gina, q="vpn")) == {"globex_vpn"}
    assert not queries.articles(gina, organization="acme").exists()
    later = clock.now() + timedelta(days=181)
    assert names(articles, queries.due_for_review(gina, later)) == {"reset", "outlook"} | {
        "globex_vpn"
    }
    assert "acme_vpn" in names(articles, queries.due_for_review(alice, later))


def test_services_refuse_what_she_may_not_read(articles, gina, alice, globex, acme, globex_ticket):
    acme_vpn = articles["acme_vpn"]
    data = ArticleInput(title="Acme printers", organization=acme)
    with pytest.raises(InvalidInput) as refused:
        services.create_article(actor=gina, data=data)
    assert refused.value.field == "organization" and refused.value.status_code == 422
    moved = ArticleInput(title="Reset your password", organization=acme)
    with pytest.raises(InvalidInput) as refused:
        services.update_article(actor=gina, article=articles["outlook"], data=moved)
    assert refused.value.field == "organization"
    for call in (
        lambda: services.update_article(actor=gina, article=acme_vpn, data=ArticleInput("x")),
        lambda: services.mark_reviewed(actor=gina, article=acme_vpn),
        lambda: services.add_attachments(
            actor=gina, article=acme_vpn, files=[SimpleUploadedFile("a.txt", b"a")]
        ),
        lambda: services.link_solved(actor=gina, article=acme_vpn, ticket=globex_ticket),
    ):
        with pytest.raises(InvalidInput) as refused:
            call()
        assert refused.value.status_code == 404
    assert not SolvedWith.objects.exists() and not ArticleAttachment.objects.exists()
    assert Article.objects.get(pk=acme_vpn.pk).title == "Acme VPN: connecting"
    # What she serves she writes; Alice (every client) writes Acme's.
    mine = services.create_article(actor=gina, data=ArticleInput("Globex fax", organization=globex))
    assert mine.organization == globex
    assert services.create_article(actor=alice, data=data).organization == acme


# -- the pages --------------------------------------------------------------------------------


def test_list_search_and_suggestions_pages(articles, gina, signed_in):
    client = signed_in(gina)
    page = client.get("/kb/").content.decode()
    for name, article in articles.items():
        assert (article.title in page) == (name in GINA_SEES), name
    assert 'value="acme"' not in page and 'value="globex"' in page  # the client filter
    searched = client.get("/kb/", {"q": "vpn"}).content.decode()
    assert "Globex VPN" in searched and "Acme VPN" not in searched
    filtered = client.get("/kb/", {"organization": "acme"}).content.decode()
    assert not any(articles[name].title in filtered for name in ACME)
    partial = client.get("/kb/suggest/", {"subject": "vpn connecting night call"})
    text = partial.content.decode()
    assert "Globex VPN" in text
    assert "Acme" not in text and "FortiClient" not in text and "555 0100" not in text


def test_article_pages_are_404(articles, gina, signed_in, acme_file):
    client = signed_in(gina)
    for name in ACME:
        pid = articles[name].public_id
        assert client.get(f"/kb/{pid}/").status_code == 404, name
        assert client.get(f"/kb/{pid}/edit/").status_code == 404, name
        assert client.post(f"/kb/{pid}/edit/", FORM).status_code == 404, name
        assert client.get(f"/kb/{pid}/history/").status_code == 404, name
        assert client.post(f"/kb/{pid}/reviewed/").status_code == 404, name
        upload = SimpleUploadedFile("b.txt", b"b")
        assert client.post(f"/kb/{pid}/files/", {"file": upload}).status_code == 404, name
        assert client.post(f"/kb/{pid}/deflect/").status_code == 404, name
    assert client.get(f"/kb/files/{acme_file.public_id}/").status_code == 404
    assert Revision.objects.filter(article=articles["acme_vpn"]).count() == 1
    assert ArticleAttachment.objects.count() == 1 and not Deflection.objects.exists()
    assert Article.objects.get(pk=articles["acme_vpn"].pk).last_reviewed_at is None
    globex_vpn = articles["globex_vpn"].public_id
    assert client.get(f"/kb/{globex_vpn}/").status_code == 200
    assert client.get(f"/kb/{globex_vpn}/history/").status_code == 200


def test_new_and_edit_refuse_a_client_she_does_not_serve(articles, gina, signed_in):
    client = signed_in(gina)
    form_page = client.get("/kb/new/").content.decode()
    assert 'value="globex"' in form_page and 'value="acme"' not in form_page
    made = client.post("/kb/new/", FORM)
    assert made.status_code == 422 and "organization" in made.context["form"].errors
    outlook = articles["outlook"]
    moved = client.post(
        f"/kb/{outlook.public_id}/edit/", {**FORM, "title": outlook.title, "status": "published"}
    )
    assert moved.status_code == 422 and "organization" in moved.context["form"].errors
    assert Article.objects.get(pk=outlook.pk).organization is None
    assert not Article.objects.filter(title="Acme printers").exists()
    ok = client.post("/kb/new/", {**FORM, "organization": "globex"})
    assert ok.status_code == 302
    assert Article.objects.get(title="Acme printers").organization.slug == "globex"


def test_due_pages(articles, gina, signed_in):
    Article.objects.update(review_due_at=clock.now() - timedelta(days=1))
    client = signed_in(gina)
    due = client.get("/kb/due/").content.decode()
    assert "Globex VPN" in due and "Acme" not in due
    # published and visible to her: reset, outlook, globex_vpn (the draft is never due)
    assert client.get("/kb/due/count/").content.decode() == "3"
    assert signed_in(articles["reset"].created_by).get("/kb/due/count/").content == b"5"


def test_ticket_panel_and_solved_with(articles, gina, admin, signed_in, globex_ticket):
    # Even an agent of every client cannot say Acme's runbook solved a Globex ticket: the note
    # would put the runbook's title on the ticket for Globex's agents.
    with pytest.raises(InvalidInput) as refused:
        services.link_solved(actor=admin, article=articles["acme_night"], ticket=globex_ticket)
    assert refused.value.field == "article"
    assert not SolvedWith.objects.exists()
    assert not globex_ticket.events.filter(body__contains="Acme").exists()
    page = signed_in(admin).post(
        f"/kb/tickets/{globex_ticket.number}/solved/{articles['acme_night'].public_id}/",
        follow=True,
    )
    assert page.status_code == 200 and "is another client" in page.content.decode()
    assert not SolvedWith.objects.exists()
    # Nor are Acme's runbooks suggested on a Globex ticket to an agent who reads them.
    admin_panel = signed_in(admin).get(f"/kb/tickets/{globex_ticket.number}/").content.decode()
    assert "Globex VPN" in admin_panel and "Acme VPN" not in admin_panel
    client = signed_in(gina)
    panel = client.get(f"/kb/tickets/{globex_ticket.number}/").content.decode()
    assert "Globex VPN" in panel  # the ticket's subject suggests her client's runbook
    assert "Acme" not in panel and "555 0100" not in panel
    url = f"/kb/tickets/{globex_ticket.number}/solved/{articles['acme_vpn'].public_id}/"
    assert client.post(url).status_code == 404
    assert not SolvedWith.objects.filter(article=articles["acme_vpn"]).exists()
    ok = f"/kb/tickets/{globex_ticket.number}/solved/{articles['globex_vpn'].public_id}/"
    assert client.post(ok).status_code == 302
    assert SolvedWith.objects.filter(article=articles["globex_vpn"], linked_by=gina).exists()


# -- the API ----------------------------------------------------------------------------------


def test_api_reads(articles, gina, api_as, acme_file):
    api = api_as(gina)
    listed = api.get("/api/v1/kb/articles").json()["items"]
    assert {a["title"] for a in listed} == {articles[n].title for n in GINA_SEES}
    assert api.get("/api/v1/kb/articles", {"organization": "acme"}).json()["items"] == []
    assert [a["title"] for a in api.get("/api/v1/kb/articles", {"q": "vpn"}).json()["items"]] == [
        "Globex VPN: connecting"
    ]
    suggested = api.get("/api/v1/kb/suggest", {"q": "vpn connecting night call"}).json()
    assert "Globex VPN: connecting" in {s["title"] for s in suggested}
    assert not any("Acme" in s["title"] or "FortiClient" in s["snippet"] for s in suggested)
    for name in ACME:
        pid = articles[name].public_id
        assert api.get(f"/api/v1/kb/articles/{pid}").status_code == 404, name
        assert api.get(f"/api/v1/kb/articles/{pid}/revisions").status_code == 404, name
    assert api.get(f"/api/v1/kb/articles/{articles['globex_vpn'].public_id}").status_code == 200


def test_api_writes(articles, gina, api_as, globex_ticket):
    api = api_as(gina)
    acme_vpn = articles["acme_vpn"].public_id
    made = api.post("/api/v1/kb/articles", {"title": "Acme fax", "organization": "acme"})
    assert made.status_code == 422 and made.json()["field"] == "organization"
    outlook = articles["outlook"].public_id
    moved = api.patch(f"/api/v1/kb/articles/{outlook}", {"organization": "acme"})
    assert moved.status_code == 422 and moved.json()["field"] == "organization"
    assert api.patch(f"/api/v1/kb/articles/{acme_vpn}", {"title": "x"}).status_code == 404
    assert api.post(f"/api/v1/kb/articles/{acme_vpn}/reviewed").status_code == 404
    assert api.post(f"/api/v1/kb/articles/{acme_vpn}/deflections").status_code == 404
    solved = api.post(f"/api/v1/kb/articles/{acme_vpn}/solved", {"ticket": globex_ticket.number})
    assert solved.status_code == 404
    assert not SolvedWith.objects.exists() and not Deflection.objects.exists()
    assert Article.objects.get(public_id=acme_vpn).title == "Acme VPN: connecting"
    assert Article.objects.get(public_id=outlook).organization is None
    made = api.post("/api/v1/kb/articles", {"title": "Globex fax", "organization": "globex"})
    assert made.status_code == 201


def test_a_draft_from_a_ticket_is_its_clients_article(gina, admin, acme_ticket):
    tickets.resolve_ticket(actor=admin, ticket=acme_ticket, resolution="Rebooted the NAS.")
    draft = services.draft_from_ticket(actor=admin, ticket=acme_ticket)
    assert draft.organization == acme_ticket.organization
    assert not queries.visible_articles(gina).filter(pk=draft.pk).exists()
    assert queries.visible_articles(admin).filter(pk=draft.pk).exists()


def test_draft_from_another_clients_ticket(gina, api_as, signed_in, admin, acme_ticket):
    tickets.resolve_ticket(actor=admin, ticket=acme_ticket, resolution="Rebooted.")
    api = api_as(gina)
    assert api.post(f"/api/v1/kb/tickets/{acme_ticket.number}/draft").status_code == 404
    assert signed_in(gina).post(f"/kb/tickets/{acme_ticket.number}/draft/").status_code == 404
    assert signed_in(gina).get(f"/kb/tickets/{acme_ticket.number}/").status_code == 404
    assert not Article.objects.exists()
