"""The signed survey links (django.core.signing with the app's own salt).

A link names the survey (its public id), never the ticket number, and carries an HMAC of it
under a key derived from SECRET_KEY and SALT: nobody can make a working link for another
survey, and an altered or cut link is refused (`BadLink`). The link carries no timestamp:
how long a survey may be answered is the survey's own window (`Survey.closes_at`, read on the
desk's clock), so a survey moved to a later resolution reopens its window for the links
already sent, and tests can move time.

`/surveys/answer/<token>/<rating>/` is what the mail links to: a GET shows a confirmation page
and only its POST records the answer, because mail scanners and link previews fetch every
link in a mail (a GET that recorded would answer "good", "okay" and "bad" at once).
"""

from django.core import signing
from django.urls import reverse

from deskside.core.baseurl import base_url
from deskside.surveys.exceptions import BadLink

SALT = "deskside.surveys.answer"


def token_for(public_id: str) -> str:
    """The signed token of the survey `public_id`."""
    return signing.Signer(salt=SALT).sign(public_id)


def public_id_of(token: str) -> str:
    """The survey id a token names; BadLink when its signature does not match."""
    try:
        return signing.Signer(salt=SALT).unsign(token or "")
    except signing.BadSignature:
        raise BadLink(
            "this survey link is not valid: it may have been cut or changed. "
            "Use the link in the mail exactly, or answer in the portal.",
            field="token",
        ) from None


def answer_url(public_id: str, rating: str = "") -> str:
    """The absolute URL of the answer page (with a rating chosen when `rating` is given)."""
    token = token_for(public_id)
    if rating:
        return base_url() + reverse("surveys:answer_rating", args=[token, rating])
    return base_url() + reverse("surveys:answer", args=[token])
