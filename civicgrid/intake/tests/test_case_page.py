"""The case page's form to change a case's item (real HTTP through the test client): who sees
it, the classifier's chips for the case text, a chip or the list changing the item, the ledger
label, and bad input changing nothing."""

import re

import pytest
from django.urls import reverse

from civicgrid.cases import services as case_services
from civicgrid.cases.choices import Status
from civicgrid.cases.models import Case, MatterItem

pytestmark = pytest.mark.django_db
TEXT = "小区门口天天有人摆摊卖菜,把人行道都占了"


@pytest.fixture
def case(tiny):
    return case_services.case_create(
        actor=tiny.worker_a1,
        item=MatterItem.objects.get(code="ZA02-01"),
        text=TEXT,
        grid=tiny.grid_a1,
    )


CHIP = re.compile(r'<button type="submit" name="pick" value="(\d+)" class="([^"]*)"')


def _chips(html: str) -> list[tuple[str, bool]]:
    """(item id, current?) of each chip button on the page."""
    return [(m.group(1), "current" in m.group(2).split()) for m in CHIP.finditer(html)]


def test_dispatcher_sees_the_form_with_the_top_three_chips(tiny, client, case, trained_version):
    client.force_login(tiny.street_staff)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("intake:reclassify", args=[case.pk]) in html
    chips = _chips(html)
    assert len(chips) == 3
    assert chips[0][0] == str(MatterItem.objects.get(code="ZF01-01").pk)
    # The list offers every active item, the current one selected.
    current = MatterItem.objects.get(code="ZA02-01")
    assert f'<option value="{current.pk}" selected>' in html
    assert html.count("<option value=") >= MatterItem.objects.filter(active=True).count()


def test_the_form_is_not_shown_to_those_who_may_not_dispatch(tiny, client, case):
    client.force_login(tiny.worker_a1)  # the reporter, a grid worker
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="pick"' not in html and reverse("intake:reclassify", args=[case.pk]) not in html


def test_the_form_is_not_shown_on_a_finished_case(tiny, client, case):
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    client.force_login(tiny.street_staff)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("intake:reclassify", args=[case.pk]) not in html


def test_a_chip_changes_the_item_and_the_ledger_names_the_change(
    tiny, client, case, trained_version
):
    target = MatterItem.objects.get(code="ZF01-01")
    other = MatterItem.objects.get(code="ZA02-01")
    client.force_login(tiny.street_staff)
    url = reverse("intake:reclassify", args=[case.pk])
    # The chip's "pick" wins over the list's (unchanged) "item".
    resp = client.post(
        url, {"pick": target.pk, "item": other.pk, "version": case.version, "note": "摆摊"}
    )
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.item == target
    html = client.get(resp.url).content.decode()
    assert "已更改事项类别" in html
    assert "更改类别:ZA02-01→ZF01-01" in re.sub(r"\s+", "", html)
    # The case's own item is now the current chip, which cannot be pressed again.
    assert (str(target.pk), True) in _chips(html)
    assert re.search(rf'value="{target.pk}" class="intake-chip current" disabled', html)


def test_the_list_changes_the_item_without_a_chip(tiny, client, case):
    target = MatterItem.objects.get(code="ZF01-01")
    client.force_login(tiny.street_staff)
    client.post(
        reverse("intake:reclassify", args=[case.pk]), {"item": target.pk, "version": case.version}
    )
    case.refresh_from_db()
    assert case.item == target


@pytest.mark.parametrize(
    "data",
    [{"item": "999999"}, {"pick": "abc"}, {"item": ""}],
    ids=["unknown", "not-a-number", "empty"],
)
def test_bad_input_is_a_clear_message_and_changes_nothing(tiny, client, case, data):
    client.force_login(tiny.street_staff)
    resp = client.post(
        reverse("intake:reclassify", args=[case.pk]), {**data, "version": case.version}
    )
    html = client.get(resp.url).content.decode()
    assert "请选择有效的事项类别" in html
    case.refresh_from_db()
    assert case.item.code == "ZA02-01"
    assert not case.events.filter(action="reclassify").exists()


def test_a_stale_page_changes_nothing(tiny, client, case):
    target = MatterItem.objects.get(code="ZF01-01")
    client.force_login(tiny.street_staff)
    stale = case.version
    Case.objects.filter(pk=case.pk).update(version=stale + 1)  # someone acted meanwhile
    resp = client.post(
        reverse("intake:reclassify", args=[case.pk]), {"item": target.pk, "version": stale}
    )
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.item.code == "ZA02-01"
    assert not case.events.filter(action="reclassify").exists()
