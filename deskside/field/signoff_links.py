"""The signed sign-off links mailed to a visit's requester (django.core.signing with the
field app's own salt, as `deskside.surveys.links` signs the survey links).

A link is `/field/sign/<visit public id>/<token>/`. The token is a signed, compact JSON object
`{"v": visit public id, "r": requester's id, "t": issued (Unix seconds), "n": nonce}` under a
key derived from SECRET_KEY and SALT: nobody can make a working link for another visit, and an
altered or cut link is refused (`BadLink`). The signature is the only authority (no login): it
names the visit and the requester it was mailed to, so

- a link whose token names another visit than its path is refused (`BadLink`);
- a link mailed to a requester who is no longer the ticket's requester is refused;
- a link older than LINK_DAYS, read on the desk's clock (`core.clock`, so tests can move
  time; Django's TimestampSigner reads the wall clock), is expired (`LinkExpired`);
- a link works once: the visit keeps one signature, so once signed (by this link, another
  link or on the technician's phone) every link of the visit answers "signed already".

The issue time and nonce are kept in the timeline event of the mailing (internal), never the
token itself: the token is rebuilt from them when the mail is rendered.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.urls import reverse

from deskside.core.baseurl import base_url
from deskside.field.exceptions import FieldError

SALT = "deskside.field.signoff"
LINK_DAYS = 7


class BadLink(FieldError):
    """A link that was altered, cut, or made for another visit or requester."""

    status_code = 400


class LinkExpired(FieldError):
    """A link older than LINK_DAYS."""

    status_code = 410


@dataclass(frozen=True)
class LinkClaim:
    """What a valid token says."""

    visit: str
    requester_id: int
    issued: datetime
    nonce: str

    @property
    def expires(self) -> datetime:
        return self.issued + timedelta(days=LINK_DAYS)


def token_for(visit_public_id: str, requester_id: int, issued: datetime, nonce: str) -> str:
    """The signed token of a link (the same arguments always give the same token)."""
    payload = {"v": visit_public_id, "r": requester_id, "t": int(issued.timestamp()), "n": nonce}
    return signing.dumps(payload, salt=SALT, compress=False)


def claim_of(visit_public_id: str, token: str, now: datetime) -> LinkClaim:
    """What the token of the link `/field/sign/<visit_public_id>/<token>/` says, when its
    signature matches, it names that visit and it has not expired at `now`."""
    refused = BadLink(
        "this sign-off link is not valid: it may have been cut or changed. Use the link in the "
        "mail exactly, or ask the service desk for a new one.",
        field="token",
    )
    try:
        payload = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        raise refused from None
    if not isinstance(payload, dict) or payload.get("v") != visit_public_id:
        raise refused
    try:
        claim = LinkClaim(
            visit=str(payload["v"]),
            requester_id=int(payload["r"]),
            issued=datetime.fromtimestamp(int(payload["t"]), tz=now.tzinfo),
            nonce=str(payload.get("n", "")),
        )
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        raise refused from None
    if now > claim.expires:
        raise LinkExpired(
            f"this sign-off link expired ({LINK_DAYS} days after it was sent). Ask the service "
            "desk for a new one.",
            field="token",
        )
    return claim


def link_url(visit_public_id: str, token: str) -> str:
    """The absolute URL of the sign-off page."""
    return base_url() + reverse("field:signoff", args=[visit_public_id, token])
