"""Pages: scoping of every list, detail and export; query counts; the forms end to end."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.partylife import services
from civicgrid.partylife.choices import Direction
from civicgrid.partylife.models import EvaluationAssignment, Meeting, OrgWarning, TrainingRecord

from .conftest import full_marks

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _closed_round(world, **kw):
    r = world.round(**kw)
    a = EvaluationAssignment.objects.select_related("round").get(
        round=r, direction=Direction.UNIT_TO_COMMUNITY, rater_unit=world.unit_a
    )
    services.evaluation_save(
        actor=world.unit_user_a, assignment=a, scores=full_marks(a), submit=True
    )
    b = EvaluationAssignment.objects.select_related("round").get(
        round=r, direction=Direction.UNIT_TO_COMMUNITY, rater_unit=world.unit_b
    )
    services.evaluation_save(
        actor=world.unit_user_b, assignment=b, scores=full_marks(b, 0.5), submit=True
    )
    services.evaluation_round_close(actor=world.orgdept, round=r)
    r.refresh_from_db()
    return r


def _section(page, direction="unit_to_community"):
    return page.split(f'id="{direction}"', 1)[1].split("</section>", 1)[0]


def test_index_and_nav(client, world):
    resp = _client(client, world.tiny.staff_a).get(reverse("partylife:index"))
    assert resp.status_code == 200
    assert reverse("partylife:index") in resp.content.decode()


def test_round_detail_anonymity_in_the_page(client, world):
    r = _closed_round(world)
    url = reverse("partylife:round", args=[r.pk])
    page_a = _section(_client(client, world.tiny.staff_a).get(url).content.decode())
    assert "东门社区" in page_a and "100.00" in page_a
    assert "东门小学" not in page_a and "西门社区" not in page_a  # no rater, no other community
    page_org = _section(_client(client, world.orgdept).get(url).content.decode())
    assert "东门小学 100.00" in page_org and "西门社区" in page_org
    # a unit in a community of another street would not see the round at all
    assert _client(client, world.tiny.worker_a1).get(url).status_code == 404


def test_round_export_scoped_and_anonymous(client, world):
    r = _closed_round(world)
    url = reverse("partylife:round_export", args=[r.pk])
    resp = _client(client, world.tiny.staff_a).get(url)
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    names = [ws.title for ws in wb.worksheets]
    assert not any("明细" in n for n in names)  # no raters for the rated
    rows = list(wb[str(Direction.UNIT_TO_COMMUNITY.label)].iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["东门社区"]
    wb_org = load_workbook(io.BytesIO(_client(client, world.orgdept).get(url).content))
    detail = [ws for ws in wb_org.worksheets if "明细" in ws.title][0]
    assert ("东门社区", "东门小学", 100.0) in list(detail.iter_rows(values_only=True))
    # a user without "export" (part-time worker) is refused; out of scope is 404
    assert _client(client, world.tiny.parttime_a1).get(url).status_code == 404
    assert _client(client, world.unit_user_a).get(url).status_code in (403, 404)


def test_task_list_and_fill_scoped(client, world):
    r = world.round()
    a = EvaluationAssignment.objects.get(
        round=r, direction=Direction.UNIT_TO_COMMUNITY, rater_unit=world.unit_a
    )
    c = _client(client, world.unit_user_a)
    assert "东门社区" in c.get(reverse("partylife:tasks")).content.decode()
    url = reverse("partylife:task", args=[a.pk])
    crit = list(r.form_unit_to_community.criteria.all())
    data = {f"score_{cr.pk}": "9" for cr in crit}
    data[f"score_{crit[0].pk}"] = "12"
    resp = c.post(url, {**data, "action": "submit"})
    assert resp.status_code == 200 and "0 到 10" in resp.content.decode()
    a.refresh_from_db()
    assert a.status == "pending"
    data[f"score_{crit[0].pk}"] = "9"
    assert c.post(url, {**data, "action": "submit"}).status_code == 302
    a.refresh_from_db()
    assert a.status == "submitted" and str(a.total) == "90.00"
    # another unit's user, and the rated community's staff, cannot open it
    assert _client(client, world.unit_user_b).get(url).status_code == 404
    assert _client(client, world.tiny.staff_a).get(url).status_code == 404


def test_round_management_only_for_the_org_department(client, world):
    c = _client(client, world.tiny.street_staff)
    assert c.get(reverse("partylife:round_new")).status_code == 403
    c = _client(client, world.orgdept)
    assert c.get(reverse("partylife:round_new")).status_code == 200
    from civicgrid.partylife.models import EvaluationForm, EvaluationRound

    data = {
        "name": "2026 年度双评价",
        "period": "2026",
        "area": world.tiny.street.pk,
        "anonymity": "named",
        "good_threshold": "90",
    }
    for f in EvaluationForm.objects.all():
        data[f"form_{f.direction}"] = f.pk
    resp = c.post(reverse("partylife:round_new"), data)
    r = EvaluationRound.objects.get()
    assert resp.status_code == 302 and r.anonymity == "named"
    assert c.post(reverse("partylife:round_action", args=[r.pk, "open"])).status_code == 302
    assert EvaluationAssignment.objects.filter(round=r).count() == 10
    staff = _client(client, world.tiny.street_staff)
    assert staff.post(reverse("partylife:round_action", args=[r.pk, "close"])).status_code == 403


def test_org_list_and_detail_scoped(client, world, django_assert_max_num_queries):
    c = _client(client, world.tiny.staff_a)
    with django_assert_max_num_queries(12):
        page = c.get(reverse("partylife:orgs")).content.decode()
    assert (
        "东门社区大党委" in page and "东门第一网格党支部" in page and "西门社区大党委" not in page
    )
    assert c.get(reverse("partylife:org", args=[world.reg.org_b.pk])).status_code == 404
    with django_assert_max_num_queries(30):
        assert c.get(reverse("partylife:org", args=[world.reg.branch_a1.pk])).status_code == 200
    # the street working committee (above branches) has no party-life page
    assert (
        _client(client, world.tiny.street_staff)
        .get(reverse("partylife:org", args=[world.reg.street_org.pk]))
        .status_code
        == 404
    )


def test_org_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    from civicgrid.orgs.choices import OrgKind
    from civicgrid.orgs.models import PartyOrganization

    for i in range(20):
        PartyOrganization.objects.create(
            name=f"支部{i}", kind=OrgKind.COMMUNITY_BRANCH, area=world.tiny.community_a
        )
    c = _client(client, world.tiny.staff_a)
    with django_assert_max_num_queries(12):
        assert c.get(reverse("partylife:orgs")).status_code == 200


def test_meeting_training_dues_forms(client, world):
    org, m = world.reg.branch_a1, world.reg.member_a
    c = _client(client, world.tiny.staff_a)
    resp = c.post(
        reverse("partylife:meeting_new", args=[org.pk]),
        {
            "kind": "party_lecture",
            "held_on": "2026-11-20",
            "topic": "专题党课",
            f"att_{m.pk}": "present",
        },
    )
    assert resp.status_code == 302
    assert Meeting.objects.get(organization=org).attendance.get().status == "present"
    assert (
        c.post(
            reverse("partylife:training_new", args=[org.pk]),
            {
                "member": m.pk,
                "taken_on": "2026-11-21",
                "title": "网络学习",
                "kind": "online",
                "hours": "3",
            },
        ).status_code
        == 302
    )
    assert TrainingRecord.objects.get(member=m).hours == 3
    c.post(
        reverse("partylife:dues_base_new", args=[org.pk]),
        {"member": m.pk, "since": "2026-10-01", "category": "employed", "monthly_income": "6000"},
    )
    c.post(reverse("partylife:dues_pay", args=[org.pk]), {"member": m.pk, "month": "2026-10"})
    page = c.get(reverse("partylife:org", args=[org.pk])).content.decode()
    assert "90.00" in page  # 6000 × 1.5 %
    # community B's staff cannot post to A's organisation, nor for A's member through B's page
    other = _client(client, world.tiny.staff_b)
    assert (
        other.post(
            reverse("partylife:training_new", args=[org.pk]),
            {
                "member": m.pk,
                "taken_on": "2026-11-21",
                "title": "x",
                "kind": "online",
                "hours": "3",
            },
        ).status_code
        == 404
    )
    resp = other.post(
        reverse("partylife:training_new", args=[world.reg.org_b.pk]),
        {"member": m.pk, "taken_on": "2026-11-21", "title": "x", "kind": "online", "hours": "3"},
    )
    assert resp.status_code == 302 and TrainingRecord.objects.filter(member=m).count() == 1


def test_overview_and_warnings_scoped(client, world, django_assert_max_num_queries):
    services.warnings_scan(actor=None, today=dt.date(2026, 11, 15))
    wa = OrgWarning.objects.filter(organization=world.reg.branch_a1).first()
    wb = OrgWarning.objects.filter(organization=world.reg.org_b).first()
    assert wa and wb
    c = _client(client, world.tiny.staff_a)
    with django_assert_max_num_queries(12):
        page = c.get(reverse("partylife:overview")).content.decode()
    assert "东门第一网格党支部" in page and "西门社区大党委" not in page
    assert 'id="partylife-chart-data"' in page
    with django_assert_max_num_queries(12):
        listing = c.get(reverse("partylife:warnings")).content.decode()
    assert "东门第一网格党支部" in listing and "西门社区大党委" not in listing
    assert c.get(reverse("partylife:warning", args=[wa.pk])).status_code == 200
    assert c.get(reverse("partylife:warning", args=[wb.pk])).status_code == 404
    assert c.get(reverse("partylife:overview") + f"?area={world.tiny.street.pk}").status_code == 404
    street = _client(client, world.tiny.street_staff).get(
        reverse("partylife:overview") + f"?area={world.tiny.street.pk}"
    )
    assert "西门社区大党委" in street.content.decode()


def test_rectification_pages(client, world):
    services.warnings_scan(actor=None, today=dt.date(2026, 11, 15))
    w = OrgWarning.objects.filter(organization=world.reg.branch_a1, kind="no_meeting").get()
    c = _client(client, world.tiny.staff_a)
    assert (
        c.post(
            reverse("partylife:rectification", args=[w.pk, "open"]),
            {"issue": "未开展组织生活", "owner": world.tiny.staff_a.pk, "deadline": "2099-01-01"},
        ).status_code
        == 302
    )
    c.post(reverse("partylife:rectification", args=[w.pk, "note"]), {"text": "已制定计划"})
    c.post(reverse("partylife:rectification", args=[w.pk, "close"]), {"evidence": "会议纪要"})
    w.refresh_from_db()
    assert w.state == "closed" and w.rectification.notes.count() == 1
    assert (
        _client(client, world.tiny.staff_b)
        .post(reverse("partylife:rectification", args=[w.pk, "note"]), {"text": "x"})
        .status_code
        == 404
    )


def test_star_compute_page(client, world):
    org = world.reg.branch_a1
    c = _client(client, world.orgdept)
    resp = c.post(
        reverse("partylife:star_compute", args=[org.pk]) + "?year=2026",
        {"manual_score": "10", "manual_note": "先进"},
    )
    assert resp.status_code == 302
    assert org.star_ratings.get(year=2026).manual_score == 10
    staff = _client(client, world.tiny.staff_a)
    staff.post(
        reverse("partylife:star_compute", args=[org.pk]) + "?year=2026", {"manual_score": "0"}
    )
    assert org.star_ratings.get(year=2026).manual_score == 10  # refused for community staff


def test_english_page(client, world):
    c = _client(client, world.tiny.staff_a)
    c.cookies["django_language"] = "en"
    page = c.get(reverse("partylife:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Smart party building" in page and "My evaluations" in page


def test_evaluation_scores_join_the_assessment_rows(world):
    """The keys of evaluation_scores are the keys of cases.assessment's rows."""
    from django.utils import timezone

    from civicgrid.cases.assessment import for_areas
    from civicgrid.partylife.selectors import evaluation_scores

    _closed_round(world)
    now = timezone.now()
    rows = for_areas(user=world.orgdept, level=3, start=now - dt.timedelta(days=365), end=now)
    scores = evaluation_scores(world.tiny.street, "2026", user=world.orgdept)["community"]
    joined = {fig.name: scores.get(fig.key).mean for fig in rows if scores.get(fig.key)}
    assert joined == {"东门社区": 100, "西门社区": 50}


