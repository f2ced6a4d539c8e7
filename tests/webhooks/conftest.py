"""A real HTTP receiver on 127.0.0.1 for the deliveries, an administrator, and a clean
webhook registry around every test (the registry lives in memory across tests)."""

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deskside.webhooks import sender
from deskside.webhooks import services as webhooks
from deskside.webhooks.enqueue import registry


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers with the codes in `codes` in turn, then 200."""

    url: str
    requests: list[Received] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)


@pytest.fixture
def receiver(allow_loopback):
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the stdlib's name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            code = state.codes.pop(0) if state.codes else 200
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            reply = b"ok" if code < 300 else b"receiver says no"
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/deskside"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_url(allow_loopback):
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing-here"


@pytest.fixture(autouse=True)
def fresh_registry():
    registry.forget()
    sender._next_prune = None  # every test starts with the hourly pruning due
    yield
    registry.forget()


@pytest.fixture
def make_webhook(admin):
    def make(url, *, events=("ticket.created",), **kwargs):
        kwargs.setdefault("name", "Receiver")
        return webhooks.create_webhook(actor=admin, url=url, events=list(events), **kwargs)

    return make
