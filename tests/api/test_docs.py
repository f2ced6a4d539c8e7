"""/api/v1/docs works without internet: Swagger UI comes from django-ninja's own copy, served
by the site, and the page names no other host."""

import re

from django.test import Client

DOCS = "/api/v1/docs"


def test_docs_page_loads_only_local_files(db):
    response = Client().get(DOCS)
    assert response.status_code == 200
    page = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    assert any(u.endswith("swagger-ui.css") for u in urls)
    assert "://" not in page.split("<body", 1)[0]  # no CDN in the head
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        served = Client().get(url)
        assert served.status_code == 200, url
        assert b"".join(served.streaming_content if served.streaming else [served.content])


def test_swagger_settings_point_at_the_local_schema(db):
    page = Client().get(DOCS).content.decode()
    assert '"url": "/api/v1/openapi.json"' in page
    assert Client().get("/api/v1/openapi.json").status_code == 200
