"""Scoping-test builders for the surveys models (see orgs/tests/test_scoping_all_models.py)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.surveys import models as m
from civicgrid.testing.factories import make_user

_n = itertools.count()


def _q(s):
    return m.Questionnaire.objects.create(
        area=s.community, title=f"问卷{s.tag}", public_key=f"k{s.tag}{next(_n)}"
    )


def _sample(s):
    return m.Sample.objects.create(
        questionnaire=_q(s), area=s.community, size=1, seed="1", reference_date=dt.date(2026, 1, 1)
    )


def _invitation(s):
    return m.Invitation.objects.create(
        questionnaire=_q(s), area=s.community, token_hash=f"h{s.tag}{next(_n)}", sort_key="0"
    )


def _bank(s):
    return m.QuestionBank.objects.create(name=f"题库{s.tag}", topic="grid", area=s.community)


def _paper(s):
    now = timezone.now()
    return m.TestPaper.objects.create(
        title=f"试卷{s.tag}",
        bank=_bank(s),
        area=s.community,
        question_count=1,
        time_limit_minutes=5,
        seed="1",
        opens_at=now,
        closes_at=now + dt.timedelta(days=1),
    )


def _attempt(s):
    now = timezone.now()
    return m.TestAttempt.objects.create(
        paper=_paper(s), user=make_user(), area=s.community, started_at=now, deadline=now
    )


def _record(s):
    return m.TrainingRecord.objects.create(
        user=make_user(), area=s.community, kind="course", title="培训", date=dt.date(2026, 1, 1)
    )


def _secretary(s):
    return m.SecretaryProfile.objects.create(
        user=make_user(), organization=s.org(), area=s.community
    )


def _project(s):
    return m.SecretaryProject.objects.create(
        secretary=_secretary(s), area=s.community, title="项目", goal="目标", year=2026
    )


def _item(s):
    return m.ResponsibilityItem.objects.create(
        secretary=_secretary(s), area=s.community, kind="task", title="事项"
    )


def _round(s):
    return m.WelfareRound.objects.create(area=s.community, year=2026, title=f"创投{s.tag}")


def _social_org(s):
    return Unit.objects.get_or_create(
        name=f"社会组织{s.tag}",
        defaults={"kind": UnitKind.SOCIAL_ORG, "area": s.community, "grid": s.grid},
    )[0]


def _wproject(s):
    return m.WelfareProject.objects.create(
        round=_round(s),
        organization=_social_org(s),
        area=s.community,
        title="公益项目",
        summary="简介",
        budget=1000,
    )


BUILDERS = {
    "surveys.questionnaire": _q,
    "surveys.sample": _sample,
    "surveys.invitation": _invitation,
    "surveys.questionbank": _bank,
    "surveys.testpaper": _paper,
    "surveys.testattempt": _attempt,
    "surveys.trainingrecord": _record,
    "surveys.secretaryprofile": _secretary,
    "surveys.secretaryproject": _project,
    "surveys.responsibilityitem": _item,
    "surveys.areameeting": lambda s: m.AreaMeeting.objects.create(
        area=s.community, held_on=dt.date(2026, 3, 1), title="片区会"
    ),
    "surveys.reviewround": lambda s: m.ReviewRound.objects.create(
        area=s.community, year=2026, title="述职"
    ),
    "surveys.welfareround": _round,
    "surveys.welfareproject": _wproject,
    "surveys.donation": lambda s: m.Donation.objects.create(
        project=_wproject(s),
        donor_name="某企业",
        amount=100,
        received_on=dt.date(2026, 1, 1),
        receipt_no=f"R{s.tag}{next(_n)}",
    ),
    "surveys.welfaremarket": lambda s: m.WelfareMarket.objects.create(
        round=_round(s), area=s.community, held_on=dt.date(2026, 5, 1), place="善集街"
    ),
}
