"""A real HTTP receiver on 127.0.0.1 (a ``http.server`` thread) and partners with subscriptions."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from civicgrid.cases.tests.conftest import loop  # noqa: F401 - the case-loop fixture
from civicgrid.partners.services import partner_create
from civicgrid.webhooks import outbox, services
from civicgrid.webhooks.choices import EventType


class Receiver:
    """Records every POST; answers with the next code of ``codes`` (then the last one)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.codes: list[int] = [200]
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                        }
                    )
                    code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(f"received {code}".encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    settings.CIVICGRID_WEBHOOK_TIMEOUT = 3
    settings.CIVICGRID_CASE_HOOKS = ["civicgrid.webhooks.outbox"]
    outbox.invalidate()
    yield
    outbox.invalidate()  # the test's rows are rolled back: never let another test see them


@pytest.fixture
def partners(loop, receiver):  # noqa: F811
    """Partner A over community A and partner B over community B, each subscribed to
    every event type at the receiver."""
    loop.partner_a = partner_create(actor=None, name="东门物业平台", area=loop.community_a)
    loop.partner_b = partner_create(actor=None, name="西门物业平台", area=loop.community_b)
    loop.sub_a, loop.secret_a = services.subscription_create(
        actor=None, partner=loop.partner_a, url=receiver.url + "/a", events=EventType.values
    )
    loop.sub_b, loop.secret_b = services.subscription_create(
        actor=None, partner=loop.partner_b, url=receiver.url + "/b", events=EventType.values
    )
    return loop
