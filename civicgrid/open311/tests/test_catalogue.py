"""Discovery, the service list and service definitions, in both formats."""

import pytest

from civicgrid.cases.models import MatterItem

from .helpers import error_list, validate, xml_root

pytestmark = pytest.mark.django_db
V2 = "/open311/v2"


@pytest.mark.parametrize("url", ["/open311/discovery.json", f"{V2}/discovery.json"])
def test_discovery_json(client, o311, url):
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    data = r.json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert data["changeset"] == endpoint["changeset"]


def test_discovery_xml(client, o311):
    root = xml_root(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert endpoint.findtext("url") == "http://testserver/open311/v2"


def test_services_json_lists_the_active_catalogue(client, o311):
    r = client.get(f"{V2}/services.json")
    assert r.status_code == 200
    data = r.json()
    validate("services.json", data)
    by_code = {s["service_code"]: s for s in data}
    assert "TZ03-01" not in by_code  # inactive
    assert len(by_code) == MatterItem.objects.filter(active=True).count()
    s = by_code["TZ01-01"]
    assert s == {
        "service_code": "TZ01-01",
        "service_name": "楼道堆物",
        "description": "",
        "metadata": True,
        "type": "realtime",
        "keywords": "堆物, 楼道",
        "group": "测试分类",
    }


def test_services_xml_element_names(client, o311):
    root = xml_root(client.get(f"{V2}/services.xml"))
    assert root.tag == "services"
    service = next(s for s in root if s.findtext("service_code") == "TZ01-01")
    assert service.tag == "service"
    assert [c.tag for c in service] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert service.findtext("metadata") == "true" and service.findtext("type") == "realtime"
    assert {s.findtext("metadata") for s in root} <= {"true", "false"}


def test_service_definition_json(client, o311):
    r = client.get(f"{V2}/services/TZ02-01.json")
    assert r.status_code == 200
    data = r.json()
    validate("service-definition.json", data)
    assert data["service_code"] == "TZ02-01"
    codes = [a["code"] for a in data["attributes"]]
    assert codes == ["urgent", "observed_at", "injuries"]
    orders = [a["order"] for a in data["attributes"]]
    assert orders == sorted(set(orders)) and min(orders) == 1
    injuries = data["attributes"][2]
    assert injuries["required"] is True and injuries["datatype"] == "singlevaluelist"
    assert [v["key"] for v in injuries["values"]] == ["yes", "no"]
    assert "values" not in data["attributes"][1]


def test_service_definition_xml(client, o311):
    root = xml_root(client.get(f"{V2}/services/TZ01-01.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "TZ01-01"
    attrs = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attrs] == ["urgent", "observed_at", "recurrence"]
    allowed = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
    assert {a.findtext("datatype") for a in attrs} <= allowed
    assert [v.findtext("key") for v in attrs[0].findall("values/value")] == ["yes", "no"]
    assert {a.findtext("variable") for a in attrs} == {"true"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["NOPE", "TZ03-01"])
def test_unknown_or_inactive_service_code_is_404(client, o311, fmt, code):
    r = client.get(f"{V2}/services/{code}.{fmt}")
    assert r.status_code == 404
    (err,) = error_list(r)
    assert code in err["description"]


@pytest.mark.parametrize("url", ["services.json", "services/TZ01-01.xml", "requests.json"])
def test_wrong_jurisdiction_is_404(client, o311, url):
    r = client.get(f"{V2}/{url}", {"jurisdiction_id": "other.gov"})
    assert r.status_code == 404
    assert "other.gov" in error_list(r)[0]["description"]
    assert client.get(f"{V2}/{url}", {"jurisdiction_id": "civicgrid.local"}).status_code == 200


def test_an_unsupported_format_is_a_400_in_xml(client, o311):
    r = client.get(f"{V2}/services.html")
    assert r.status_code == 400
    assert ".xml" in error_list(r)[0]["description"]


def test_methods_other_than_get_are_refused(client, o311):
    assert client.post(f"{V2}/services.json").status_code == 405
    assert client.delete(f"{V2}/requests.json").status_code == 405
