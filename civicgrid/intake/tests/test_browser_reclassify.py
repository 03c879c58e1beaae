"""Changing a case's item from the case page in a real browser, on a 390-px phone: the chips
for the case text, tapping one, the ledger row; no sideways scrolling, no script errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civicgrid.cases import services as case_services
from civicgrid.cases.models import MatterItem
from civicgrid.cases.tests.browser_conftest import PHONE_WIDTH, browser, overflow_px, people, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser", "people"]  # fixtures, used by name


def test_street_staff_changes_the_item_on_a_phone(tiny, people, trained_version):
    case = case_services.case_create(
        actor=tiny.worker_a1,
        item=MatterItem.objects.get(code="ZA02-01"),
        text="小区门口天天有人摆摊卖菜,把人行道都占了",
        grid=tiny.grid_a1,
    )
    page = people.open("street", phone=True)
    page.goto(f"/cases/{case.pk}/")
    panel = page.locator(".reclassify")
    panel.get_by_text("更改类别", exact=True).first.click()
    chips = panel.locator("button.intake-chip")
    expect(chips).to_have_count(3)
    for i in range(3):
        box = chips.nth(i).bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE_WIDTH
    assert overflow_px(page) <= 0
    shot(page, "intake-reclassify-phone")
    target = MatterItem.objects.get(code="ZF01-01")
    panel.get_by_label("说明(可选)").fill("实为占道经营")
    panel.locator(f'button.intake-chip[value="{target.pk}"]').click()
    expect(page.locator(".messages")).to_contain_text("已更改事项类别")
    expect(page.locator("h1")).to_contain_text(target.name)
    expect(page.locator(".ledger")).to_contain_text("更改类别")
    expect(page.locator(".ledger")).to_contain_text("ZA02-01 → ZF01-01")
    case.refresh_from_db()
    assert case.item == target
    assert case.events.filter(action="reclassify", note="实为占道经营").exists()
