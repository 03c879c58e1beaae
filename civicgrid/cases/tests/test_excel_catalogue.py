import io

import pytest
from openpyxl import load_workbook

from civicgrid.cases.models import MatterItem
from civicgrid.core import tabular
from civicgrid.core.errors import PermissionDenied
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _export(user) -> bytes:
    f = tabular.export_xlsx(user=user, kind="catalogue")
    return f.file.read()


def test_round_trip_edit_makes_a_revision(loop):
    admin = make_user(is_superuser=True)
    wb = load_workbook(io.BytesIO(_export(admin)))
    ws = wb.active
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == MatterItem.objects.count()
    target = next(r for r in rows if r[0].value == "ZF01-01")
    target[header.index("办结工作日")].value = 9
    target[header.index("办结时限类型")].value = "N个工作日"
    buf = io.BytesIO()
    wb.save(buf)
    outcome = tabular.run_import(
        actor=admin, kind="catalogue", content=buf.getvalue(), filename="c.xlsx"
    )
    assert outcome.errors == [] and outcome.written
    item = MatterItem.objects.get(code="ZF01-01")
    assert item.resolve_days == 9 and item.resolve_kind == "working_days" and item.revision == 2


def test_bad_rows_and_non_admins_are_refused(loop):
    admin = make_user(is_superuser=True)
    wb = load_workbook(io.BytesIO(_export(admin)))
    ws = wb.active
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("办理方式") + 1, value="随便办")
    ws.cell(row=3, column=header.index("协办部门") + 1, value="外星局")
    buf = io.BytesIO()
    wb.save(buf)
    outcome = tabular.run_import(
        actor=admin, kind="catalogue", content=buf.getvalue(), filename="c.xlsx"
    )
    cols = {(e.row, e.column) for e in outcome.errors}
    assert (2, "办理方式") in cols and (3, "协办部门") in cols and not outcome.written
    with pytest.raises(PermissionDenied):
        tabular.run_import(
            actor=loop.staff_a, kind="catalogue", content=buf.getvalue(), filename="c.xlsx"
        )
    with pytest.raises(PermissionDenied):
        _export(loop.worker_a1)
