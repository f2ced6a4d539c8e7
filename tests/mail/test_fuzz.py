"""Fuzzing the inbound pipeline with hypothesis: real corpus messages mangled at random, and
random bytes.

Properties:
- `parse(raw)` never raises, and every text it hands on has no surrogates and no NULs (a
  database refuses them);
- `receive(raw, ...)` never raises, and every message ends as exactly one of: a ticket
  (created / appended / follow-up), recognised automatic or own mail, a duplicate of an
  earlier example, or a quarantine entry; the database agrees with the returned outcome.

Mangling (`mangled()`), one to four steps on a corpus message whose Message-ID is usually
made unique first (else most examples would be duplicates of the first): truncation, flipped,
inserted and deleted bytes (among them NULs, CRs, surrogates in UTF-8, boundary and
encoded-word fragments), header lines duplicated, dropped or swapped, MIME boundaries broken
(closing delimiter removed, parameter changed, delimiter lines cut or deleted), random
charsets in Content-Type (real ones, aliases and nonsense), invalid base64 and
quoted-printable bodies and encodings, very long header lines, 8-bit bytes in headers,
uuencoded blocks and quoted local parts.

The number of examples is moderate so that this file stays fast (well under 20 s); set
DESKSIDE_FUZZ_EXAMPLES (default 100 for the pipeline, three times that for parse) for a
longer run, e.g. `DESKSIDE_FUZZ_EXAMPLES=5000 python -m pytest tests/mail/test_fuzz.py`.
"""

import itertools
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from deskside.mail.models import InboundMessage, Outcome
from deskside.mail.parse import ParsedMail, parse
from deskside.mail.pipeline import DUPLICATE, Policy, receive
from deskside.tickets.models import Ticket

EXAMPLES = int(os.environ.get("DESKSIDE_FUZZ_EXAMPLES", "100"))
EMAILS = Path(__file__).resolve().parents[1] / "corpora" / "public" / "emails"
SEEDS = sorted(
    path.read_bytes()
    for path in EMAILS.rglob("*")
    if path.is_file()
    and (path.suffix in (".eml", ".box") or ("rt" in path.parts and not path.suffix))
    and not path.name.startswith("expected-output")
    and path.stat().st_size <= 64 * 1024
)
TICKET_OUTCOMES = {Outcome.CREATED, Outcome.APPENDED, Outcome.FOLLOW_UP}

# -- strategies --------------------------------------------------------------------------------

INTERESTING = [
    b"\x00",
    b"\r",
    b"\n",
    b"\r\n\r\n",
    b"\n\n",
    b"--",
    b"=?utf-8?b?",
    b"=?iso-8859-1?q?caf=E9?=",
    b"=?unknown?q?x?=",
    b"?=",
    b"\xff\xfe",
    b"\xc3",
    b"\xed\xa0\x80",  # a surrogate, in UTF-8
    b"=\n",
    b"=ZZ",
    b"+2AA-",  # a lone surrogate in UTF-7
    b"<>",
    b":",
    b";",
    b'"',
    b"\t",
    b"Content-Type: multipart/mixed; boundary=x\n",
    b"Content-Transfer-Encoding: base64\n",
    b"Auto-Submitted: auto-replied\n",
    b"In-Reply-To: <a@b>\n",
    b"Subject: [T-1] Re:\n",
    b"\nbegin 644 a b.txt\n",  # uuencoded files in text, and their parts
    b"#86)C\n`\nend\n",
    b"M86)C" * 20 + b"\n",
    b"Content-Transfer-Encoding: x-uuencode\n",
    b'"a b"@',  # a quoted local part
    b"\xd0\xdf\xe8\xf2",  # 8-bit text in a legacy charset (Windows-1251)
]
# Real charsets, aliases, legacy and nonsense names.
CHARSETS = [
    "utf-8",
    "UTF8",
    "us-ascii",
    "iso-8859-1",
    "latin1",
    "windows-1252",
    "cp1258",
    "iso-8859-15",
    "koi8-r",
    "big5",
    "gb2312",
    "gb18030",
    "shift_jis",
    "euc-jp",
    "iso-2022-jp",
    "utf-16",
    "utf-16le",
    "utf-32",
    "utf-7",
    "x-unknown",
    "iso-8859-99",
    "",
    '"',
    "utf-8'en'",
    "\xff",
    "a" * 300,
    "macintosh",
    "cp037",
    "idna",
    "punycode",
    # Names of Python codecs that are no text encodings, or that fail with a plain
    # UnicodeError: they crash parse() today (reported, see the regression examples).
    "base64",
    "rot13",
    "zlib",
    "hex",
    "quopri",
    "uu",
    "bz2",
    "undefined",
    "unicode_escape",
]
ENCODINGS = [b"base64", b"quoted-printable", b"7bit", b"8bit", b"binary", b"x-uuencode", b"bogus"]
BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.IGNORECASE)
CHARSET = re.compile(rb'charset="?[^";\s]*"?', re.IGNORECASE)
TRANSFER = re.compile(rb"(?im)^(content-transfer-encoding:)[^\r\n]*")
MESSAGE_ID = re.compile(rb"(?im)^message-id:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*")
_counter = itertools.count()


