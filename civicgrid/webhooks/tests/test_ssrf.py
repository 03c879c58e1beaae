"""Deliveries never reach into the server's own network (SSRF), not even through a DNS
answer that changes between the check and the connection (rebinding)."""

import datetime as dt
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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
        "https://100.100.100.200/latest/meta-data/",  # a cloud's metadata, in the shared space
        "https://100.64.0.1/hook",  # carrier NAT (100.64.0.0/10)
        "https://198.18.0.1/hook",  # benchmarking (198.18.0.0/15)
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


# --- DNS rebinding -----------------------------------------------------------------------
# The name's first answer is a public address (it passes the check), every later answer is
# 127.0.0.1, where an internal HTTPS service listens. Both servers below are real (TLS with a
# certificate for the name, from a test authority the sender is told to trust). The doubles
# are the network's: a resolver that answers that way, and a route that takes a connection
# to the public address to the "partner's" server (the test machine has no internet).

HOST = "hooks.rebind.example"
PUBLIC = "93.184.215.14"


def _authority(tmp_path, name: str):
    """A test CA (its PEM file) and a certificate with key for ``name`` (a PEM chain file)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CivicGrid test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, chain_file = tmp_path / f"ca-{name}.pem", tmp_path / f"{name}.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain_file.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, chain_file


class TLSReceiver:
    """A real HTTPS server on 127.0.0.1 that records every connection and every POST."""

    def __init__(self, chain_file, port: int = 0):
        self.connections = 0
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(
                    {"host": self.headers.get("Host"), "sni": getattr(self.connection, "sni", None)}
                )
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chain_file)

        def remember_sni(sock, server_name, _context):
            sock.sni = server_name

        context.sni_callback = remember_sni

        class Server(ThreadingHTTPServer):
            def get_request(self):
                sock, address = self.socket.accept()
                receiver.connections += 1
                return context.wrap_socket(sock, server_side=True), address

            def handle_error(self, request, client_address):
                pass  # a refused TLS handshake is the point of some tests

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def rebinding(monkeypatch, settings, tmp_path):
    """The internal service, the partner's server, and the network doubles."""
    settings.CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    settings.CIVICGRID_WEBHOOK_PROXY = ""
    settings.CIVICGRID_WEBHOOK_TIMEOUT = 3
    ca_file, chain_file = _authority(tmp_path, HOST)
    settings.CIVICGRID_WEBHOOK_CA_FILE = str(ca_file)
    internal = TLSReceiver(chain_file)
    partner = TLSReceiver(chain_file)
    answers: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

    def resolver(host, port, *args, **kwargs):
        if host != HOST:
            return real_getaddrinfo(host, port, *args, **kwargs)
        answers.append(PUBLIC if not answers else "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[-1], port))]

    def route(address, *args, **kwargs):
        host, port = address
        if host == PUBLIC:  # the internet, as far as this test goes: the partner's server
            return real_connect(("127.0.0.1", partner.port), *args, **kwargs)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(socket, "create_connection", route)
    yield internal, partner, answers, chain_file
    internal.close()
    partner.close()


def test_a_rebinding_name_cannot_reach_inside(rebinding):
    internal, partner, answers, _chain = rebinding
    # The URL names the internal service's port: a second look-up would lead straight to it.
    url = f"https://{HOST}:{internal.port}/hook"
    assert delivery.url_problem(url) is None
    status, excerpt, error = delivery.post(url, b"{}", {"Content-Type": "application/json"})
    assert (status, excerpt, error) == (200, "ok", "")
    assert answers == [PUBLIC], "the name was resolved more than once"
    assert internal.connections == 0 and internal.requests == []
    # The partner got it under its name: Host header, TLS server name, certificate checked.
    assert partner.requests == [{"host": f"{HOST}:{internal.port}", "sni": HOST}]


def test_a_pinned_connection_still_checks_the_certificate(rebinding, tmp_path, settings):
    internal, partner, answers, _chain = rebinding
    # A certificate for another name (from another authority the sender trusts): refused.
    other_ca, _other_chain = _authority(tmp_path, "other.example")
    settings.CIVICGRID_WEBHOOK_CA_FILE = str(other_ca)
    status, _excerpt, error = delivery.post(f"https://{HOST}:{internal.port}/hook", b"{}", {})
    assert status is None and "CERTIFICATE_VERIFY_FAILED" in error
    assert partner.requests == [] and internal.connections == 0


def test_a_name_with_one_internal_answer_is_refused(monkeypatch, settings):
    settings.CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    settings.CIVICGRID_WEBHOOK_PROXY = ""

    def resolver(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in (PUBLIC, "10.0.0.7")
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    status, _excerpt, error = delivery.post(f"https://{HOST}/hook", b"{}", {})
    assert status is None and "内部网络" in error
