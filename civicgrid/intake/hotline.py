"""Classification for the bulk hotline import (settings.CIVICGRID_CASE_CLASSIFIER points here;
the cases app does not import intake). All texts of a file are classified in one pass."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext as _

from civicgrid.cases.models import MatterItem

from . import selectors


def auto_score() -> float:
    return float(getattr(settings, "CIVICGRID_INTAKE_AUTO_SCORE", 0.7))


def classify(texts: Sequence[str]) -> list[dict]:
    """For each text: {"item": MatterItem, "data": {…for the ledger…}} when the top suggestion
    is confident and scores at least CIVICGRID_INTAKE_AUTO_SCORE, else {"item": None,
    "message": why it is left for a person}."""
    preds, row = selectors.suggest(texts)
    items = {i.code: i for i in MatterItem.objects.filter(active=True)}
    threshold = auto_score()
    out = []
    for pred in preds:
        top = items.get(pred.top) if pred.items else None
        score = pred.items[0][1] if pred.items else 0.0
        if top is not None and pred.confident and score >= threshold:
            out.append(
                {
                    "item": top,
                    "data": {
                        "item": top.pk,
                        "classifier": row.pk if row is not None else None,
                        "model": f"v{row.version}" if row is not None else "keywords",
                        "score": score,
                        "suggested": [{"code": c, "score": s} for c, s in pred.items],
                    },
                }
            )
            continue
        if top is not None:
            message = _(
                "未填写事项,自动分类把握不足(最可能:%(name)s,%(score)d%%),请填写事项编码或名称。"
            ) % {"name": top.name, "score": round(score * 100)}
        else:
            message = _("未填写事项,且无法从诉求内容判断类别,请填写事项编码或名称。")
        out.append({"item": None, "message": message})
    return out
