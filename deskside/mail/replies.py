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

Three steps the parser leaves to its caller:

- A trailing block of "> " lines is quoted history even under a quote header the parser does
  not know (Portuguese, Russian, a header wrapped over lines): it goes, and when the parser
  found no header, so does the paragraph of at most three lines above it if it ends with a
  colon (its "... wrote:").
- A separator line left at the end ("________", "-----Ursprüngliche Nachricht-----") goes.
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
    text = "\n".join(seen[:count])
    header = _PATTERNS["_header_regex"].search(text)
    if header:
        end = text.find("\n", header.end())
        text = text[:end] if end >= 0 else text
    elif count < len(seen):
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
    kept = _trim_tail([lines[origin[i]] for i in kept], attribution=header is None)
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
        if not last or _is_rule(last):
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
