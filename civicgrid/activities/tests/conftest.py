"""Fixtures of the activities tests: the registry (members A and B) with sign-ins, and helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.activities import services
from civicgrid.testing.factories import make_user
from civicgrid.web.tests.conftest import Registry


class Crowd:
    def __init__(self, tiny):
        self.tiny = tiny
        self.reg = Registry(tiny)
        self.member_a = self.reg.member_a
        self.member_b = self.reg.member_b
        self.member_user_a = make_user(username="member_a")
        self.member_user_b = make_user(username="member_b")
        type(self.member_a).objects.filter(pk=self.member_a.pk).update(user=self.member_user_a)
        type(self.member_b).objects.filter(pk=self.member_b.pk).update(user=self.member_user_b)
        self.member_a.refresh_from_db()
        self.member_b.refresh_from_db()
        self.vol_user = make_user(username="vol_a")
        self.volunteer_a = services.volunteer_register(
            actor=tiny.staff_a,
            name="陈志愿",
            area=tiny.community_a,
            phone="13512345678",
            user=self.vol_user,
            skills="急救",
        )
        self.plain_user = make_user(username="plain")

    def activity(
        self,
        *,
        actor=None,
        area=None,
        start_in=dt.timedelta(days=2),
        length=dt.timedelta(hours=3),
        **kw,
    ):
        now = timezone.now()
        starts = now + start_in
        defaults = dict(
            kind="volunteer",
            title="关爱独居老人",
            place="东门社区党群服务中心",
            starts_at=starts,
            ends_at=starts + length,
            signup_opens_at=now - dt.timedelta(days=1),
            signup_closes_at=min(starts, now + start_in)
            if start_in > dt.timedelta(0)
            else starts + length,
            cancel_until=(starts - dt.timedelta(hours=2))
            if start_in > dt.timedelta(hours=3)
            else None,
            capacity=10,
            hours=2,
        )
        defaults.update(kw)
        if defaults["cancel_until"] is None:
            defaults["cancel_until"] = defaults["signup_closes_at"]
        return services.activity_publish(
            actor=actor or self.tiny.staff_a, area=area or self.tiny.community_a, **defaults
        )


@pytest.fixture
def crowd(tiny):
    return Crowd(tiny)
