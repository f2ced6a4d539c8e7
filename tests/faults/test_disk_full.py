"""A full disk during mail intake and file uploads: nothing acknowledged is lost, and no partial
file remains.

Each test runs twice, on two full disks:

- `patched`: `os.write` on files under MEDIA_ROOT writes up to a byte budget, then part of a
  buffer, then raises OSError(ENOSPC), as a disk that fills in the middle of a file does;
- `tmpfs`: MEDIA_ROOT is a real small tmpfs, filled with a ballast file to leave a given room
  (needs `mount`; skipped with the reason where this process may not mount).

After each failure: the sender is told to try again (smtpd 451, an OSError for IMAP and the
importer, 507 from the API and the pages), no row of the message, ticket, event or file was
written, and every file under MEDIA_ROOT is whole (`assert_nothing_partial`). After room is
made, the same message or upload succeeds and its bytes are stored whole.
"""

import errno
import hashlib
import os
import shutil
import smtplib
import socket
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from deskside.mail import importer, smtpd
from deskside.mail.models import InboundMessage, Mailbox, Outcome
from deskside.mail.pipeline import Policy, receive
from deskside.tickets.models import Attachment, EventKind, Ticket, TicketEvent
from tests.conftest import client_for
from tests.mailauth import mark_verified

BALLAST = ".ballast"


