"""Direct delivery: `deskside smtpd` receives mail by SMTP or LMTP (aiosmtpd) for sites that
pass mail from their own MTA (Postfix `transport`/`lmtp:`, Exim, a smarthost) instead of
letting Deskside poll a mailbox. Every message goes through the same pipeline as polled mail
(`deskside.mail.pipeline.receive`).

The receiver listens on loopback by default; it is meant to sit behind the site's MTA, which
does the spam filtering and the TLS towards the internet. The mailbox whose address is among
the recipients (`RCPT TO`) gives the defaults (organisation, team, priority, unknown-sender
rule); `--mailbox` names the one used when no recipient matches. The answer to `DATA` comes
after the message is stored and acted on (or held in quarantine): 250 means Deskside has it.
Each message is stored with an `Authentication-Results` line of ours on top (authserv-id
`DESKSIDE_MAIL_AUTHSERV_ID`): the SPF result for the connecting address, HELO and MAIL FROM,
which sender verification (`deskside.mail.senders`) reads then and on any reprocess; for a
connection from the site's own MTA (`DESKSIDE_SMTPD_RELAYS`, loopback by default) SPF is not
checked, and that MTA's own Authentication-Results is what counts.
When the database cannot be reached, or the message cannot be written to disk, the answer is
a temporary 451, and the MTA tries again
later, so nothing is lost. Under LMTP there is one answer per recipient, all the same (the
message is one ticket whoever it was addressed to).
"""

import asyncio
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from deskside.mail import senders
from deskside.mail.models import Mailbox, Source
from deskside.mail.pipeline import Policy, receive

log = logging.getLogger(__name__)


class Handler:
    """aiosmtpd's handler: hands each message to the pipeline in a worker thread (the ORM is
    synchronous) and answers when it is stored."""

    def __init__(self, *, mailbox: Mailbox | None = None, lmtp: bool = False) -> None:
        self.default = mailbox
        self.lmtp = lmtp
        # One thread: one database connection, reused; messages are taken one at a time.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deskside-smtpd")

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        peer = session.peer[0] if isinstance(session.peer, tuple) and session.peer else ""
        try:
            result = await loop.run_in_executor(
                self.executor,
                self.deliver,
                raw,
                envelope.mail_from or "",
                envelope.rcpt_tos,
                peer,
                session.host_name or "",
            )
        except (DatabaseError, OSError):
            log.exception("smtpd: cannot store the message now; asking the sender to retry")
            return self._answer(envelope, "451 4.3.0 Temporary failure, please try again later")
        log.info("smtpd: %s from %s: %s", result, envelope.mail_from, envelope.rcpt_tos)
        return self._answer(envelope, "250 2.0.0 OK: queued")

    def _answer(self, envelope: Any, line: str) -> str:
        if self.lmtp:  # LMTP answers DATA once per accepted recipient
            return "\r\n".join([line] * max(1, len(envelope.rcpt_tos)))
        return line

    def deliver(
        self, raw: bytes, mail_from: str, rcpt_tos: list[str], peer: str = "", helo: str = ""
    ) -> str:
        close_old_connections()
        # What only this session knew (the connecting address, HELO, MAIL FROM) is checked by
        # SPF now and kept on top of the original as our own Authentication-Results line.
        raw = senders.smtp_header(ip=peer, helo=helo, mail_from=mail_from) + raw
        addresses = [a.lower() for a in rcpt_tos]
        mailbox = Mailbox.objects.filter(address__in=addresses, is_active=True).first()
        mailbox = mailbox or self.default
        policy = Policy.of(mailbox) if mailbox else Policy()
        source = Source.LMTP if self.lmtp else Source.SMTP
        result = receive(raw, source=source, policy=policy, envelope_from=mail_from)
        return result.outcome

    def close(self) -> None:
        """Close the worker thread's database connection, then the thread."""
        self.executor.submit(connections.close_all).result()
        self.executor.shutdown()


class Receiver(Controller):
    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert=no_assert)
        self.handler.close()


class LMTPReceiver(Receiver):
    def factory(self) -> LMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def controller(
    host: str = "127.0.0.1",
    port: int = 2525,
    *,
    lmtp: bool = False,
    mailbox: Mailbox | None = None,
) -> Receiver:
    """A started-on-demand receiver (`.start()`, `.stop()`): what `serve` runs, and what the
    tests run in a thread."""
    kind = LMTPReceiver if lmtp else Receiver
    return kind(
        Handler(mailbox=mailbox, lmtp=lmtp),
        hostname=host,
        port=port,
        data_size_limit=settings.DESKSIDE_MAX_MESSAGE_BYTES,
        decode_data=False,
        server_hostname=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "deskside",
    )


def serve(host: str, port: int, *, lmtp: bool = False, mailbox: Mailbox | None = None) -> None:
    """Run the receiver until SIGTERM or SIGINT."""
    receiver = controller(host, port, lmtp=lmtp, mailbox=mailbox)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    receiver.start()
    kind = "LMTP" if lmtp else "SMTP"
    print(f"Deskside {kind} receiver on {host}:{port}; stop with Ctrl+C.", flush=True)
    try:
        stop.wait()
    finally:
        receiver.stop()
