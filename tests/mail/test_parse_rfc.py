"""Reading mail as the RFCs say, where `policy.default` alone does not: each raw message is
written here byte for byte.

- RFC 2047 section 6.2: white space between two adjacent encoded-words is not shown, also in
  a display name;
- uuencoded files (RFC 1341's x-uuencode, and "begin 644 name" blocks in plain text) are
  decoded into attachments;
- raw 8-bit headers in a legacy charset (no RFC 2047) are decoded by the message's declared
  charset or by detection, not replaced by U+FFFD;
- an address with a quoted local part that holds spaces (RFC 5322 3.2.4) is deliverable: its
  sender becomes a contact, not quarantine.
"""

import binascii

import pytest
from django.core.mail.message import sanitize_address

from deskside.mail.models import Outcome
from deskside.mail.parse import parse
from deskside.mail.pipeline import Policy, receive
from tests.mailauth import arrived_verified

# -- RFC 2047 section 6.2 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sender",
    [
        # one word split over two encoded-words, as mailers do at a line's length limit
        b"From: =?utf-8?q?J=C3=BC?= =?utf-8?q?rgen_M=C3=BCller?= <jm@acme.example>\r\n",
        # the same folded onto the next line, and in base64
        b"From: =?utf-8?q?J=C3=BC?=\r\n =?utf-8?q?rgen_M=C3=BCller?= <jm@acme.example>\r\n",
        b"From: =?utf-8?b?SsO8?= =?utf-8?b?cmdlbiBNw7xsbGVy?= <jm@acme.example>\r\n",
        # two charsets side by side
        b"From: =?iso-8859-1?q?J=FC?= =?utf-8?q?rgen_M=C3=BCller?= <jm@acme.example>\r\n",
    ],
    ids=["q", "folded", "base64", "two-charsets"],
)
def test_space_between_adjacent_encoded_words_of_a_display_name_is_dropped(sender):
    raw = sender + b"Subject: =?utf-8?q?Drucker_geht_n?= =?utf-8?q?icht?=\r\n\r\nHallo\r\n"

    parsed = parse(raw)

    assert parsed.sender_name == "Jürgen Müller"
    assert parsed.sender == "jm@acme.example"
    assert parsed.subject == "Drucker geht nicht"


def test_space_between_an_encoded_word_and_plain_text_stays():
    raw = (
        b"From: =?utf-8?q?J=C3=BCrgen?= Smith <js@acme.example>\r\n"
        b"Subject: Re: =?utf-8?q?Dr=C3=BCcker?= offline\r\n\r\nHallo\r\n"
    )

    parsed = parse(raw)

    assert parsed.sender_name == "Jürgen Smith"
    assert parsed.subject == "Re: Drücker offline"


# -- uuencode ----------------------------------------------------------------------------------

REPORT = b"%PDF-1.4 scanner log\n\x00\x01\x02\xff" * 20


def _uuencoded(data: bytes, name: str) -> bytes:
    lines = [binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45)]
    return (
        b"begin 644 "
        + name.encode()
        + b"\r\n"
        + b"".join(lines).replace(b"\n", b"\r\n")
        + (b"`\r\nend\r\n")
    )


def test_a_uuencoded_file_in_plain_text_becomes_an_attachment():
    # Outlook Express and older clients put files into the text this way, without MIME.
    raw = (
        b"From: carol@acme.example\r\nSubject: scanner log\r\n\r\n"
        b"The log is attached.\r\n\r\n" + _uuencoded(REPORT, "scan log.pdf") + b"\r\nCarol\r\n"
    )

    parsed = parse(raw)

    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
        ("scan log.pdf", "application/pdf", REPORT)
    ]
    assert parsed.text == "The log is attached.\n\n\nCarol"
    assert "begin 644" not in parsed.text


def test_an_x_uuencode_attachment_is_decoded_and_named_by_its_begin_line():
    raw = (
        b"From: carol@acme.example\r\nSubject: scanner log\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nThe log is attached.\r\n"
        b"--b1\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: x-uuencode\r\n\r\n"
        + _uuencoded(REPORT, "scanlog.pdf")
        + b"--b1--\r\n"
    )

    parsed = parse(raw)

    assert [(a.filename, a.data) for a in parsed.attachments] == [("scanlog.pdf", REPORT)]
    assert parsed.text == "The log is attached."


def test_text_that_only_looks_like_uuencode_stays_text():
    raw = (
        b"From: carol@acme.example\r\nSubject: steps\r\n\r\n"
        b"begin 644 is the mode we set on the file\r\nthen chmod it again\r\nend\r\n"
    )

    parsed = parse(raw)

    assert parsed.attachments == []
    assert parsed.text.startswith("begin 644 is the mode")


