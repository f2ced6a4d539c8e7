"""Phone numbers in any format, normalised to E.164 with the `phonenumbers` library.

Callers' numbers arrive as people type them (`(555) 010-0123`, `555.010.0123`,
`+44 20 7946 0958`, `0044 20 ...`) and as phone systems send them (`+15550100123`,
`tel:+1-555-010-0123`). A number with a country code is read as it is; one without is read in
`settings.DESKSIDE_PHONE_REGION` (an ISO 3166 code, default "US"), the desk's own country.
Look-ups compare the E.164 forms, so every spelling of one number finds the same person.
"""

import re

import phonenumbers
from django.conf import settings

_TEL = re.compile(r"^tel:", re.IGNORECASE)


def default_region() -> str:
    return (getattr(settings, "DESKSIDE_PHONE_REGION", "") or "US").upper()


def to_e164(raw: str | None, region: str | None = None) -> str | None:
    """`raw` as E.164 (`+15550100123`), or None when it is not a possible phone number.

    Extensions (`x214`, `ext. 214`) are dropped: the number is what a phone system sends."""
    text = _TEL.sub("", (raw or "").strip())
    if not text or len(text) > 50 or not any(ch.isdigit() for ch in text):
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or default_region())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    """An E.164 number written for people (international format)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
