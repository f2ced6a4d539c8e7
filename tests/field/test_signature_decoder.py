"""The one decoder of a drawn signature (`services.visits.signature_png`), used by the sign-off
page, the day page and the API."""

import base64

import pytest

from deskside.field.exceptions import InvalidInput
from deskside.field.forms.day import SignForm
from deskside.field.forms.visits import SignatureForm
from deskside.field.services.visits import MAX_DATA_URL_CHARS, signature_png
from tests.field.fixtures_visits import PNG

B64 = base64.b64encode(PNG).decode()
URL = "data:image/png;base64," + B64


def test_a_data_url_and_for_the_api_plain_base64():
    assert signature_png(URL) == PNG and signature_png(f"  {URL}\n") == PNG
    assert signature_png(B64, bare_base64=True) == PNG
    assert signature_png(URL, bare_base64=True) == PNG


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "draw the signature"),
        (B64, "not a PNG image"),  # the pages send a data URL
        ("data:image/gif;base64," + B64, "not a PNG image"),
        ("data:image/png;base64,!!!", "could not be read"),
        ("data:image/png;base64," + "A" * MAX_DATA_URL_CHARS, "too large"),
    ],
)
def test_what_is_refused_names_the_signature(value, message):
    with pytest.raises(InvalidInput) as error:
        signature_png(value)
    assert error.value.field == "signature" and message in error.value.message


def test_both_forms_decode_alike():
    for form in (
        SignatureForm({"name": "C", "signature": URL}),
        SignForm({"name": "C", "signature": URL}),
    ):
        assert form.is_valid() and form.cleaned_data["signature"] == PNG
    for form in (
        SignatureForm({"name": "C", "signature": "data:image/png;base64,!!!"}),
        SignForm({"name": "C", "signature": "data:image/png;base64,!!!"}),
    ):
        assert not form.is_valid() and "could not be read" in form.errors["signature"][0]
