"""GET requests and one request: scope, the public view, filters, formats, privacy."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.cases.choices import Source, Status
from civicgrid.cases.models import Case
from civicgrid.cases.services import case_create
from civicgrid.open311 import selectors

from .helpers import W3_DATETIME, error_list, validate, xml_root

pytestmark = pytest.mark.django_db
V2 = "/open311/v2"
NAME, PHONE, EMAIL = "李四海", "13912345678", "li@example.com"


@pytest.fixture
def world(client, o311):
    """An Open311 request in A, a grid-worker case in A, a hotline case in B."""
    r = client.post(
        f"{V2}/requests.json",
        {
            "api_key": o311.raw,
            "service_code": "TZ01-01",
            "lat": "23.005",
            "long": "114.005",
            "description": "楼道堆物影响通行",
            "first_name": NAME,
            "phone": PHONE,
            "email": EMAIL,
            "media_url": "https://img.example.com/a.jpg",
        },
    )
    assert r.status_code == 201
    o311.via_api = Case.objects.get(number=r.json()[0]["service_request_id"])
    o311.patrol = case_create(
        actor=o311.worker_a1,
        item=o311.item,
        text="巡查发现堆物",
        grid=o311.grid_a1,
        reporter_name=NAME,
        reporter_phone=PHONE,
    )
    o311.hotline = case_create(
        actor=o311.staff_b,
        item=o311.item,
        text="西门来电",
        grid=o311.grid_b1,
        source=Source.HOTLINE,
        reporter_name="王五",
        reporter_phone="13700001111",
    )
    return o311


def numbers(response) -> set[str]:
    return {r["service_request_id"] for r in response.json()}


def test_a_key_sees_the_cases_of_its_partner_area(client, world):
    r = client.get(f"{V2}/requests.json", {"api_key": world.raw})
    assert r.status_code == 200
    validate("requests.json", r.json())
    assert numbers(r) == {world.via_api.number, world.patrol.number}
    row = next(x for x in r.json() if x["service_request_id"] == world.via_api.number)
    assert row["description"] == "楼道堆物影响通行"
    assert (row["lat"], row["long"]) == (23.005, 114.005)
    assert row["address_id"] == "G-A1" and row["media_url"] == "https://img.example.com/a.jpg"
    assert row["status"] == "open" and row["status_notes"] == "已上报"
    assert row["agency_responsible"] == "东门社区"
    assert row["service_notice"] == "村社区直办;3 个工作日内办结"
    assert row["expected_datetime"] == selectors.w3_datetime(world.via_api.resolve_due)
    assert row["requested_datetime"].endswith("+08:00")


def test_no_names_phones_or_emails_ever_leave(client, world):
    for params in ({"api_key": world.raw}, {}):
        for fmt in ("json", "xml"):
            body = client.get(f"{V2}/requests.{fmt}", params).content.decode()
            for secret in (NAME, PHONE, EMAIL, "王五", "13700001111", "13800"):
                assert secret not in body


def test_anonymous_reads_see_only_open311_requests_coarsely(client, world):
    r = client.get(f"{V2}/requests.json")
    assert r.status_code == 200
    data = r.json()
    validate("requests.json", data)
    assert numbers(r) == {world.via_api.number}
    (row,) = data
    assert row["description"] is None and row["lat"] is None and row["long"] is None
    assert row["media_url"] is None
    assert (row["address"], row["address_id"]) == ("东门社区", world.community_a.code)
    one = client.get(f"{V2}/requests/{world.via_api.number}.json")
    assert one.status_code == 200 and one.json() == data
    assert client.get(f"{V2}/requests/{world.patrol.number}.json").status_code == 404


def test_anonymous_reads_can_be_switched_off(client, world, settings):
    settings.CIVICGRID_OPEN311_ANONYMOUS_READ = False
    r = client.get(f"{V2}/requests.xml")
    assert r.status_code == 403 and "api_key" in error_list(r)[0]["description"]
    assert client.get(f"{V2}/requests.json", {"api_key": world.raw}).status_code == 200


@pytest.mark.parametrize(
    "key,text", [("cg_abcdefgh_wrong", "API 密钥无效"), ("api_only", "open311")]
)
def test_a_bad_key_on_get_is_403(client, world, key, text):
    raw = world.raw_api_only if key == "api_only" else key
    r = client.get(f"{V2}/requests.json", {"api_key": raw})
    assert r.status_code == 403 and text in error_list(r)[0]["description"]


@pytest.mark.parametrize("path", ["requests", "request"])
def test_one_request_on_both_paths(client, world, path):
    r = client.get(f"{V2}/{path}/{world.patrol.number}.json", {"api_key": world.raw})
    assert r.status_code == 200 and numbers(r) == {world.patrol.number}
    validate("requests.json", r.json())
    root = xml_root(client.get(f"{V2}/{path}/{world.patrol.number}.xml", {"api_key": world.raw}))
    assert root.tag == "service_requests" and root[0].tag == "request"


def test_another_partners_area_answers_404_like_a_missing_request(client, world):
    for number in (world.hotline.number, "20990101999999"):
        r = client.get(f"{V2}/requests/{number}.json", {"api_key": world.raw})
        assert r.status_code == 404
        assert number in error_list(r)[0]["description"]


def test_xml_fields_enumerations_and_dates(client, world):
    root = xml_root(client.get(f"{V2}/requests.xml", {"api_key": world.raw}))
    assert root.tag == "service_requests"
    expected = [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]
    for request in root:
        assert request.tag == "request"
        assert [c.tag for c in request] == expected
        assert request.findtext("status") in ("open", "closed")
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert W3_DATETIME.match(request.findtext(name))


def test_status_filter_and_closed_mapping(client, world):
    now = timezone.now()
    Case.objects.filter(pk=world.patrol.pk).update(status=Status.CLOSED, closed_at=now)
    get = lambda **p: client.get(f"{V2}/requests.json", {"api_key": world.raw, **p})  # noqa: E731
    assert numbers(get(status="closed")) == {world.patrol.number}
    assert numbers(get(status="open")) == {world.via_api.number}
    assert len(numbers(get(status="open,closed"))) == 2
    closed = next(x for x in get().json() if x["status"] == "closed")
    assert closed["updated_datetime"] == selectors.w3_datetime(now)
    r = get(status="pending")
    assert r.status_code == 400 and "status" in error_list(r)[0]["description"]


def test_service_code_and_id_filters(client, world, o311):
    get = lambda **p: client.get(f"{V2}/requests.json", {"api_key": world.raw, **p})  # noqa: E731
    assert numbers(get(service_code="TZ02-01")) == set()
    assert len(numbers(get(service_code="TZ02-01,TZ01-01"))) == 2
    Case.objects.filter(pk=world.patrol.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    assert numbers(get()) == {world.via_api.number}  # the default window is 90 days
    ids = f"{world.patrol.number},{world.hotline.number}"
    # ids override every other argument, but never the scope
    assert numbers(get(service_request_id=ids, service_code="NOPE")) == {world.patrol.number}


def test_date_ranges(client, world):
    get = lambda **p: client.get(f"{V2}/requests.json", {"api_key": world.raw, **p})  # noqa: E731
    Case.objects.filter(pk=world.patrol.pk).update(
        created_at=timezone.make_aware(dt.datetime(2024, 3, 10, 12))
    )
    r = get(start_date="2024-03-01T00:00:00+08:00", end_date="2024-03-31T00:00:00Z")
    assert r.status_code == 200 and numbers(r) == {world.patrol.number}
    assert numbers(get(start_date="2024-03-11", end_date="2024-04-01")) == set()
    assert numbers(get(end_date="2024-03-10")) == {world.patrol.number}
    assert numbers(get(start_date="2024-03-10")) == {world.patrol.number}


@pytest.mark.parametrize(
    "params,text",
    [
        ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"}, "90"),
        ({"start_date": "2024-05-01T00:00:00Z", "end_date": "2024-04-01T00:00:00Z"}, "晚于"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2024-05-01T00:00:00"}, "end_date"),  # no time zone
        ({"start_date": "2024-13-01"}, "start_date"),
    ],
)
def test_bad_date_ranges_are_400(client, world, params, text):
    for fmt in ("json", "xml"):
        r = client.get(f"{V2}/requests.{fmt}", {"api_key": world.raw, **params})
        assert r.status_code == 400
        assert text in " ".join(e["description"] for e in error_list(r))


def test_at_most_max_results_newest_first(client, world, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_RESULTS", 1)
    r = client.get(f"{V2}/requests.json", {"api_key": world.raw})
    assert numbers(r) == {max(world.via_api.number, world.patrol.number)}


def test_the_list_costs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(5):
        case_create(actor=world.worker_a1, item=world.item, text=f"堆物{i}", grid=world.grid_a2)
    with django_assert_max_num_queries(8):
        r = client.get(f"{V2}/requests.json", {"api_key": world.raw})
    assert len(r.json()) == 7