def test_begin_lines_without_an_end_stay_text_and_cost_one_pass():
    """Any sender controls the text: 20,000 'begin' lines with no 'end' after them (one 'end'
    before them) took the earlier pattern, which looked for an 'end' from every 'begin',
    tens of seconds; the scan pairs each 'begin' once and stops when no 'end' is left."""
    flood = b"end\r\n" + b"begin 644 a\r\n" * 20_000 + b"bye\r\n"
    raw = b"From: carol@acme.example\r\nSubject: flood\r\n\r\n" + flood

    parsed = parse(raw)

    assert parsed.attachments == []
    assert parsed.text.startswith("end\nbegin 644 a\nbegin 644 a\n")  # (cut at the text limit)


def test_a_file_after_a_block_that_is_no_uuencode_is_still_found():
    raw = (
        b"From: carol@acme.example\r\nSubject: two\r\n\r\n"
        b"begin 644 is the mode\r\nthen chmod it\r\nend\r\n\r\n" + _uuencoded(REPORT, "log.pdf")
    )

    parsed = parse(raw)

    assert [(a.filename, a.data) for a in parsed.attachments] == [("log.pdf", REPORT)]
    assert parsed.text.startswith("begin 644 is the mode")


# -- raw 8-bit headers -------------------------------------------------------------------------


def test_raw_8bit_headers_in_the_charset_the_message_declares():
    raw = (
        "From: Иван Петров <ivan@acme.example>\r\n"
        "Subject: Не работает принтер\r\n"
        "Content-Type: text/plain; charset=koi8-r\r\n\r\n"
        "Принтер в бухгалтерии не печатает.\r\n"
    ).encode("koi8-r")

    parsed = parse(raw)

    assert parsed.subject == "Не работает принтер"
    assert parsed.sender_name == "Иван Петров"
    assert parsed.text == "Принтер в бухгалтерии не печатает."


@pytest.mark.parametrize(
    ("subject", "charset"),
    [
        ("Не работает принтер в бухгалтерии", "cp1251"),
        ("Účet nefunguje, prosím o pomoc", "cp1250"),
        ("プリンターが動きません", "shift_jis"),
        ("Drucker im Büro geht nicht, großer Ärger", "cp1252"),
    ],
    ids=["cp1251", "cp1250", "shift_jis", "cp1252"],
)
def test_raw_8bit_headers_without_a_declared_charset_are_detected(subject, charset):
    raw = b"From: someone@acme.example\r\nSubject: " + subject.encode(charset) + b"\r\n\r\nhi\r\n"

    parsed = parse(raw)

    assert parsed.subject == subject
    assert "\ufffd" not in parsed.subject


def test_raw_utf8_headers_stay_utf8():
    raw = "From: Jürgen <j@acme.example>\r\nSubject: Größe ✓\r\n\r\nhi\r\n".encode()

    parsed = parse(raw)

    assert (parsed.subject, parsed.sender_name) == ("Größe ✓", "Jürgen")


# -- an odd but deliverable address ------------------------------------------------------------


@pytest.mark.parametrize(
    "sender",
    [
        b'"John Smith" <"john smith"@acme.example>',
        b'"john smith"@acme.example',
        b'John Smith <"john\\ smith"@acme.example>',
    ],
)
def test_a_quoted_local_part_with_spaces_is_one_mailbox(sender):
    parsed = parse(b"From: " + sender + b"\r\nSubject: x\r\n\r\nhi\r\n")

    assert parsed.sender == '"john\\ smith"@acme.example'
    # and mail to it goes to the mailbox the customer wrote from
    assert sanitize_address(parsed.sender, "utf-8") == '"john smith"@acme.example'


def test_a_sender_with_spaces_in_a_quoted_local_part_becomes_a_contact(acme):
    raw = (
        b'From: "John Smith" <"john smith"@acme.example>\r\n'
        b"To: help@desk.example\r\nSubject: Printer offline\r\n"
        b"Message-ID: <odd-1@acme.example>\r\n\r\nThe printer is offline.\r\n"
    )

    result = receive(
        arrived_verified(raw),
        source="import",
        policy=Policy(organization=acme, unknown_senders="create"),
    )

    assert result.outcome == Outcome.CREATED
    assert result.ticket.requester.email == '"john\\ smith"@acme.example'
    assert result.ticket.requester.full_name == "John Smith"
    assert result.ticket.requester.organization == acme
    # the next mail from the same address finds the same contact
    again = raw.replace(b"odd-1", b"odd-2").replace(b'"john smith"', b'"John Smith"', 1)
    second = receive(arrived_verified(again), source="import", policy=Policy(organization=acme))
    assert second.outcome == Outcome.CREATED
    assert second.ticket.requester == result.ticket.requester
