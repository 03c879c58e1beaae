"""Deliveries never reach into the server's own network (SSRF)."""

import pytest

from civicgrid.webhooks import delivery


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10:8443/hook",
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_internal_literal_addresses_are_refused(settings, url):
    settings.CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    settings.CIVICGRID_WEBHOOK_PROXY = ""
    assert "内部网络" in str(delivery.url_problem(url))
    status, excerpt, error = delivery.post(url, b"{}", {})
    assert status is None and "内部网络" in error


def test_a_name_that_resolves_inside_is_refused_at_send_time(settings):
    settings.CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    settings.CIVICGRID_WEBHOOK_PROXY = ""
    # "localhost" resolves to a loopback address: accepted as a URL (names are not resolved
    # when a subscription is saved), refused when a delivery is sent.
    assert delivery.url_problem("https://localhost/hook") is None
    status, _, error = delivery.post("https://localhost/hook", b"{}", {})
    assert status is None and "内部网络" in error


def test_public_addresses_pass_and_a_proxy_decides_alone(settings):
    settings.CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    settings.CIVICGRID_WEBHOOK_PROXY = ""
    assert delivery.address_problem("203.0.113.9", 443) is not None  # documentation range: reserved
    assert delivery.address_problem("8.8.8.8", 443) is None
    settings.CIVICGRID_WEBHOOK_PROXY = "http://proxy.example:3128"
    assert delivery.address_problem("10.0.0.1", 443) is None


def test_loopback_allowed_only_with_the_development_switch(settings):
    settings.CIVICGRID_WEBHOOK_PROXY = ""
    settings.CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    assert delivery.address_problem("127.0.0.1", 8000) is None
    assert delivery.address_problem("10.0.0.1", 8000) is not None
