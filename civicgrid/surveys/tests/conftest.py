"""Fixtures of the surveys tests: the tiny county, a registry of residents, a questionnaire."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.cases.tests.conftest import loop  # noqa: F401
from civicgrid.web.tests.conftest import Registry, browser, phone_page  # noqa: F401


@pytest.fixture
def registry(tiny):
    return Registry(tiny)


@pytest.fixture
def crowd(tiny):
    """Forty residents: 20 in each community, every fifth one red, ages 20..78."""
    from civicgrid.people.models import Resident

    rows = []
    for i in range(40):
        a = i % 2 == 0
        rows.append(
            Resident(
                name=f"居民{i:02d}",
                gender="M" if i % 3 else "F",
                birth_date=dt.date(1948 + (i * 3) % 58, 1 + i % 12, 1 + i % 27),
                area=tiny.community_a if a else tiny.community_b,
                grid=tiny.grid_a1 if a else tiny.grid_b1,
                attention_level="red" if i % 5 == 0 else "green",
            )
        )
    made = Resident.objects.bulk_create(rows)
    for r in made:
        r.set_pii(phone=f"1380000{r.pk:04d}")
        r.save(update_fields=["phone", "phone_index"])
    return made


def make_questionnaire(tiny, *, area=None, actor=None, anonymous=True, mode="sampled"):
    from civicgrid.surveys.services import questionnaires as qs

    actor = actor or tiny.street_staff
    q = qs.questionnaire_create(
        actor=actor,
        area=area or tiny.street,
        title="社区服务满意度调查",
        anonymous=anonymous,
        mode=mode,
        purpose="annual_review",
    )
    qs.question_add(
        actor=actor,
        questionnaire=q,
        kind="single",
        text="您是否了解社区书记领办的项目?",
        options=["了解", "听说过", "不了解"],
    )
    qs.question_add(
        actor=actor,
        questionnaire=q,
        kind="multiple",
        text="您最关心哪些方面?",
        options=["环境卫生", "治安", "养老", "停车"],
        required=False,
    )
    qs.question_add(
        actor=actor,
        questionnaire=q,
        kind="scale",
        text="总体满意度",
        scale_max=5,
        satisfaction=True,
    )
    qs.question_add(actor=actor, questionnaire=q, kind="text", text="意见建议", required=False)
    return q


@pytest.fixture
def questionnaire(tiny):
    return make_questionnaire(tiny)
