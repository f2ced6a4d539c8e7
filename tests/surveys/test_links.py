"""The signed link: a GET never records (mail scanners fetch links), the POST records once; a
tampered link, another survey's signature, an expired or answered survey get clear pages.
And the links in the resolution mail, to the requester only."""

import re
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core import signing
from django.test import Client

from deskside.core import clock
from deskside.mail import outbound
from deskside.mail.models import MailTemplate
from deskside.surveys import links
from deskside.surveys.models import FollowUp, Survey
from deskside.tickets import services as tickets
from tests.conftest import login
from tests.surveys.conftest import RESOLVED


def _path(survey, rating=""):
    return links.answer_url(survey.public_id, rating).split("://", 1)[1].partition("/")[2]


def test_the_link_names_the_survey_not_the_ticket(network_ticket, resolve):
    survey = resolve(network_ticket)
    url = links.answer_url(survey.public_id, "good")
    assert survey.public_id in url and network_ticket.number not in url
    assert links.public_id_of(links.token_for(survey.public_id)) == survey.public_id


def test_a_get_shows_the_question_and_records_nothing(network_ticket, resolve):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED + timedelta(hours=1)):
        for rating in ("good", "okay", "bad"):  # what a mail scanner does
            response = Client().get("/" + _path(survey, rating))
            assert response.status_code == 200
            assert f'value="{rating}"' in response.text and "checked" in response.text
    survey.refresh_from_db()
    assert not survey.is_answered and not FollowUp.objects.exists()


def test_the_post_records_once_and_a_second_answer_is_refused(network_ticket, resolve):
    survey = resolve(network_ticket)
    client = Client()
    with clock.frozen(RESOLVED + timedelta(hours=1)):
        response = client.post("/" + _path(survey), {"rating": "bad", "comment": "Too slow"})
        assert response.status_code == 200 and "Thank you" in response.text
        again = client.post("/" + _path(survey), {"rating": "good"})
        assert again.status_code == 409 and "Already answered" in again.text
        assert "Bad" in again.text  # the answer on record
        assert client.get("/" + _path(survey, "good")).status_code == 409
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == ("bad", "Too slow")
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize("how", ["altered", "cut", "other-salt", "made-up"])
def test_a_tampered_link_is_refused(network_ticket, resolve, how):
    survey = resolve(network_ticket)
    token = links.token_for(survey.public_id)
    bad = {
        "altered": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "cut": token.split(":")[0],
        "other-salt": signing.Signer(salt="deskside.mail").sign(survey.public_id),
        "made-up": links.token_for("x" * 12).replace("x" * 12, survey.public_id),
    }[how]
    with clock.frozen(RESOLVED):
        response = Client().post(f"/surveys/answer/{bad}/", {"rating": "good"})
    assert response.status_code == 400 and "link is not valid" in response.text
    survey.refresh_from_db()
    assert not survey.is_answered


def test_an_expired_survey_gets_a_clear_page(network_ticket, resolve):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED + timedelta(days=31)):
        assert Client().get("/" + _path(survey, "good")).status_code == 410
        response = Client().post("/" + _path(survey), {"rating": "good"})
    assert response.status_code == 410 and "closed" in response.text
    survey.refresh_from_db()
    assert not survey.is_answered


def test_an_invalid_rating_keeps_the_form(network_ticket, resolve):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED):
        response = Client().post("/" + _path(survey), {"rating": "great"})
    assert response.status_code == 422 and "How did we do?" in response.text


def test_the_resolution_mail_carries_the_links_for_the_requester_only(
    make_ticket, carol, olivia, alice, resolve
):
    ticket = make_ticket(carol, channel="web")
    tickets.set_watchers(actor=alice, ticket=ticket, watchers=[olivia])
    survey = resolve(ticket)
    django_mail.outbox.clear()
    with clock.frozen(RESOLVED + timedelta(minutes=1)):
        outbound.send_due()
    sent = {m.to[0]: m for m in django_mail.outbox if "(resolved)" in m.subject}
    assert set(sent) == {"carol@acme.example", "olivia@acme.example"}
    assert links.answer_url(survey.public_id, "bad") in sent["carol@acme.example"].body
    assert "/surveys/answer/" not in sent["olivia@acme.example"].body
    urls = re.findall(r"https?://\S+/surveys/answer/\S+", sent["carol@acme.example"].body)
    assert len(urls) == 3


def test_an_edited_resolution_text_still_gets_the_links(make_ticket, carol, admin, resolve):
    MailTemplate.objects.create(kind="resolution", subject="Done", body="Solved: {{ body }}")
    survey = resolve(make_ticket(carol, channel="web"))
    django_mail.outbox.clear()
    with clock.frozen(RESOLVED + timedelta(minutes=1)):
        outbound.send_due()
    body = django_mail.outbox[-1].body
    assert body.startswith("Solved: Fixed it.") and links.answer_url(survey.public_id) in body


def test_the_portal_shows_the_requester_their_survey_only(network_ticket, resolve, carol, olivia):
    survey = resolve(network_ticket)
    with clock.frozen(RESOLVED + timedelta(hours=1)):
        page = login(carol).get(f"/portal/{network_ticket.number}/")
        assert "How did we do?" in page.text
        assert "How did we do?" not in login(olivia).get(f"/portal/{network_ticket.number}/").text
        # Olivia (org admin) cannot answer Carol's survey either
        refused = login(olivia).post(f"/surveys/portal/{survey.public_id}/", {"rating": "bad"})
        assert refused.status_code == 404
        response = login(carol).post(
            f"/surveys/portal/{survey.public_id}/", {"rating": "good", "comment": "thanks"}
        )
        assert response.status_code == 302
        page = login(carol).get(f"/portal/{network_ticket.number}/")
    assert "You rated this <strong>Good</strong>" in page.text
    assert Survey.objects.get().via == "portal"
