"""The signature check: `signing.verify` and the receiver's snippet in docs/webhooks.md (read
from the file and run, not retyped) accept real deliveries and refuse, without raising,
headers that are malformed (non-ASCII signatures, non-ASCII digits, stale timestamps), and
find the headers whatever their case."""

import re
import time
from pathlib import Path

import pytest

from deskside.webhooks import signing
from deskside.webhooks.worker import webhooks_pass

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def docs_verify(secret: str):
    """The `verify(headers, body)` of the docs' Python snippet, with `secret` as SECRET."""
    text = DOCS.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    [snippet] = [b for b in blocks if "def verify(" in b]
    namespace: dict = {}
    exec(compile(snippet, str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    namespace["SECRET"] = secret
    return namespace["verify"]


@pytest.fixture
def delivered(receiver, make_webhook, make_ticket, carol):
    """A real delivery, sent now (the snippet checks against the real clock)."""
    webhook = make_webhook(receiver.url)
    make_ticket(carol)
    webhooks_pass()
    [request] = receiver.requests
    return webhook.secret, request.headers, request.body


@pytest.mark.running_clock
def test_the_docs_snippet_verifies_a_real_delivery(delivered):
    secret, headers, body = delivered
    verify = docs_verify(secret)
    assert verify(headers, body)
    assert verify({k.lower(): v for k, v in headers.items()}, body)
    assert verify({k.upper(): v for k, v in headers.items()}, body)
    assert not verify(headers, body + b" ")
    assert not docs_verify("whsec_wrong")(headers, body)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Deskside-Signature", "sha256=é"),
        ("X-Deskside-Signature", "sha256=\udcff"),
        ("X-Deskside-Signature", ""),
        ("X-Deskside-Timestamp", ""),
        ("X-Deskside-Timestamp", "²"),
        ("X-Deskside-Timestamp", " 1"),
        ("X-Deskside-Timestamp", "1_0"),
    ],
)
def test_the_docs_snippet_refuses_malformed_headers_without_raising(delivered, header, value):
    secret, headers, body = delivered
    assert not docs_verify(secret)({**headers, header: value}, body)


def test_the_docs_snippet_refuses_non_ascii_digits(delivered):
    secret, headers, body = delivered
    timestamp = headers["X-Deskside-Timestamp"]
    forged = timestamp.translate(ARABIC_DIGITS)
    assert int(forged) == int(timestamp)  # what int() would have accepted
    assert not docs_verify(secret)({**headers, "X-Deskside-Timestamp": forged}, body)


def test_the_docs_snippet_refuses_a_replay(delivered):
    secret, headers, body = delivered
    old = str(int(time.time()) - 301)
    signed = {
        **headers,
        "X-Deskside-Timestamp": old,
        "X-Deskside-Signature": signing.signature(secret, old, body),
    }
    assert not docs_verify(secret)(signed, body)


def test_signing_verify_refuses_malformed_values_without_raising():
    now = 1_772_442_000
    body = b'{"id":"x"}'
    good = signing.signature("s", now, body)
    assert signing.verify("s", str(now), body, good, now=now)
    for timestamp in (str(now).translate(ARABIC_DIGITS), f" {now}", f"+{now}", "²", ""):
        assert not signing.verify("s", timestamp, body, good, now=now), timestamp
    for received in ("sha256=é", "sha256=\udcff", "", None):
        assert not signing.verify("s", str(now), body, received, now=now), received
