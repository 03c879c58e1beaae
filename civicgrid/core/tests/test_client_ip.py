"""The client's address behind a reverse proxy: believed from X-Forwarded-For only when the
request comes from a trusted proxy, and then only the part the proxy itself added."""

import pytest
from django.test import RequestFactory

from civicgrid.core.audit import client_ip

from .test_auth_security import LOGIN, PASSWORD


def _req(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.CIVICGRID_TRUSTED_PROXIES = []
    assert client_ip(_req("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_last_untrusted_hop(settings):
    settings.CIVICGRID_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.2"]
    assert client_ip(_req("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # A client cannot pose as another: what it sent itself stands to the left.
    assert client_ip(_req("127.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # Two proxies (a load balancer, then nginx): both skipped.
    assert client_ip(_req("127.0.0.1", "198.51.100.7, 10.0.0.2")) == "198.51.100.7"
    # No header, or only proxies in it: the socket's address.
    assert client_ip(_req("127.0.0.1")) == "127.0.0.1"
    assert client_ip(_req("127.0.0.1", "10.0.0.2")) == "127.0.0.1"


def test_an_untrusted_sender_cannot_choose_its_address(settings):
    settings.CIVICGRID_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_req("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


@pytest.mark.django_db
def test_lock_out_behind_the_proxy_is_per_client(client, tiny, settings):
    """All requests reach the app from nginx on 127.0.0.1: one client's failures must not
    lock the account for every other client."""
    settings.CIVICGRID_TRUSTED_PROXIES = ["127.0.0.1"]
    attacker = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    owner = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.10"}
    for _ in range(5):
        client.post(LOGIN, {"username": "staff_a", "password": "wrong"}, **attacker)
    assert (
        client.post(LOGIN, {"username": "staff_a", "password": PASSWORD}, **attacker).status_code
        == 429
    )
    r = client.post(LOGIN, {"username": "staff_a", "password": PASSWORD}, **owner)
    assert r.status_code == 302
