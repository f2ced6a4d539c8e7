"""Polling IMAP mailboxes (IMAPClient): every message found goes through the same pipeline as
delivered and imported mail (`deskside.mail.pipeline.receive`).

`poll(mailbox)` connects as the mailbox says (IMAP over TLS on 993; STARTTLS on 143, refusing
a server that does not offer it; plain IMAP on 143, for local servers only), logs in, opens the
mailbox's folder and takes the messages not taken yet, oldest first, at most `limit` a poll:

- "flag" mailboxes: the unseen messages; a taken message is marked seen and left there (so a
  message someone reads in a mail client before the poll is never taken: this mode is for a
  mailbox only Deskside reads);
- "move" mailboxes: every message in the folder; a taken message is moved to the processed
  folder (created when missing) by MOVE, or where the server has no MOVE by COPY, \\Deleted
  and EXPUNGE (of that message alone when the server has UIDPLUS);
- "delete" mailboxes: every message in the folder; a taken message is deleted and expunged.
Messages already marked \\Deleted are on their way out and are left alone.

Messages are fetched with `BODY.PEEK[]`, which does not mark them seen, and a message is
marked, moved or deleted only after `receive` has it: stored and acted on, or held in
quarantine (a message that cannot be handled is still taken; admins see it in the quarantine
page). A crash between the two leaves the message where it was, and the next poll fetches it
again: harmless, since `receive` recognises a message it has seen (by Message-ID, or by the
SHA-256 of a message without one) and only the marking happens again. When the database cannot
be reached, `receive` raises: the poll stops there, that message is left untaken, and the
error goes up to the caller after logging out (so does any other error `receive` should never
raise, such as a full disk; that one is also kept in `last_error`).

A connection, login or server error ends the poll and is kept, on one line and without the
password, in the mailbox's `last_error`, which a successful poll clears; `last_polled_at` is
set either way. `poll_due()` (run by the worker) polls each active mailbox whose interval has
passed, and claims it first with a conditional UPDATE, so that two workers never poll one
mailbox at once; one mailbox's failure never stops the others. `check(mailbox)` only connects,
logs in and opens the folder (the "test connection" button).

The connection goes only to an address `deskside.core.netguard` checked after resolving the
host: an internal one (loopback, private, link-local ...) fails the poll or the test with
"points at an internal address", unless `DESKSIDE_OUTBOUND_ALLOW` permits it.

Certificates are verified against the system's trust store (`ssl.create_default_context()`),
host name included. `DESKSIDE_IMAP_INSECURE_TLS=1` in the environment turns verification off,
for the tests and for a local server with a self-signed certificate; never for a server
reached over a network.
"""

import contextlib
import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError
from imapclient import DELETED, SEEN, IMAPClient

from deskside.core import clock, netguard
from deskside.core.env import env_bool
from deskside.mail.models import Mailbox, Outcome, Source
from deskside.mail.pipeline import DUPLICATE, Policy, receive

log = logging.getLogger(__name__)

INSECURE_TLS_ENV = "DESKSIDE_IMAP_INSECURE_TLS"
TIMEOUT_SECONDS = 30
BATCH = 25
DEFAULT_PORTS = {
    Mailbox.Protocol.IMAPS: 993,
    Mailbox.Protocol.STARTTLS: 143,
    Mailbox.Protocol.IMAP: 143,
}
MAX_ERROR = 500
_BYTES_REPR = re.compile(r"""\bb(['"])(.*?)\1""")


@dataclass
class PollResult:
    """What one poll did. `created` counts follow-up tickets too; `automatic` counts our own
    mail coming back too. `error`: why the poll stopped early, "" when it did not."""

    fetched: int = 0
    created: int = 0
    appended: int = 0
    duplicates: int = 0
    automatic: int = 0
    quarantined: int = 0
    error: str = ""

    def count(self, outcome: str) -> None:
        if outcome in (Outcome.CREATED, Outcome.FOLLOW_UP):
            self.created += 1
        elif outcome == Outcome.APPENDED:
            self.appended += 1
        elif outcome == DUPLICATE:
            self.duplicates += 1
        elif outcome in (Outcome.AUTO_REPLY, Outcome.OWN_MAIL):
            self.automatic += 1
        else:
            self.quarantined += 1

    def line(self) -> str:
        text = (
            f"{self.fetched} fetched: {self.created} new, {self.appended} appended, "
            f"{self.duplicates} duplicates, {self.automatic} automatic, "
            f"{self.quarantined} quarantined"
        )
        return f"{text}; {self.error}" if self.error else text


