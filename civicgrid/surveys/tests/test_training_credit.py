"""A passed staff test counts as party members' education hours: the paper's training hours go
to the member whose login sat it (partylife TrainingRecord, kind "test"), once per person and
test — re-sending, re-running or sitting again credits nothing twice; staff who are no party
members, tests below the pass mark and papers worth no hours credit nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from civicgrid.core.errors import ApplicationError, ValidationFailed
from civicgrid.party.models import PointsEntry
from civicgrid.partylife import rules
from civicgrid.partylife import selectors as party_selectors
from civicgrid.partylife.models import TrainingRecord as PartyTraining
from civicgrid.people.models import PartyMember
from civicgrid.surveys.models import TestAttempt, TrainingRecord
from civicgrid.surveys.services import training as svc

from .test_training import GOOD, right_answers, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(tiny):
    b = svc.bank_create(actor=tiny.street_staff, area=tiny.street, name="网格业务题库")
    svc.bank_import(actor=tiny.street_staff, bank=b, content=xlsx(GOOD), filename="bank.xlsx")
    return b


@pytest.fixture
def member(tiny, registry):
    """Community A's staff member staff_a is the party member 王党员."""
    m = registry.member_a
    PartyMember.objects.filter(pk=m.pk).update(user=tiny.staff_a)
    m.refresh_from_db()
    return m


def paper(tiny, bank, **kw):
    now = timezone.now()
    args = {
        "actor": tiny.street_staff,
        "bank": bank,
        "area": tiny.street,
        "title": "十一月岗位练兵",
        "question_count": 3,
        "time_limit_minutes": 10,
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=1),
        "seed": "s",
        "training_hours": 2,
    }
    return svc.paper_create(**{**args, **kw})


def sit(user, p, wrong: int = 0) -> TestAttempt:
    attempt = svc.attempt_start(actor=user, paper=p)
    answers = right_answers(p)
    for pid in list(answers)[:wrong]:
        answers[pid] = ["1"] if answers[pid] != ["1"] else ["0"]
    return svc.attempt_submit(actor=user, attempt=attempt, answers=answers)


def credits(m):
    return PartyTraining.objects.filter(member=m, kind="test")


def test_a_passed_test_counts_in_the_members_training_hours(tiny, bank, member):
    p = paper(tiny, bank)
    attempt = sit(tiny.staff_a, p, wrong=1)  # 2 of 3 = 67 % >= 60 %
    assert attempt.passed is True
    record = credits(member).get()
    assert (record.hours, record.source, record.title) == (
        D("2.0"),
        f"surveys.paper:{p.pk}",
        p.title,
    )
    assert record.taken_on == timezone.localdate() and record.recorded_by is None
    assert TrainingRecord.objects.get(attempt=attempt).hours == D("2.0")
    year = timezone.localdate().year
    assert rules.training_hours([member.pk], year) == {member.pk: D("2.0")}
    rows = party_selectors.org_members(
        user=tiny.staff_a, org=member.organization, year=year, today=timezone.localdate()
    )
    assert [(r.member, r.hours) for r in rows] == [(member, D("2.0"))]
    entries = PointsEntry.objects.filter(event="training_completed", member=member)
    assert entries.count() == 1


def test_credit_is_once_per_person_and_test(tiny, bank, member):
    p = paper(tiny, bank)
    attempt = sit(tiny.staff_a, p)
    with pytest.raises(ApplicationError):  # handing in again is refused
        svc.attempt_submit(actor=tiny.staff_a, attempt=attempt, answers=right_answers(p))
    assert svc.credit_passed(attempt=attempt) == 0  # sent again (a re-save): nothing new
    assert svc.credit_all_passed() == 0
    # sitting the same test again (the attempt removed by an administrator) credits nothing
    TestAttempt.objects.filter(pk=attempt.pk).delete()
    again = sit(tiny.staff_a, p)
    assert again.passed and again.pk != attempt.pk
    assert credits(member).count() == 1
    assert PointsEntry.objects.filter(event="training_completed", member=member).count() == 1
    # another test is another credit
    sit(tiny.staff_a, paper(tiny, bank, title="十二月岗位练兵", training_hours="1.5"))
    assert sorted(credits(member).values_list("hours", flat=True)) == [D("1.5"), D("2.0")]


def test_below_the_pass_mark_nothing_is_credited(tiny, bank, member):
    p = paper(tiny, bank, pass_percent=67)
    attempt = sit(tiny.staff_a, p, wrong=1)  # 66.7 % < 67 %: the line is not rounded
    assert attempt.passed is False
    assert not credits(member).exists()
    assert TrainingRecord.objects.get(attempt=attempt).hours == 0  # sat, no hours
    assert svc.credit_passed(attempt=attempt) == 0
    other = paper(tiny, bank, title="补考", pass_percent=66)
    assert sit(tiny.staff_a, other, wrong=1).passed
    assert credits(member).get().source == f"surveys.paper:{other.pk}"


def test_staff_who_are_no_party_members_get_only_their_staff_record(tiny, bank, member):
    p = paper(tiny, bank)
    attempt = sit(tiny.staff_b, p)
    assert attempt.passed
    assert TrainingRecord.objects.get(attempt=attempt).hours == D("2.0")
    assert not PartyTraining.objects.exists()
    # a paper worth no hours credits nobody
    sit(tiny.staff_a, paper(tiny, bank, title="无学时练习", training_hours=0))
    assert not PartyTraining.objects.exists()


def test_a_member_linked_later_is_credited_by_the_command_once(tiny, bank, registry):
    p = paper(tiny, bank)
    sit(tiny.staff_a, p)
    assert not PartyTraining.objects.exists()  # not linked to a member yet
    PartyMember.objects.filter(pk=registry.member_a.pk).update(user=tiny.staff_a)
    out = io.StringIO()
    call_command("credit_staff_tests", stdout=out)
    assert out.getvalue().startswith("1 ")
    call_command("credit_staff_tests", stdout=out)
    assert credits(registry.member_a).count() == 1


def test_paper_hours_and_pass_mark_are_validated(tiny, bank):
    for kw in ({"training_hours": 25}, {"training_hours": "0.3"}, {"pass_percent": 101}):
        with pytest.raises(ValidationFailed):
            paper(tiny, bank, **kw)
    assert paper(tiny, bank, training_hours=0).training_hours == 0
    assert paper(tiny, bank, training_hours="24", pass_percent=100).pass_percent == 100


def test_the_hand_in_page_credits_the_member(client, tiny, bank, member):
    p = paper(tiny, bank)
    client.force_login(tiny.staff_a)
    client.post(reverse("surveys:paper_sit", args=[p.pk]), {"op": "start"})
    answers = {f"i{pid}": chosen for pid, chosen in right_answers(p).items()}
    r = client.post(reverse("surveys:paper_sit", args=[p.pk]), answers)
    attempt = TestAttempt.objects.get(user=tiny.staff_a)
    assert r.status_code == 302 and r.url == reverse("surveys:attempt_review", args=[attempt.pk])
    html = client.get(r.url).content.decode()
    assert 'id="passed">合格' in html
    assert credits(member).get().hours == D("2.0")
    # the bank page's paper form sends the pass mark
    client.force_login(tiny.street_staff)
    client.post(
        reverse("surveys:paper_create", args=[bank.pk]),
        {
            "title": "带合格线",
            "area": tiny.street.pk,
            "question_count": 2,
            "time_limit_minutes": 5,
            "training_hours": "1",
            "pass_percent": "80",
        },
    )
    assert bank.papers.get(title="带合格线").pass_percent == 80
