"""`deskside mail import PATH...`: bring old mail in (a migration from another desk, an
exported mailbox) through the same pipeline as live mail, without answering anyone.

Each PATH is a message file (`.eml`, or any file that starts like a message), an mbox file
(its first line starts with `From `), a Maildir folder (with `cur/` and `new/`), or a plain
folder, searched recursively for those (files named `.eml`, `.box`, `.mbox`, `.msg`, or
without an extension, that start with a header line; other files, such as notes or JSON,
are passed over). Messages already received are counted as duplicates, so an import can be
run again after an interruption.

The import answers nobody (no acknowledgements) and applies no rate limit: it is history.
"""

import itertools
import mailbox
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from deskside.core.files import removed_on_error
from deskside.mail.models import Outcome, Source
from deskside.mail.pipeline import Policy, receive

BATCH = 100  # messages per transaction
MESSAGE_SUFFIXES = {".eml", ".box", ".mbox", ".msg", ""}
_HEADER_START = re.compile(rb"^(From |[!-9;-~]+:)")


@dataclass
class Item:
    label: str  # where the message came from, for error messages
    raw: bytes | None  # None when it could not be read
    envelope_from: str = ""
    error: str = ""


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Messages that could not be read, or whose handling failed with an error (held in
        quarantine with the error). Quarantine by a rule (unknown sender) is no failure."""
        return len(self.errors)

    def line(self) -> str:
        c = self.counts
        return (
            f"{sum(c.values())} messages: {c[Outcome.CREATED]} created, "
            f"{c[Outcome.APPENDED]} appended, {c[Outcome.FOLLOW_UP]} follow-ups, "
            f"{c[Outcome.AUTO_REPLY]} automatic, {c[Outcome.OWN_MAIL]} our own, "
            f"{c['duplicate']} duplicates, {c[Outcome.QUARANTINED]} quarantined, "
            f"{self.failed} failed"
        )


def _looks_like_message(path: Path) -> bool:
    if path.suffix.lower() not in MESSAGE_SUFFIXES:
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(200).lstrip(b"\r\n")
    except OSError:
        return True  # reported when it is read
    return bool(_HEADER_START.match(head))


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"From "
    except OSError:
        return False


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _envelope(from_line: bytes) -> str:
    """The sender address of an mbox "From " line ("From addr date")."""
    parts = from_line.decode("ascii", "replace").split()
    return parts[1] if len(parts) > 1 and parts[0] == "From" else ""


def expand(paths: list[str]) -> list[tuple[str, Path]]:
    """The sources to read, as ("file" | "mbox" | "maildir", path), in a stable order."""
    sources: list[tuple[str, Path]] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            if _is_maildir(path):
                sources.append(("maildir", path))
                continue
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(_is_maildir(parent) for parent in found.parents if parent != path):
                    continue
                if _looks_like_message(found):
                    sources.append(("mbox" if _is_mbox(found) else "file", found))
            maildirs = sorted(p for p in path.rglob("*") if p.is_dir() and _is_maildir(p))
            sources.extend(("maildir", found) for found in maildirs)
        elif path.exists():
            sources.append(("mbox" if _is_mbox(path) else "file", path))
        else:
            sources.append(("missing", path))
    return sources


def count(sources: list[tuple[str, Path]]) -> int:
    total = 0
    for kind, path in sources:
        try:
            if kind == "mbox":
                total += len(mailbox.mbox(path, create=False))
            elif kind == "maildir":
                total += len(mailbox.Maildir(path, factory=None, create=False))
            else:
                total += 1
        except OSError:
            total += 1
    return total


def read(sources: list[tuple[str, Path]]) -> Iterator[Item]:
    for kind, path in sources:
        if kind == "missing":
            yield Item(str(path), None, error=f"{path}: no such file or folder")
            continue
        try:
            if kind == "file":
                yield Item(str(path), path.read_bytes())
            elif kind == "mbox":
                box = mailbox.mbox(path, create=False)
                for key in box.iterkeys():
                    from_line, _, raw = box.get_bytes(key, from_=True).partition(b"\n")
                    yield Item(f"{path}#{key}", raw, _envelope(from_line))
            else:
                box = mailbox.Maildir(path, factory=None, create=False)
                for key in box.iterkeys():
                    yield Item(f"{path}/{key}", box.get_bytes(key))
        except OSError as exc:
            yield Item(str(path), None, error=f"{path}: {exc.strerror or exc}")


def run(paths: list[str], *, policy: Policy, progress: bool = True) -> Summary:
    """Import every message under `paths` (see the module docstring)."""
    from tqdm import tqdm  # noqa: PLC0415 - only the command line shows a bar

    sources = expand(paths)
    summary = Summary()
    items = read(sources)
    with tqdm(total=count(sources), unit="msg", disable=not progress, leave=False) as bar:
        while batch := list(itertools.islice(items, BATCH)):
            # One transaction per batch, each message in its own savepoint (receive's atomic
            # block nests): a failing message rolls back alone, and the database writes its
            # pages once per batch instead of once per message.
            with removed_on_error(), transaction.atomic():  # (a rollback takes its files)
                for item in batch:
                    _take(item, policy, summary)
            bar.update(len(batch))
    return summary


def _take(item: Item, policy: Policy, summary: Summary) -> None:
    if item.raw is None:
        summary.errors.append(item.error)
        return
    result = receive(
        item.raw, source=Source.IMPORT, policy=policy, envelope_from=item.envelope_from
    )
    summary.counts[result.outcome] += 1
    if result.failed and result.message is not None and result.message.reason == "error":
        summary.errors.append(f"{item.label}: {result.message.detail.splitlines()[-1]}")
