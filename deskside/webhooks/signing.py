"""How a delivery is signed, and how a receiver checks it (the same code the docs show).

    X-Deskside-Timestamp: 1763900000                 (Unix seconds when the request was sent)
    X-Deskside-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

The timestamp is inside the signed text, so a receiver that refuses timestamps older than
MAX_AGE_SECONDS also refuses a captured request played again later.
"""

import hashlib
import hmac

MAX_AGE_SECONDS = 300
USER_AGENT = "Deskside-Webhooks/1"


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Deskside-Signature value of `body` sent at `timestamp`."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, received: str, *, now: float) -> bool:
    """Whether a request is genuine and fresh: the timestamp is plain ASCII digits at most
    MAX_AGE_SECONDS away from `now`, and the signature of exactly that timestamp matches
    (compared in constant time, as bytes: a header with other characters is simply wrong,
    not an error)."""
    if not isinstance(timestamp, str) or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    if not isinstance(received, str):
        return False
    expected = signature(secret, timestamp, body).encode()
    return hmac.compare_digest(expected, received.encode("utf-8", "replace"))


def headers(*, secret: str, event: str, delivery_id: str, timestamp: int, body: bytes) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Deskside-Event": event,
        "X-Deskside-Delivery": delivery_id,
        "X-Deskside-Timestamp": str(timestamp),
        "X-Deskside-Signature": signature(secret, timestamp, body),
    }
