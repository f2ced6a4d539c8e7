"""A real IMAP server for the tests: Debian's Dovecot, started per test in a temporary directory.

`dovecot` (a pytest fixture; import `dovecot_server` into a test module to use it) runs
`/usr/sbin/dovecot -F` as the current user with its own configuration, a self-signed
certificate made with `cryptography`, one passwd-file user and maildir storage, all in the
test's tmp directory, listening on 127.0.0.1 on two free high ports: plain IMAP (with STARTTLS)
and IMAPS. Nothing of the system's Dovecot (its configuration, sockets, service) is used, so a
system server that the package may have started does not matter.

Dovecot is installed by scripts/test (`apt-get install dovecot-imapd`). Without it the fixture
fails rather than skips: CI installs it, and a skipped IMAP suite would pass unnoticed.
"""

import contextlib
import datetime
import grp
import imaplib
import ipaddress
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = "/usr/sbin/dovecot"
HOST = "127.0.0.1"
USER = "deskside@example.test"
PASSWORD = "imap-test-pass-42"
START_SECONDS = 10
START_ATTEMPTS = 3

_FLAGS = re.compile(rb"UID (\d+) FLAGS \(([^)]*)\)|FLAGS \(([^)]*)\) UID (\d+)")


@dataclass
class Dovecot:
    host: str
    imap_port: int
    imaps_port: int
    user: str
    password: str
    log: Path

    def _connect(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.imap_port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message into a folder (unseen), as a mail server would."""
        client = self._connect()
        try:
            typ, data = client.append(folder, "", None, raw)
            assert typ == "OK", data
        finally:
            client.logout()

    def list_folder(self, folder: str = "INBOX") -> list[tuple[int, set[str]]]:
        """The messages of a folder, in UID order: (uid, flags). A missing folder is empty."""
        client = self._connect()
        try:
            typ, data = client.select(_quote(folder), readonly=True)
            if typ != "OK":
                return []
            typ, data = client.uid("FETCH", "1:*", "(UID FLAGS)")
            assert typ == "OK", data
            rows = []
            for line in data:
                if not isinstance(line, bytes):
                    continue
                match = _FLAGS.search(line)
                if match is None:
                    continue
                uid = match.group(1) or match.group(4)
                flags = match.group(2) if match.group(1) else match.group(3)
                rows.append((int(uid), set(flags.decode().split())))
            return sorted(rows)
        finally:
            client.logout()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass(frozen=True)
class _Identities:
    """Who Dovecot's processes run as. As root: the users the Debian package made for its
    internal and login processes (login processes refuse to run as root) and `nobody` for the
    mail (Dovecot refuses uid 0 for mail); otherwise the current user for everything (it cannot
    switch)."""

    internal_user: str
    internal_group: str
    login_user: str
    auth_user: str
    mail_uid: int
    mail_gid: int

    @classmethod
    def here(cls) -> "_Identities":
        if os.getuid() == 0:
            nobody = pwd.getpwnam("nobody")
            return cls("dovecot", "dovecot", "dovenull", "root", nobody.pw_uid, nobody.pw_gid)
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        return cls(user, group, user, user, os.getuid(), os.getgid())


def _config(directory: Path, imap_port: int, imaps_port: int) -> Path:
    ids = _Identities.here()
    cert, key = _certificate(directory)
    passwd = directory / "passwd"
    passwd.write_text(f"{USER}:{{PLAIN}}{PASSWORD}:::::\n")
    passwd.chmod(0o600)
    for sub in ("run", "state", "mail"):
        (directory / sub).mkdir()
    directory.chmod(0o711)  # the mail processes (another user, as root) pass through it
    if os.getuid() == 0:
        os.chown(directory / "mail", ids.mail_uid, ids.mail_gid)
    conf = directory / "dovecot.conf"
    conf.write_text(
        f"""\
base_dir = {directory}/run
state_dir = {directory}/state
log_path = {directory}/dovecot.log
instance_name = deskside-test-{imap_port}
protocols = imap
listen = {HOST}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {ids.internal_user}
default_internal_group = {ids.internal_group}
default_login_user = {ids.login_user}
first_valid_uid = {ids.mail_uid}
first_valid_gid = {ids.mail_gid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {passwd}
}}
userdb {{
  driver = static
  args = uid={ids.mail_uid} gid={ids.mail_gid} home={directory}/mail/%u
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service auth {{
  user = {ids.auth_user}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
"""
    )
    return conf


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def _start(directory: Path) -> tuple[subprocess.Popen, Dovecot]:
    """Start Dovecot on two free ports and wait until both answer; a few tries, since a free
    port may be taken by someone else before Dovecot binds it. Fails the test with Dovecot's
    output and log when it does not come up."""
    failure = ""
    for attempt in range(START_ATTEMPTS):
        run = directory / f"try{attempt}"
        run.mkdir()
        imap_port, imaps_port = _free_port(), _free_port()
        conf = _config(run, imap_port, imaps_port)
        server = Dovecot(HOST, imap_port, imaps_port, USER, PASSWORD, run / "dovecot.log")
        output = run / "output.log"
        with output.open("wb") as sink:
            process = subprocess.Popen(  # noqa: S603
                [DOVECOT, "-F", "-c", str(conf)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with all its children
            )
        deadline = time.monotonic() + START_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            if _answers(imap_port) and _answers(imaps_port):
                return process, server
            time.sleep(0.05)
        status = process.poll()
        _stop(process)
        what = (
            f"did not answer within {START_SECONDS}s"
            if status is None
            else f"exited with status {status}"
        )
        failure = (
            f"Dovecot {what}.\n"
            f"--- its output\n{output.read_text(errors='replace')}\n"
            f"--- {server.log}\n{server.log_text()}"
        )
        if status is None:  # hung rather than failed: trying again would not help
            break
    pytest.fail(failure, pytrace=False)


@pytest.fixture(name="dovecot")
def dovecot_server(allow_loopback: None) -> Iterator[Dovecot]:
    if not os.access(DOVECOT, os.X_OK):
        pytest.fail(
            f"{DOVECOT} is missing: the IMAP tests need Debian's Dovecot. Run scripts/test "
            "(it installs dovecot-imapd), or: apt-get install dovecot-imapd",
            pytrace=False,
        )
    # Not pytest's tmp_path: its parents are private to root, and the mail processes run as
    # another user. A short path, too: Dovecot's unix sockets live under it (108 bytes at most).
    directory = Path(tempfile.mkdtemp(prefix="deskside-dovecot-"))
    directory.chmod(0o711)  # the mail processes (another user, as root) pass through it
    try:
        process, server = _start(directory)
        try:
            yield server
        finally:
            _stop(process)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _stop(process: subprocess.Popen) -> None:
    """Stop the master and its children at once (the master alone takes a second to stop
    them). A master that exited already has taken its children with it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue
