"""How a test says "this message arrived verified": the test settings trust one receiving MTA
(`TRUSTED_MTA`, in DESKSIDE_MAIL_TRUSTED_AUTHSERV_IDS), and `arrived_verified` puts that MTA's
Authentication-Results header, with a DMARC pass for the From domain, on top of a message, as
Postfix with OpenDMARC (or Google's MX) would before handing it to Deskside. Production settings
trust no MTA until the operator names one; tests/mail/test_senders.py proves what happens to
mail that carries no such header, or a header from any other MTA."""

import email
import email.policy
from email.message import EmailMessage
from email.utils import getaddresses

TRUSTED_MTA = "mx.deskside.test"


def from_domain(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    addresses = getaddresses([str(v) for v in msg.get_all("From") or []])
    return addresses[0][1].rpartition("@")[2].lower() if addresses else ""


def arrived_verified(raw: bytes) -> bytes:
    """`raw` as the trusted MTA hands it on after DMARC passed for its From domain."""
    domain = from_domain(raw) or "unknown.invalid"
    newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    header = f"Authentication-Results: {TRUSTED_MTA}; dmarc=pass header.from={domain}"
    return header.encode() + newline + raw


def mark_verified(msg: EmailMessage) -> EmailMessage:
    """The same for a message being built (the header's place among the others does not
    matter for a trusted MTA)."""
    domain = msg["From"].addresses[0].domain.lower() if msg["From"] else "unknown.invalid"
    msg["Authentication-Results"] = f"{TRUSTED_MTA}; dmarc=pass header.from={domain}"
    return msg
