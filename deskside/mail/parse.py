"""Reading a raw message: the standard library's `email` package (`policy.default`, with a
cache of parsed headers) for the structure, headers and transfer encodings, inscriptis for
HTML turned into readable text, nh3 (the Ammonia sanitiser) for the HTML kept for display.

`parse(raw)` never raises for any input: a header that cannot be parsed is read raw and
decoded best effort, a body in an unknown or wrong charset is decoded with replacement
characters, and every such repair is listed in `ParsedMail.problems`. Text handed on contains
no surrogates and no NUL characters (a database would refuse them).
"""

import binascii
import codecs
import contextlib
import email
import email.header
import email.utils
import functools
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message

import nh3
from charset_normalizer import from_bytes
from django.conf import settings
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

MAX_ID = 255
MAX_SUBJECT = 250
NO_SUBJECT = "(no subject)"
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_MSGID = re.compile(r"<([^<>\s]+)>")


class _CachedHeaders(HeaderRegistry):
    """`policy.default`'s header registry with a cache: the parser and `get_content_type`
    parse the same Content-Type header again at every call, which cost more than the rest of
    reading a message. Header objects are immutable strings, so sharing them is safe."""

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one registry per process, never freed
    def __call__(self, name: str, value: str) -> BaseHeader:
        return super().__call__(name, value)


POLICY = policy.default.clone(header_factory=_CachedHeaders())
_INSCRIPTIS = ParserConfig(css=CSS_PROFILES["strict"], display_links=False)
# Tags and attributes kept in the HTML shown to agents; images only from the message itself
# (cid: references, rewritten to the stored attachments when shown).
_HTML_TAGS = set(nh3.ALLOWED_TAGS) | {"font", "center"}
_URL_SCHEMES = {"http", "https", "mailto", "cid"}


@dataclass
class Part:
    """A file carried by the message: an attachment or an inline image."""

    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = NO_SUBJECT
    sender: str = ""  # lower-cased address, "" when none could be found
    sender_name: str = ""
    recipients: list[str] = field(default_factory=list)  # To and Cc addresses
    date: datetime | None = None
    text: str = ""
    html: str = ""  # sanitised
    attachments: list[Part] = field(default_factory=list)
    too_big: list[tuple[str, int]] = field(default_factory=list)  # (filename, size) not kept
    quoted_ids: list[str] = field(default_factory=list)  # of attached messages or headers
    automatic: str = ""  # why this is an automatic message, "" for a person's mail
    problems: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers: In-Reply-To first, then References newest
        first."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


