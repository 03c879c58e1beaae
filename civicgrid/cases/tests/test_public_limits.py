"""Per-address limits on the public portal: SMS codes, anonymous reports, tracking look-ups."""

import pytest
from django.urls import reverse

from civicgrid.cases import portal
from civicgrid.cases.models import Case, PortalCode
from civicgrid.core.errors import RateLimited

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(monkeypatch):
    sent = []
    monkeypatch.setattr("civicgrid.cases.portal.deliver", lambda ch, to, msg: sent.append(to))
    return sent


def test_codes_per_address(client, loop, sms, settings):
    settings.CIVICGRID_PUBLIC_LIMITS = {**settings.CIVICGRID_PUBLIC_LIMITS, "portal_code_ip": (2, 3600)}
    for phone in ("13900139001", "13900139002"):
        page = client.post(reverse("portal:login"), {"phone": phone})
        assert "操作太频繁" not in page.content.decode()
    page = client.post(reverse("portal:login"), {"phone": "13900139003"})
    assert "操作太频繁" in page.content.decode()
    assert PortalCode.objects.count() == 2
    # Another address is not held back by the first one's count.
    page = client.post(reverse("portal:login"), {"phone": "13900139004"}, REMOTE_ADDR="10.9.9.9")
    assert "操作太频繁" not in page.content.decode() and PortalCode.objects.count() == 3


def test_codes_per_number_a_day(loop, sms, settings, monkeypatch):
    settings.CIVICGRID_PUBLIC_LIMITS = {**settings.CIVICGRID_PUBLIC_LIMITS, "portal_code_phone": (2, 86400)}
    monkeypatch.setattr(portal, "RESEND_AFTER", portal.RESEND_AFTER * 0)
    portal.code_send(phone="13900139000")
    portal.code_send(phone="13900139000")
    with pytest.raises(RateLimited, match="已达上限"):
        portal.code_send(phone="13900139000")
    assert PortalCode.objects.count() == 2
    portal.code_send(phone="13900139009")  # another number


def test_anonymous_reports_per_address(client, loop, settings):
    settings.CIVICGRID_PUBLIC_LIMITS = {**settings.CIVICGRID_PUBLIC_LIMITS, "portal_report_ip": (1, 3600)}
    data = {"item": loop.item_community.pk, "text": "路灯坏了", "lon": "114.005", "lat": "23.005"}
    assert client.post(reverse("portal:report"), {**data, "idempotency_key": "a"}).status_code == 302
    refused = client.post(reverse("portal:report"), {**data, "idempotency_key": "b"})
    assert refused.status_code == 429 and "操作太频繁" in refused.content.decode()
    assert Case.objects.count() == 1


def test_tracking_look_ups_per_address(client, loop, settings):
    settings.CIVICGRID_PUBLIC_LIMITS = {**settings.CIVICGRID_PUBLIC_LIMITS, "portal_track_ip": (3, 600)}
    for _ in range(3):
        assert "查询码不正确" in client.get(reverse("portal:track"), {"code": "ZZZZZZZZZZ"}).content.decode()
    page = client.get(reverse("portal:track"), {"code": "ZZZZZZZZZZ"}).content.decode()
    assert "操作太频繁" in page
