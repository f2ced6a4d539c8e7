"""Security headers on every kind of answer (issue 12 item 7, docs/security.md "Headers"):
pages, the API (answers and errors), the API documentation, error pages and static files; the
HTTPS settings read from the environment; templates without inline script or style."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from deskside.accounts.services import create_api_token
from deskside.core import geometry

ROOT = Path(__file__).resolve().parents[2]

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (p.strip().split(None, 1) for p in header.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def assert_security_headers(response, *, frame_options: bool = True) -> None:
    csp = directives(response["Content-Security-Policy"])
    for name, value in POLICY.items():
        assert csp.get(name) == value, (name, csp)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if frame_options:  # not on static files (WhiteNoise answers before that middleware)
        assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "geolocation", "microphone", "payment", "usb"):
        assert f"{feature}=()" in permissions


@pytest.mark.parametrize("url", ["/login/", "/no/such/page/"])
def test_pages_for_nobody(client, db, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/tickets/", "/oncall/", "/webhooks/", "/alerts/", "/admin/"])
def test_pages_of_an_agent(client, admin, url):
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)


def test_portal_of_a_customer(client, carol):
    client.force_login(carol)
    response = client.get("/portal/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_403_page(client, carol, acme_ticket):
    client.force_login(carol)
    response = client.post(f"/tickets/{acme_ticket.number}/note/", {"body": "hi"})
    assert response.status_code == 403
    assert_security_headers(response)


@pytest.mark.urls("tests.test_error_pages")
def test_500_page(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert_security_headers(response)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/tickets", 401),  # no token
        ("/api/v1/no-such-thing", 404),
        ("/api/v1/openapi.json", 200),
    ],
)
def test_api_answers_and_errors(client, db, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert_security_headers(response)


def test_api_answer_with_a_token(client, alice):
    token = create_api_token(user=alice)
    response = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert_security_headers(response)


def test_static_files(client, db):
    response = client.get("/static/deskside/deskside.css")
    assert response.status_code == 200
    # frame-ancestors 'none' in the policy does what X-Frame-Options would.
    assert_security_headers(response, frame_options=False)


# -- the API documentation (Swagger UI from the installed package) ------------------------------


def test_swagger_ui_is_local_and_has_no_inline_script(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_security_headers(response)
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts
    for attributes in scripts:
        # Each script is a file from this site, or a JSON data block (never executed).
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes, scripts
    assert "swagger-ui-init.js" in html and "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(path).status_code == 200, path


# -- the HTTPS settings, read from the environment ----------------------------------------------


def settings_in(
    env: dict[str, str], tmp_path: Path, expression: str
) -> subprocess.CompletedProcess:
    """Import deskside.settings in a fresh interpreter with `env` and print `expression`."""
    base = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", f"import deskside.settings as s; print({expression})"],
        env={**base, "DESKSIDE_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )


def test_https_settings_are_off_by_default(tmp_path):
    done = settings_in(
        {},
        tmp_path,
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD, hasattr(s, 'SECURE_PROXY_SSL_HEADER'), s.SESSION_COOKIE_SECURE",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False 0 False False False False"


def test_https_settings_from_the_environment(tmp_path):
    done = settings_in(
        {
            "DESKSIDE_SSL_REDIRECT": "1",
            "DESKSIDE_HSTS_SECONDS": "31536000",
            "DESKSIDE_HSTS_INCLUDE_SUBDOMAINS": "yes",
            "DESKSIDE_HSTS_PRELOAD": "on",
            "DESKSIDE_PROXY_SSL_HEADER": " X-Forwarded-Proto = https ",
            "DESKSIDE_SECURE_COOKIES": "1",
        },
        tmp_path,
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') True True"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DESKSIDE_PROXY_SSL_HEADER", "X-Forwarded-Proto"),  # no value
        ("DESKSIDE_PROXY_SSL_HEADER", "=https"),  # no name
        ("DESKSIDE_PROXY_SSL_HEADER", "X Forwarded: Proto=https"),  # not a header name
        ("DESKSIDE_HSTS_SECONDS", "-1"),
        ("DESKSIDE_HSTS_SECONDS", "a year"),
        ("DESKSIDE_SSL_REDIRECT", "sure"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(tmp_path, name, value):
    done = settings_in({name: value}, tmp_path, "1")
    assert done.returncode != 0
    assert name in done.stderr.splitlines()[-1]


def test_hsts_and_ssl_redirect_in_answers(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = Client().get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    # The header is trusted (the operator named it): the request counts as HTTPS.
    secure = Client().get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"


# -- templates without inline script or style ---------------------------------------------------

INLINE = re.compile(
    r"""\sstyle\s*=|\son[a-z]+\s*=|<style\b|\bhx-on|javascript:|<script\b(?![^>]*\bsrc=)""",
    re.IGNORECASE,
)
# The pages that keep an inline <style>: a received mail's sanitised HTML, shown in a frame
# with its own, stricter policy (default-src 'none'; deskside.mail.views.HTML_CSP), and the
# monthly client report's HTML, never served: WeasyPrint turns it into the PDF
# (deskside.reports.monthly), with a URL fetcher that refuses every URL; the disposal report's
# PDF likewise (deskside.assets.disposal_report).
OWN_POLICY = {
    "deskside/mail/templates/mail/message_html.html",
    "deskside/reports/templates/reports/monthly.html",
    "deskside/assets/templates/assets/disposal_report_pdf.html",
}


def test_no_template_has_inline_script_or_style():
    found = []
    for path in sorted((ROOT / "deskside").rglob("templates/**/*.html")):
        name = str(path.relative_to(ROOT))
        if name in OWN_POLICY:
            continue
        text = re.sub(r"{#.*?#}", "", path.read_text(), flags=re.DOTALL)
        found += [f"{name}: {m.group(0)}" for m in INLINE.finditer(text)]
    assert not found, found


def test_geometry_style_sheet_is_the_generated_one():
    sheet = ROOT / "deskside" / "static" / "deskside" / "geometry.css"
    assert sheet.read_text() == geometry.css()


@pytest.mark.parametrize(
    ("percent", "tenths", "whole"),
    [(0, 0, 0), (37.5, 375, 38), (37.54, 375, 38), (100, 1000, 100), (150, 1000, 100)]
    + [(-3, 0, 0), (None, 0, 0), ("x", 0, 0), (float("nan"), 0, 0), ("12.5", 125, 13)],
)
def test_geometry_scale(percent, tenths, whole):
    assert geometry.tenths(percent) == tenths
    assert geometry.whole_percent(percent) == whole
