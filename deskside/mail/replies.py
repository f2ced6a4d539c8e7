"""The customer's new text in a reply by mail: what the ticket timeline shows, with the quoted
history and the signature taken off.

Where a reply ends is found by a maintained parser, mail-parser-reply (`mailparser_reply`),
not by patterns of our own. It knows the quote headers of the common mail clients ("On ...
wrote:", "Am ... schrieb ...:", "-----Original Message-----", Outlook's "From: / Sent: / To: /
Subject:" block, in thirteen languages, also behind "> "), and signatures ("-- ", "Sent from my
iPhone", "Get Outlook for iOS", sign-offs such as "Best regards"). It cuts the text at every
quote header; the first part, less its signature, is the new text. We use it so:

- All its languages, less two tables that cut ordinary text: the Polish Outlook header (one
  line "Data:" or "Do:" counts as a whole header) and the Swedish sign-offs ("/\\w+" takes a
  line that is a path, "/srv").
- Hyphen lists stay text (`keep_hyphen_lists`); otherwise a line "- step one" starts a
  signature and the rest of the mail is lost.
- A sign-off starts the signature only when it stands alone on its line ("Thanks," or "Best
  regards" with at most a comma or full stop). The parser's own rule takes "Thanks, that fixed
  it. But the scanner ..." for a signature, and everything after it.
- Disclaimers are kept: the parser's rule takes any sentence that starts "Warning:" or
  "Important Notice:" and mentions mail, which is what a customer pastes from an error.
- Its patterns are built once, here, from its own tables (`EmailMessage` builds them for every
  mail). The header pattern gets a guard that lets a match start only at the start of a line
  or at a newline, where the parser's headers start; it is two to four times faster.

Quote headers the parser has no table for (Polish "W dniu ... napisał:", Russian, Norwegian,
a date and an address alone, Outlook's header block in any language) are found by their
structure (`quote_header`, at the end of this module); the parser is then shown only the text
above such a header. Device lines with a link ("Sent from Outlook Mobile<https://...>") are
signatures too.

Three steps the parser leaves to its caller:

- A trailing block of "> " lines is quoted history even under a quote header the parser does
  not know (Portuguese, Russian, a header wrapped over lines): it goes, and when the parser
  found no header, so does the paragraph of at most three lines above it if it ends with a
  colon (its "... wrote:").
- A separator line left at the end ("________", "-----Ursprüngliche Nachricht-----") goes, and
  so does Gmail's mark "ᐧ".
- The parser strips every line; the text returned has the lines as they came, indentation
  included (pasted logs and code), and only the whole is stripped.

The parser's patterns are slow on some text (a long line starting "Am" with many "schrieb",
thousands of blank lines), so it sees lines stripped and cut to 250 characters, with runs of
blank lines cut to two; and only the text up to the end of the first quote header, which its
own header pattern finds in the first 16,000 characters. A short reply takes about 0.3 ms, a
long thread no more (the history after the first header is not read); the slowest text we
could make takes about 0.6 s. A mail with no quote header in its first 16,000 characters is
kept whole.

The fall-back rule: when nothing would be left (the mail was only a quote, starts with a quote
header, or is only a signature), or the parser fails, the whole text is returned, stripped. A
message is never lost, and `strip_reply` never raises.
"""

import logging
import re

from mailparser_reply import EmailMessage
from mailparser_reply.constants import (
    GENERIC_MAIL_SEPARATOR,
    MAIL_LANGUAGES,
    NOLIST_SIGNATURE_REGEX,
    OUTLOOK_MAIL_SEPARATOR,
    QUOTED_MATCH_INCLUDE,
)

log = logging.getLogger(__name__)

# All of the parser's languages ("david" is a groupware's header), less two of their tables.
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "cs", "da", "sv", "pl", "ja", "ko", "zh", "david")
LEFT_OUT = {
    ("pl", "from_header"),  # one "Od:", "Do:" or "Data:" line counts as a whole quote header
    ("sv", "signatures"),  # its sign-off "/\w+" takes a line that is a path, "/srv"
}