def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """Header block, separator, body."""
    found = [(raw.find(sep), sep) for sep in (b"\r\n\r\n", b"\n\n") if sep in raw]
    if not found:
        return raw, b"", b""
    at, sep = min(found)
    return raw[:at], sep, raw[at + len(sep) :]


def _truncate(draw, raw: bytes) -> bytes:
    return raw[: draw(st.integers(0, len(raw)))]


def _flip(draw, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 8)) if data else 0):
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    return bytes(data)


def _insert(draw, raw: bytes) -> bytes:
    at = draw(st.integers(0, len(raw)))
    piece = draw(st.sampled_from(INTERESTING) | st.binary(min_size=1, max_size=64))
    return raw[:at] + piece + raw[at:]


def _delete(draw, raw: bytes) -> bytes:
    start = draw(st.integers(0, len(raw)))
    end = draw(st.integers(start, min(len(raw), start + 512)))
    return raw[:start] + raw[end:]


def _nuls(draw, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4)) if data else 0):
        data[draw(st.integers(0, len(data) - 1))] = 0
    return bytes(data)


def _header_lines(draw, raw: bytes) -> bytes:
    head, sep, body = _split(raw)
    lines = head.split(b"\n")
    at = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["duplicate", "drop", "swap"]))
    if action == "duplicate":
        lines.insert(at, lines[at])
    elif action == "drop":
        del lines[at]
    else:
        other = draw(st.integers(0, len(lines) - 1))
        lines[at], lines[other] = lines[other], lines[at]
    return b"\n".join(lines) + sep + body


def _boundaries(draw, raw: bytes) -> bytes:
    found = BOUNDARY.findall(raw)
    if not found:
        return raw
    boundary = draw(st.sampled_from(found))
    delimiter = b"--" + boundary
    action = draw(st.sampled_from(["unclosed", "parameter", "cut", "delete", "nest"]))
    if action == "unclosed":
        return raw.replace(delimiter + b"--", delimiter)
    if action == "parameter":
        return raw.replace(boundary, draw(st.sampled_from([b"", b"x", boundary[:-1], b'"'])), 1)
    if action == "cut":
        return raw.replace(delimiter, delimiter[: draw(st.integers(0, len(delimiter)))])
    if action == "nest":  # the inner boundary is a prefix of the outer one
        return raw.replace(boundary, boundary + b"x", 1)
    return raw.replace(delimiter + b"\n", b"", 1).replace(delimiter + b"\r\n", b"", 1)


def _charset(draw, raw: bytes) -> bytes:
    name = draw(st.sampled_from(CHARSETS)).encode("utf-8", "surrogateescape")
    if CHARSET.search(raw):
        return CHARSET.sub(lambda _: b"charset=" + name, raw, count=draw(st.integers(0, 3)))
    return b"Content-Type: text/plain; charset=" + name + b"\n" + raw


