"""What non-administrators see of a webhook URL, and errors scrubbed of the URL."""

import pytest

from deskside.webhooks.redact import masked_url, scrub


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.example.com", "https://hooks.example.com"),
        ("https://hooks.example.com/", "https://hooks.example.com/"),
        ("http://hooks.example.com:8080/in", "http://hooks.example.com:8080/***"),
        ("https://u:p@hooks.example.com/?t=1", "https://***@hooks.example.com/?***"),
        ("https://token@hooks.example.com", "https://***@hooks.example.com"),
        ("http://[::1]:9000/x?y#z", "http://[::1]:9000/***?***#***"),
        ("not a url", "***"),
    ],
)
def test_masked_url(url, shown):
    assert masked_url(url) == shown


def test_scrub_takes_out_every_form_of_the_url():
    url = "https://bob:hunter2pass@hooks.example.com/hooks/T0K3N?token=SeCrEt99&x=%C3%A9"
    text = (
        "ConnectionError: HTTPSConnectionPool(host='hooks.example.com', port=443): Max retries "
        "exceeded with url: /hooks/T0K3N?token=SeCrEt99&x=%C3%A9 (Caused by ...); "
        f"the receiver said: bad request to {url}; also token=SeCrEt99"
    )
    cleaned = scrub(text, url)
    for secret in ("hunter2pass", "T0K3N", "SeCrEt99", "bob"):
        assert secret not in cleaned
    assert "host='hooks.example.com'" in cleaned and "with url: ***" in cleaned
    assert scrub("", url) == ""