MAX_LINE = 250  # characters of a line the parser sees (a quote header is shorter)
MAX_BLANK_LINES = 2  # blank lines in a row the parser sees
MAX_SCAN = 16_000  # characters of the mail searched for the first quote header
ATTRIBUTION_LINES = 3  # lines a "... wrote:" paragraph above a quoted block may have
RULE_CHARS = frozenset("-_=")
GMAIL_MARK = "\u1427"  # "ᐧ", the tracking mark Gmail leaves above a signature


def _table(key: str) -> str:
    """The parser's patterns under `key` for LANGUAGES, as one alternation, in the order
    `EmailMessage` joins them."""
    parts = []
    for language in LANGUAGES:
        value = MAIL_LANGUAGES[language].get(key) or ""
        if (language, key) not in LEFT_OUT:
            parts.append("|".join(value) if isinstance(value, list) else value)
    return "|".join(part for part in parts if part)


def _patterns() -> dict[str, re.Pattern[str]]:
    """The patterns `EmailMessage` builds from its tables (HEADER_REGEX, SIGNATURE_REGEX),
    built once instead of for every mail, with the changes told above."""
    headers = f"{_table('wrote_header')}|{_table('from_header')}|({GENERIC_MAIL_SEPARATOR})"
    signature = (
        rf"(({NOLIST_SIGNATURE_REGEX}|{OUTLOOK_MAIL_SEPARATOR}|"
        rf"\s*^{QUOTED_MATCH_INCLUDE}(?:{_table('sent_from')}) ?"
        rf"(?:(?:[\w.<>:// ]+)|(?:\w+ ){{1,3}})$|"
        rf"^{QUOTED_MATCH_INCLUDE}Sent from \w+(?: \w+){{0,2}} ?<(?:https?|mailto):[^<>\s]+>$|"
        rf"(?<!\A)^{QUOTED_MATCH_INCLUDE}(?:{_table('signatures')})[ \t,.!]*$)(.|\s)*)"
    )
    flags = re.MULTILINE | re.IGNORECASE
    return {
        # The guard lets a header match start only at the start of a line or at a newline,
        # where the parser's headers start: it spares trying every branch at every character.
        "_header_regex": re.compile(rf"(?:^|(?=\n))(?:{headers})", flags),
        "_signature_regex": re.compile(signature, flags),
        "_disclaimers_regex": _NOTHING,  # disclaimers are kept: none is looked for
    }


_NOTHING = re.compile(r"(?!)")  # matches nowhere
_PATTERNS = _patterns()


def _parse(text: str, *, header: bool) -> EmailMessage:
    """The parser's reading of `text`; `header` False: we looked, there is no quote header in
    it, and the parser need not look again."""
    patterns = _PATTERNS if header else {**_PATTERNS, "_header_regex": _NOTHING}
    return EmailMessage(
        text=text, languages=list(LANGUAGES), keep_hyphen_lists=True, **patterns
    ).read()


