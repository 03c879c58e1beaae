import re

import pytest
from django.urls import reverse

from civicgrid.cases import portal, services
from civicgrid.cases.choices import Status
from civicgrid.cases.models import Case, Notification, PortalCode
from civicgrid.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "civicgrid.cases.portal.deliver", lambda ch, to, msg: sent.append((ch, to, msg))
    )
    return sent


def _resolve(loop, case):
    for action, kw in [
        ("accept", {}),
        ("dispatch", {}),
        ("start", {}),
        ("resolve", {"note": "已修好"}),
    ]:
        case = services.case_transition(actor=loop.staff_a, case=case, action=action, **kw)
    return case


def test_anonymous_report_track_and_rate(client, loop):
    data = {
        "item": loop.item_community.pk,
        "text": "小区路灯坏了",
        "lon": "114.005",
        "lat": "23.005",
        "idempotency_key": "p1",
    }
    r = client.post(reverse("portal:report"), data)
    case = Case.objects.get()
    assert r.status_code == 302 and case.tracking_code in r["Location"]
    assert case.reporter is None and case.source == "resident"
    client.post(reverse("portal:report"), data)
    assert Case.objects.count() == 1  # the same submission again creates nothing
    page = client.get(reverse("portal:track_code", args=[case.tracking_code])).content.decode()
    assert "小区路灯坏了" in page and "staff_a" not in page
    _resolve(loop, case)
    client.post(
        reverse("portal:rate", args=[case.tracking_code]),
        {"rating": "dissatisfied", "comment": "还是不亮"},
    )
    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_wrong_tracking_code(client, loop):
    r = client.get(reverse("portal:track"), {"code": "ZZZZZZZZZZ"})
    assert "查询码不正确" in r.content.decode()


def test_phone_login_creates_account_and_shows_my_cases(
    client, loop, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:login"), {"phone": "13800138000"})
    assert len(sms) == 1 and sms[0][1] == "13800138000"
    code = re.search(r"\d{6}", sms[0][2]).group()
    r = client.post(reverse("portal:login"), {"phone": "13800138000", "code": code})
    assert r.status_code == 302
    client.post(
        reverse("portal:report"),
        {
            "item": loop.item_community.pk,
            "text": "垃圾没清",
            "lon": "114.005",
            "lat": "23.005",
            "idempotency_key": "p2",
        },
    )
    case = Case.objects.get()
    assert case.reporter is not None and case.reporter_phone == "13800138000"
    assert case.item.name in client.get(reverse("portal:home")).content.decode()
    assert Notification.objects.filter(user=case.reporter).exists()


def test_code_rules(loop, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        portal.code_send(phone="13900139000")
    with pytest.raises(Exception, match="60"):
        portal.code_send(phone="13900139000")
    for _ in range(portal.MAX_ATTEMPTS):
        with pytest.raises(ValidationFailed):
            portal.code_verify(
                phone="13900139000", code="000000" if "000000" not in sms[0][2] else "111111"
            )
    real = re.search(r"\d{6}", sms[0][2]).group()
    with pytest.raises(ValidationFailed, match="错误次数过多"):
        portal.code_verify(phone="13900139000", code=real)
    assert PortalCode.objects.get().attempts == portal.MAX_ATTEMPTS


def test_bad_phone_names_the_rule(loop):
    with pytest.raises(ValidationFailed) as exc:
        portal.code_send(phone="1380013800")
    assert "11位" in str(exc.value.message)


def test_a_signed_in_resident_cannot_rate_someone_elses_case(client, loop, sms):
    other = services.case_create(
        actor=loop.resident_user,
        item=loop.item_community,
        text="x",
        lon=114.005,
        lat=23.005,
        source="resident",
    )
    _resolve(loop, other)
    client.force_login(loop.staff_b)
    client.post(reverse("portal:rate", args=[other.tracking_code]), {"rating": "satisfied"})
    other.refresh_from_db()
    assert other.status == Status.RESOLVED


def test_a_resident_without_gps_chooses_a_community(client, loop):
    data = {"item": loop.item_community.pk, "text": "楼下垃圾", "idempotency_key": "p9"}
    r = client.post(reverse("portal:report"), data)
    assert "选择所在社区" in r.content.decode() and Case.objects.count() == 0
    r = client.post(reverse("portal:report"), {**data, "community": loop.community_b.pk})
    case = Case.objects.get()
    assert r.status_code == 302 and not case.located and case.area == loop.community_b


def test_photos_are_served_only_inside_scope(client, loop, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicgrid.cases.tests.test_views import PNG

    settings.MEDIA_ROOT = tmp_path
    case = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="x", lon=114.005, lat=23.005
    )
    f = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    f.sniffed_type = "image/png"
    att = services.attachments_add(actor=loop.worker_a1, case=case, files=[f])[0]
    url = reverse("cases:attachment", args=[att.pk])
    client.force_login(loop.staff_a)
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    client.force_login(loop.staff_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_log_backend_never_logs_a_full_phone_number(caplog):
    import logging

    from civicgrid.cases.notifications import LogBackend

    with caplog.at_level(logging.INFO, logger="civicgrid.notify"):
        LogBackend().send("sms", "13800138000", "验证码 123456")
    assert "13800138000" not in caplog.text and "138****8000" in caplog.text
