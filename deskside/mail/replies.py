"""Interim: replaced by the reply-stripping helper's version."""

from mailparser_reply import EmailReplyParser

_PARSER = EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl"])


def strip_reply(text: str) -> str:
    text = text.replace("\r\n", "\n")
    try:
        replies = _PARSER.read(text).replies
        new = replies[0].body.strip() if replies else ""
    except Exception:
        new = ""
    return new or text.strip()