def _transfer(draw, raw: bytes) -> bytes:
    """A wrong or bogus Content-Transfer-Encoding, or a body that is invalid in its own."""
    head, sep, body = _split(raw)
    action = draw(st.sampled_from(["relabel", "bad-base64", "bad-qp", "whitespace"]))
    if action == "relabel":
        value = draw(st.sampled_from(ENCODINGS))
        if TRANSFER.search(head):
            return TRANSFER.sub(lambda m: m.group(1) + b" " + value, raw)
        return b"Content-Transfer-Encoding: " + value + b"\n" + raw
    if action == "bad-base64":
        junk = draw(st.sampled_from([b"!!!", b"=", b"====", b"QUJD\x80", b"A", b"\n=\n"]))
        at = draw(st.integers(0, len(body)))
        return head + sep + body[:at] + junk + body[at:]
    if action == "bad-qp":
        junk = draw(st.sampled_from([b"=", b"=Z", b"=\r", b"=e9=", b"=\x00", b"=C3"]))
        at = draw(st.integers(0, len(body)))
        return head + sep + body[:at] + junk + body[at:]
    return TRANSFER.sub(lambda m: m.group(0) + b"  \t", raw)


def _long_header(draw, raw: bytes) -> bytes:
    name = draw(st.sampled_from([b"Subject", b"X-Long", b"References", b"To", b"From"]))
    size = draw(st.sampled_from([998, 5_000, 50_000]))
    unit = draw(st.sampled_from([b"a", b"<x@y> ", b"a@b.example, ", b"=?utf-8?q?=C3=A9?= "]))
    return name + b": " + unit * (size // len(unit)) + b"\n" + raw


def _eight_bit_header(draw, raw: bytes) -> bytes:
    name = draw(st.sampled_from([b"Subject", b"From", b"To", b"Message-ID", b"Content-Type"]))
    value = draw(st.binary(min_size=1, max_size=80).map(lambda b: bytes(c | 0x80 for c in b)))
    return name + b": " + value + b"\n" + raw


MUTATIONS = [
    _truncate,
    _flip,
    _insert,
    _delete,
    _nuls,
    _header_lines,
    _boundaries,
    _charset,
    _transfer,
    _long_header,
    _eight_bit_header,
]


def _fresh_message_id(raw: bytes) -> bytes:
    new = b"Message-ID: <fuzz-%012d@fuzz.example>" % next(_counter)  # fixed width
    if MESSAGE_ID.search(raw):
        return MESSAGE_ID.sub(lambda _: new, raw, count=1)
    return new + b"\n" + raw


@st.composite
def mangled(draw) -> bytes:
    raw = draw(st.sampled_from(SEEDS))
    if draw(st.integers(0, 9)):  # nine times in ten: a message not seen before
        raw = _fresh_message_id(raw)
    for mutate in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4)):
        raw = mutate(draw, raw)
    return raw


def messages() -> st.SearchStrategy[bytes]:
    return st.one_of(
        mangled(),
        st.binary(max_size=4096),
        st.just(b""),
    )


# -- regression examples ------------------------------------------------------------------------
# Crashes this fuzz found in parse.py (fixed), minimised, kept as explicit examples.

# A UTF-7 body with a lone surrogate ("+2AA-" is U+D800), which "surrogateescape" cannot
# encode; in a text and in an HTML part.
CRASH_UTF7 = b"Content-Type: text/plain; charset=utf-7\n\n+2AA-"
CRASH_UTF7_HTML = b"Content-Type: text/html; charset=utf-7\n\n+2AA-"
# A charset naming a codec that is no text encoding (base64), and one that fails with a plain
# UnicodeError ("undefined").
CRASH_CODEC = b"Content-Type: text/plain; charset=base64\n\nx"
CRASH_UNICODE_ERROR = b"Content-Type: text/plain; charset=undefined\n\nx"
# A NUL in the charset name (codecs.lookup raises ValueError).
CRASH_NUL_CHARSET = b"Content-Type: text/plain; charset=\x00tf-8\n"
# A NUL in the Message-ID of an attached message (a bounce's copy of our mail).
NUL_QUOTED_ID = (
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
    b"Message-ID:\n \x00abc@example.de>\n\nhi\n--b--\n"
)
# A NUL in the Content-Type header must not reach the attachment's content type.
NUL_CONTENT_TYPE = b"Content-Type: \x00text/plain\n\nx"
# A NUL in a report's report-type must not reach the automatic-mail reason.
NUL_REPORT_TYPE = (
    b"Content-Type: multipart/report; boundary=b;\n report-type=\x00feedback-report\n\n--b--\n"
)


