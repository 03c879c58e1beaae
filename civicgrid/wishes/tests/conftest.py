"""Fixtures: the web tests' registry plus logins for a party member, a resident (portal), a
unit user, and helpers to post and claim wishes."""

from __future__ import annotations

import pytest

from civicgrid.web.tests.conftest import PHONE_A, PHONE_B, Registry


def portal_user(phone: str, username: str):
    from civicgrid.cases.models import PortalAccount
    from civicgrid.core import crypto
    from civicgrid.testing.factories import make_user

    user = make_user(username=username)
    PortalAccount.objects.create(user=user, phone=phone, phone_index=crypto.blind_index(phone))
    return user


class World:
    def __init__(self, tiny):
        from civicgrid.orgs.choices import Role
        from civicgrid.testing.factories import make_user

        self.tiny = tiny
        self.reg = Registry(tiny)
        self.member_a = self.reg.member_a
        self.member_b = self.reg.member_b
        self.member_user_a = make_user(username="member_a")
        self.member_a.user = self.member_user_a
        self.member_a.save(update_fields=["user"])
        self.member_user_b = make_user(username="member_b")
        self.member_b.user = self.member_user_b
        self.member_b.save(update_fields=["user"])
        self.resident_user_a = portal_user(PHONE_A, "resident_a")
        self.resident_user_b = portal_user(PHONE_B, "resident_b")
        self.unit_a = self.reg.unit_a
        self.unit_b = self.reg.unit_b
        self.unit_user_a = make_user(Role.DEPARTMENT_HANDLER, unit=self.unit_a, username="school_a")

    def wish(self, *, side="a", kind="micro_wish", title="帮忙买菜", **kw):
        from civicgrid.wishes import services

        tiny = self.tiny
        staff = tiny.staff_a if side == "a" else tiny.staff_b
        community = tiny.community_a if side == "a" else tiny.community_b
        grid = tiny.grid_a1 if side == "a" else tiny.grid_b1
        if kind == "support_item":
            kw.setdefault("unit", self.unit_a if side == "a" else self.unit_b)
        else:
            kw.setdefault("community", community)
            kw.setdefault("grid", grid)
        return services.wish_create(actor=kw.pop("actor", staff), kind=kind, title=title, **kw)

    def claimed(self, wish=None, **kw):
        from civicgrid.wishes import services

        wish = wish or self.wish()
        return services.claim_create(
            actor=self.member_user_a, wish=wish, member=self.member_a, **kw
        )


@pytest.fixture
def world(tiny):
    return World(tiny)
