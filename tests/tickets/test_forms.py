"""The form pieces shared by the agent pages and the portal (one copy of each)."""

import re

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.accounts import permissions
from deskside.core import timezones
from deskside.portal import forms as portal_forms
from deskside.portal import views as portal_views
from deskside.tickets import forms as ticket_forms
from deskside.tickets import queries
from deskside.tickets.forms import MultipleFileField


def test_optional_files_clean_to_a_list_without_blank_entries():
    field = MultipleFileField()
    a, b = SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")
    assert field.clean(None) == []
    assert field.clean([]) == []
    assert field.clean([None, ""]) == []
    assert field.clean([a, None, b]) == [a, b]
    assert field.clean(a) == [a]


@pytest.mark.parametrize("data", [None, [], [None, ""]])
def test_required_files_refuse_no_file(data):
    with pytest.raises(forms.ValidationError) as err:
        MultipleFileField(required=True).clean(data)
    assert err.value.code == "required"


def test_agent_reply_form_without_files(alice, acme_ticket):
    form = ticket_forms.ReplyForm({"body": "Done"}, {}, ticket=acme_ticket, user=alice)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["attachments"] == []


def test_portal_attach_form_still_needs_a_file(client, carol, acme_ticket):
    assert not portal_forms.AttachForm({}, {}).is_valid()
    client.force_login(carol)
    response = client.post(f"/portal/{acme_ticket.number}/attach/", {})
    assert response.status_code == 422
    assert not acme_ticket.attachments.exists()


def test_one_copy_of_each_shared_piece():
    assert portal_forms.MultipleFileField is ticket_forms.MultipleFileField
    assert portal_forms.SiteChoiceField is ticket_forms.SiteChoiceField
    assert portal_views.LIST_RELATED is queries.LIST_RELATED
    assert portal_views.zone is permissions.zone is timezones.zone


def _tags(html):
    """The markup without the whitespace between tags (Django's templates add newlines)."""

    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["a&b", "", None, "3", ["3"], "missing"])
def test_quick_select_renders_what_djangos_select_renders(value):
    choices = [("", "Any"), ("a&b", "A <b>"), (3, "Three")]
    attrs = {"id": "id_x", "data-x": 'q"'}
    django_html = forms.Select(choices=choices).render("x", value, attrs)
    quick_html = ticket_forms.QuickSelect(choices=choices).render("x", value, attrs)
    assert _tags(quick_html) == _tags(django_html)


def test_queue_filters_render_like_django_with_the_client_list(alice, acme, globex):
    form = ticket_forms.QueueFilterForm({"organization": "globex", "sla": "breached"}, user=alice)
    for name in ("organization", "priority", "status", "tier", "team", "sla", "sort"):
        field = form[name]
        django_html = forms.Select(choices=field.field.choices).render(
            field.html_name, field.value(), {"id": field.auto_id}
        )
        assert _tags(str(field)) == _tags(django_html), name
    assert '<option value="globex" selected>Globex</option>' in str(form["organization"])
