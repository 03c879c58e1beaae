"""Every foundation page: status, content, masking and scoping (foreign rows answer 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civicgrid.core.models import AuditLog
from civicgrid.people.models import Resident, Visit

from .conftest import PHONE_A, PHONE_B

pytestmark = pytest.mark.django_db

NOT_FOUND_TEXT = "找不到该记录,或您无权查看"


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def text(response) -> str:
    return response.content.decode()


# --- pages render, with what they are for -----------------------------------------


def test_anonymous_is_sent_to_login(client, registry):
    response = client.get(reverse("resident_detail", args=[registry.resident_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_for_community_staff_shows_scope_and_counts(client, registry):
    response = get(client, registry.tiny.staff_a, "home")
    body = text(response)
    assert response.status_code == 200
    assert "社区工作人员" in body and "东门社区" in body
    assert response.context["counts"] == {
        "grids": 2,
        "residents": 3,
        "red": 0,
        "yellow": 1,
        "party_members": 1,
        "units": 1,
    }


def test_home_for_grid_worker_leads_to_their_grid(client, registry):
    tiny = registry.tiny
    response = get(client, tiny.worker_a1, "home")
    assert response.context["my_grids"] == [tiny.grid_a1]
    assert reverse("grid_detail", args=[tiny.grid_a1.pk]) in text(response)
    assert response.context["counts"]["residents"] == 2  # the two in grid A1 only


def test_area_tree_counts_roll_up(client, registry):
    tiny = registry.tiny
    response = get(client, tiny.street_staff, "area_tree")
    assert response.status_code == 200
    rows = response.context["rows"]
    street = next(r["node"] for r in rows if r["node"] and r["node"].area == tiny.street)
    assert street.counts == {"grids": 4, "households": 2, "residents": 4, "party_members": 2}
    community_a = next(r["node"] for r in rows if r["node"] and r["node"].area == tiny.community_a)
    assert community_a.counts == {"grids": 2, "households": 1, "residents": 3, "party_members": 1}
    grid_a1 = next(r["grid"] for r in rows if r["grid"] == tiny.grid_a1)
    assert grid_a1.counts == {"households": 1, "residents": 2, "party_members": 1}
    assert "西门第二网格" in text(response)


def test_area_tree_for_community_staff_has_no_other_community(client, registry):
    body = text(get(client, registry.tiny.staff_a, "area_tree"))
    assert "东门第一网格" in body and "东门第二网格" in body
    assert "西门" not in body and "罗阳街道" not in body


def test_map_page_loads_vendored_echarts_and_no_inline_script(client, registry):
    body = text(get(client, registry.tiny.staff_a, "map"))
    assert "vendor/echarts/echarts.min.js" in body and "js/map.js" in body
    assert "cdn" not in body.lower()


def test_map_data_drills_from_street_to_community(client, registry):
    tiny = registry.tiny
    top = get(client, tiny.street_staff, "map_data").json()
    assert top["area"]["id"] == tiny.street.pk  # the user's single root
    by_label = {d["label"]: d for d in top["data"]}
    assert set(by_label) == {"东门社区", "西门社区"}
    assert by_label["东门社区"]["value"] == 3 and by_label["西门社区"]["value"] == 1
    assert by_label["东门社区"]["url"] == reverse("map") + f"?area={tiny.community_a.pk}"
    keys = {f["properties"]["key"] for f in top["geojson"]["features"]}
    assert keys == {d["name"] for d in top["data"]}

    down = get(client, tiny.street_staff, "map_data", area=tiny.community_a.pk).json()
    assert [c["name"] for c in down["breadcrumbs"]] == ["罗阳街道", "东门社区"]
    grids = {d["label"]: d for d in down["data"]}
    assert set(grids) == {"东门第一网格", "东门第二网格"}
    assert grids["东门第一网格"]["kind"] == "grid" and grids["东门第一网格"]["value"] == 2
    assert grids["东门第一网格"]["short"] == "东门第一网格"  # no parent-name prefix to drop
    assert grids["东门第一网格"]["url"] == reverse("grid_detail", args=[tiny.grid_a1.pk])


def test_map_data_for_a_county_without_boundaries_draws_the_union_of_grids(client, registry):
    from civicgrid.orgs.choices import Role
    from civicgrid.testing.factories import make_user

    tiny = registry.tiny
    county_user = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="zzb")
    payload = get(client, county_user, "map_data").json()
    assert payload["area"]["id"] == tiny.county.pk
    (street,) = payload["geojson"]["features"]  # no geometry of its own: union of 4 grids
    assert street["properties"]["name"] == "罗阳街道"
    xs = [pt[0] for ring in street["geometry"]["coordinates"] for pt in ring]
    assert min(xs) == pytest.approx(114.00) and max(xs) == pytest.approx(114.04)


def test_map_data_for_grid_worker_shows_only_their_grid(client, registry):
    payload = get(client, registry.tiny.worker_a1, "map_data").json()
    assert [d["label"] for d in payload["data"]] == ["东门第一网格"]


def test_grid_page_lists_staff_households_residents_members_units(client, registry):
    tiny = registry.tiny
    response = get(client, tiny.staff_a, "grid_detail", tiny.grid_a1.pk)
    body = text(response)
    assert response.status_code == 200
    assert "专职网格员" in body and str(tiny.worker_a1) in body
    assert "A1-0001" in body and "张建国" in body and "李秀英" in body
    assert "王党员" in body and "东门小学" in body
    assert "138****8000" in body and PHONE_A not in body
    assert registry.id_a not in body
    assert "张小红" not in body  # grid A2


def test_resident_page_masks_pii_and_shows_tags_household_and_visits(client, registry):
    response = get(client, registry.tiny.worker_a1, "resident_detail", registry.resident_a.pk)
    body = text(response)
    assert response.status_code == 200
    assert "138****8000" in body and PHONE_A not in body
    assert registry.id_a[:4] + "*" * 10 + registry.id_a[-4:] in body and registry.id_a not in body
    assert "level-yellow" in body and "独居老人" in body
    assert "李秀英" in body  # household member
    assert "需要助餐服务" in body  # the visit record
    assert body.count("显示完整") == 2 and "记录走访" in body


def test_part_time_worker_sees_no_reveal_button_and_no_visit_form(client, registry):
    body = text(get(client, registry.tiny.parttime_a1, "resident_detail", registry.resident_a.pk))
    assert "138****8000" in body
    assert "显示完整" not in body and "记录走访" not in body


def test_resident_list_and_search(client, registry):
    tiny = registry.tiny
    listed = text(get(client, tiny.staff_a, "resident_list"))
    assert "张建国" in listed and "张小红" in listed and "张伟" not in listed
    by_name = get(client, tiny.staff_a, "resident_list", q="张")
    assert {r.name for r in by_name.context["page"]} == {"张建国", "张小红"}
    assert {
        r.name for r in get(client, tiny.staff_a, "resident_list", q="建国").context["page"]
    } == set()
    by_phone = get(client, tiny.staff_a, "resident_list", q="138 0013 8000")
    assert [r.name for r in by_phone.context["page"]] == ["张建国"]
    assert PHONE_A not in text(by_phone) and "138****8000" in text(by_phone)
    by_id = get(client, tiny.staff_a, "resident_list", q=registry.id_a.lower())
    assert [r.name for r in by_id.context["page"]] == ["张建国"]
    foreign = get(client, tiny.staff_a, "resident_list", q=PHONE_B)
    assert list(foreign.context["page"]) == []
    yellow = get(client, tiny.staff_a, "resident_list", attention_level="yellow")
    assert [r.name for r in yellow.context["page"]] == ["张建国"]


def test_search_by_phone_or_id_is_audited_without_the_number(client, registry):
    get(client, registry.tiny.staff_a, "resident_list", q=PHONE_A)
    get(client, registry.tiny.staff_a, "resident_list", q="张")
    rows = list(AuditLog.objects.filter(action=AuditLog.Action.SEARCH))
    assert len(rows) == 1
    assert rows[0].actor == registry.tiny.staff_a and rows[0].field == "phone"
    assert rows[0].detail == {"results": 1} and PHONE_A not in str(rows[0].detail)


def test_party_org_tree_and_page(client, registry):
    tiny = registry.tiny
    response = get(client, tiny.street_staff, "party_org_tree")
    depths = {r.org.name: r.depth for r in response.context["rows"]}
    assert depths == {
        "罗阳街道大工委": 0,
        "东门社区大党委": 1,
        "东门第一网格党支部": 2,
        "西门社区大党委": 1,
    }
    members = {r.org.name: r.members for r in response.context["rows"]}
    assert members["东门第一网格党支部"] == 1 and members["罗阳街道大工委"] == 0
    staff_a_tree = text(get(client, tiny.staff_a, "party_org_tree"))
    assert "东门社区大党委" in staff_a_tree and "西门社区大党委" not in staff_a_tree
    page = get(client, tiny.staff_a, "party_org_detail", registry.branch_a1.pk)
    assert page.status_code == 200 and "王党员" in text(page)


def test_party_member_list_filters(client, registry):
    tiny = registry.tiny
    everyone = get(client, tiny.street_staff, "party_member_list")
    assert {m.name for m in everyone.context["page"]} == {"王党员", "赵党员"}
    chiefs = get(client, tiny.street_staff, "party_member_list", roles="building_chief")
    assert [m.name for m in chiefs.context["page"]] == ["赵党员"]
    under_a = get(client, tiny.street_staff, "party_member_list", organization=registry.org_a.pk)
    assert [m.name for m in under_a.context["page"]] == ["王党员"]  # includes sub-organisations
    own = text(get(client, tiny.staff_a, "party_member_list"))
    assert "王党员" in own and "赵党员" not in own


def test_party_member_page_masks_phone(client, registry):
    body = text(get(client, registry.tiny.staff_a, "party_member_detail", registry.member_a.pk))
    assert "党员中心户" in body and "东门小学" in body
    assert "137****7000" in body and "13700137000" not in body


def test_unit_list_and_page(client, registry):
    tiny = registry.tiny
    listed = text(get(client, tiny.staff_a, "unit_list"))
    assert "东门小学" in listed and "西门物业公司" not in listed
    schools = get(client, tiny.street_staff, "unit_list", kind="school")
    assert [u.name for u in schools.context["page"]] == ["东门小学"]
    page = get(client, tiny.staff_a, "unit_detail", registry.unit_a.pk)
    assert page.status_code == 200 and "王党员" in text(page)


# --- scoping: another community's rows answer exactly like missing ones ------------


def detail_urls(registry):
    tiny = registry.tiny
    return [
        reverse("grid_detail", args=[tiny.grid_a1.pk]),
        reverse("resident_detail", args=[registry.resident_a.pk]),
        reverse("party_member_detail", args=[registry.member_a.pk]),
        reverse("party_org_detail", args=[registry.org_a.pk]),
        reverse("unit_detail", args=[registry.unit_a.pk]),
    ]


def test_staff_b_gets_404_for_every_detail_page_of_community_a(client, registry):
    client.force_login(registry.tiny.staff_b)
    for url in detail_urls(registry):
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOT_FOUND_TEXT in text(response), url
        assert "张建国" not in text(response) and "东门" not in text(response)


def test_missing_ids_answer_the_same_404(client, registry):
    client.force_login(registry.tiny.staff_b)
    for name in (
        "grid_detail",
        "resident_detail",
        "party_member_detail",
        "party_org_detail",
        "unit_detail",
    ):
        response = client.get(reverse(name, args=[999_999]))
        assert response.status_code == 404 and NOT_FOUND_TEXT in text(response)


def test_map_data_of_a_foreign_area_is_404(client, registry):
    client.force_login(registry.tiny.staff_b)
    response = client.get(
        reverse("map_data"), {"area": registry.tiny.community_a.pk}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(reverse("map_data"), {"area": "x"}).status_code == 404


def test_staff_b_cannot_reveal_or_visit_in_community_a(client, registry):
    client.force_login(registry.tiny.staff_b)
    pk = registry.resident_a.pk
    assert client.post(reverse("resident_reveal", args=[pk, "phone"])).status_code == 404
    assert (
        client.post(
            reverse("party_member_reveal", args=[registry.member_a.pk, "phone"])
        ).status_code
        == 404
    )
    assert client.post(reverse("visit_add", args=[pk]), {"notes": "x"}).status_code == 404
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()
    assert Visit.objects.filter(resident_id=pk).count() == 1


# --- reveal and visits --------------------------------------------------------------


def test_reveal_shows_full_value_and_writes_audit_row(client, registry):
    tiny = registry.tiny
    client.force_login(tiny.worker_a1)
    response = client.post(reverse("resident_reveal", args=[registry.resident_a.pk, "phone"]))
    assert response.status_code == 200
    assert PHONE_A in text(response)
    assert registry.id_a not in text(response)  # only the field asked for
    row = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert (row.actor, row.object_type, row.object_id, row.field) == (
        tiny.worker_a1,
        "people.resident",
        str(registry.resident_a.pk),
        "phone",
    )


def test_reveal_through_htmx_returns_only_the_value(client, registry):
    client.force_login(registry.tiny.staff_a)
    response = client.post(
        reverse("resident_reveal", args=[registry.resident_a.pk, "id_number"]),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert (
        text(response).strip() == f'<span class="pii revealed" data-revealed>{registry.id_a}</span>'
    )
    assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL, field="id_number").count() == 1


def test_reveal_of_party_member_phone(client, registry):
    client.force_login(registry.tiny.staff_a)
    response = client.post(reverse("party_member_reveal", args=[registry.member_a.pk, "phone"]))
    assert response.status_code == 200 and "13700137000" in text(response)
    assert AuditLog.objects.filter(object_type="people.partymember", field="phone").count() == 1


def test_reveal_denied_for_part_time_worker(client, registry):
    client.force_login(registry.tiny.parttime_a1)
    response = client.post(reverse("resident_reveal", args=[registry.resident_a.pk, "phone"]))
    assert response.status_code == 403
    assert PHONE_A not in text(response)
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


def test_reveal_needs_post_and_a_known_field(client, registry):
    client.force_login(registry.tiny.staff_a)
    pk = registry.resident_a.pk
    assert client.get(reverse("resident_reveal", args=[pk, "phone"])).status_code == 405
    bad = client.post(reverse("resident_reveal", args=[pk, "name"]), HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


def test_worker_records_a_visit_and_raises_the_attention_level(client, registry):
    client.force_login(registry.tiny.worker_a1)
    pk = registry.resident_a.pk
    response = client.post(
        reverse("visit_add", args=[pk]),
        {"notes": "入户走访,反映楼道灯坏了。", "needs": "修楼道灯", "attention_level": "red"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("resident_detail", args=[pk]) + "#visits"
    visit = Visit.objects.get(resident_id=pk, needs="修楼道灯")
    assert visit.visitor == registry.tiny.worker_a1 and visit.grid_id == registry.tiny.grid_a1.pk
    assert Resident.objects.get(pk=pk).attention_level == "red"
    assert "修楼道灯" in text(client.get(reverse("resident_detail", args=[pk])))


def test_empty_visit_is_refused_with_the_form_error(client, registry):
    client.force_login(registry.tiny.worker_a1)
    pk = registry.resident_a.pk
    response = client.post(reverse("visit_add", args=[pk]), {"notes": "   "})
    assert response.status_code == 400
    assert "errorlist" in text(response)
    assert Visit.objects.filter(resident_id=pk).count() == 1


def test_part_time_worker_cannot_record_a_visit(client, registry):
    client.force_login(registry.tiny.parttime_a1)
    response = client.post(
        reverse("visit_add", args=[registry.resident_a.pk]), {"notes": "试图记录"}
    )
    assert response.status_code == 404
    assert not Visit.objects.filter(notes="试图记录").exists()


def test_map_labels_drop_the_parent_name():
    from types import SimpleNamespace

    from civicgrid.web.geo_views import _short

    community = SimpleNamespace(name="荔枝社区")
    assert _short("荔枝社区第三网格", community) == "第三网格"
    assert _short("荔枝社区", community) == "荔枝社区"
    assert _short("东门第一网格", community) == "东门第一网格"
    assert _short("东门第一网格", None) == "东门第一网格"
