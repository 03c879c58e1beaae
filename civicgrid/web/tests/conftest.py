"""Fixtures for the web tests: a small registry on top of the tiny county, and a browser."""

from __future__ import annotations

import random
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PHONE_A = "13800138000"
PHONE_B = "13900139000"


class Registry:
    """People, organisations and units in communities A and B (written by the system actor)."""

    def __init__(self, tiny):
        from civicgrid.orgs import services as org_services
        from civicgrid.orgs.choices import OrgKind, UnitKind
        from civicgrid.people import services as people_services
        from civicgrid.people.models import Household, SpecialGroup
        from civicgrid.testing.factories import valid_id_number

        rng = random.Random(7)
        self.tiny = tiny
        self.id_a = valid_id_number(rng)
        self.id_b = valid_id_number(rng)
        org = org_services.party_organization_create
        self.street_org = org(
            actor=None,
            name="罗阳街道大工委",
            kind=OrgKind.STREET_WORKING_COMMITTEE,
            area=tiny.street,
        )
        self.org_a = org(
            actor=None,
            name="东门社区大党委",
            kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
            parent=self.street_org,
            area=tiny.community_a,
        )
        self.branch_a1 = org(
            actor=None,
            name="东门第一网格党支部",
            kind=OrgKind.GRID_BRANCH,
            parent=self.org_a,
            grid=tiny.grid_a1,
        )
        self.org_b = org(
            actor=None,
            name="西门社区大党委",
            kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
            parent=self.street_org,
            area=tiny.community_b,
        )
        self.unit_a = org_services.unit_create(
            actor=None,
            name="东门小学",
            kind=UnitKind.SCHOOL,
            area=tiny.community_a,
            grid=tiny.grid_a1,
        )
        self.unit_b = org_services.unit_create(
            actor=None,
            name="西门物业公司",
            kind=UnitKind.PROPERTY_COMPANY,
            area=tiny.community_b,
            grid=tiny.grid_b1,
        )
        self.household_a = Household.objects.create(
            number="A1-0001", area=tiny.community_a, grid=tiny.grid_a1, address="东门路1号101"
        )
        self.household_b = Household.objects.create(
            number="B1-0001", area=tiny.community_b, grid=tiny.grid_b1, address="西门路9号902"
        )
        resident = people_services.resident_create
        self.resident_a = resident(
            actor=None,
            name="张建国",
            grid=tiny.grid_a1,
            id_number=self.id_a,
            phone=PHONE_A,
            household=self.household_a,
            attention_level="yellow",
            special_groups=[SpecialGroup.objects.get(code="elderly_alone")],
        )
        self.spouse_a = resident(
            actor=None, name="李秀英", grid=tiny.grid_a1, gender="F", household=self.household_a
        )
        self.resident_a2 = resident(actor=None, name="张小红", grid=tiny.grid_a2, gender="F")
        self.resident_b = resident(
            actor=None,
            name="张伟",
            grid=tiny.grid_b1,
            id_number=self.id_b,
            phone=PHONE_B,
            household=self.household_b,
        )
        member = people_services.party_member_create
        self.member_a = member(
            actor=None,
            name="王党员",
            organization=self.branch_a1,
            grid=tiny.grid_a1,
            gender="M",
            phone="13700137000",
            work_unit=self.unit_a,
            roles=["central_household"],
        )
        self.member_b = member(
            actor=None,
            name="赵党员",
            organization=self.org_b,
            grid=tiny.grid_b1,
            gender="F",
            phone="13600136000",
            roles=["building_chief"],
        )
        self.visit_a = people_services.visit_record(
            actor=tiny.staff_a, resident=self.resident_a, notes="独居老人,腿脚不便,需要助餐服务。"
        )


@pytest.fixture
def registry(tiny):
    return Registry(tiny)


@pytest.fixture
def browser():
    """A headless Chromium from the system (Debian's `chromium`); skipped when there is none."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.skip("chromium is not installed: apt-get install chromium (or `make deps-system`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A page the size of a phone screen (390 × 844), Chinese locale."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
