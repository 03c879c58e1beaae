"""The reports page over HTTP: the archive and downloads are scoped (others' reports are 404),
a download leaves an audit row, and the form makes a report or refuses with a Chinese message."""

import pytest
from django.urls import reverse

from civicgrid.core.models import AuditLog
from civicgrid.reports import services
from civicgrid.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(county, reports_dir):
    make = services.report_generate
    county.r_county = make(
        actor=None, kind="monthly", area=county.county, period="2026-10", fmt="xlsx"
    )
    county.r_street = make(
        actor=None, kind="weekly", area=county.street, period="2026-W42", fmt="xlsx"
    )
    county.r_a = make(
        actor=None, kind="daily", area=county.community_a, period="2026-10-14", fmt="xlsx"
    )
    county.r_b = make(
        actor=None, kind="daily", area=county.community_b, period="2026-10-14", fmt="xlsx"
    )
    return county


def _listed(client, user):
    client.force_login(user)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200
    return {r.pk for r in page.context["page"].object_list}


def test_the_archive_lists_only_reports_in_scope(client, archive, settings):
    settings.CIVICGRID_2FA_ENFORCED = False  # the leader's second factor is tested elsewhere
    a = archive
    assert _listed(client, a.staff_a) == {a.r_a.pk}
    assert _listed(client, a.staff_b) == {a.r_b.pk}
    assert _listed(client, a.street_staff) == {a.r_street.pk, a.r_a.pk, a.r_b.pk}
    assert _listed(client, a.leader) == {a.r_county.pk, a.r_street.pk, a.r_a.pk, a.r_b.pk}


def test_download_is_scoped_and_audited(client, archive):
    a = archive
    client.force_login(a.street_staff)
    url = reverse("reports:download", args=[a.r_county.pk])
    assert client.get(url).status_code == 404
    client.force_login(a.staff_b)
    assert client.get(reverse("reports:download", args=[a.r_a.pk])).status_code == 404
    assert not AuditLog.objects.filter(action="report.download").exists()
    client.force_login(a.staff_a)
    response = client.get(reverse("reports:download", args=[a.r_a.pk]))
    assert response.status_code == 200
    assert response.content == services.report_bytes(a.r_a)
    assert "attachment" in response["Content-Disposition"]
    log = AuditLog.objects.get(action="report.download")
    assert (log.actor, log.object_id, log.detail["sha256"]) == (
        a.staff_a,
        str(a.r_a.pk),
        a.r_a.sha256,
    )


def test_the_form_makes_a_report_in_scope(client, county, reports_dir):
    client.force_login(county.staff_a)
    data = {"kind": "daily", "area": county.community_a.pk, "period": "2026-10-14", "fmt": "pdf"}
    response = client.post(reverse("reports:create"), data, follow=True)
    r = Report.objects.get()
    assert (r.kind, r.area, r.created_by, r.fmt) == (
        "daily",
        county.community_a,
        county.staff_a,
        "pdf",
    )
    assert "报表已生成" in response.content.decode()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"kind": "monthly", "area": "county", "period": "2026-10", "fmt": "pdf"}, "未知的区划"),
        ({"kind": "weekly", "area": "a", "period": "2026-W42", "fmt": "pdf"}, "只能按"),
        ({"kind": "daily", "area": "a", "period": "14/10/2026", "fmt": "pdf"}, "周期格式有误"),
        ({"kind": "daily", "area": "a", "period": "2026-10-14", "fmt": "doc"}, "未知的文件格式"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(client, county, reports_dir, data, message):
    areas = {"county": county.county.pk, "a": county.community_a.pk}
    client.force_login(county.staff_a)
    response = client.post(
        reverse("reports:create"), {**data, "area": areas[data["area"]]}, follow=True
    )
    assert message in response.content.decode()
    assert Report.objects.count() == 0
