"""Article bodies from Markdown to safe HTML: markdown-it-py (CommonMark and tables) renders,
nh3 (the Rust `ammonia` sanitiser) keeps only an allow-list of tags and attributes. Raw HTML in
the Markdown is escaped by the renderer already (`html` is off); nh3 is the second wall: no
script or style, no `on*` event handlers, and links only to http, https and mailto (no
`javascript:` or `data:`), with `rel="noopener noreferrer nofollow"` added.

`render_markdown(text)` is the one function every page (and the problems app, for a known
error's workaround) calls to show an article's body.
"""

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "del", "s",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """`text` (Markdown) as sanitised HTML, safe to put in a page as it is."""
    html = _MARKDOWN.render(text or "")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`#|~]+|^\s*(?:>+|[-+]|\d+\.)\s*|-{3,}", re.MULTILINE)


def plain_text(text: str, limit: int = 4000) -> str:
    """The words of the first `limit` characters of a Markdown body without its markup, for
    snippets: links keep their text, emphasis, headings, code marks, tables and list markers
    go. Plain text, not HTML: the page escapes it as any text. (A regular expression, not a
    render: a suggestion shows five snippets per key stroke.)"""
    words = _MARKUP.sub(" ", _LINK.sub(r"\1", (text or "")[:limit]))
    return " ".join(words.split())
