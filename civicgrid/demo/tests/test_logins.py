import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicgrid.core.scoping import get_scope
from civicgrid.demo.logins import DEMO_PASSWORD, DEMO_USERS, demo_logins, totp_key
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import GRID_ROLES, Role
from civicgrid.orgs.models import RoleAssignment
from civicgrid.people.models import InformationOfficer, Resident

from .conftest import SEED


def test_one_demo_login_per_role_with_the_right_assignment(demo):
    # The partner role belongs to service accounts without a password (partners.partner_create).
    # Unit contacts sign in as demo_unit, which demo_party makes with the unit it speaks for.
    assert {role for _u, role in DEMO_USERS} == set(Role.values) - {Role.PARTNER, Role.UNIT_CONTACT}
    first_street = Area.objects.filter(level=Area.Level.STREET).order_by("code").first()
    first_community = Area.objects.filter(parent=first_street).order_by("code").first()
    first_grid = Grid.objects.filter(community=first_community).order_by("code").first()
    for username, role in DEMO_USERS:
        user = get_user_model().objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        (ra,) = RoleAssignment.objects.filter(user=user)
        assert ra.role == role
        if role in GRID_ROLES:
            assert ra.grid is not None and ra.area is None
        if role in (
            Role.GRID_CHIEF,
            Role.GRID_WORKER,
            Role.GRID_WORKER_PARTTIME,
            Role.GRID_INSTRUCTOR,
        ):
            assert ra.grid == first_grid
    assert RoleAssignment.objects.get(user__username="demo_community").area == first_community
    assert RoleAssignment.objects.get(user__username="demo_street").area == first_street
    assert RoleAssignment.objects.get(user__username="demo_dept").unit.kind == "department"
    assert RoleAssignment.objects.get(user__username="demo_leader").area.level == Area.Level.COUNTY
    officer = InformationOfficer.objects.get(user__username="demo_officer")
    assert RoleAssignment.objects.get(user__username="demo_officer").grid_id == officer.grid_id


def test_scopes_of_demo_logins_cover_their_part_of_the_county(demo):
    users = get_user_model().objects
    community = RoleAssignment.objects.get(user__username="demo_community").area
    seen = Resident.objects.restrict(users.get(username="demo_community"))
    assert seen.exists() and set(seen.values_list("area_id", flat=True)) == {community.pk}
    assert (
        Resident.objects.restrict(users.get(username="demo_street")).count()
        == Resident.objects.count()
    )
    assert get_scope(users.get(username="demo_admin")).everything
    grid = RoleAssignment.objects.get(user__username="demo_chief").grid
    assert set(
        Resident.objects.restrict(users.get(username="demo_chief")).values_list(
            "grid_id", flat=True
        )
    ) == {grid.pk}


def test_leader_and_admin_have_seeded_confirmed_totp(demo, settings):
    needs = set(settings.CIVICGRID_2FA_REQUIRED_ROLES)
    for username, role in DEMO_USERS:
        device = TOTPDevice.objects.filter(user__username=username).first()
        if role in needs:
            assert device.confirmed and device.key == totp_key(SEED, username)
        else:
            assert device is None
    table = {x.username: x for x in demo_logins()}
    assert table["demo_admin"].otpauth_url.startswith("otpauth://totp/")
    assert table["demo_chief"].totp_secret == ""


def test_demo_totp_prints_a_code_that_verifies_only_in_debug(demo, capsys):
    with pytest.raises(CommandError):
        call_command("demo_totp", "demo_leader")
    with override_settings(DEBUG=True):
        call_command("demo_totp", "demo_leader")
        code = capsys.readouterr().out.strip()
        assert re.fullmatch(r"\d{6}", code)
        assert TOTPDevice.objects.get(user__username="demo_leader").verify_token(code)
        with pytest.raises(CommandError):
            call_command("demo_totp", "demo_chief")
