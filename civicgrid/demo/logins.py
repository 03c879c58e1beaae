"""Demo logins: one account per role over a sensible part of the demo county.

DEMO ONLY: every generated account shares the password below, and the TOTP keys of the
two-factor accounts are derived from the seed. Never load the demo into a real deployment.
"""

from __future__ import annotations

import hashlib
import hmac
from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import RoleAssignment, Unit
from civicgrid.people.models import InformationOfficer

from . import identity
from .allocate import sub_random

DEMO_PASSWORD = "civicgrid-demo"

# username → role, in the order the table lists them.
DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("demo_chief", Role.GRID_CHIEF),
    ("demo_worker", Role.GRID_WORKER),
    ("demo_parttime", Role.GRID_WORKER_PARTTIME),
    ("demo_instructor", Role.GRID_INSTRUCTOR),
    ("demo_officer", Role.INFORMATION_OFFICER),
    ("demo_community", Role.COMMUNITY_STAFF),
    ("demo_street", Role.STREET_STAFF),
    ("demo_dept", Role.DEPARTMENT_HANDLER),
    ("demo_leader", Role.LEADER),
    ("demo_orgdept", Role.ORG_DEPARTMENT),
    ("demo_admin", Role.SYSTEM_ADMIN),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str
    password: str
    totp_secret: str = ""  # base32, for an authenticator app
    otpauth_url: str = ""


def totp_key(seed: int, username: str) -> str:
    """The hex TOTP key of a demo account: stable for a seed, so the codes can be reproduced."""
    return (
        hmac.new(f"civicgrid-demo-totp:{seed}".encode(), username.encode(), hashlib.sha256)
        .digest()[:20]
        .hex()
    )


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def create_demo_logins(*, seed: int, password_hash: str) -> None:
    from django.conf import settings

    county = Area.objects.filter(level=Area.Level.COUNTY).order_by("code").first()
    street = Area.objects.filter(level=Area.Level.STREET, parent=county).order_by("code").first()
    community = (
        Area.objects.filter(level=Area.Level.COMMUNITY, parent=street).order_by("code").first()
    )
    grid = Grid.objects.filter(community=community).order_by("code").first()
    department = Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("id").first()
    officer = InformationOfficer.objects.filter(grid=grid, user=None).order_by("id").first()
    scopes = {
        Role.GRID_CHIEF: {"grid": grid},
        Role.GRID_WORKER: {"grid": grid},
        Role.GRID_WORKER_PARTTIME: {"grid": grid},
        Role.GRID_INSTRUCTOR: {"grid": grid},
        Role.INFORMATION_OFFICER: {"grid": officer.grid if officer else grid},
        Role.COMMUNITY_STAFF: {"area": community},
        Role.STREET_STAFF: {"area": street},
        Role.DEPARTMENT_HANDLER: {"unit": department},
        Role.LEADER: {"area": county},
        Role.ORG_DEPARTMENT: {"area": county},
        Role.SYSTEM_ADMIN: {},
    }
    rng = sub_random(seed, "logins")
    User = get_user_model()
    for username, role in DEMO_USERS:
        name = (
            officer.resident.name
            if role == Role.INFORMATION_OFFICER and officer
            else (identity.full_name(rng, rng.choice("MF")))
        )
        admin = role == Role.SYSTEM_ADMIN
        user = User.objects.create(
            username=username,
            password=password_hash,
            display_name=name,
            is_staff=admin,
            is_superuser=admin,
        )
        assignment = RoleAssignment(user=user, role=role, **scopes[role])
        assignment.full_clean()
        assignment.save()
        if role == Role.INFORMATION_OFFICER and officer:
            officer.user = user
            officer.save(update_fields=["user"])
        if role in settings.CIVICGRID_2FA_REQUIRED_ROLES:
            TOTPDevice.objects.create(
                user=user, name="CivicGrid 演示", key=totp_key(seed, username), confirmed=True
            )


def demo_logins() -> list[DemoLogin]:
    """The demo accounts present in the database, with their scope, for the closing table."""
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[u for u, _r in DEMO_USERS])
    }
    out = []
    for username, role in DEMO_USERS:
        user = users.get(username)
        if user is None:
            continue
        ra = (
            RoleAssignment.objects.filter(user=user, role=role)
            .select_related("area", "grid", "unit")
            .first()
        )
        scope = (
            str(ra.grid or ra.area or ra.unit)
            if ra and (ra.grid or ra.area or ra.unit)
            else "全县(全部)"
        )
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        out.append(
            DemoLogin(
                username=username,
                role=str(Role(role).label),
                scope=scope,
                password=DEMO_PASSWORD,
                totp_secret=b32encode(device.bin_key).decode() if device else "",
                otpauth_url=device.config_url if device else "",
            )
        )
    return out