class _Failed(Exception):
    """An IMAP step failed; the message says which and why, on one line, safe to show."""


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if env_bool(INSECURE_TLS_ENV):  # settings.py parsed it at start: a typo stops the start
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _describe(exc: BaseException, secret: str = "") -> str:
    """An exception as one line for people: no bytes reprs, no line breaks, no password."""
    if isinstance(exc, TimeoutError):
        text = f"no answer within {TIMEOUT_SECONDS} seconds"
    elif isinstance(exc, ssl.SSLCertVerificationError):
        text = f"certificate not trusted: {exc.verify_message or exc}"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(_BYTES_REPR.sub(r"\2", text).split())
    if secret:
        text = text.replace(secret, "***")
    return text[:MAX_ERROR]


@contextlib.contextmanager
def _step(what: str, secret: str = "") -> Iterator[None]:
    try:
        yield
    except (OSError, imaplib.IMAP4.error) as exc:  # sockets, TLS, timeouts; IMAP NO/BAD/BYE
        raise _Failed(f"{what}: {_describe(exc, secret)}") from exc


def _open(mailbox: Mailbox) -> IMAPClient:
    """Connect, log in and select the folder; raises _Failed."""
    if not mailbox.host:
        raise _Failed("no server host is set")
    try:
        password = mailbox.password()
    except ValueError as exc:
        raise _Failed(f"no password: {exc}") from exc
    protocol = mailbox.protocol
    port = mailbox.port or DEFAULT_PORTS[protocol]
    context = tls_context()
    if context.verify_mode == ssl.CERT_NONE and protocol != Mailbox.Protocol.IMAP:
        log.warning("imap %s: certificate not verified (%s is set)", mailbox, INSECURE_TLS_ENV)
    # Only to an address the guard checked (deskside.core.netguard): a host that resolves to
    # an internal address now is refused, unless DESKSIDE_OUTBOUND_ALLOW permits it.
    with _step(f"connecting to {mailbox.host}:{port}", password), netguard.guarded():
        client = IMAPClient(
            mailbox.host,
            port=port,
            ssl=protocol == Mailbox.Protocol.IMAPS,
            ssl_context=context if protocol == Mailbox.Protocol.IMAPS else None,
            timeout=TIMEOUT_SECONDS,
        )
    try:
        if protocol == Mailbox.Protocol.STARTTLS:
            with _step(f"STARTTLS with {mailbox.host}:{port}", password):
                client.starttls(context)
        with _step(f"logging in as {mailbox.username}", password):
            client.login(mailbox.username, password)
        with _step(f"opening the folder {mailbox.folder}", password):
            client.select_folder(mailbox.folder)
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # a connection already broken: just drop it
        with contextlib.suppress(Exception):
            client.shutdown()


def _pending(client: IMAPClient, mailbox: Mailbox, limit: int) -> list[int]:
    """The UIDs of the messages not taken yet, oldest first."""
    criteria = ["NOT", "DELETED"]
    if mailbox.after_import == Mailbox.AfterImport.FLAG:
        criteria = ["UNSEEN", *criteria]
    with _step(f"searching the folder {mailbox.folder}"):
        return sorted(client.search(criteria))[:limit]


def _prepare(client: IMAPClient, mailbox: Mailbox) -> None:
    """Make sure the processed folder exists, for a mailbox that moves what it took."""
    if mailbox.after_import != Mailbox.AfterImport.MOVE:
        return
    folder = mailbox.processed_folder
    if folder == mailbox.folder:
        raise _Failed(f"the processed folder is the folder polled ({folder}): choose another")
    with _step(f"creating the processed folder {folder}"):
        if not client.folder_exists(folder):
            try:
                client.create_folder(folder)
            except imaplib.IMAP4.error:
                if not client.folder_exists(folder):  # else made meanwhile by someone else
                    raise


def _expunge(client: IMAPClient, uid: int) -> None:
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:  # expunges every \Deleted message of the folder: what the user flagged goes too
        client.expunge()