class PatchedDisk:
    """A disk with `room` bytes left: writes past it fail part-way with ENOSPC."""

    def __init__(self, media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.media = str(media)
        self.room: int | None = None
        real_write = os.write

        def write(fd: int, data: bytes) -> int:
            if self.room is None or not self._under_media(fd):
                return real_write(fd, data)
            if self.room <= 0 and len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written = real_write(fd, memoryview(data)[: self.room])
            self.room -= written
            return written

        monkeypatch.setattr(os, "write", write)

    def _under_media(self, fd: int) -> bool:
        try:
            return os.readlink(f"/proc/self/fd/{fd}").startswith(self.media + os.sep)
        except OSError:
            return False

    def leave(self, room: int) -> None:
        self.room = room

    def free(self) -> None:
        self.room = None

    def close(self) -> None:
        pass


class Tmpfs:
    """A real tmpfs at `media`; `leave(room)` fills it with a ballast file up to `room` bytes
    (to the page: tmpfs allocates in pages)."""

    SIZE = 8 * 2**20

    def __init__(self, media: Path) -> None:
        self.media = media
        done = subprocess.run(  # noqa: S603 - fixed program and arguments
            ["mount", "-t", "tmpfs", "-o", f"size={self.SIZE}", "tmpfs", str(media)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")

    def leave(self, room: int) -> None:
        self.free()
        stats = os.statvfs(self.media)
        ballast = stats.f_bavail * stats.f_frsize - room
        with open(self.media / BALLAST, "wb") as fh:
            fh.write(b"\0" * max(ballast, 0))

    def free(self) -> None:
        (self.media / BALLAST).unlink(missing_ok=True)

    def close(self) -> None:
        subprocess.run(["umount", "--lazy", str(self.media)], check=False)  # noqa: S603,S607


@pytest.fixture(params=["patched", "tmpfs"])
def disk(request, settings, tmp_path, monkeypatch):
    if request.param == "tmpfs" and shutil.which("mount") is None:
        pytest.skip("no mount program here to make a tmpfs")
    if request.param == "patched" and not Path("/proc/self/fd").is_dir():
        pytest.skip("the patched disk finds its files through /proc/self/fd (Linux)")
    media = tmp_path / "media"
    media.mkdir()
    full = Tmpfs(media) if request.param == "tmpfs" else PatchedDisk(media, monkeypatch)
    settings.MEDIA_ROOT = media
    yield full
    full.close()


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file() and p.name != BALLAST)


def assert_nothing_partial(media: Path) -> None:
    """Every file under MEDIA_ROOT is whole: a mail original is named by its own SHA-256; an
    attachment has a row with its size and path; nothing else is there (no temporary file)."""
    for path in stored_files(media):
        name = path.relative_to(media).as_posix()
        if name.startswith("mail/"):
            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem, name
        else:
            attachment = Attachment.objects.filter(file=name).first()
            assert attachment is not None, f"{name}: a file that no row refers to"
            assert path.stat().st_size == attachment.size, name


def assert_original_whole(message: InboundMessage, media: Path) -> None:
    data = (media / message.raw.name).read_bytes()
    assert len(data) == message.size
    assert hashlib.sha256(data).hexdigest() == message.digest


def mail(*, message_id: str, body: str = "The printer jams.\n", files: dict | None = None):
    msg = EmailMessage()
    msg["From"] = "carol@acme.example"
    msg["To"] = "help@msp.example"
    msg["Subject"] = "Printer jams"
    msg["Message-ID"] = message_id
    msg.set_content(body)
    for name, data in (files or {}).items():
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return mark_verified(msg)


# -- mail intake -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def receiver(acme):
    Mailbox.objects.create(
        name="Help",
        address="help@msp.example",
        protocol=Mailbox.Protocol.DELIVERY,
        organization=acme,
        unknown_senders=Mailbox.UnknownSenders.CREATE,
    )
    server = smtpd.controller("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


def deliver(server, message: EmailMessage) -> None:
    with smtplib.SMTP(server.hostname, server.port, timeout=30) as client:
        client.send_message(message)


@pytest.mark.django_db(transaction=True)
def test_smtp_full_disk_answers_451_keeps_nothing_and_the_retry_is_stored_whole(
    disk, receiver, carol, settings
):
    media = Path(settings.MEDIA_ROOT)
    message = mail(message_id="<full@acme.example>", body="x" * 40_000 + "\n")
    disk.leave(4096)

    with pytest.raises(smtplib.SMTPDataError) as refused:
        deliver(receiver, message)
    assert refused.value.smtp_code == 451
    assert not InboundMessage.objects.exists()
    assert not Ticket.objects.exists()
    assert stored_files(media) == []  # not even a 0-byte original that would count as stored

    disk.free()
    deliver(receiver, message)  # the MTA's retry: 250

    stored = InboundMessage.objects.get()
    assert stored.outcome == Outcome.CREATED
    assert_original_whole(stored, media)
    assert stored.ticket.description.startswith("x" * 100)
    assert_nothing_partial(media)


@pytest.mark.django_db
def test_an_attachment_that_does_not_fit_leaves_no_ticket_and_no_file(disk, carol, acme, settings):
    media = Path(settings.MEDIA_ROOT)
    policy = Policy(organization=acme, unknown_senders="create")
    scan = os.urandom(400_000)
    raw = mail(message_id="<scan@acme.example>", files={"scan.bin": scan}).as_bytes()
    disk.leave(len(raw) + 16 * 4096)  # the original fits; the attachment stops half-way

    with pytest.raises(OSError) as refused:  # smtpd answers 451; IMAP leaves it unread
        receive(raw, source="smtp", policy=policy)
    assert refused.value.errno == errno.ENOSPC
    assert not InboundMessage.objects.exists()
    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()
    assert not Attachment.objects.exists()
    assert [p.relative_to(media).parts[0] for p in stored_files(media)] == ["mail"]
    assert_nothing_partial(media)  # the original, whole; no piece of the attachment

    disk.free()
    result = receive(raw, source="smtp", policy=policy)

    assert result.outcome == Outcome.CREATED
    assert_original_whole(result.message, media)
    attachment = result.ticket.attachments.get()
    assert (media / attachment.file.name).read_bytes() == scan
    assert_nothing_partial(media)


@pytest.mark.django_db
def test_an_import_stopped_by_a_full_disk_keeps_no_row_and_no_attachment(
    disk, carol, acme, settings, tmp_path
):
    media = Path(settings.MEDIA_ROOT)
    folder = tmp_path / "export"
    folder.mkdir()
    small, big = os.urandom(20_000), os.urandom(400_000)
    first = mail(message_id="<one@acme.example>", files={"a.bin": small}).as_bytes()
    second = mail(message_id="<two@acme.example>", files={"b.bin": big}).as_bytes()
    (folder / "1.eml").write_bytes(first)
    (folder / "2.eml").write_bytes(second)
    policy = Policy(organization=acme, unknown_senders="create", notify=False)
    disk.leave(len(first) + len(small) + len(second) + 16 * 4096)  # b.bin does not fit

    with pytest.raises(OSError):  # the command prints it and can be run again
        importer.run([str(folder)], policy=policy, progress=False)

    assert not InboundMessage.objects.exists() and not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert {p.relative_to(media).parts[0] for p in stored_files(media)} == {"mail"}
    assert_nothing_partial(media)  # a.bin went with its rolled-back batch

    disk.free()
    summary = importer.run([str(folder)], policy=policy, progress=False)

    assert summary.counts[Outcome.CREATED] == 2
    stored = {a.filename: (media / a.file.name).read_bytes() for a in Attachment.objects.all()}
    assert stored == {"a.bin": small, "b.bin": big}
    assert_nothing_partial(media)


@pytest.mark.django_db
def test_api_inbound_on_a_full_disk_is_507_naming_the_body(disk, admin, carol, acme, settings):
    Mailbox.objects.create(
        name="Help", address="help@msp.example", organization=acme, unknown_senders="create"
    )
    raw = mail(message_id="<api@acme.example>").as_bytes()
    client = client_for(admin)
    disk.leave(100)

    answer = Client.post(
        client, "/api/v1/mail/inbound?mailbox=Help", raw, content_type="message/rfc822"
    )

    assert answer.status_code == 507
    assert answer["Retry-After"]  # nothing was kept: send it again later
    assert answer.json()["field"] == "body"
    assert "disk is full" in answer.json()["detail"]
    assert not InboundMessage.objects.exists()
    assert stored_files(Path(settings.MEDIA_ROOT)) == []

    disk.free()
    again = Client.post(
        client, "/api/v1/mail/inbound?mailbox=Help", raw, content_type="message/rfc822"
    )
    assert again.status_code == 200 and again.json()["outcome"] == "created"
    assert_original_whole(InboundMessage.objects.get(), Path(settings.MEDIA_ROOT))


# -- uploads -----------------------------------------------------------------------------------


def uploads(*sizes: int) -> tuple[list[SimpleUploadedFile], list[bytes]]:
    contents = [os.urandom(size) for size in sizes]
    files = [SimpleUploadedFile(f"photo-{i}.jpg", data) for i, data in enumerate(contents)]
    return files, contents


@pytest.mark.django_db
def test_portal_request_on_a_full_disk_is_a_clear_error_and_writes_nothing(disk, carol, settings):
    media = Path(settings.MEDIA_ROOT)
    browser = Client()
    browser.force_login(carol)
    form = {"subject": "Laptop screen cracked", "type": "incident", "priority": "3"}
    form["request_key"] = "k-full-disk"
    files, contents = uploads(200_000, 600_000)
    disk.leave(400_000)  # the first file fits, the second stops part-way

    page = browser.post("/portal/new/", {**form, "attachments": files})

    assert page.status_code == 422
    assert "disk is full" in page.content.decode()
    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []  # the first file went with the rolled-back ticket

    disk.free()
    files = [SimpleUploadedFile(f"photo-{i}.jpg", data) for i, data in enumerate(contents)]
    page = browser.post("/portal/new/", {**form, "attachments": files})

    assert page.status_code == 302
    ticket = Ticket.objects.get()
    stored = [(media / a.file.name).read_bytes() for a in ticket.attachments.order_by("filename")]
    assert stored == contents
    assert_nothing_partial(media)


@pytest.mark.django_db
def test_portal_attach_on_a_full_disk_answers_507(disk, carol, acme_ticket, settings):
    browser = Client()
    browser.force_login(carol)
    files, _ = uploads(300_000)
    disk.leave(100_000)

    page = browser.post(f"/portal/{acme_ticket.number}/attach/", {"attachments": files})

    assert page.status_code == 507
    assert "disk is full" in page.content.decode()
    assert not acme_ticket.events.filter(kind=EventKind.ATTACHMENT).exists()
    assert not Attachment.objects.exists()
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


@pytest.mark.django_db
def test_agent_reply_with_a_file_on_a_full_disk_writes_no_reply(disk, alice, acme_ticket, settings):
    browser = Client()
    browser.force_login(alice)
    files, _ = uploads(300_000)
    disk.leave(50_000)

    page = browser.post(
        f"/tickets/{acme_ticket.number}/reply/", {"body": "Try this driver.", "attachments": files}
    )

    assert page.status_code == 422
    assert "disk is full" in page.content.decode()
    assert not acme_ticket.events.filter(kind=EventKind.REPLY).exists()
    assert not Attachment.objects.exists()
    assert stored_files(Path(settings.MEDIA_ROOT)) == []
