"""Suggestion endpoints (real HTTP through the test client), the intake forms, the dispatcher's
correction, the admin switch and revert, and the classify command."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from civicgrid.cases import services as case_services
from civicgrid.cases.models import MatterItem
from civicgrid.intake import services
from civicgrid.intake.models import ClassifierVersion
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db
TEXT = "小区门口天天有人摆摊卖菜,把人行道都占了"


def test_staff_endpoint_needs_a_login_and_names_the_handler_for_a_visible_grid(
    tiny, client, trained_version
):
    url = reverse("intake:suggest")
    assert client.post(url, {"text": TEXT}).status_code == 302
    client.force_login(tiny.worker_a1)
    data = client.post(url, {"text": TEXT, "grid": tiny.grid_a1.pk}).json()
    assert data["ok"] and data["confident"] and data["items"][0]["code"] == "ZF01-01"
    assert len(data["items"]) == 3 and data["mode"]["code"] and data["handler"]
    # A grid outside the user's scope is ignored: no handler is named for it.
    other = client.post(url, {"text": TEXT, "grid": tiny.grid_b1.pk}).json()
    assert "handler" not in other


@pytest.mark.parametrize("text", ["", "   ", "!!!😀", "hello world", "好" * 4001])
def test_staff_endpoint_bad_input_is_a_clear_message(tiny, client, text):
    client.force_login(tiny.worker_a1)
    data = client.post(reverse("intake:suggest"), {"text": text}).json()
    assert not data["ok"] and data["items"] == [] and data["error"]["message"]


def test_portal_endpoint_needs_the_report_page_and_is_rate_limited(client, settings, db):
    settings.CIVICGRID_INTAKE_PUBLIC_RATE = 3
    url = reverse("intake:portal_suggest")
    assert client.post(url, {"text": TEXT}).status_code == 403
    page = client.get(reverse("portal:report"))
    assert b"intake/suggest.js" in page.content
    codes = [client.post(url, {"text": TEXT}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_grid_worker_form_includes_the_chips(tiny, client):
    client.force_login(tiny.worker_a1)
    page = client.get(reverse("cases:new"))
    assert (
        b'class="intake-suggest"' in page.content
        and reverse("intake:suggest").encode() in page.content
    )


def test_dispatcher_changes_the_item_from_the_case_page(tiny, client):
    case = case_services.case_create(
        actor=tiny.worker_a1,
        item=MatterItem.objects.get(code="ZA02-01"),
        text=TEXT,
        grid=tiny.grid_a1,
    )
    url = reverse("intake:reclassify", args=[case.pk])
    target = MatterItem.objects.get(code="ZF01-01")
    client.force_login(tiny.staff_b)  # another community: the case does not exist for them
    assert client.post(url, {"item": target.pk}).status_code == 404
    client.force_login(tiny.street_staff)
    resp = client.post(url, {"item": target.pk, "version": case.version})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.item == target


def test_admin_switches_and_reverts_the_active_model(tiny, client, settings):
    settings.CIVICGRID_2FA_ENFORCED = False  # two-factor sign-in is tested in core
    v1 = services.classifier_retrain(actor=None, kind="keywords")
    v2 = services.classifier_retrain(actor=None, kind="keywords")
    admin = make_user(is_staff=True, is_superuser=True, username="root")
    client.force_login(admin)
    url = reverse("admin:intake_classifierversion_changelist")
    assert client.get(url).status_code == 200
    client.post(url, {"action": "activate", "_selected_action": [v1.pk]})
    assert ClassifierVersion.objects.get(active=True) == v1
    client.post(url, {"action": "revert", "_selected_action": [v1.pk]})
    assert ClassifierVersion.objects.get(active=True) == v2
    client.post(url, {"action": "cold_start", "_selected_action": [v1.pk]})
    assert not ClassifierVersion.objects.filter(active=True).exists()


def test_classify_command_one_json_line_per_input_line(trained_version):
    out = io.StringIO()
    stdin = io.StringIO(f"{TEXT}\n\n😀😀\nplease fix the road\n")
    cmd_stdin = stdin
    from civicgrid.intake.management.commands.classify import Command

    command = Command(stdout=out)
    command.stdin = cmd_stdin
    call_command(command)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 4
    assert lines[0]["items"][0]["code"] == "ZF01-01" and lines[0]["items"][0]["name"] == "占道经营"
    assert [x["code"] for x in [ln.get("error") for ln in lines[1:]]] == [
        "empty",
        "no_words",
        "not_chinese",
    ]