def test_admin_edits_forms_until_used(client, world, settings):
    from civicgrid.partylife.models import EvaluationForm

    settings.CIVICGRID_2FA_ENFORCED = (
        False  # administrators pass TOTP first; not what is tested here
    )
    from civicgrid.testing.factories import make_user

    admin_user = make_user(is_superuser=True, is_staff=True, username="root")
    form = EvaluationForm.objects.get(direction="unit_to_community")
    c = _client(client, admin_user)
    page = c.get(reverse("admin:partylife_evaluationform_change", args=[form.pk])).content.decode()
    assert 'name="criteria-0-max_score"' in page
    world.round()
    page = c.get(reverse("admin:partylife_evaluationform_change", args=[form.pk])).content.decode()
    assert 'name="criteria-0-max_score"' not in page and "组织领导有力" in page


def test_round_and_task_lists_query_counts(client, world, django_assert_max_num_queries):
    for year in ("2024", "2025", "2026"):
        world.round(period=year)
    c = _client(client, world.orgdept)
    with django_assert_max_num_queries(10):
        page = c.get(reverse("partylife:rounds")).content.decode()
    assert page.count("年度双评价") == 3
    c = _client(client, world.tiny.staff_a)
    with django_assert_max_num_queries(10):
        page = c.get(reverse("partylife:tasks")).content.decode()
    assert page.count('class="card task"') == 3 * 4  # three units and one member in A, per round
    assert "西门" not in page