def clean(text: str) -> str:
    """Text safe to store: undecodable bytes (kept by the parser as surrogates) decoded as
    UTF-8 or else Windows-1252, NUL characters removed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a lone surrogate that is no escaped byte (UTF-7 ...)
            data = text.encode("utf-8", "replace")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "")


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_SPACED_NAME = re.compile(rb"^([!-9;-~]+)[ \t]+:", re.MULTILINE)


def _header_names_repaired(raw: bytes) -> bytes:
    """`Subject : hi` (white space before the colon, allowed by RFC 822's obsolete syntax)
    as `Subject: hi`; the parser would take the line for the end of the headers."""
    end = raw.find(b"\n\n")
    if end < 0:
        end = len(raw)
    crlf = raw.find(b"\r\n\r\n")
    if 0 <= crlf < end:
        end = crlf
    head = raw[:end]
    if not _SPACED_NAME.search(head):
        return raw
    return _SPACED_NAME.sub(rb"\1:", head) + raw[end:]


def parse(raw: bytes, *, envelope_from: str = "") -> ParsedMail:
    """Parse a raw RFC 5322 message (see the module docstring); `envelope_from` is the SMTP
    MAIL FROM or mbox "From " line address, used when the headers name no sender."""
    out = ParsedMail()
    raw = _header_names_repaired(raw)
    try:
        msg = email.message_from_bytes(raw, policy=POLICY)
    except Exception as exc:  # the parser is tolerant; this is a last resort
        out.problems.append(f"the message could not be parsed ({type(exc).__name__})")
        out.text = clean(raw.decode("utf-8", "replace"))[: settings.DESKSIDE_MAIL_MAX_TEXT]
        return out
    raw_headers = _raw_headers(msg)
    _headers(msg, raw_headers, out, envelope_from, _header_charset(msg))
    out.automatic = automatic(msg, raw_headers, out)
    try:
        _body(msg, out)
    except Exception as exc:
        out.problems.append(f"the body could not be read fully ({type(exc).__name__}: {exc})")
        if not out.text:
            out.text = clean(_payload_text(msg, out))
    limit = settings.DESKSIDE_MAIL_MAX_TEXT
    if len(out.text) > limit:
        out.problems.append(
            f"the text was {len(out.text):,} characters long and is cut after {limit:,}"
        )
        out.text = out.text[:limit]
    return out


# -- headers -----------------------------------------------------------------------------------


def header(msg: Message, name: str, charset: str = "utf-8") -> str:
    """One header as text, decoded; a header `policy.default` cannot parse is decoded from its
    raw value instead, never raising. Raw 8-bit bytes in it (no RFC 2047) are read in
    `charset` (see `_header_charset`), where `policy.default` would put U+FFFD."""
    for key, raw in msg.raw_items():
        if key.lower() == name.lower():
            data = _eight_bit(str(raw))
            if data is not None:
                return clean(_decode_words(_unfold(data.decode(charset, "replace"))))
            break
    try:
        value = msg.get(name)
        return "" if value is None else clean(str(value))
    except Exception:
        for key, raw in msg.raw_items():
            if key.lower() == name.lower():
                try:
                    return clean(str(email.header.make_header(email.header.decode_header(raw))))
                except Exception:
                    return clean(str(raw))
        return ""


def _raw_headers(msg: Message) -> dict[str, str]:
    """Each header's first raw value by lower-case name, for the headers that are compared
    as they are (loop protection, Message-IDs): parsing every header with `policy.default`
    costs more than the rest of the message."""
    out: dict[str, str] = {}
    for name, value in msg.raw_items():
        out.setdefault(name.lower(), clean(str(value)))
    return out


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value)


def _decode_words(value: str) -> str:
    """`value` with its RFC 2047 encoded-words decoded; white space between two adjacent
    encoded-words is dropped (RFC 2047 section 6.2), other white space kept."""
    if "=?" not in value:
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:  # a broken encoded-word: the text as it is
        return value


def _eight_bit(value: str) -> bytes | None:
    """The bytes of a raw header value that holds 8-bit bytes (kept by the parser as
    surrogates), or None for a 7-bit value."""
    if value.isascii():
        return None
    return value.encode("utf-8", "surrogateescape")


# Charsets that 8-bit headers are written in, for detection: UTF-8 and the legacy charsets of
# the mail clients that write raw 8-bit headers (Windows code pages, KOI8, the East Asian ones).
_LEGACY_CHARSETS = [
    "utf_8",
    "cp1252",
    "cp1250",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp874",
    "iso8859_2",
    "iso8859_15",
    "shift_jis",
    "euc_jp",
    "gb18030",
    "big5",
    "euc_kr",
]


def _header_charset(msg: Message) -> str:
    """The charset of the raw 8-bit bytes in the headers of `msg` (RFC 6532 allows UTF-8;
    older clients wrote their own charset): UTF-8 when they are valid UTF-8, else a charset
    the message declares for its text when they are valid in it, else the charset
    charset-normalizer finds for all of them together, else Windows-1252."""
    data = b"\n".join(b for _, value in msg.raw_items() if (b := _eight_bit(str(value))))
    if not data:
        return "utf-8"
    with contextlib.suppress(UnicodeDecodeError):
        data.decode("utf-8")
        return "utf-8"
    try:
        declared = [c for c in msg.get_charsets() if c]
    except Exception:  # a malformed Content-Type in some part
        declared = []
    for name in declared:
        codec = _charset(name)
        if codec and codec not in ("ascii", "utf-8"):
            with contextlib.suppress(UnicodeDecodeError):
                data.decode(codec)
                return codec
    best = from_bytes(data, cp_isolation=_LEGACY_CHARSETS).best()
    return best.encoding if best is not None else "cp1252"


def _ids(value: str) -> list[str]:
    found = _MSGID.findall(value) or value.split()
    return [normal_id(v) for v in found if normal_id(v)]


def normal_id(value: str) -> str:
    """A Message-ID as stored and compared: without angle brackets and surrounding space."""
    return clean(value).strip().strip("<>").strip()[:MAX_ID]


def _addresses(value: str) -> list[tuple[str, str]]:
    """(name, address) pairs of an address header, best effort for malformed ones."""
    try:
        pairs = [(n, a) for n, a in email.utils.getaddresses([value]) if "@" in a]
    except Exception:
        pairs = []
    if not pairs:
        pairs = [("", a) for a in _ADDRESS.findall(value)]
    return [(clean(n).strip(), _mailbox(clean(a).strip().lower())[:254]) for n, a in pairs]


_DOT_ATOM = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*", re.ASCII)


def _mailbox(address: str) -> str:
    """`address` with a local part that is no dot-atom ("john smith", "taro..yamada", as the
    parser gives a quoted local part back) written as a quoted string, with quoted-pairs for
    white space, quotes and backslashes (RFC 5322 3.2.4): the same mailbox, in the form that
    address validators and SMTP accept."""
    local, at, domain = address.rpartition("@")
    if not at or not local or _DOT_ATOM.fullmatch(local) or not local.isascii():
        return address
    if len(local) > 1 and local.startswith('"') and local.endswith('"'):
        local = re.sub(r"\\(.)", r"\1", local[1:-1])
    return '"' + re.sub(r'([\\"\s])', r"\\\1", local) + '"@' + domain


def _encoded_name(value: str, address: str) -> str:
    """The display name of `address` in the raw address header `value`, its encoded-words
    decoded as RFC 2047 section 6.2 says (policy.default keeps the space between two
    adjacent encoded-words of a display name: "Jü rgen"); "" when there is none."""
    if "=?" not in value:
        return ""
    try:
        pairs = email.utils.getaddresses([_unfold(value)])
    except Exception:
        return ""
    for name, found in pairs:
        if name and _mailbox(found.strip().lower()) == address:
            return clean(_decode_words(name)).strip()
    return ""


def _comment_name(value: str) -> str:
    try:
        name = email.utils.parseaddr(value)[0]
        return clean(str(email.header.make_header(email.header.decode_header(name)))).strip()
    except Exception:
        return ""


def _headers(
    msg: EmailMessage, raw: dict[str, str], out: ParsedMail, envelope_from: str, charset: str
) -> None:
    message_id = _ids(raw.get("message-id", ""))
    out.message_id = message_id[0] if message_id else ""
    out.in_reply_to = _ids(raw.get("in-reply-to", ""))
    out.references = _ids(raw.get("references", ""))
    subject = " ".join(header(msg, "Subject", charset).split())
    out.subject = subject[:MAX_SUBJECT] or NO_SUBJECT
    for name in ("From", "Sender", "Reply-To", "Return-Path"):
        pairs = _addresses(header(msg, name, charset))
        if pairs:
            out.sender_name, out.sender = pairs[0]
            out.sender_name = _encoded_name(raw.get(name.lower(), ""), out.sender) or (
                out.sender_name
            )
            if not out.sender_name:  # "addr (Name)": the parsed header drops the comment
                out.sender_name = _comment_name(raw.get(name.lower(), ""))
            if name != "From":
                out.problems.append(f"no usable From address; the sender is taken from {name}")
            break
    else:
        if envelope := _addresses(envelope_from):
            out.sender = envelope[0][1]
            out.problems.append("no sender in the headers; taken from the envelope")
        else:
            out.problems.append("no sender address could be found")
    for name in ("To", "Cc"):
        out.recipients += [a for _, a in _addresses(raw.get(name.lower(), ""))]
    try:
        out.date = email.utils.parsedate_to_datetime(raw.get("date", ""))
    except (TypeError, ValueError, IndexError):
        out.date = None


# -- automatic mail ----------------------------------------------------------------------------

_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_SUPPRESS = {"all", "oof", "autoreply"}
_REPORTS = {"delivery-status", "disposition-notification", "feedback-report"}
_LISTS = (
    "List-Id",
    "List-Unsubscribe",
    "X-Mailing-List",
    "X-ML-Name",
    "X-MLServer",
    "Mailing-List",
)
_DAEMONS = ("mailer-daemon", "postmaster@", "post_master@", "mail-daemon@", "mailer_daemon")
_NO_REPLY = {"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply"}
# Subjects that mail servers give their bounces when they set none of the headers above (old
# sendmail, qmail, Exim, Exchange, Notes ...); matched at the start of the subject only.
_BOUNCE_SUBJECTS = (
    "mail delivery failed",
    "returned mail:",
    "undeliverable:",
    "undelivered mail returned to sender",
    "delivery status notification (failure)",
    "delivery status notification (delay)",
    "delivery failure",
    "failure notice",
    "mail system error",
    "message delivery failure",
    "nondeliverable mail",
    "warning: could not send message",
    "delivery notification: delivery has failed",
)


def automatic(msg: Message, raw: dict[str, str], parsed: ParsedMail) -> str:  # noqa: C901 - one test per RFC sign
    """Why `msg` is an automatic message (an auto-reply, out-of-office, bounce, delivery or
    read report, mailing-list traffic), or "" for mail a person wrote. Such mail never opens a
    ticket nor is answered (RFC 3834)."""
    value = raw.get("auto-submitted", "").strip().lower()
    if value and not value.startswith("no"):
        return f"Auto-Submitted: {value}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autogenerated", "X-AutoReply-From"):
        if raw.get(name.lower()):
            return f"{name} header"
    suppress = {v.strip().lower() for v in raw.get("x-auto-response-suppress", "").split(",")}
    if suppress & _SUPPRESS:
        return "X-Auto-Response-Suppress: " + ", ".join(sorted(suppress & _SUPPRESS))
    precedence = raw.get("precedence", "").strip().lower()
    if precedence in _PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in _LISTS:
        if raw.get(name.lower()):
            return f"mailing-list traffic ({name})"
    if raw.get("return-path", "").strip() == "<>":
        return "null return path (a bounce)"
    content_type = msg.get_content_type()
    report = (msg.get_param("report-type") or "") if content_type == "multipart/report" else ""
    if content_type == "multipart/report":
        return f"report ({clean(str(report)).lower() or 'multipart/report'})"
    for part in _parts(msg):
        if part.get_content_type().removeprefix("message/") in _REPORTS:
            return f"report ({part.get_content_type()})"
    sender = raw.get("from", "").lower()
    for daemon in _DAEMONS:
        if daemon in sender:
            return f"sent by {daemon}"
    if parsed.sender.partition("@")[0] in _NO_REPLY:
        return f"sent from a no-reply address ({parsed.sender})"
    subject = parsed.subject.lower()
    if subject.startswith(_BOUNCE_SUBJECTS):
        return f"a delivery failure notice ({subject[:60]!r})"
    return ""


# -- body --------------------------------------------------------------------------------------


def _parts(msg: Message) -> list[Message]:
    """Every leaf part, without descending into attached messages (they are attachments)."""
    out: list[Message] = []
    stack = [msg]
    while stack:
        part = stack.pop()
        if part.is_multipart() and part.get_content_maintype() != "message":
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(reversed(payload))
                continue
        out.append(part)
    return out


# Codecs Python knows that are no charset a mail can be written in (they decode escapes or
# transform bytes): a Content-Type naming one is treated as an unknown charset.
_NOT_CHARSETS = {"raw_unicode_escape", "unicode_escape", "undefined", "punycode", "idna"}


def _charset(name: str) -> str | None:
    """The codec of a charset a text may be in, or None."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # unknown, or a name with a NUL in it
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _decode(data: bytes, charset: str | None, out: ParsedMail) -> str:
    for name in (charset, "utf-8"):
        if not name:
            continue
        codec = _charset(name)
        if codec is None:
            out.problems.append(f"unknown charset {clean(name)!r}")
            continue
        try:
            return data.decode(codec)
        except (UnicodeError, ValueError):
            continue
    if charset:
        out.problems.append(f"text not valid in its charset {charset!r}; decoded as Windows-1252")
    return data.decode("cp1252", "replace")


def _payload_text(part: Message, out: ParsedMail) -> str:
    data = part.get_payload(decode=True)
    if data is None:  # a multipart without parts, or an attached message
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    return _decode(data, part.get_content_charset(), out)


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    cte = next(
        (str(v) for k, v in part.raw_items() if k.lower() == "content-transfer-encoding"), ""
    )
    if not name and cte.strip().lower() in _UUENCODE:
        payload = part.get_payload()
        begin = _UU_BEGIN.search(payload) if isinstance(payload, str) else None
        name = begin.group(1) if begin else ""  # the name on its "begin 644 name" line
    name = clean(name).replace("/", "_").replace("\\", "_").strip()
    if not name:
        content_type = part.get_content_type()
        ext = (
            ".eml" if content_type == "message/rfc822" else mimetypes.guess_extension(content_type)
        )
        name = f"part-{index}{ext or '.bin'}"
    return name[-255:]


_UUENCODE = {"x-uuencode", "uuencode", "x-uue", "uue"}  # as the standard library decodes them
_UU_BEGIN = re.compile(r"^begin [0-7]{3,4} ([^\r\n]+)", re.MULTILINE)
_QUOTED_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def _quoted_message_id(data: bytes) -> str:
    """The Message-ID header of an attached message or header block (a bounce's copy of the
    mail that failed)."""
    head = data.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    match = _QUOTED_ID.search(head)
    return match.group(1).decode("ascii", "replace") if match else ""


def _strip_transfer_encoding(part: Message) -> None:
    """`Content-Transfer-Encoding: base64 ` (with a space) is base64: the library compares the
    value as it is and would keep the encoded text."""
    raw = next((v for k, v in part.raw_items() if k.lower() == "content-transfer-encoding"), None)
    if raw is not None and str(raw) != str(raw).strip():
        with contextlib.suppress(Exception):
            part.replace_header("Content-Transfer-Encoding", str(raw).strip())


def _body(msg: EmailMessage, out: ParsedMail) -> None:
    plain = html = None
    try:
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
    except Exception as exc:
        out.problems.append(f"the body structure is malformed ({type(exc).__name__})")
    texts: list[str] = []
    limit = settings.DESKSIDE_MAX_ATTACHMENT_BYTES
    for index, part in enumerate(_parts(msg), start=1):
        _strip_transfer_encoding(part)
        content_type = part.get_content_type()
        try:
            disposition = part.get_content_disposition()
        except Exception:
            disposition = None
        if part is plain or part is html:
            continue
        has_name = bool(
            part.get_param("name") or part.get_param("filename", header="content-disposition")
        )
        if content_type == "text/plain" and disposition != "attachment" and not has_name:
            texts.append(_payload_text(part, out))  # more text between attachments (Apple Mail)
            continue
        if content_type == "text/html" and disposition != "attachment" and not has_name:
            continue  # an HTML alternative of text already read
        if content_type == "message/rfc822":
            inner = part.get_payload()
            message = inner[0] if isinstance(inner, list) and inner else inner
            data = message.as_bytes(policy=policy.compat32) if isinstance(message, Message) else b""
        else:
            data = part.get_payload(decode=True) or b""
        if content_type in ("message/rfc822", "text/rfc822-headers"):
            out.quoted_ids += _ids(_quoted_message_id(data))
        filename = _filename(part, index)
        if len(data) > limit:
            out.too_big.append((filename, len(data)))
            continue
        content_id = normal_id(header(part, "Content-ID"))
        out.attachments.append(
            Part(
                filename=filename,
                content_type=clean(content_type)[:100],
                data=data,
                content_id=content_id,
                inline=disposition == "inline"
                or (bool(content_id) and disposition != "attachment"),
            )
        )
    text = _payload_text(plain, out) if plain is not None else ""
    if html is not None:
        markup = _payload_text(html, out)
        out.html = clean(nh3.clean(markup, tags=_HTML_TAGS, url_schemes=_URL_SCHEMES))
        if not text.strip():
            text = get_text(markup, _INSCRIPTIS)
    text = "\n\n".join(t for t in [text, *texts] if t.strip())
    text = _uudecode_files(text.replace("\r\n", "\n").replace("\r", "\n"), out)
    out.text = clean(text).strip()


_UU_BEGIN = re.compile(r"^begin [0-7]{3,4} ([^\n]+)\n", re.MULTILINE)
_UU_END = re.compile(r"^end[ \t]*(?:\n|\Z)", re.MULTILINE)


def _uudecode(block: str) -> bytes | None:
    """The bytes of the lines of a uuencoded file, or None if they are not uuencode."""
    data = []
    for line in block.split("\n"):
        if not line.strip():
            continue
        try:
            encoded = line.encode("ascii")
        except UnicodeEncodeError:
            return None
        try:
            data.append(binascii.a2b_uu(encoded))
        except binascii.Error:
            # Encoders that pad lines with extra characters: the length byte says how many
            # characters count (the workaround the standard library's decoder uses too).
            try:
                data.append(binascii.a2b_uu(encoded[: (((encoded[0] - 32) & 63) * 4 + 5) // 3]))
            except binascii.Error:
                return None
    return b"".join(data)


def _uudecode_files(text: str, out: ParsedMail) -> str:
    """`text` without the uuencoded files in it ("begin 644 name" ... "end", as Outlook
    Express and older clients attach files to plain text), which become attachments."""
    if "begin " not in text:
        return text
    limit = settings.DESKSIDE_MAX_ATTACHMENT_BYTES

    # One pass over the text: each "begin" line is paired with the first "end" line after it,
    # and the text between is decoded once. A block that is no uuencode stays text whole (its
    # inner "begin" lines are not tried again), and with no "end" left nothing later can be a
    # block: any sender's text costs time in proportion to its length.
    kept: list[str] = []
    pos = 0
    while (begin := _UU_BEGIN.search(text, pos)) is not None:
        end = _UU_END.search(text, begin.end())
        if end is None:
            break
        data = _uudecode(text[begin.end() : end.start()])
        if data is None:
            kept.append(text[pos : end.end()])
        else:
            kept.append(text[pos : begin.start()])
            name = begin.group(1).strip().replace("/", "_").replace("\\", "_")[-255:]
            name = name or "file.bin"
            if len(data) > limit:
                out.too_big.append((name, len(data)))
            else:
                guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
                out.attachments.append(Part(filename=name, content_type=guessed, data=data))
        pos = end.end()
    kept.append(text[pos:])
    return "".join(kept)
