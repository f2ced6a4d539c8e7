"""Rendering a macro's text: every placeholder, unknown ones, missing values, and nothing of
the template engine."""

import pytest

from deskside.accounts import services as accounts
from deskside.macros import services
from deskside.macros.exceptions import InvalidInput
from deskside.macros.placeholders import PLACEHOLDERS, render, unknown


def test_every_placeholder_renders_its_value(acme_ticket, alice):
    text = " | ".join("{{" + name + "}}" for name in PLACEHOLDERS)
    rendered = render(text, ticket=acme_ticket, agent=alice)
    assert rendered.text == (
        f"Carol | Carol Customer | {acme_ticket.number} | Printer offline on floor 2 | "
        "Alice Agent | Alice | HQ | Acme Corp"
    )
    assert rendered.missing == ()


def test_spaces_inside_the_braces_are_allowed(acme_ticket, alice):
    assert render("{{ ticket.number }}!", ticket=acme_ticket, agent=alice).text == (
        f"{acme_ticket.number}!"
    )


def test_a_missing_value_renders_empty_and_is_reported(make_ticket, olivia, alice):
    ticket = make_ticket(olivia, site=None)
    rendered = render(
        "At {{site.name}}, {{client.name}}, {{site.name}}.", ticket=ticket, agent=alice
    )
    assert rendered.text == "At , Acme Corp, ."
    assert rendered.missing == ("site.name",)


def test_a_requester_without_a_name_has_no_first_name(make_ticket, acme, alice):
    nameless = accounts.create_user(email="x@acme.example", organization=acme)
    ticket = make_ticket(nameless)
    rendered = render(
        "Hi {{requester.first_name}} ({{requester.name}})", ticket=ticket, agent=alice
    )
    assert rendered.text == "Hi  ()"
    assert rendered.missing == ("requester.first_name", "requester.name")


def test_no_template_engine_reaches_the_text(acme_ticket, alice):
    text = "{% load static %}{{ ticket.requester.password }} {{ticket.number|upper}} {# c #}"
    rendered = render(text, ticket=acme_ticket, agent=alice)
    assert rendered.text == text  # nothing evaluated: unknown names stay as written
    assert unknown(text) == ["ticket.requester.password", "ticket.number|upper"]


def test_a_value_that_looks_like_a_placeholder_is_not_rendered_again(make_ticket, carol, alice):
    ticket = make_ticket(carol, subject="Ask {{agent.name}}")
    assert render("{{ticket.subject}}", ticket=ticket, agent=alice).text == "Ask {{agent.name}}"


def test_an_unknown_placeholder_is_refused_when_saved_naming_it(admin):
    with pytest.raises(InvalidInput) as refused:
        services.create_macro(
            actor=admin, name="Bad", body="Hi {{requester.first_name}} {{ requester.phone }}"
        )
    assert refused.value.field == "body"
    assert "{{requester.phone}}" in refused.value.message


def test_an_unknown_placeholder_is_refused_on_an_edit_too(admin, waiting_macro):
    with pytest.raises(InvalidInput, match=r"\{\{ticket\.secret\}\}"):
        services.update_macro(actor=admin, macro=waiting_macro, body="{{ticket.secret}}")
    waiting_macro.refresh_from_db()
    assert "ticket.secret" not in waiting_macro.body
