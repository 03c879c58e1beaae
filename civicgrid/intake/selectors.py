"""Reads for intake: the active classifier (loaded once per process and version), the
catalogue it classifies into, suggestions for texts, and what a suggestion means for a place
(handling mode and handler, through the cases app's own routing)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Count, Max

from civicgrid.cases.models import MatterItem
from civicgrid.cases.services import default_handler

from .classifier import CatalogueEntry, Prediction, TextClassifier, build_keywords
from .models import ClassifierVersion, Suggestion
from .storage import loads

_lock = threading.Lock()
_loaded: dict[tuple, TextClassifier] = {}


def thresholds() -> dict[str, float]:
    return {
        "min_score": float(getattr(settings, "CIVICGRID_INTAKE_MIN_SCORE", 0.35)),
        "min_margin": float(getattr(settings, "CIVICGRID_INTAKE_MIN_MARGIN", 0.05)),
        "min_terms": int(getattr(settings, "CIVICGRID_INTAKE_MIN_TERMS", 2)),
    }


def catalogue_entries() -> list[CatalogueEntry]:
    return [
        CatalogueEntry(i.code, i.name, i.domain, tuple(i.keywords or ()), i.description)
        for i in MatterItem.objects.filter(active=True).order_by("code")
    ]


# Which version is active is read at most every ACTIVE_SECONDS per process (a report would
# otherwise pay one query for it); a switch in this process is seen at once (forget_active),
# other app servers see it within ACTIVE_SECONDS.
ACTIVE_SECONDS = 2.0
_active: dict = {"at": float("-inf"), "value": None}


def forget_active() -> None:
    _active["at"] = float("-inf")


def _cached(fn):
    now = time.monotonic()
    if now - _active["at"] > ACTIVE_SECONDS:
        _active["value"] = fn()
        _active["at"] = now
    return _active["value"]


def active_version() -> ClassifierVersion | None:
    return _cached(_active_state)[0]


def _active_state() -> tuple:
    row = ClassifierVersion.objects.filter(active=True).defer("blob").first()
    if row is not None:
        return row, None
    stamp = MatterItem.objects.filter(active=True).aggregate(n=Count("id"), t=Max("updated_at"))
    return None, (stamp["n"], stamp["t"])


def _remember(key: tuple, build) -> TextClassifier:
    with _lock:
        clf = _loaded.get(key)
        if clf is None:
            clf = build()
            _loaded.clear()  # one model in memory per process
            _loaded[key] = clf
        return clf


def active_classifier() -> tuple[TextClassifier, ClassifierVersion | None]:
    """The classifier in use: the active version, or the keyword cold start built from the
    catalogue when no version is active. The model is loaded (or built) once per process until
    the active version or the catalogue changes."""
    row, stamp = _cached(_active_state)
    if row is not None:
        return _remember(
            ("v", row.pk, row.digest),
            lambda: loads(
                ClassifierVersion.objects.values_list("blob", flat=True).get(pk=row.pk), row.digest
            ),
        ), row
    return _remember(("keywords", *stamp), lambda: build_keywords(catalogue_entries())), None


def suggest(
    texts: Sequence, *, explain: bool = False
) -> tuple[list[Prediction], ClassifierVersion | None]:
    """Predictions for many texts in one vectorised pass, with the version that made them."""
    clf, row = active_classifier()
    return clf.predict(texts, explain=explain, **thresholds()), row


def items_by_code(codes) -> dict[str, MatterItem]:
    return {i.code: i for i in MatterItem.objects.filter(code__in=set(codes), active=True)}


def describe(
    pred: Prediction, row: ClassifierVersion | None, *, community=None, items=None
) -> dict:
    """A prediction as the intake forms and the `classify` command show it."""
    items = items if items is not None else items_by_code(c for c, _s in pred.items)
    shown = [(items[c], s) for c, s in pred.items if c in items]
    out: dict = {
        "ok": pred.code in ("", "low_confidence") and bool(shown),
        "confident": pred.confident and bool(shown),
        "items": [
            {
                "id": it.pk,
                "code": it.code,
                "name": it.name,
                "domain": it.get_domain_display(),
                "score": s,
            }
            for it, s in shown
        ],
        "model": f"v{row.version}" if row is not None else "keywords",
    }
    if pred.code:
        out["error" if pred.code != "low_confidence" else "notice"] = {
            "code": pred.code,
            "message": pred.message,
        }
    if out["confident"]:
        top = shown[0][0]
        out["mode"] = {"code": top.mode, "label": str(top.get_mode_display())}
        if community is not None:
            area, unit = default_handler(top, top.mode, community)
            out["handler"] = (unit or area).name if (unit or area) else ""
        if pred.drivers:
            out["drivers"] = pred.drivers
    return out


def training_examples() -> list[tuple[str, str]]:
    """(text, item code) of every case confirmed as a training example."""
    return list(
        Suggestion.objects.filter(labelled=True, item__active=True)
        .order_by("pk")
        .values_list("case__text", "item__code")
    )
