"""The travel matrix: the estimate, and OSRM's table service (a stub OSRM server on
127.0.0.1, through the outbound guard), with the fallback to the estimate on a failure."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deskside.field import matrix
from deskside.field.travel import Point, minutes

BOSTON, CAMBRIDGE, SOMERVILLE = (
    Point(42.3601, -71.0589),
    Point(42.3736, -71.1097),
    Point(42.3876, -71.0995),
)


class Osrm(BaseHTTPRequestHandler):
    answer: tuple[int, object] = (200, None)
    paths: list[str] = []

    def do_GET(self):
        type(self).paths.append(self.path)
        status, body = type(self).answer
        data = (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm(settings, allow_loopback):
    Osrm.paths = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Osrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.DESKSIDE_FIELD_OSRM_URL = f"http://127.0.0.1:{server.server_port}/"
    yield Osrm
    server.shutdown()
    server.server_close()


def test_the_estimate_agrees_with_field_travel(settings):
    table = matrix.estimate([BOSTON, CAMBRIDGE])
    assert table[0][0] == 0
    assert table[0][1] == pytest.approx(table[1][0])
    assert minutes(BOSTON, CAMBRIDGE) - 1 < table[0][1] <= minutes(BOSTON, CAMBRIDGE)
    settings.DESKSIDE_FIELD_OSRM_URL = ""
    assert matrix.travel_matrix([BOSTON, CAMBRIDGE]).source == "estimate"


def test_osrm_table_in_minutes(osrm):
    osrm.answer = (200, {"code": "Ok", "durations": [[0, 600, 900], [660, 0, 300], [960, 310, 0]]})
    result = matrix.travel_matrix([BOSTON, CAMBRIDGE, SOMERVILLE])
    assert result.source == "osrm" and result.note == ""
    assert result.minutes[0][1] == 10 and result.minutes[1][0] == 11
    (path,) = osrm.paths
    assert path.startswith("/table/v1/driving/-71.058900,42.360100;-71.109700,42.373600;")
    assert "annotations=duration" in path


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ((500, {"code": "Error"}), "HTTP 500"),
        ((200, {"code": "NoTable", "message": "no"}), "refused the table (NoTable)"),
        ((200, "<html>"), "not JSON"),
        ((200, {"code": "Ok", "durations": [[0, None], [1, 0]]}), "no route"),
        ((200, {"code": "Ok", "durations": [[0]]}), "right size"),
    ],
)
def test_an_osrm_failure_falls_back_to_the_estimate_and_says_so(osrm, answer, why):
    osrm.answer = answer
    result = matrix.travel_matrix([BOSTON, CAMBRIDGE])
    assert result.source == "estimate"
    assert result.note.startswith("OSRM failed (") and why in result.note
    assert result.minutes == matrix.estimate([BOSTON, CAMBRIDGE])


def test_osrm_on_an_internal_address_is_refused_by_the_outbound_guard(settings):
    settings.DESKSIDE_OUTBOUND_ALLOW = []
    settings.DESKSIDE_FIELD_OSRM_URL = "http://127.0.0.1:9/"
    result = matrix.travel_matrix([BOSTON, CAMBRIDGE])
    assert result.source == "estimate"
    assert "internal" in result.note or "cannot reach" in result.note


def test_unreachable_osrm(settings, allow_loopback):
    settings.DESKSIDE_FIELD_OSRM_URL = "http://127.0.0.1:9/"  # the discard port: refused
    result = matrix.travel_matrix([BOSTON, CAMBRIDGE])
    assert result.source == "estimate" and "cannot reach the OSRM server" in result.note
