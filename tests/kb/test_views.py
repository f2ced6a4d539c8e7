"""The agent pages: list, create and edit (form errors keep the input), history with a diff,
mark reviewed, due for review, the intake's suggestions, the ticket's panel with solved-with
and draft, and the customer's "this solved it"."""

from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.core import clock
from deskside.kb.models import Article, ArticleAttachment, Deflection, SolvedWith
from deskside.tickets import services as tickets


def test_create_edit_history(signed_in, alice):
    client = signed_in(alice)
    assert client.get("/kb/new/").status_code == 200
    form = {
        "title": "Printer jam",
        "body": "Open tray 2.",
        "visibility": "internal",
        "status": "draft",
        "tags": "printer, jam",
        "review_every_days": 90,
    }
    made = client.post("/kb/new/", form)
    article = Article.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/kb/{article.public_id}/"
    client.post(f"/kb/{article.public_id}/edit/", {**form, "body": "Open tray <b>3</b>."})
    page = client.get(f"/kb/{article.public_id}/history/?a=1&b=2").content.decode()
    assert "-Open tray 2." in page and "+Open tray &lt;b&gt;3&lt;/b&gt;." in page
    shown = client.get(f"/kb/{article.public_id}/").content.decode()
    assert "Open tray &lt;b&gt;3&lt;/b&gt;." in shown  # raw HTML in Markdown stays text


def test_form_errors_keep_the_input(signed_in, alice):
    client = signed_in(alice)
    form = {
        "title": "Customer-facing",
        "body": "my long text",
        "visibility": "public",
        "status": "published",
        "review_every_days": 90,
    }
    refused = client.post("/kb/new/", form)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "only an administrator may publish" in page and "my long text" in page
    assert not Article.objects.exists()


def test_review_and_due_list(signed_in, alice, articles):
    client = signed_in(alice)
    with clock.frozen(clock.now() + timedelta(days=200)):
        assert "Reset your password" in client.get("/kb/due/").content.decode()
        assert client.get("/kb/due/count/").content.decode() == "5"  # the published ones
        client.post(f"/kb/{articles['reset'].public_id}/reviewed/")
        assert "Reset your password" not in client.get("/kb/due/").content.decode()


def test_intake_suggestions(signed_in, alice, articles):
    client = signed_in(alice)
    assert 'id="kb-suggest"' in client.get("/tickets/new/").content.decode()
    partial = client.get("/kb/suggest/", {"subject": "outlook password"}).content.decode()
    assert "Outlook keeps asking for password" in partial
    assert "Printer driver password prompt" not in partial


def test_ticket_panel_solved_with_and_draft(signed_in, alice, articles, make_ticket, carol):
    ticket = make_ticket(carol, subject="Outlook asks for my password all day")
    client = signed_in(alice)
    panel = client.get(f"/kb/tickets/{ticket.number}/").content.decode()
    assert "Outlook keeps asking for password" in panel and "Solved with this" in panel
    assert "Draft article from this ticket" not in panel
    outlook = articles["outlook"]
    linked = client.post(f"/kb/tickets/{ticket.number}/solved/{outlook.public_id}/")
    assert linked.status_code == 302 and SolvedWith.objects.filter(ticket=ticket).exists()
    tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="Cleared cached credentials.")
    panel = client.get(f"/kb/tickets/{ticket.number}/").content.decode()
    assert "Draft article from this ticket" in panel
    made = client.post(f"/kb/tickets/{ticket.number}/draft/")
    draft = Article.objects.get(source_ticket=ticket)
    assert made["Location"] == f"/kb/{draft.public_id}/edit/"
    page = client.get(f"/kb/{outlook.public_id}/").content.decode()
    assert ticket.number in page and 'class="kb-solved-count">1<' in page


def test_portal_deflection(signed_in, carol, articles):
    client = signed_in(carol)
    assert 'id="kb-suggest"' in client.get("/portal/new/").content.decode()
    partial = client.get("/kb/suggest/", {"subject": "vpn"}).content.decode()
    assert "This solved it" in partial and "Acme VPN" in partial
    done = client.post(
        f"/kb/{articles['acme_vpn'].public_id}/deflect/",
        {"subject": "vpn will not connect"},
        HTTP_HX_REQUEST="true",
    )
    assert "you need not send this request" in done.content.decode()
    assert Deflection.objects.get().text == "vpn will not connect"


DRAFT_FORM = {
    "title": "",
    "body": "",
    "visibility": "internal",
    "status": "draft",
    "tags": "",
    "review_every_days": 90,
}


def test_attach_a_file_on_the_page(signed_in, alice):
    client = signed_in(alice)
    client.post("/kb/new/", {**DRAFT_FORM, "title": "VPN profile"})
    article = Article.objects.get()
    upload = SimpleUploadedFile("profile.ovpn", b"remote vpn.acme.example", "text/plain")
    sent = client.post(f"/kb/{article.public_id}/files/", {"file": upload}, follow=True)
    assert sent.redirect_chain == [(f"/kb/{article.public_id}/", 302)]
    (item,) = ArticleAttachment.objects.filter(article=article)
    assert (item.filename, item.size, item.uploaded_by) == ("profile.ovpn", 23, alice)
    page = sent.content.decode()
    assert "File attached." in page and f'href="/kb/files/{item.public_id}/">profile.ovpn' in page
    got = client.get(f"/kb/files/{item.public_id}/")
    assert b"".join(got.streaming_content) == b"remote vpn.acme.example"
    # No file chosen: a message, nothing stored.
    empty = client.post(f"/kb/{article.public_id}/files/", {}, follow=True)
    assert "Choose a file to attach." in empty.content.decode()
    assert ArticleAttachment.objects.count() == 1


def test_the_attachment_size_limit_on_the_page(signed_in, alice, settings):
    settings.DESKSIDE_MAX_ATTACHMENT_BYTES = 2 * 2**20
    client = signed_in(alice)
    client.post("/kb/new/", {**DRAFT_FORM, "title": "Big files"})
    article = Article.objects.get()
    stored = Path(settings.MEDIA_ROOT) / "kb"
    before = set(stored.rglob("*"))
    big = SimpleUploadedFile("dump.bin", b"x" * (2 * 2**20 + 1), "application/octet-stream")
    refused = client.post(f"/kb/{article.public_id}/files/", {"file": big}, follow=True)
    assert "dump.bin is 2.0 MB; the limit is 2 MB" in refused.content.decode()
    assert not ArticleAttachment.objects.exists()
    assert set(stored.rglob("*")) == before  # no file left behind
    exact = SimpleUploadedFile("ok.bin", b"x" * (2 * 2**20), "application/octet-stream")
    client.post(f"/kb/{article.public_id}/files/", {"file": exact})
    assert ArticleAttachment.objects.get().size == 2 * 2**20