def strip_reply(text: str) -> str:
    """The new text of a reply: `text` without its quoted history and signature, stripped;
    the whole of `text`, stripped, when that would leave nothing."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    whole = text.strip()
    if not whole:
        return ""
    try:
        new = _new_text(text.split("\n"))
    except Exception:
        log.warning("reply stripping failed; the whole text is kept", exc_info=True)
        return whole
    return new or whole


def _new_text(lines: list[str]) -> str:
    # What the parser sees: lines stripped (as it strips them itself) and cut to MAX_LINE, runs
    # of blank lines shortened; `origin` maps each line it sees back to `lines`.
    seen: list[str] = []
    origin: list[int] = []
    blank = 0
    for number, line in enumerate(lines):
        line = line.strip()
        if line.startswith("*") and line.endswith("*") and _is_rule(line):
            line = line.strip("* ")  # "*-------- Original Message --------*" (bold, from HTML)
        blank = blank + 1 if not line else 0
        if blank <= MAX_BLANK_LINES:
            seen.append(line[:MAX_LINE])
            origin.append(number)

    # The first MAX_SCAN characters, whole lines, and in them the first quote header: the
    # parser is shown the text up to the end of that header's line. It finds the same header
    # there; the quoted history after it, often most of the mail, is not read twice.
    count = size = 0
    while count < len(seen) and size < MAX_SCAN:
        size += len(seen[count]) + 1
        count += 1
    # A quote header found by its structure: the parser sees only the text above it, and
    # finds there any header of its own tables that comes first.
    cut = quote_header(seen[:count])
    if cut is not None:
        if cut == 0:
            return ""
        count = cut
    text = "\n".join(seen[:count])
    header = _PATTERNS["_header_regex"].search(text)
    if header:
        end = text.find("\n", header.end())
        text = text[:end] if end >= 0 else text
    elif cut is None and count < len(seen):
        return ""  # no quote header in the first MAX_SCAN characters: keep it all
    message = _parse(text, header=header is not None)

    first = message.replies[0]
    if first.headers:
        return ""  # the mail starts with a quote header: there is no new text above it
    body = first.content
    if first.signatures:
        body = body[: -len(first.signatures)] if body.endswith(first.signatures) else ""
    body = body.strip()
    kept = _source_lines(body, seen) if body else None
    if kept is None:
        return ""
    kept = _trim_tail([lines[origin[i]] for i in kept], attribution=header is None and cut is None)
    return "\n".join(kept).strip()


def _source_lines(body: str, seen: list[str]) -> list[int] | None:
    """Which of the lines the parser saw make up `body` (the parser strips lines and may drop
    some, never changes one otherwise); None if they cannot all be found, in order."""
    found: list[int] = []
    at = 0
    for line in body.split("\n"):
        while at < len(seen) and seen[at] != line:
            at += 1
        if at == len(seen):
            return None
        found.append(at)
        at += 1
    return found


def _trim_tail(lines: list[str], *, attribution: bool) -> list[str]:
    """`lines` without what trails the new text: blank lines, separator lines and a block of
    quoted lines with, if `attribution` (the parser found no quote header), the unquoted
    paragraph above it when that is at most ATTRIBUTION_LINES lines ending with a colon."""
    lines = list(lines)
    while lines:
        last = lines[-1].strip()
        if not last or _is_rule(last) or last == GMAIL_MARK:
            lines.pop()
            continue
        if not _quoted(last):
            break
        while lines and (not lines[-1].strip() or _quoted(lines[-1])):
            lines.pop()
        if attribution:
            while lines and not lines[-1].strip():
                lines.pop()
            start = len(lines)
            while start > 0 and lines[start - 1].strip() and not _quoted(lines[start - 1]):
                start -= 1
            paragraph = lines[start:]
            if (
                paragraph
                and len(paragraph) <= ATTRIBUTION_LINES
                and paragraph[-1].rstrip().endswith((":", "\uff1a"))  # also the full-width colon
            ):
                del lines[start:]
    return lines


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _is_rule(line: str) -> bool:
    """A separator line: "________", "-----", or a title between dashes ("-----Original
    Message-----", "-------- Message d'origine --------"), also between asterisks."""
    line = line.strip("* ")
    if len(line) < 5:
        return False
    return set(line) <= RULE_CHARS or (line[:5] in ("-----", "_____") and line.endswith(line[:5]))


# -- quote headers found by their structure ----------------------------------------------------
#
# The parser's tables know the quote headers of thirteen languages, in the forms its authors
# met. The rest are found by their shape, in any language:
#
# - an attribution: a date or time, then an address in angle brackets, then at most four
#   words and a colon ("W dniu 2017-01-09 11:59 użytkownik X <x@y.pl> napisał:", "2017-11-24
#   16:32 GMT+01:00 X <x@y.com>:"), on one line or wrapped over up to ATTRIBUTION_WINDOW lines;
#   or the same without the colon when a quoted block ("> ", "| ") follows. It must end its
#   paragraph, and start one unless a quoted block follows: a sentence that mentions a date
#   and an address and ends with a colon inside a paragraph stays text.
# - a block of header fields: at least three "Label: value" lines in a row (a wrapped address
#   may continue a field on the next line), one value holding a date and a time, and either
#   an address in the first field (Outlook's From line, whatever its label) or three labels
#   that are header names in some language (HEADER_LABELS). A form the customer filled in
#   ("Name:", "Phone:", "Email:") has no address in its first line and no header names; notes
#   ("Contact: <address>", "Time: 10:30") have no date with the time.

ATTRIBUTION_WINDOW = 5  # lines an attribution may be wrapped over (blank lines included)
MIN_FIELDS = 3
MAX_LABEL = 25
_ADDRESS = re.compile(r"<\s*(?:mailto:)?[^\s<>@]+@[^\s<>]+\s*>")
_ATTRIBUTION_TAIL = re.compile(r"(?:\s*>)?(?:\s*[^\s<>:\uff1a]+){0,4}\s*([:\uff1a]?)\s*")
_DATE_OR_TIME = re.compile(
    r"\d{1,2}[:.]\d{2}\b|\b(?:19|20)\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b"
)
_DATE = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
_TIME = re.compile(r"(?<![\d.])\d{1,2}[:.]\d{2}(?![\d.])")
_FIELD = re.compile(
    rf"\*{{0,2}}([^\W\d_][^:\uff1a*]{{0,{MAX_LABEL}}}?)\s*\*{{0,2}}\s*[:\uff1a]\*{{0,2}}(.*)"
)
_QUOTE_MARKS = (">", "|")
_WRAPPED_END = re.compile(r">+\s*(?:[^\s<>:\uff1a]+\s*){0,3}[:\uff1a]?")
# Header names of mail clients (From, Sent, To, Cc, Subject, Date, Reply-To), lower case, in
# the languages of Outlook, Gmail, Apple Mail and Thunderbird that clients of an MSP write in.
_LABELS = (
    "from|sent|to|cc|bcc|subject|date|reply-to|reply to",  # English
    "von|gesendet|an|kopie|betreff|datum|antwort an",  # German
    "de|envoyé|envoyé le|à|a|objet|date|répondre à",  # French
    "de|enviado|enviado el|para|asunto|fecha|responder a",  # Spanish
    "da|inviato|inviato il|a|oggetto|data|risposta|rispondi a",  # Italian
    "de|enviado|enviada|enviado em|enviada em|para|assunto|data",  # Portuguese
    "van|verzonden|aan|onderwerp|datum|beantwoorden",  # Dutch
    "från|skickat|till|kopia|ämne|datum|svara till",  # Swedish
    "fra|sendt|til|kopi|emne|dato|svar til",  # Danish, Norwegian
    "lähettäjä|lähetetty|vastaanottaja|kopio|aihe|päivämäärä",  # Finnish
    "od|wysłano|do|dw|temat|data|odpowiedź do",  # Polish
    "od|odesláno|odoslané|komu|kopie|předmět|predmet|datum",  # Czech, Slovak
    "feladó|elküldve|címzett|másolatot kap|tárgy|dátum",  # Hungarian
    "de la|trimis|către|subiect|data",  # Romanian
    "от|отправлено|кому|копия|тема|дата|від|надіслано|тема",  # Russian, Ukrainian
    "kimden|gönderildi|kime|bilgi|konu|tarih",  # Turkish
    "από|στάλθηκε|προς|κοιν|θέμα",  # Greek
    "差出人|送信者|送信日時|宛先|件名|日付",  # Japanese
    "发件人|发送时间|收件人|抄送|主题|寄件者|寄件日期|收件者|副本|主旨",  # Chinese
    "보낸 사람|보낸 날짜|받는 사람|참조|제목|날짜",  # Korean
)
HEADER_LABELS = frozenset(label for labels in _LABELS for label in labels.split("|"))


def quote_header(lines: list[str]) -> int | None:
    """The index of the first line of the first quote header in `lines` (stripped lines)
    found by its structure (see above), or None."""
    found = [
        start
        for start in (_first_attribution(lines), _first_field_block(lines))
        if start is not None
    ]
    return min(found) if found else None


def _blank_or_rule(lines: list[str], index: int) -> bool:
    return index < 0 or not lines[index] or _is_rule(lines[index])


def _quote_follows(lines: list[str], index: int) -> bool:
    """A quoted block ("> ", "| ") starts at the first non-blank line after `index`."""
    for following in range(index + 1, len(lines)):
        if lines[following]:
            return lines[following].startswith(_QUOTE_MARKS)
    return False


def _first_attribution(lines: list[str]) -> int | None:
    last = max((i for i, line in enumerate(lines) if line), default=-1)
    for end, line in enumerate(lines[:last]):  # something must follow: the history
        if not line.endswith((":", "\uff1a", ">")):
            continue
        after = lines[end + 1]
        if after and not after.startswith(_QUOTE_MARKS):
            continue  # the header ends its paragraph
        if not any("@" in above for above in lines[max(0, end - ATTRIBUTION_WINDOW) : end + 1]):
            continue  # no address
        quoted = _quote_follows(lines, end)
        start = _attribution_start(lines, end, quoted=quoted)
        if start is not None and (quoted or _blank_or_rule(lines, start - 1)):
            return start
    return None


def _attribution_start(lines: list[str], end: int, *, quoted: bool) -> int | None:
    """The first line of the shortest attribution that ends at line `end`, or None. Its
    lines may be separated by single blank lines; a line starting with ">" may only be the
    end of a wrapped address ("> wrote:", ">:"), otherwise the line is quoted history."""
    window: list[str] = []
    start = end
    while start >= 0 and end - start < ATTRIBUTION_WINDOW:
        line = lines[start]
        if not line:
            if start == 0 or not lines[start - 1]:
                return None
        elif line.startswith(_QUOTE_MARKS):
            if not _WRAPPED_END.fullmatch(line):
                return None
            window.insert(0, line)
        else:
            window.insert(0, line)
            if _is_attribution(" ".join(window), quoted):
                return start
        start -= 1
    return None


def _is_attribution(text: str, quoted: bool) -> bool:
    if "@" not in text:
        return False
    last = None
    for last in _ADDRESS.finditer(text):  # noqa: B007 - the last address counts
        pass
    if last is None or not _DATE_OR_TIME.search(text, 0, last.start()):
        return False
    tail = _ATTRIBUTION_TAIL.fullmatch(text, last.end())
    if tail is None:
        return False
    return bool(tail.group(1)) or (quoted and not text[last.end() :].strip(" >"))


def _first_field_block(lines: list[str]) -> int | None:
    index = 0
    while index < len(lines):
        fields = _fields(lines, index) if _blank_or_rule(lines, index - 1) else []
        if len(fields) >= MIN_FIELDS and _is_header_block(fields):
            return index - 1 if index and lines[index - 1] else index
        index += max(len(fields), 1)
    return None


def _fields(lines: list[str], start: int) -> list[tuple[str, str]]:
    """The (label, value) fields of the run of "Label: value" lines at `start`; a line that
    starts with "<" or "[" (a wrapped address) continues the field above."""
    fields: list[tuple[str, str]] = []
    for line in lines[start:]:
        if fields and line.startswith(("<", "[mailto:")):
            label, value = fields[-1]
            fields[-1] = (label, f"{value} {line}")
            continue
        match = _FIELD.fullmatch(line)
        if match is None or len(match.group(1).split()) > 3:
            break
        fields.append((match.group(1).strip().lower(), match.group(2)))
    return fields


def _is_header_block(fields: list[tuple[str, str]]) -> bool:
    if not any(_TIME.search(value) and _DATE.search(value) for _, value in fields):
        return False  # Outlook's "Sent:" has a date and a time; "Time: 10:30" is a form's
    if "@" in fields[0][1]:
        return True
    return sum(label in HEADER_LABELS for label, _ in fields) >= MIN_FIELDS
