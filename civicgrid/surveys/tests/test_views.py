"""Pages: every page renders for staff with the demo data; rows outside the user's scope are 404
on every list, detail and export; list pages have a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.orgs import services as org_services
from civicgrid.orgs.choices import UnitKind
from civicgrid.surveys import models as m
from civicgrid.surveys.demo import seed
from civicgrid.surveys.services import questionnaires as qsvc
from civicgrid.surveys.services import welfare as wsvc

from .conftest import make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tiny, registry, crowd):
    org_services.unit_create(
        actor=None, name="东门邻里互助社", kind=UnitKind.SOCIAL_ORG, area=tiny.community_a
    )
    counts = seed(street=tiny.street)
    return counts


def test_demo_seed_makes_every_part(demo):
    assert demo["questionnaire_sample"] > 0 and demo["questionnaire_answers"] > 0
    assert demo["test_attempts"] >= 1 and demo["secretaries"] == 2 and demo["welfare_projects"] == 2
    assert m.Donation.objects.count() == 2 and m.WelfareMarket.objects.get().projects_matched == 4


def test_every_page_renders_for_street_staff(client, tiny, demo):
    client.force_login(tiny.street_staff)
    q = m.Questionnaire.objects.get()
    paper = m.TestPaper.objects.get()
    sec = m.SecretaryProfile.objects.order_by("id").first()
    project = m.SecretaryProject.objects.order_by("id").first()
    rnd = m.ReviewRound.objects.get()
    wround = m.WelfareRound.objects.get()
    wproject = m.WelfareProject.objects.order_by("id").first()
    donation = m.Donation.objects.order_by("id").first()
    market = m.WelfareMarket.objects.get()
    attempt = m.TestAttempt.objects.order_by("id").first()
    pages = [
        ("surveys:index", []),
        ("surveys:questionnaires", []),
        ("surveys:questionnaire", [q.pk]),
        ("surveys:results", [q.pk]),
        ("surveys:training", []),
        ("surveys:bank", [paper.bank_id]),
        ("surveys:paper", [paper.pk]),
        ("surveys:records", []),
        ("surveys:attempt_review", [attempt.pk]),
        ("surveys:secretaries", []),
        ("surveys:secretary", [sec.pk]),
        ("surveys:project", [project.pk]),
        ("surveys:meetings", []),
        ("surveys:reviews", []),
        ("surveys:review", [rnd.pk]),
        ("surveys:welfare", []),
        ("surveys:welfare_round", [wround.pk]),
        ("surveys:welfare_project", [wproject.pk]),
        ("surveys:receipt", [donation.pk]),
        ("surveys:welfare_market", [market.pk]),
        ("surveys:public_projects", []),
    ]
    for name, args in pages:
        r = client.get(reverse(name, args=args))
        assert r.status_code == 200, name
    r = client.get(reverse("surveys:results", args=[q.pk]) + "?format=xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb["汇总"]["B4"].value == q.responses.count()
    assert wb["汇总"]["F7"].value.startswith("误差范围")
    r = client.get(reverse("surveys:review", args=[rnd.pk]))
    assert "综合得分" in r.content.decode()
    r = client.get(reverse("surveys:receipt", args=[donation.pk]))
    assert donation.receipt_no in r.content.decode()


def test_public_page_needs_no_login(client, demo):
    r = client.get(reverse("surveys:public_projects"))
    assert r.status_code == 200 and "加装电梯" in r.content.decode()


def test_scoping_on_every_list_detail_and_export(client, tiny, demo):
    q_a = make_questionnaire(tiny, area=tiny.community_a, actor=tiny.staff_a)
    q_a.title = "东门专属问卷"
    m.Questionnaire.objects.filter(pk=q_a.pk).update(title="东门专属问卷")
    sec_a = m.SecretaryProfile.objects.get(area=tiny.community_a)
    project_a = m.SecretaryProject.objects.get(area=tiny.community_a)
    donation_a = m.Donation.objects.filter(project__area=tiny.community_a).first()
    wproject_a = donation_a.project
    client.force_login(tiny.staff_b)
    for name, args in (
        ("surveys:questionnaire", [q_a.pk]),
        ("surveys:results", [q_a.pk]),
        ("surveys:secretary", [sec_a.pk]),
        ("surveys:project", [project_a.pk]),
        ("surveys:welfare_project", [wproject_a.pk]),
        ("surveys:receipt", [donation_a.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.get(reverse("surveys:results", args=[q_a.pk]) + "?format=xlsx").status_code == 404
    # Street-level rows are out of a community's scope too.
    street_q = m.Questionnaire.objects.exclude(pk=q_a.pk).get()
    assert client.get(reverse("surveys:results", args=[street_q.pk])).status_code == 404
    assert (
        client.get(reverse("surveys:paper", args=[m.TestPaper.objects.get().pk])).status_code == 404
    )
    assert (
        client.get(
            reverse("surveys:welfare_round", args=[m.WelfareRound.objects.get().pk])
        ).status_code
        == 404
    )
    lists = "".join(
        client.get(reverse(n)).content.decode()
        for n in (
            "surveys:questionnaires",
            "surveys:secretaries",
            "surveys:welfare",
            "surveys:records",
            "surveys:training",
        )
    )
    assert "东门专属问卷" not in lists and sec_a.organization.name not in lists
    # A write on a row out of scope changes nothing.
    r = client.post(
        reverse("surveys:question_add", args=[q_a.pk]), {"kind": "text", "text": "越权添加"}
    )
    assert r.status_code == 404 and not q_a.questions.filter(text="越权添加").exists()
    client.force_login(tiny.staff_a)
    assert client.get(reverse("surveys:questionnaire", args=[q_a.pk])).status_code == 200
    assert "东门专属问卷" in client.get(reverse("surveys:questionnaires")).content.decode()


def test_paper_ranking_export_is_scoped(client, tiny, demo):
    paper = m.TestPaper.objects.get()
    client.force_login(tiny.street_staff)
    r = client.get(reverse("surveys:paper", args=[paper.pk]) + "?format=xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content))["个人排名"].values)
    assert len(rows) == 1 + m.TestAttempt.objects.filter(submitted_at__isnull=False).count()


@pytest.mark.parametrize(
    "name,limit",
    [
        ("surveys:questionnaires", 12),
        ("surveys:secretaries", 14),
        ("surveys:welfare", 12),
        ("surveys:training", 16),
        ("surveys:records", 12),
        ("surveys:reviews", 12),
    ],
)
def test_list_pages_have_bounded_queries(
    client, tiny, demo, django_assert_max_num_queries, name, limit
):
    client.force_login(tiny.street_staff)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name)).status_code == 200


def test_answer_page_errors_once_and_done(client, tiny, crowd):
    q = make_questionnaire(tiny)
    qsvc.sample_draw(actor=tiny.street_staff, questionnaire=q, area=tiny.street, size=2, seed="1")
    _inv, token = qsvc.questionnaire_publish(actor=tiny.street_staff, questionnaire=q)[0]
    url = reverse("surveys:answer", args=[token])
    assert client.get(url).status_code == 200
    qs = list(q.questions.order_by("position"))
    r = client.post(url, {f"q{qs[0].pk}": "0"})
    assert r.status_code == 200 and "此题必答" in r.content.decode()
    assert not q.responses.exists()
    r = client.post(url, {f"q{qs[0].pk}": "0", f"q{qs[2].pk}": "4"})
    assert "提交成功" in r.content.decode()
    r = client.post(url, {f"q{qs[0].pk}": "1", f"q{qs[2].pk}": "1"})
    assert "已提交过" in r.content.decode() and q.responses.count() == 1
    assert client.get(reverse("surveys:answer", args=["bad-token"])).status_code == 404


def test_open_questionnaire_once_per_session(client, tiny):
    q = make_questionnaire(tiny, mode="open")
    qsvc.questionnaire_publish(actor=tiny.street_staff, questionnaire=q)
    qs = list(q.questions.order_by("position"))
    url = reverse("surveys:answer_open", args=[q.public_key])
    data = {f"q{qs[0].pk}": "1", f"q{qs[2].pk}": "5"}
    assert "提交成功" in client.post(url, data).content.decode()
    assert "已提交过" in client.post(url, data).content.decode()
    assert q.responses.count() == 1


def test_welfare_review_and_donation_through_the_pages(client, tiny, registry):
    social = org_services.unit_create(
        actor=None, name="西门社工站", kind=UnitKind.SOCIAL_ORG, area=tiny.community_b
    )
    rnd = wsvc.round_create(actor=tiny.street_staff, area=tiny.street, year=2026, title="创投")
    p = wsvc.project_propose(
        actor=tiny.staff_b,
        round=rnd,
        organization=social,
        area=tiny.community_b,
        title="四点半课堂",
        summary="托管",
        budget=100,
    )
    client.force_login(tiny.staff_b)
    url = reverse("surveys:welfare_project", args=[p.pk])
    client.post(url, {"op": "approve"})
    client.post(
        url,
        {
            "op": "donation",
            "donor_name": "西门面馆",
            "amount": "300",
            "received_on": dt.date(2026, 6, 1).isoformat(),
        },
    )
    d = m.Donation.objects.get(project=p)
    assert d.receipt_no == "GY2026-00001"
    assert client.get(reverse("surveys:receipt", args=[d.pk])).status_code == 200
