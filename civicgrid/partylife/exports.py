"""Excel export of a round's results: one sheet per direction (targets the user may see), and
one sheet of each rater's total only for users the round's anonymity lets see raters."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .choices import BANDS, Direction
from .selectors import may_see_raters, visible_results


def results_xlsx(*, user, round) -> bytes:
    wb = Workbook(write_only=True)
    raters = may_see_raters(user, round)
    for direction, label in Direction.choices:
        if round.form_for(direction) is None:
            continue
        results = visible_results(user=user, round=round, direction=direction)
        ws = wb.create_sheet(str(label)[:31])
        ws.append(
            [
                _("排名"),
                _("被评对象"),
                _("平均分"),
                _("已评"),
                _("应评"),
                *[str(b[1]) for b in BANDS],
            ]
        )
        for r in results:
            ws.append(
                [
                    r.rank,
                    r.name,
                    float(r.mean) if r.mean is not None else None,
                    r.raters,
                    r.expected,
                    *[r.bands[b[0]] for b in BANDS],
                ]
            )
        if raters:
            ws2 = wb.create_sheet((str(label) + _("明细"))[:31])
            ws2.append([_("被评对象"), _("评价人"), _("得分")])
            for r in results:
                for rater, total in r.totals:
                    ws2.append([r.name, str(rater), float(total)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
