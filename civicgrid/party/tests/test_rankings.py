"""Rankings and awards computed from a hand-built ledger; tallies agree with the ledger; every
read is scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.party import periods, selectors
from civicgrid.party.choices import PointsEvent, SubjectKind
from civicgrid.party.models import PointsRule, PointsTally
from civicgrid.party.points import points_adjust, points_award, points_reverse, tally_rebuild
from civicgrid.people.models import InformationOfficer

pytestmark = pytest.mark.django_db
NOV = periods.month(2026, 11)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


@pytest.fixture
def ledger(reg):
    """No caps; members A (central household, community A) and B (community B); three officers."""
    PointsRule.objects.update(daily_cap=None, monthly_cap=None)
    r = reg
    mk = InformationOfficer.objects.create
    r.o1 = mk(
        resident=r.resident_a,
        central_household=r.member_a,
        area=r.tiny.community_a,
        grid=r.tiny.grid_a1,
    )
    r.o2 = mk(
        resident=r.resident_a2,
        central_household=r.member_a,
        area=r.tiny.community_a,
        grid=r.tiny.grid_a2,
    )
    r.o3 = mk(
        resident=r.resident_b,
        central_household=r.member_b,
        area=r.tiny.community_b,
        grid=r.tiny.grid_b1,
    )
    n = iter(range(10_000))

    def give(event, when, quantity=1, **subject):
        return points_award(
            actor=None,
            event=event,
            source=f"t:{next(n)}",
            occurred_at=when,
            quantity=quantity,
            **subject,
        )

    # Officers in November: o1 = 3 reports (6) + 1 fix (3) = 9; o2 = 3 fixes (9), and a visit
    # (1 point, not a whistle event).
    for d in (2, 3, 4):
        give(PointsEvent.CASE_REPORTED, at(11, d), officer=r.o1)
    give(PointsEvent.CASE_FIXED_ON_SPOT, at(11, 5), officer=r.o1)
    for d in (6, 7, 8):
        give(PointsEvent.CASE_FIXED_ON_SPOT, at(11, d), officer=r.o2)
    give(PointsEvent.VISIT_RECORDED, at(11, 8), officer=r.o2)
    # o3: 4 reports (8) of which one reversed (−2) = 6; and 20 reports in October (outside).
    bad = None
    for d in (2, 3, 4, 5):
        bad = give(PointsEvent.CASE_REPORTED, at(11, d), officer=r.o3)
    points_reverse(actor=None, entry=bad, reason="无效上报", occurred_at=at(11, 6))
    for d in range(1, 21):
        give(PointsEvent.CASE_REPORTED, at(10, d), officer=r.o3)
    # Members: A volunteers 12 h (24) in November + attends (3); B volunteers 15 h (30) but has a
    # reversed entry; both earn in October too.
    give(PointsEvent.VOLUNTEER_HOUR, at(11, 10), quantity=12, member=r.member_a)
    give(PointsEvent.ACTIVITY_ATTENDED, at(11, 11), member=r.member_a)
    give(PointsEvent.VOLUNTEER_HOUR, at(11, 10), quantity=15, member=r.member_b)
    slip = give(PointsEvent.ACTIVITY_ATTENDED, at(11, 12), member=r.member_b)
    points_reverse(actor=None, entry=slip, reason="未到场", occurred_at=at(11, 13))
    give(PointsEvent.CLAIM_CONFIRMED, at(10, 3), member=r.member_a)
    give(PointsEvent.CLAIM_CONFIRMED, at(10, 3), member=r.member_b)
    give(PointsEvent.CLAIM_CONFIRMED, at(10, 4), member=r.member_b)
    give(PointsEvent.CLAIM_CONFIRMED, at(10, 5), unit=r.unit_a)
    return r


def _table(rows):
    return [(r.rank, r.name, r.total) for r in rows]


def test_member_ranking_for_a_month_a_quarter_a_year_and_custom_dates(ledger):
    street = ledger.tiny.street_staff
    # November: A 24 + 3 = 27; B 30 + 3 − 3 = 30.
    nov = selectors.ranking(user=street, kind=SubjectKind.MEMBER, period=NOV)
    assert _table(nov) == [(1, "赵党员", 30), (2, "王党员", 27)]
    # October + November from the tallies (quarter, year) and from the ledger (custom days).
    expected = [(1, "赵党员", 40), (2, "王党员", 32)]
    assert (
        _table(
            selectors.ranking(user=street, kind=SubjectKind.MEMBER, period=periods.quarter(2026, 4))
        )
        == expected
    )
    assert (
        _table(selectors.ranking(user=street, kind=SubjectKind.MEMBER, period=periods.year(2026)))
        == expected
    )
    odd = periods.custom(
        dt.date(2026, 10, 2), dt.date(2026, 11, 30)
    )  # not whole months: the ledger
    assert odd.months() is None
    assert _table(selectors.ranking(user=street, kind=SubjectKind.MEMBER, period=odd)) == expected
    assert _table(selectors.ranking(user=street, kind=SubjectKind.UNIT, period=odd)) == [
        (1, "东门小学", 5)
    ]


def test_rankings_agree_with_the_ledger_and_a_rebuild(ledger):
    street = ledger.tiny.street_staff
    q4 = periods.quarter(2026, 4)
    by_days = periods.custom(dt.date(2026, 10, 1), dt.date(2026, 12, 30))  # the ledger
    for kind in SubjectKind:
        from_tally = _table(selectors.ranking(user=street, kind=kind, period=q4))
        assert from_tally
        assert from_tally == _table(selectors.ranking(user=street, kind=kind, period=by_days))
    before = sorted(
        PointsTally.objects.values_list("subject_key", "period", "start", "points", "entries")
    )
    tally_rebuild()
    after = sorted(
        PointsTally.objects.values_list("subject_key", "period", "start", "points", "entries")
    )
    assert before == after


def test_ties_share_a_rank_and_scope_limits_the_table(ledger):
    street = ledger.tiny.street_staff
    oct_ = periods.month(2026, 10)
    # October: o3 40; members B 10 and A 5; unit A 5.
    assert _table(selectors.ranking(user=street, kind=SubjectKind.MEMBER, period=oct_)) == [
        (1, "赵党员", 10),
        (2, "王党员", 5),
    ]
    nov_officers = selectors.ranking(user=street, kind=SubjectKind.OFFICER, period=NOV)
    assert [(r.rank, r.total) for r in nov_officers] == [(1, 10), (2, 9), (3, 6)]
    # Community A's staff see only community A's subjects; a filter for B shows nothing to them.
    staff_a = ledger.tiny.staff_a
    assert {
        r.name for r in selectors.ranking(user=staff_a, kind=SubjectKind.MEMBER, period=oct_)
    } == {"王党员"}
    area, grid = selectors.place_filter(user=staff_a, area_id=ledger.tiny.community_b.pk)
    assert area is None and grid is None  # not visible: no filter, the scope stays community A
    assert selectors.ranking(user=ledger.member_a_user, kind=SubjectKind.MEMBER, period=oct_) == []
    # Grid and community levels.
    g = selectors.ranking(
        user=street, kind=SubjectKind.OFFICER, period=NOV, grid=ledger.tiny.grid_a2
    )
    assert [r.total for r in g] == [10]
    c = selectors.ranking(
        user=street, kind=SubjectKind.OFFICER, period=NOV, area=ledger.tiny.community_b
    )
    assert [r.total for r in c] == [6]


def test_golden_whistle(ledger):
    rows = selectors.golden_whistle(user=ledger.tiny.street_staff, period=NOV)
    # o1 and o2 tie on 9 whistle points (o2's visit point does not count); o2 fixed more on the
    # spot and wins the tie. o3: 8 − 2 reversed = 6. October's 40 points are outside the period.
    assert [(r.rank, r.subject.pk, r.total) for r in rows] == [
        (1, ledger.o2.pk, 9),
        (1, ledger.o1.pk, 9),
        (3, ledger.o3.pk, 6),
    ]
    assert rows[0].extra == {"reported": 0, "fixed": 9}
    top1 = selectors.golden_whistle(user=ledger.tiny.street_staff, period=NOV, top=1)
    assert [r.subject.pk for r in top1] == [ledger.o2.pk]
    assert [
        r.subject.pk for r in selectors.golden_whistle(user=ledger.tiny.staff_b, period=NOV)
    ] == [ledger.o3.pk]


def test_best_central_household(ledger):
    rows = selectors.best_central_households(
        user=ledger.tiny.street_staff, period=periods.year(2026)
    )
    assert [(r.name, r.total) for r in rows] == [("王党员", 32)]  # B is no central household


def test_five_good_volunteers(ledger, settings):
    settings.CIVICGRID_PARTY_VOLUNTEER_THRESHOLD = 20
    q4 = periods.quarter(2026, 4)
    rows = selectors.five_good_volunteers(user=ledger.tiny.street_staff, period=q4)
    # B has 30 volunteer points but an entry reversed in the period: out. A: 24 ≥ 20.
    assert [(r.name, r.total) for r in rows] == [("王党员", 24)]
    settings.CIVICGRID_PARTY_VOLUNTEER_THRESHOLD = 25
    assert selectors.five_good_volunteers(user=ledger.tiny.street_staff, period=q4) == []
    settings.CIVICGRID_PARTY_VOLUNTEER_THRESHOLD = 20
    points_adjust(
        actor=None, points=-5, reason="违反纪律", member=ledger.member_a, occurred_at=at(12, 2)
    )
    assert selectors.five_good_volunteers(user=ledger.tiny.street_staff, period=q4) == []
    assert len(selectors.five_good_volunteers(user=ledger.tiny.street_staff, period=NOV)) == 1


def test_member_rank_on_their_own_page(ledger):
    pts, rank, of = selectors.subject_rank(
        kind=SubjectKind.MEMBER, subject=ledger.member_a, period=periods.month(2026, 10)
    )
    assert (pts, rank, of) == (5, 1, 1)  # alone in community A
    pts, rank, of = selectors.subject_rank(
        kind=SubjectKind.MEMBER,
        subject=ledger.member_a,
        period=periods.month(2026, 10),
        area=ledger.tiny.street,
    )
    assert (pts, rank, of) == (5, 2, 2)


def test_periods_parse():
    assert periods.parse({"period": "month", "value": "2026-02"}).end == dt.date(2026, 2, 28)
    q = periods.parse({"period": "quarter", "value": "2026-Q4"})
    assert (q.start, q.end, len(q.months())) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31), 3)
    assert periods.parse({"period": "year", "value": "2025"}).whole_year
    c = periods.parse({"period": "custom", "date_from": "2026-11-20", "date_to": "2026-11-03"})
    assert (c.start, c.end, c.months()) == (dt.date(2026, 11, 3), dt.date(2026, 11, 20), None)
    assert periods.parse(
        {"period": "month", "value": "garbage"}, dt.date(2026, 5, 9)
    ) == periods.month(2026, 5)
