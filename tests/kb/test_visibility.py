"""The one visibility rule at every way in: the list, search, suggestions (with snippets),
the article page, files, deflection and the API. Carol is Acme's customer, Dave Globex's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.kb import queries, services
from deskside.kb.models import Deflection

CUSTOMER_SEES = {"acme": {"reset", "acme_vpn"}, "globex": {"reset", "globex_vpn"}}


def names(articles, found):
    by_pk = {a.pk: name for name, a in articles.items()}
    return {by_pk[a.pk] for a in found}


def test_the_rule(articles, alice, carol, dave):
    assert names(articles, queries.visible_articles(alice)) == set(articles)
    assert names(articles, queries.visible_articles(carol)) == CUSTOMER_SEES["acme"]
    assert names(articles, queries.visible_articles(dave)) == CUSTOMER_SEES["globex"]


def test_suggestions_and_search_never_leak(articles, alice, carol, dave):
    text = "vpn password night outlook printer"
    agent = [s.article.title for s in queries.suggest(alice, text, limit=10)]
    assert "Acme: whom to call at night" in agent
    assert "Printer driver password prompt" not in agent  # drafts are no answer
    for user, org in ((carol, "acme"), (dave, "globex")):
        found = queries.suggest(user, text, limit=10)
        assert names(articles, (s.article for s in found)) == CUSTOMER_SEES[org]
        assert not any("555 0100" in s.snippet or "Credential" in s.snippet for s in found)
        searched = queries.articles(user, q="vpn")
        assert names(articles, searched) == CUSTOMER_SEES[org] - {"reset"}


def test_api_list_get_and_suggest(articles, as_carol, as_dave, as_alice):
    for client, org in ((as_carol, "acme"), (as_dave, "globex")):
        listed = client.get("/api/v1/kb/articles").json()["items"]
        assert {a["title"] for a in listed} == {articles[n].title for n in CUSTOMER_SEES[org]}
        for name, article in articles.items():
            status = client.get(f"/api/v1/kb/articles/{article.public_id}").status_code
            assert status == (200 if name in CUSTOMER_SEES[org] else 404), name
        suggested = client.get("/api/v1/kb/suggest", {"q": "vpn call night password"}).json()
        assert {s["title"] for s in suggested} <= {articles[n].title for n in CUSTOMER_SEES[org]}
    assert len(as_alice.get("/api/v1/kb/articles").json()["items"]) == len(articles)


def test_api_writes_are_for_agents(articles, as_carol, acme_ticket):
    reset = articles["reset"].public_id
    assert as_carol.post("/api/v1/kb/articles", {"title": "x"}).status_code == 403
    assert as_carol.patch(f"/api/v1/kb/articles/{reset}", {"title": "x"}).status_code == 403
    assert as_carol.get(f"/api/v1/kb/articles/{reset}/revisions").status_code == 403
    assert as_carol.post(f"/api/v1/kb/articles/{reset}/reviewed").status_code == 403
    solved = as_carol.post(f"/api/v1/kb/articles/{reset}/solved", {"ticket": acme_ticket.number})
    assert solved.status_code == 403
    assert as_carol.post(f"/api/v1/kb/tickets/{acme_ticket.number}/draft").status_code == 403


def test_api_deflection_only_of_what_one_sees(articles, as_carol, as_dave):
    url = "/api/v1/kb/articles/{}/deflections"
    made = as_carol.post(url.format(articles["acme_vpn"].public_id), {"text": "vpn down"})
    assert made.status_code == 201 and made.json()["deflected"] == 1
    for name in ("acme_vpn", "outlook", "draft", "acme_night"):
        assert as_dave.post(url.format(articles[name].public_id)).status_code == 404


@pytest.mark.parametrize("who", ["carol", "dave"])
def test_pages(articles, signed_in, request, who):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    org = user.organization.slug
    page = client.get("/kb/").content.decode()
    for name, article in articles.items():
        assert (article.title in page) == (name in CUSTOMER_SEES[org]), name
        status = client.get(f"/kb/{article.public_id}/").status_code
        assert status == (200 if name in CUSTOMER_SEES[org] else 404), name
    partial = client.get("/kb/suggest/", {"subject": "vpn night call outlook"}).content.decode()
    assert "555 0100" not in partial and "Credential Manager" not in partial
    assert "whom to call at night" not in partial
    assert client.get(f"/kb/{articles['reset'].public_id}/edit/").status_code == 302
    assert client.get(f"/kb/{articles['reset'].public_id}/history/").status_code == 302
    assert client.get("/kb/due/").status_code == 302
    for name, article in articles.items():
        if name not in CUSTOMER_SEES[org]:
            assert client.post(f"/kb/{article.public_id}/deflect/").status_code == 404, name
    assert not Deflection.objects.exists()


def test_files_only_for_who_may_read_the_article(articles, admin, signed_in, carol, dave):
    upload = SimpleUploadedFile("vpn.pdf", b"%PDF-1.4 acme", content_type="application/pdf")
    (item,) = services.add_attachments(actor=admin, article=articles["acme_vpn"], files=[upload])
    got = signed_in(carol).get(f"/kb/files/{item.public_id}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 acme"
    assert got["X-Content-Type-Options"] == "nosniff"
    assert signed_in(dave).get(f"/kb/files/{item.public_id}/").status_code == 404
    upload = SimpleUploadedFile("night.txt", b"call 555", content_type="text/plain")
    (item,) = services.add_attachments(actor=admin, article=articles["acme_night"], files=[upload])
    assert signed_in(carol).get(f"/kb/files/{item.public_id}/").status_code == 404
