"""Excel export of the wish list (the user's scope for "export"; write-only workbook)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook

from civicgrid.core.errors import PermissionDenied
from civicgrid.orgs.access import has_capability

from .models import Wish

COLUMNS = [
    _l("编号"),
    _l("类型"),
    _l("类别"),
    _l("标题"),
    _l("社区"),
    _l("网格"),
    _l("状态"),
    _l("发布方式"),
    _l("提交时间"),
    _l("认领方"),
    _l("认领状态"),
    _l("完成期限"),
    _l("评分"),
]
MAX_ROWS = 100_000


def wishes_xlsx(*, user, qs) -> bytes:
    if not has_capability(user, "export"):
        raise PermissionDenied(_("您没有导出权限。"))
    # Rows in the export scope only (a role may view more than it may export).
    qs = qs.filter(pk__in=Wish.objects.restrict(user, "export").values("pk")).defer(None)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("微心愿"))
    ws.append([str(c) for c in COLUMNS])
    for w in qs[:MAX_ROWS]:
        claim = w.active_claims[0] if getattr(w, "active_claims", None) else None
        ws.append(
            [
                w.pk,
                w.get_kind_display(),
                w.get_category_display(),
                w.title,
                w.area.name,
                w.grid.name if w.grid_id else "",
                w.get_status_display(),
                w.get_posted_via_display(),
                timezone.localtime(w.created_at).strftime("%Y-%m-%d %H:%M"),
                claim.claimant_name if claim else "",
                claim.get_status_display() if claim else "",
                timezone.localtime(claim.deadline).strftime("%Y-%m-%d") if claim else "",
                claim.rating if claim and claim.rating else "",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
