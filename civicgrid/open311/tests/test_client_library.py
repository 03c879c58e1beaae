"""A published Open311 client (the `georeport` package) against a live server."""

import pytest
import requests
from georeport import GeoReport

from civicgrid.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(live_server, o311):
    return GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction="civicgrid.local", output_format="json"
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_services_and_definitions(live_server, o311, fmt):
    api = GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction="civicgrid.local", output_format=fmt
    )
    services = api.get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"TZ01-01", "TZ02-01"} <= codes and "TZ03-01" not in codes
    definition = api.get_service_definition("TZ02-01")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes] == ["urgent", "observed_at", "injuries"]


def test_a_post_is_then_read_back_by_the_client(live_server, api, o311):
    r = requests.post(
        f"{live_server.url}/open311/v2/requests.json",
        data={
            "api_key": o311.raw,
            "jurisdiction_id": "civicgrid.local",
            "service_code": "TZ01-01",
            "lat": "23.005",
            "long": "114.005",
            "description": "楼道堆物",
            "first_name": "某某",
        },
        timeout=10,
    )
    assert r.status_code == 201, r.text
    number = r.json()[0]["service_request_id"]
    assert Case.objects.get(number=number).open311.partner == o311.partner
    found = api.get_service_requests(service_request_id=number)
    assert [x["service_request_id"] for x in found] == [number]
    one = api.get_service_request(number)
    assert one["status"] == "open" and one["service_code"] == "TZ01-01"
    assert one["description"] is None  # the client sends no key: the coarse public view
    xml = GeoReport(f"{live_server.url}/open311/v2", output_format="xml")
    assert xml.get_service_request(number)["service_request_id"] == number


def test_the_client_sees_http_errors(api):
    with pytest.raises(requests.HTTPError) as e:
        api.get_service_definition("NOPE")
    assert e.value.response.status_code == 404
    assert e.value.response.json()[0]["code"] == 404
