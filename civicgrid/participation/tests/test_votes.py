"""Livelihood-project votes: window, one secret ballot per deputy, counting, tracking."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from civicgrid.participation import services
from civicgrid.participation.choices import VoteStatus
from civicgrid.participation.models import Ballot, Deputy, Project, Vote


def make_vote(tiny, *, seats=2, opens=-1, closes=24, n_deputies=3):
    now = timezone.now()
    vote = services.vote_create(
        actor=tiny.street_staff,
        area=tiny.street,
        title="2027 年罗阳街道民生实事票决",
        opens_at=now + dt.timedelta(hours=opens),
        closes_at=now + dt.timedelta(hours=closes),
        seats=seats,
    )
    projects = [
        services.project_add(
            actor=tiny.street_staff,
            vote=vote,
            title=title,
            description="说明",
            cost=cost,
            area=tiny.community_a,
            origin=origin,
        )
        for title, cost, origin in [
            ("老旧小区加装电梯", "300", "resident"),
            ("社区食堂", "80", "resident"),
            ("背街小巷路灯", "50", "department"),
        ]
    ]
    codes = [
        c
        for _d, c in services.deputies_add(
            actor=tiny.street_staff, vote=vote, names=[f"代表{i}" for i in range(n_deputies)]
        )
    ]
    vote = services.vote_open(actor=tiny.street_staff, vote=vote)
    return vote, projects, codes


@pytest.mark.django_db
def test_vote_rules_on_creation(tiny):
    now = timezone.now()
    with pytest.raises(ValidationFailed, match="一级进行"):
        services.vote_create(
            actor=tiny.staff_a,
            area=tiny.community_a,
            title="x",
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            seats=3,
        )
    with pytest.raises(ValidationFailed, match="晚于"):
        services.vote_create(
            actor=tiny.street_staff,
            area=tiny.street,
            title="x",
            opens_at=now,
            closes_at=now,
            seats=3,
        )
    with pytest.raises(NotFound):
        services.vote_create(
            actor=tiny.staff_a,
            area=tiny.street,
            title="x",
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            seats=3,
        )


@pytest.mark.django_db
def test_one_ballot_per_deputy_stored_apart_from_the_deputy(tiny):
    vote, (p1, p2, p3), codes = make_vote(tiny)
    assert all(len(c) == 8 for c in codes) and len(set(codes)) == 3
    assert not Deputy.objects.filter(code_hash__in=codes).exists()  # only hashes are kept
    b = services.ballot_cast(
        actor=None, vote=vote, code=codes[0].lower(), project_ids=[p1.pk, p2.pk]
    )
    assert sorted(b.choices) == sorted([p1.pk, p2.pk])
    assert {f.name for f in Ballot._meta.get_fields()} == {"id", "vote", "choices"}
    with pytest.raises(Conflict, match="已经投过票"):
        services.ballot_cast(actor=None, vote=vote, code=codes[0], project_ids=[p3.pk])
    with pytest.raises(NotFound, match="投票码无效"):
        services.ballot_cast(actor=None, vote=vote, code="WRONG123", project_ids=[p3.pk])
    with pytest.raises(ValidationFailed, match="最多只能选择 2 个"):
        services.ballot_cast(
            actor=None, vote=vote, code=codes[1], project_ids=[p1.pk, p2.pk, p3.pk]
        )
    with pytest.raises(ValidationFailed, match="至少选择"):
        services.ballot_cast(actor=None, vote=vote, code=codes[1], project_ids=[])
    assert Ballot.objects.count() == 1
    assert Deputy.objects.filter(voted_at__isnull=False).count() == 1  # refusals wrote nothing


@pytest.mark.django_db
def test_votes_outside_the_window_are_refused(tiny):
    early, (p1, *_rest), codes = make_vote(tiny, opens=2, closes=5)
    with pytest.raises(ValidationFailed, match="尚未开始"):
        services.ballot_cast(actor=None, vote=early, code=codes[0], project_ids=[p1.pk])
    late, (q1, *_rest), codes2 = make_vote(tiny, opens=-5, closes=-1)
    with pytest.raises(ValidationFailed, match="截止"):
        services.ballot_cast(actor=None, vote=late, code=codes2[0], project_ids=[q1.pk])
    assert (
        not Ballot.objects.exists() and not Deputy.objects.filter(voted_at__isnull=False).exists()
    )


@pytest.mark.django_db
def test_publish_ranks_and_chooses_the_top_seats(tiny, client):
    vote, (p1, p2, p3), codes = make_vote(tiny, seats=2)
    services.ballot_cast(actor=None, vote=vote, code=codes[0], project_ids=[p1.pk, p2.pk])
    services.ballot_cast(actor=None, vote=vote, code=codes[1], project_ids=[p2.pk, p3.pk])
    services.ballot_cast(actor=None, vote=vote, code=codes[2], project_ids=[p3.pk])
    with pytest.raises(ValidationFailed, match="尚未截止"):
        services.vote_publish(actor=tiny.street_staff, vote=vote)
    assert client.get(f"/participation/public/votes/{vote.pk}/").status_code == 404
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    vote = services.vote_publish(actor=tiny.street_staff, vote=vote)
    assert vote.status == VoteStatus.PUBLISHED
    ranked = list(
        Project.objects.filter(vote=vote).order_by("rank").values_list("title", "votes", "chosen")
    )
    # p2 and p3 tie on 2 votes: the cheaper one (路灯, 50) ranks first
    assert ranked == [
        ("背街小巷路灯", 2, True),
        ("社区食堂", 2, True),
        ("老旧小区加装电梯", 1, False),
    ]
    page = client.get(f"/participation/public/votes/{vote.pk}/").content.decode()
    assert "背街小巷路灯" in page and "入选" in page
    with pytest.raises(ValidationFailed, match="已经结束"):
        services.ballot_cast(actor=None, vote=vote, code=codes[0], project_ids=[p1.pk])


@pytest.mark.django_db
def test_milestones_track_progress_until_done(tiny):
    vote, (p1, p2, p3), codes = make_vote(tiny, seats=1)
    services.ballot_cast(actor=None, vote=vote, code=codes[0], project_ids=[p1.pk])
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    services.vote_publish(actor=tiny.street_staff, vote=vote)
    p1.refresh_from_db()
    today = timezone.localdate()
    with pytest.raises(ValidationFailed, match="只有入选项目"):
        services.milestone_add(
            actor=tiny.street_staff, project=p2, title="x", progress=10, reached_on=today
        )
    services.milestone_add(
        actor=tiny.street_staff, project=p1, title="立项", progress=20, reached_on=today
    )
    with pytest.raises(ValidationFailed, match="倒退"):
        services.milestone_add(
            actor=tiny.street_staff, project=p1, title="x", progress=10, reached_on=today
        )
    with pytest.raises(ValidationFailed, match="0 到 100"):
        services.milestone_add(
            actor=tiny.street_staff, project=p1, title="x", progress=101, reached_on=today
        )
    services.milestone_add(
        actor=tiny.street_staff, project=p1, title="竣工验收", progress=100, reached_on=today
    )
    p1.refresh_from_db()
    assert p1.progress == 100 and p1.done_at is not None and p1.milestones.count() == 2
    assert p1.cost == Decimal("300")


@pytest.mark.django_db(transaction=True)
def test_the_same_deputy_submitting_twice_at_once_casts_one_ballot(tiny):
    vote, (p1, p2, _p3), codes = make_vote(tiny)
    barrier = threading.Barrier(2)
    results: list = []

    def submit(pid):
        try:
            barrier.wait(timeout=10)
            services.ballot_cast(actor=None, vote=vote, code=codes[0], project_ids=[pid])
            results.append("ok")
        except ApplicationError as e:
            results.append(e.code)
        except Exception as e:  # noqa: BLE001 - a database lock error would show here
            results.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in (p1.pk, p2.pk)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(results) == ["already_voted", "ok"]
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert Deputy.objects.filter(vote=vote, voted_at__isnull=False).count() == 1