def _mark_taken(client: IMAPClient, mailbox: Mailbox, uid: int) -> None:
    after = mailbox.after_import
    with _step(f"marking message {uid} ({after})"):
        if after == Mailbox.AfterImport.MOVE:
            if client.has_capability("MOVE"):
                client.move([uid], mailbox.processed_folder)
            else:
                client.copy([uid], mailbox.processed_folder)
                client.add_flags([uid], [DELETED], silent=True)
                _expunge(client, uid)
        elif after == Mailbox.AfterImport.DELETE:
            client.add_flags([uid], [DELETED], silent=True)
            _expunge(client, uid)
        else:
            client.add_flags([uid], [SEEN], silent=True)


def _take(client: IMAPClient, mailbox: Mailbox, result: PollResult, limit: int) -> None:
    uids = _pending(client, mailbox, limit)
    if not uids:
        return
    _prepare(client, mailbox)
    policy = Policy.of(mailbox)
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        with _step(f"fetching from {mailbox.folder}"):
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
        for uid in batch:
            raw = fetched.get(uid, {}).get(b"BODY[]")
            if raw is None:  # expunged meanwhile by another client, or an empty answer
                log.warning("imap %s: message %s came without a body; left alone", mailbox, uid)
                continue
            result.fetched += 1
            # Raises only when the database cannot be reached: the message is not marked.
            outcome = receive(bytes(raw), source=Source.IMAP, policy=policy).outcome
            result.count(outcome)
            _mark_taken(client, mailbox, uid)


def _record(mailbox: Mailbox, error: str) -> None:
    mailbox.last_polled_at = clock.now()
    mailbox.last_error = error
    mailbox.save(update_fields=["last_polled_at", "last_error"])


def poll(mailbox: Mailbox, *, limit: int = 200) -> PollResult:
    """Take the new messages of one mailbox (see the module docstring). Does not raise for
    the mail server's errors (they are in the result and in `mailbox.last_error`); raises
    when the database cannot be reached."""
    result = PollResult()
    if not mailbox.polls:
        return result
    client = None
    try:
        client = _open(mailbox)
        _take(client, mailbox, result, limit)
    except _Failed as exc:
        result.error = str(exc)
    except Exception as exc:  # from receive: the database (or a full disk ...)
        if not isinstance(exc, DatabaseError):
            with contextlib.suppress(DatabaseError):
                _record(mailbox, f"stopped by an error: {_describe(exc)}")
        raise
    finally:
        if client is not None:
            _close(client)
    _record(mailbox, result.error)
    if result.error:
        log.warning("imap %s: %s", mailbox, result.line())
    elif result.fetched:
        log.info("imap %s: %s", mailbox, result.line())
    return result


def _due(mailbox: Mailbox, now: datetime) -> bool:
    last = mailbox.last_polled_at
    return last is None or now - last >= timedelta(seconds=mailbox.poll_seconds)


def _claim(mailbox: Mailbox, now: datetime) -> bool:
    """Set last_polled_at if no other worker changed it since we read it: the one that
    succeeds polls the mailbox."""
    rows = Mailbox.objects.filter(pk=mailbox.pk)
    if mailbox.last_polled_at is None:
        rows = rows.filter(last_polled_at__isnull=True)
    else:
        rows = rows.filter(last_polled_at=mailbox.last_polled_at)
    return rows.update(last_polled_at=now) == 1


def poll_due(now: datetime | None = None) -> list[tuple[Mailbox, PollResult]]:
    """Poll every active IMAP mailbox whose `poll_seconds` have passed since its last poll."""
    now = now or clock.now()
    polled: list[tuple[Mailbox, PollResult]] = []
    mailboxes = Mailbox.objects.filter(is_active=True).exclude(protocol=Mailbox.Protocol.DELIVERY)
    for mailbox in mailboxes.order_by("pk"):
        if not _due(mailbox, now) or not _claim(mailbox, now):
            continue
        try:
            result = poll(mailbox)
        except Exception as exc:  # the database, most likely; the next mailbox may fare better
            log.exception("imap %s: poll failed", mailbox)
            result = PollResult(error=_describe(exc))
        polled.append((mailbox, result))
    return polled


def check(mailbox: Mailbox) -> str:
    """Connect, log in and open the folder, then log out: "" when all went well, else the
    error. Changes nothing, on the server or in the mailbox's row."""
    if not mailbox.polls:
        return "this mailbox is not polled: its mail is delivered by deskside smtpd"
    try:
        client = _open(mailbox)
    except _Failed as exc:
        return str(exc)
    _close(client)
    return ""


__all__ = ["INSECURE_TLS_ENV", "PollResult", "check", "poll", "poll_due"]
