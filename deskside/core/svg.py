"""The one policy for SVG charts drawn on the server (pygal, rendered with `js=[]`): what the
document may not carry when a page shows it in an <img> or a PDF embeds it."""

import re

_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_EXTERNAL = re.compile(r"""\s(?:xlink:)?href=["']https?://[^"']*["']""", re.IGNORECASE)


def sanitise(svg: str) -> str:
    """`svg` without <script> elements, comments (pygal's credits) and links to other sites."""
    return _EXTERNAL.sub("", _COMMENT.sub("", _SCRIPT.sub("", svg)))
