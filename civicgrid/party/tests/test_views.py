"""Pages: members land on their own page and are refused staff pages; staff pages, exports and
corrections are scoped; logins are created once with the password shown once."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.party import reporting
from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsEntry
from civicgrid.party.points import points_award
from civicgrid.people import services as people_services

pytestmark = pytest.mark.django_db


def _cells(resp) -> str:
    wb = load_workbook(io.BytesIO(resp.content))
    return " ".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )


@pytest.fixture
def reports(reg):
    a = reporting.report_submit(actor=reg.member_a_user, member=reg.member_a, skills="水电")
    b = reporting.report_submit(actor=reg.member_b_user, member=reg.member_b)
    return a, b


def test_a_member_lands_on_their_page_and_is_refused_staff_pages(client, reg):
    client.force_login(reg.member_a_user)
    assert client.get("/").url == reverse("party:me")
    for url in (reverse("party:roster"), reverse("cases:queue"), reverse("resident_list")):
        resp = client.get(url)
        assert resp.status_code == 403
        assert "此页面供工作人员使用" in resp.content.decode()
    resp = client.get(reverse("party:me"))
    assert resp.status_code == 200
    assert "我要报到" in resp.content.decode()


def test_a_unit_contact_lands_on_the_unit_page(client, reg):
    client.force_login(reg.unit_contact)
    assert client.get("/").url == reverse("party:unit_home")
    resp = client.get(reverse("party:unit_home"))
    assert "东门小学" in resp.content.decode() and "西门物业公司" not in resp.content.decode()
    assert client.get(reverse("party:unit_report", args=[reg.unit_b.pk])).status_code == 404


def test_staff_are_not_redirected(client, reg):
    client.force_login(reg.tiny.staff_a)
    assert client.get("/").status_code == 200
    assert client.get(reverse("party:me")).status_code == 404  # staff without a member record


def test_member_reports_from_the_phone_form(client, reg):
    client.force_login(reg.member_a_user)
    resp = client.post(
        reverse("party:me_report"),
        {
            "community": reg.tiny.community_a.pk,
            "skills": "法律",
            "services": ["legal", "mediation"],
            "availability": "weekends",
        },
    )
    assert resp.status_code == 302
    report = reg.member_a.dual_reports.get()
    assert (report.services, report.availability) == (["legal", "mediation"], "weekends")
    resp = client.post(reverse("party:own_withdraw", args=[report.pk]), {"reason": "调动"})
    report.refresh_from_db()
    assert report.status == "withdrawn"
    # Somebody else's report cannot be touched.
    other = reporting.report_submit(actor=reg.member_b_user, member=reg.member_b)
    assert (
        client.post(reverse("party:own_withdraw", args=[other.pk]), {"reason": "x"}).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.status == "submitted"


def test_confirm_page_and_receipt_access(client, reg, reports):
    a, b = reports
    client.force_login(reg.tiny.staff_a)
    assert client.get(reverse("party:report_detail", args=[b.pk])).status_code == 404
    assert client.post(reverse("party:report_confirm", args=[b.pk])).status_code == 404
    resp = client.post(reverse("party:report_confirm", args=[a.pk]))
    assert resp.url == reverse("party:receipt", args=[a.pk])
    a.refresh_from_db()
    page = client.get(resp.url).content.decode()
    assert a.receipt_number in page and "王党员" in page
    b.refresh_from_db()
    assert b.status == "submitted"
    client.force_login(reg.member_a_user)
    assert client.get(reverse("party:receipt", args=[a.pk])).status_code == 200
    client.force_login(reg.member_b_user)
    assert client.get(reverse("party:receipt", args=[a.pk])).status_code == 404


def test_roster_page_and_export_are_scoped(client, reg, reports, django_assert_max_num_queries):
    client.force_login(reg.tiny.staff_a)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("party:roster")).content.decode()
    assert "王党员" in page and "赵党员" not in page
    resp = client.get(reverse("party:roster"), {"export": "xlsx"})
    cells = _cells(resp)
    assert "王党员" in cells and "赵党员" not in cells
    # Asking for the other community by id shows nothing of it.
    page = client.get(reverse("party:roster"), {"area": reg.tiny.community_b.pk}).content.decode()
    assert "赵党员" not in page


def test_roster_query_count_does_not_grow(client, reg, django_assert_max_num_queries):
    from civicgrid.people.models import PartyMember

    for i in range(12):
        m = PartyMember.objects.create(
            name=f"党员{i}",
            gender="M",
            organization=reg.branch_a1,
            area=reg.tiny.community_a,
            grid=reg.tiny.grid_a1,
        )
        reporting.report_submit(actor=None, member=m, services=["volunteer"])
    client.force_login(reg.tiny.street_staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("party:roster")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("party:inactive")).status_code == 200


def test_rankings_ledger_and_awards_pages_are_scoped(client, reg, django_assert_max_num_queries):
    points_award(actor=None, event=PointsEvent.CLAIM_CONFIRMED, member=reg.member_a, source="t:1")
    points_award(actor=None, event=PointsEvent.CLAIM_CONFIRMED, member=reg.member_b, source="t:2")
    client.force_login(reg.tiny.staff_a)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("party:rankings")).content.decode()
    assert "王党员" in page and "赵党员" not in page
    assert "赵党员" not in _cells(client.get(reverse("party:rankings"), {"export": "xlsx"}))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("party:ledger")).content.decode()
    assert "王党员" in page and "赵党员" not in page
    assert client.get(reverse("party:awards")).status_code == 200
    cells = _cells(client.get(reverse("party:awards"), {"export": "xlsx", "period": "year"}))
    assert "王党员" in cells and "赵党员" not in cells  # A is a central household


def test_reversal_and_adjustment_are_the_org_departments(client, reg):
    entry = points_award(
        actor=None, event=PointsEvent.CLAIM_CONFIRMED, member=reg.member_a, source="t:1"
    )
    url = reverse("party:entry_reverse", args=[entry.pk])
    client.force_login(reg.tiny.staff_a)
    assert client.post(url, {"reason": "错误"}).status_code == 403
    assert (
        client.post(
            reverse("party:adjust"),
            {"kind": "member", "subject_id": reg.member_a.pk, "points": 5, "reason": "x"},
        ).status_code
        == 403
    )
    assert PointsEntry.objects.count() == 1
    client.force_login(reg.orgdept)
    client.post(url, {"reason": ""})  # refused with a message: nothing written
    assert not PointsEntry.objects.filter(reverses=entry).exists()
    assert client.post(url, {"reason": "重复记分"}).status_code == 302
    assert PointsEntry.objects.get(reverses=entry).points == -entry.points
    resp = client.post(
        reverse("party:adjust"),
        {"kind": "member", "subject_id": reg.member_a.pk, "points": -3, "reason": "缺席组织生活"},
    )
    assert resp.status_code == 302
    assert PointsEntry.objects.get(event=PointsEvent.MANUAL).points == -3


def test_member_login_is_created_once_with_a_password_shown_once(client, reg):
    member = people_services.party_member_create(
        actor=None,
        name="钱党员",
        organization=reg.branch_a1,
        grid=reg.tiny.grid_a1,
        gender="M",
        phone="13500135000",
    )
    client.force_login(reg.tiny.staff_b)
    assert client.post(reverse("party:member_login_create", args=[member.pk])).status_code == 404
    client.force_login(reg.tiny.staff_a)
    resp = client.post(reverse("party:member_login_create", args=[member.pk]))
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    password = resp.context["password"]
    assert password in resp.content.decode()
    member.refresh_from_db()
    assert member.user.username == "13500135000"
    assert member.user.check_password(password) and member.user.has_usable_password()
    client.post(reverse("party:member_login_create", args=[member.pk]))  # refused: a login exists
    member.refresh_from_db()
    assert member.user.check_password(password)  # the first password still works
    assert type(member.user).objects.filter(username="13500135000").count() == 1
    page = client.get(reverse("party:member_logins")).content.decode()
    assert password not in page and "已开通" in page
