"""POST requests: a case like any other, and every refusal writes nothing."""

import pytest
from django.db import connection
from django.test import Client

from civicgrid.cases.choices import Source, Status
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.open311.models import ServiceRequest
from civicgrid.partners import services as partner_services

from .helpers import error_list, validate, xml_root

pytestmark = pytest.mark.django_db
URL = "/open311/v2/requests.{fmt}"
IN_A1 = {"lat": "23.005", "long": "114.005"}  # inside grid A1 (community A)
IN_B1 = {"lat": "23.005", "long": "114.025"}  # inside grid B1 (community B)


def post(client, o311, fmt="json", key=True, **data):
    body = {"service_code": "TZ01-01", "description": "三单元楼道堆满纸箱", **data}
    if key is True:
        body["api_key"] = o311.raw
    elif key:
        body["api_key"] = key
    return client.post(URL.format(fmt=fmt), body, **data.pop("headers", {}))


def counts():
    return (Case.objects.count(), CaseEvent.objects.count(), ServiceRequest.objects.count())


def test_post_with_lat_long_creates_a_located_case(o311):
    client = Client(enforce_csrf_checks=True)  # key-authenticated POSTs are CSRF-exempt
    r = post(
        client,
        o311,
        **IN_A1,
        address_string="东门社区三单元",
        first_name="三",
        last_name="张",
        phone="13800138000",
        email="zhang@example.com",
        device_id="dev-1",
        account_id="acc-9",
        media_url="https://img.example.com/1.jpg",
        **{"attribute[urgent]": "yes", "attribute[recurrence]": "repeat"},
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert len(data) == 1 and set(data[0]) == {"service_request_id", "service_notice", "account_id"}
    assert data[0]["account_id"] == "acc-9"
    case = Case.objects.get()
    assert data[0]["service_request_id"] == case.number
    assert (case.source, case.status, case.grid, case.area) == (
        Source.OPEN311,
        Status.REPORTED,
        o311.grid_a1,
        o311.community_a,
    )
    assert case.text == "三单元楼道堆满纸箱" and case.address == "东门社区三单元"
    assert case.reporter == o311.partner.user and case.urgent is True
    assert case.reporter_name == "张 三" and case.reporter_phone == "13800138000"
    assert (case.lat, case.lon) == (23.005, 114.005)
    sr = case.open311
    assert sr.attributes == {"urgent": "yes", "recurrence": "repeat"}
    assert sr.partner == o311.partner and sr.api_key == o311.key
    assert (sr.email, sr.device_id, sr.media_url) == (
        "zhang@example.com",
        "dev-1",
        "https://img.example.com/1.jpg",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM open311_servicerequest WHERE id = %s", [sr.pk])
        raw_email = cursor.fetchone()[0]
    assert "zhang@example.com" not in raw_email  # encrypted at rest
    assert case.events.get().action == "report"


def test_post_xml_response(client, o311):
    r = post(client, o311, fmt="xml", **IN_A1)
    assert r.status_code == 201
    root = xml_root(r)
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert request.findtext("service_request_id") == Case.objects.get().number


def test_address_id_may_be_a_grid_or_a_community_code(client, o311):
    assert post(client, o311, address_id="G-A2").status_code == 201
    case = Case.objects.get()
    assert case.grid == o311.grid_a2 and case.located
    assert post(client, o311, address_id=o311.community_a.code).status_code == 201
    unlocated = Case.objects.exclude(pk=case.pk).get()
    assert unlocated.area == o311.community_a and unlocated.grid is None
    assert not unlocated.located


def test_address_string_alone_uses_the_partner_community(client, o311):
    r = post(client, o311, address_string="东门社区 8 栋")
    assert r.status_code == 201
    assert Case.objects.get().area == o311.community_a


def test_no_description_falls_back_to_the_service_name(client, o311):
    assert post(client, o311, description="", **IN_A1).status_code == 201
    assert Case.objects.get().text == "楼道堆物"


def test_a_repeated_idempotency_key_returns_the_first_request(client, o311):
    first = post(client, o311, **IN_A1, headers={"HTTP_IDEMPOTENCY_KEY": "req-42"})
    again = post(client, o311, **IN_A1, headers={"HTTP_IDEMPOTENCY_KEY": "req-42"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert counts() == (1, 1, 1)
    other = post(client, o311, **IN_A1, idempotency_key="req-43")
    assert other.json() != first.json() and Case.objects.count() == 2
    number = first.json()[0]["service_request_id"]
    r = client.get("/open311/v2/tokens/req-42.json", {"api_key": o311.raw})
    assert r.status_code == 200 and r.json() == [{"service_request_id": number, "token": "req-42"}]
    root = xml_root(client.get("/open311/v2/tokens/req-42.xml", {"api_key": o311.raw}))
    assert root.find("request/token").text == "req-42"


def test_tokens_are_per_partner_and_need_a_key(client, o311):
    post(client, o311, **IN_A1, idempotency_key="t-1")
    r = client.get("/open311/v2/tokens/t-1.json")
    assert r.status_code == 403 and error_list(r)
    other = partner_services.partner_create(actor=None, name="另一家", area=o311.community_a)
    _k, raw = partner_services.key_issue(actor=None, partner=other, scopes=["open311"])
    r = client.get("/open311/v2/tokens/t-1.json", {"api_key": raw})
    assert r.status_code == 404 and error_list(r)


def _revoked(o311):
    key, raw = partner_services.key_issue(actor=None, partner=o311.partner, scopes=["open311"])
    partner_services.key_revoke(actor=None, key=key)
    return raw


REFUSALS = [
    # (name, status, extra fields or a callable(o311) -> fields, text in the description)
    ("missing key", 403, {"api_key": None}, "缺少 API 密钥"),
    ("wrong key", 403, {"api_key": "cg_abcdefgh_not-a-real-key"}, "API 密钥无效"),
    ("revoked key", 403, lambda o: {"api_key": _revoked(o)}, "吊销"),
    ("no open311 scope", 403, lambda o: {"api_key": o.raw_api_only}, "open311"),
    ("unknown service", 404, {"service_code": "NOPE"}, "NOPE"),
    ("inactive service", 404, {"service_code": "TZ03-01"}, "TZ03-01"),
    ("missing service", 400, {"service_code": ""}, "service_code"),
    ("malformed lat", 400, {"lat": "abc", "long": "114.005"}, "lat/long"),
    ("lat without long", 400, {"lat": "23.005"}, "同时提供"),
    ("lat out of range", 400, {"lat": "123.0", "long": "114.0"}, "超出范围"),
    ("no location", 400, {}, "须提供位置"),
    ("outside the partner area", 400, IN_B1, "授权区域"),
    ("grid outside the area", 400, {"address_id": "G-B1"}, "address_id"),
    ("unknown address_id", 400, {"address_id": "X-1"}, "address_id"),
    ("oversize description", 400, {"description": "长" * 4001, **IN_A1}, "4000"),
    ("wrong jurisdiction", 404, {"jurisdiction_id": "sf.gov", **IN_A1}, "sf.gov"),
    ("bad attribute value", 400, {"attribute[urgent]": "maybe", **IN_A1}, "urgent"),
    ("unknown attribute", 400, {"attribute[colour]": "red", **IN_A1}, "colour"),
    ("bad email", 400, {"email": "not-an-email", **IN_A1}, "电子邮箱"),
    ("bad phone", 400, {"phone": "12", **IN_A1}, "phone"),
    ("bad media url", 400, {"media_url": "javascript:alert(1)", **IN_A1}, "media_url"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("name,status,extra,text", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_have_the_spec_error_body_and_write_nothing(
    client, o311, fmt, name, status, extra, text
):
    extra = extra(o311) if callable(extra) else dict(extra)
    key = extra.pop("api_key", True)
    before = counts()
    r = post(client, o311, fmt=fmt, key=key, **extra)
    assert r.status_code == status, r.content.decode()
    descriptions = " ".join(e["description"] for e in error_list(r))
    assert text in descriptions
    assert counts() == before


def test_a_required_attribute_is_required(client, o311):
    r = post(client, o311, service_code="TZ02-01", **IN_A1)
    assert r.status_code == 400 and "injuries" in error_list(r)[0]["description"]
    ok = post(client, o311, service_code="TZ02-01", **IN_A1, **{"attribute[injuries]": "no"})
    assert ok.status_code == 201


def test_multivaluelist_attributes(client, o311):
    from civicgrid.cases.models import MatterItem

    MatterItem.objects.filter(code="TZ01-01").update(domain="ecology")
    r = client.post(
        "/open311/v2/requests.json",
        "service_code=TZ01-01&lat=23.005&long=114.005&api_key="
        + o311.raw
        + "&attribute[pollution][]=water&attribute[pollution][]=noise",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 201, r.content
    assert Case.objects.get().open311.attributes == {"pollution": ["noise", "water"]}


def test_a_suspended_partner_cannot_post(client, o311):
    partner_services.partner_set_active(actor=None, partner=o311.partner, active=False)
    r = post(client, o311, **IN_A1)
    assert r.status_code == 403 and "停用" in error_list(r)[0]["description"]
    assert counts() == (0, 0, 0)


def test_posts_are_rate_limited_per_key(client, o311, settings):
    settings.CIVICGRID_OPEN311_POST_RATE = 2
    assert post(client, o311, **IN_A1).status_code == 201
    assert post(client, o311, **IN_A1).status_code == 201
    r = post(client, o311, **IN_A1)
    assert r.status_code == 429 and error_list(r)
    assert Case.objects.count() == 2
    _k, other = partner_services.key_issue(actor=None, partner=o311.partner, scopes=["open311"])
    assert post(client, o311, key=other, **IN_A1).status_code == 201


def test_the_created_request_reads_back_in_the_schema(client, o311):
    number = post(client, o311, **IN_A1, media_url="https://img.example.com/2.jpg").json()[0][
        "service_request_id"
    ]
    r = client.get(f"/open311/v2/requests/{number}.json", {"api_key": o311.raw})
    data = r.json()
    validate("requests.json", data)
    assert data[0]["media_url"] == "https://img.example.com/2.jpg"
