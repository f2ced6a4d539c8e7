"""The difference between two revisions of an article, as a unified diff (difflib) of the
title and body lines. Lines are returned as text with a kind for styling; the page escapes
them like any other text (an article's `<script>` shows as text in the diff)."""

import difflib
from dataclasses import dataclass

from deskside.kb.models import Revision


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "hunk", "file" or "same"
    text: str


def _lines(revision: Revision) -> list[str]:
    return [f"Title: {revision.title}", "", *revision.body.splitlines()]


def unified_diff(old: Revision, new: Revision, context: int = 3) -> list[DiffLine]:
    """The unified diff from `old` to `new` (empty when they are the same)."""
    out = []
    for line in difflib.unified_diff(
        _lines(old),
        _lines(new),
        fromfile=f"revision {old.number}",
        tofile=f"revision {new.number}",
        n=context,
        lineterm="",
    ):
        if line.startswith(("---", "+++")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        out.append(DiffLine(kind, line))
    return out
