"""Suggestions recorded and confirmed, reclassification, retrain / activate / revert, and the
hotline import's rows without an item — on the real database."""

import io

import pytest
from openpyxl import Workbook

from civicgrid.cases import services as case_services
from civicgrid.cases.hotline import import_orders
from civicgrid.cases.models import Case, MatterItem
from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.intake import selectors, services
from civicgrid.intake.models import ClassifierVersion, LabelSource, Suggestion

pytestmark = pytest.mark.django_db


def _item(code):
    return MatterItem.objects.get(code=code)


def _report(tiny, text="小区路灯坏了好几天,晚上黑漆漆的", code="MS01-01", actor=None):
    return case_services.case_create(
        actor=actor or tiny.worker_a1, item=_item(code), text=text, grid=tiny.grid_a1
    )


def test_a_new_case_records_the_suggestion_and_the_reporters_choice(tiny):
    case = _report(tiny)
    s = Suggestion.objects.get(case=case)
    assert s.source == LabelSource.REPORTER and s.item.code == "MS01-01"
    assert "MS01-01" in s.suggested_codes and s.confident and s.accepted and s.labelled


def test_a_choice_outside_the_suggestions_waits_for_the_dispatcher(tiny):
    case = _report(tiny, code="ZA02-01")
    s = Suggestion.objects.get(case=case)
    assert not s.accepted and not s.labelled
    case_services.case_transition(actor=tiny.street_staff, case=case, action="accept")
    s.refresh_from_db()
    assert s.source == LabelSource.DISPATCHER and s.labelled and s.confirmed_by == tiny.street_staff


def test_reclassify_changes_the_item_writes_the_ledger_and_labels(tiny):
    case = _report(tiny, code="ZA02-01")
    case = services.case_reclassify(
        actor=tiny.street_staff, case=case, item=_item("MS01-01"), expected_version=case.version
    )
    case.refresh_from_db()
    assert case.item.code == "MS01-01"
    ev = case.events.get(action="reclassify")
    assert ev.data == {"from": "ZA02-01", "to": "MS01-01"} and ev.actor == tiny.street_staff
    s = Suggestion.objects.get(case=case)
    assert s.labelled and s.item.code == "MS01-01" and s.source == LabelSource.DISPATCHER


def test_reclassify_is_refused_to_others_and_on_final_cases(tiny):
    case = _report(tiny, code="ZA02-01")
    with pytest.raises((PermissionDenied,)):
        services.case_reclassify(actor=tiny.staff_b, case=case, item=_item("MS01-01"))
    case_services.case_transition(
        actor=tiny.street_staff, case=case, action="invalidate", note="重复"
    )
    with pytest.raises(Conflict):
        services.case_reclassify(actor=tiny.street_staff, case=case, item=_item("MS01-01"))
    assert Case.objects.get(pk=case.pk).item.code == "ZA02-01"


def test_retrain_versions_metrics_activate_and_revert(tiny):
    _, row0 = selectors.active_classifier()
    assert row0 is None  # cold start
    case = _report(tiny, text="这个奇怪的说法只在事件里出现过一次哈哈", code="MS01-01")
    case_services.case_transition(actor=tiny.street_staff, case=case, action="accept")
    v1 = services.classifier_retrain(actor=None)
    assert v1.version == 1 and v1.active and v1.kind == "trained"
    assert v1.metrics["corpus"]["n"] > 400 and v1.metrics["corpus"]["top1"] > 0.5
    assert v1.size_bytes > 0 and v1.trained_on > 1300
    assert v1.from_cases + v1.metrics["cases"]["n"] == 1
    assert selectors.active_classifier()[1] == v1
    v2 = services.classifier_retrain(actor=None, kind="keywords")
    assert v2.version == 2 and ClassifierVersion.objects.filter(active=True).get() == v2
    assert selectors.active_classifier()[0].kind == "keywords"
    assert services.classifier_revert(actor=None) == v1
    assert selectors.active_classifier()[1] == v1
    services.classifier_activate(actor=None, version=None)
    assert selectors.active_classifier()[1] is None


def _orders(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "诉求内容", "事项编码", "网格编码"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_hotline_rows_without_an_item_are_classified_or_left_for_a_person(tiny, settings):
    services.classifier_retrain(actor=None)
    admin = tiny.street_staff
    content = _orders(
        [
            ["H1", "小区门口天天有人摆摊卖菜,把人行道都占了", "", "G-A1"],
            ["H2", "我有个事情想问问你们", "", "G-A1"],
            ["H3", "楼道里堆满杂物", "MS01-01", "G-A1"],
        ]
    )
    result = import_orders(actor=admin, content=content, filename="o.xlsx", partial=True)
    assert result.created == 2
    [err] = result.errors
    assert err.row == 3 and err.column == "事项编码" and "请填写" in err.message
    h1 = Case.objects.get(external_id="H1")
    assert h1.item.code == "ZF01-01"
    s = Suggestion.objects.get(case=h1)
    assert s.source == LabelSource.AUTO and not s.labelled
    assert h1.events.get(action="report").data["classified"]["score"] >= 0.7
    assert not Suggestion.objects.filter(case__external_id="H3").exists()


def test_hotline_without_partial_writes_nothing_when_a_row_is_unsure(tiny):
    content = _orders([["H9", "我有个事情想问问你们", "", "G-A1"]])
    result = import_orders(actor=tiny.street_staff, content=content, filename="o.xlsx")
    assert result.created == 0 and len(result.errors) == 1
    assert not Case.objects.filter(external_id="H9").exists()