def _check_parsed(raw: bytes, parsed: ParsedMail) -> None:
    texts = [
        parsed.message_id,
        *parsed.in_reply_to,
        *parsed.references,
        parsed.subject,
        parsed.sender,
        parsed.sender_name,
        *parsed.recipients,
        parsed.text,
        parsed.html,
        *parsed.quoted_ids,
        parsed.automatic,
        *parsed.problems,
        *(name for name, _ in parsed.too_big),
    ]
    for part in parsed.attachments:
        texts += [part.filename, part.content_type, part.content_id]
    for text in texts:
        assert isinstance(text, str)
        text.encode("utf-8")  # raises on a surrogate
        assert "\x00" not in text
    assert parsed.subject
    assert isinstance(parsed.automatic, str)


PARSE = settings(
    max_examples=3 * EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# charset=unicode_escape (one of the nonsense charsets) warns about the escapes it meets.
QUIET = pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")


@QUIET
@PARSE
@given(raw=messages())
@example(raw=b"")
@example(raw=b"\x00" * 100)
@example(raw=b"Subject: \xff\xfe\x00\n\n\xed\xa0\x80")
@example(raw=CRASH_UTF7)
@example(raw=CRASH_UTF7_HTML)
@example(raw=CRASH_CODEC)
@example(raw=CRASH_UNICODE_ERROR)
@example(raw=CRASH_NUL_CHARSET)
@example(raw=NUL_CONTENT_TYPE)
@example(raw=NUL_QUOTED_ID)
@example(raw=NUL_REPORT_TYPE)
def test_parse_never_raises_and_hands_on_clean_text(raw):
    _check_parsed(raw, parse(raw))


# The pipeline fuzz runs inside one test: pytest-django's `db` fixture (through `acme`) opens
# one transaction for the whole test, not one per example, which hypothesis flags as a
# function-scoped fixture (HealthCheck.function_scoped_fixture, suppressed on purpose). The
# examples' rows accumulate in that transaction, rolled back at the end: every check below is
# relative to the rows before the example, and messages get fresh Message-IDs (or are counted
# as duplicates of an earlier example, which is one of the outcomes).
PIPELINE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# slow: fuzzes the mail parser
pytestmark = pytest.mark.slow


@QUIET
@PIPELINE
@given(raw=messages())
@example(raw=b"")
@example(raw=b"From: carol@acme.example\n\n\x00")
@example(raw=CRASH_UTF7)
@example(raw=CRASH_CODEC)
@example(raw=CRASH_NUL_CHARSET)
def test_receive_never_raises_and_every_message_has_one_outcome(acme, raw):
    messages_before = InboundMessage.objects.count()
    tickets_before = Ticket.objects.count()
    policy = Policy(organization=acme, unknown_senders="create")

    result = receive(raw, source="import", policy=policy)
    event(f"outcome: {result.outcome}")

    assert result.outcome in {
        *TICKET_OUTCOMES,
        Outcome.AUTO_REPLY,
        Outcome.OWN_MAIL,
        Outcome.QUARANTINED,
        DUPLICATE,
    }
    assert result.message is not None
    if result.outcome == DUPLICATE:
        assert InboundMessage.objects.count() == messages_before
        assert InboundMessage.objects.filter(pk=result.message.pk).exists()
        assert Ticket.objects.count() == tickets_before
        return
    assert InboundMessage.objects.count() == messages_before + 1
    row = InboundMessage.objects.get(pk=result.message.pk)
    assert row.outcome == result.outcome
    new_tickets = Ticket.objects.count() - tickets_before
    if result.outcome in TICKET_OUTCOMES:
        assert result.ticket is not None
        assert row.ticket_id == result.ticket.pk
        assert Ticket.objects.filter(pk=result.ticket.pk).exists()
        assert new_tickets == (0 if result.outcome == Outcome.APPENDED else 1)
    else:
        assert new_tickets == 0
        assert row.reason
        if result.outcome == Outcome.QUARANTINED:
            assert row.ticket_id is None
            assert row.reason != "error", row.detail
