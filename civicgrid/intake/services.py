"""Writes for intake: recording suggestions as cases are raised and confirmed, changing a
case's item, retraining, and switching the active classifier."""

from __future__ import annotations

import time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases import hooks as case_hooks
from civicgrid.cases.choices import FINAL_STATUSES, Source
from civicgrid.cases.models import Case, CaseEvent, MatterItem
from civicgrid.cases.permissions import may
from civicgrid.cases.services import _lock
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationFailed
from civicgrid.core.textsearch import index_terms

from . import classifier, selectors, storage
from .models import ClassifierKind, ClassifierVersion, LabelSource, Suggestion
from .text import Example, corpus, held_out

# Ledger actions after which the item counts as confirmed by a dispatcher (kept as it was).
CONFIRMING_ACTIONS = frozenset({"accept", "dispatch"})


def _suggested(pred) -> list[dict]:
    return [{"code": c, "score": s} for c, s in pred.items]


def record_reported(cases: list[Case], auto: dict[int, dict] | None = None) -> None:
    """A Suggestion for each newly raised case: the classifier's proposal for its text (in one
    vectorised pass) and the item the reporter chose, which is a training example when it was
    one of the confident suggestions. `auto`: cases whose item the hotline import chose itself
    ({case id: {"classifier": id, "suggested": […]}}), recorded as automatic — not an example
    until a dispatcher confirms. Hotline cases that came with an item wait for the dispatcher."""
    auto = auto or {}
    rows = [
        Suggestion(
            case_id=pk,
            classifier_id=info.get("classifier"),
            suggested=info.get("suggested", []),
            confident=True,
            item_id=info["item"],
            source=LabelSource.AUTO,
            accepted=True,
        )
        for pk, info in auto.items()
    ]
    chosen = [c for c in cases if c.pk not in auto and c.source != Source.HOTLINE]
    if chosen:
        preds, row = selectors.suggest([c.text for c in chosen])
        # A case raised through case_create carries its item already: no query for its code.
        codes_by_id = {c.item_id: c.item.code for c in chosen if "item" in c._state.fields_cache}
        missing = {c.item_id for c in chosen} - set(codes_by_id)
        if missing:
            codes_by_id |= dict(MatterItem.objects.filter(pk__in=missing).values_list("pk", "code"))
        for case, pred in zip(chosen, preds, strict=True):
            codes = [c for c, _s in pred.items]
            code = codes_by_id.get(case.item_id)
            rows.append(
                Suggestion(
                    case_id=case.pk,
                    classifier=row,
                    suggested=_suggested(pred),
                    confident=pred.confident,
                    item_id=case.item_id,
                    source=LabelSource.REPORTER,
                    accepted=bool(codes) and codes[0] == code,
                    labelled=pred.confident and code in codes,
                    confirmed_by_id=case.reporter_id,
                )
            )
    if rows:
        Suggestion.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def record_confirmed(actors: dict[int, int | None]) -> None:
    """A dispatcher accepted, dispatched or re-classified these cases ({case id: user id}):
    their items are confirmed as they now are."""
    if not actors:
        return
    existing = {s.case_id: s for s in Suggestion.objects.filter(case_id__in=actors)}
    new = []
    for pk, item_id in Case.objects.filter(pk__in=actors).values_list("pk", "item_id"):
        s = existing.get(pk)
        if s is None:
            new.append(
                Suggestion(
                    case_id=pk,
                    item_id=item_id,
                    source=LabelSource.DISPATCHER,
                    labelled=True,
                    confirmed_by_id=actors[pk],
                )
            )
        elif s.source != LabelSource.DISPATCHER or s.item_id != item_id or not s.labelled:
            s.item_id, s.source, s.labelled, s.confirmed_by_id = (
                item_id,
                LabelSource.DISPATCHER,
                True,
                actors[pk],
            )
            s.save(update_fields=["item", "source", "labelled", "confirmed_by", "updated_at"])
    Suggestion.objects.bulk_create(new, ignore_conflicts=True)


@transaction.atomic
def case_reclassify(
    *, actor, case: Case, item: MatterItem, expected_version: int | None = None, note: str = ""
) -> Case:
    """A dispatcher corrects a case's item (事项类别). The case keeps its deadlines and handler
    (stored, never recomputed); the change is in the ledger and becomes a training example."""
    case = _lock(case, expected_version)
    if case.status in FINAL_STATUSES:
        raise Conflict(_("该事件已结束,不能再更改类别。"))
    if not may(actor, case, "dispatcher"):
        raise PermissionDenied(_("您无权更改该事件的类别。"))
    if item is None or not item.active:
        raise ValidationFailed(
            _("请选择有效的事项类别。"), details={"item": [_("未知或已停用的类别。")]}
        )
    note = (note or "").strip()[:500]
    before = case.item
    if item.pk != before.pk:
        case.item, case.item_revision = item, item.revision
        case.search_text = index_terms(case.text, case.address, item.name)
        case.version += 1
        case.save(update_fields=["item", "item_revision", "search_text", "version", "updated_at"])
        event = CaseEvent.objects.create(
            case=case,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action="reclassify",
            from_status=case.status,
            to_status=case.status,
            note=note,
            data={"from": before.code, "to": item.code},
        )
        case_hooks.events_written([event])
    record_confirmed({case.pk: actor.pk if getattr(actor, "is_authenticated", False) else None})
    return case


# -- models -------------------------------------------------------------------------------------


def _domains() -> dict[str, str]:
    return dict(MatterItem.objects.values_list("code", "domain"))


def evaluation_sets() -> tuple[list[Example], list[Example], list[Example], list[Example]]:
    """(corpus train, corpus held-out, cases train, cases held-out). Confirmed cases are split
    by the same hash rule as the corpus; a case whose text is a held-out corpus text is never
    trained on."""
    held = {e.text for e in corpus("test")}
    cases_train, cases_test = [], []
    for text, code in selectors.training_examples():
        text = (text or "").strip()
        if not text or text in held:
            continue
        (cases_test if held_out(text) else cases_train).append(Example(text, code))
    return corpus("train"), corpus("test"), cases_train, cases_test


def classifier_train(
    *, kind: str = ClassifierKind.TRAINED
) -> tuple[classifier.TextClassifier, dict, int, int, float]:
    """Fit (outside any transaction: it takes seconds) and measure on the held-out sets."""
    catalogue = selectors.catalogue_entries()
    corpus_train, corpus_test, cases_train, cases_test = evaluation_sets()
    started = time.perf_counter()
    if kind == ClassifierKind.KEYWORDS:
        clf, trained_on = classifier.build_keywords(catalogue), 0
    else:
        clf = classifier.train(corpus_train + cases_train, catalogue)
        trained_on = len(corpus_train) + len(cases_train)
    seconds = time.perf_counter() - started
    domains = _domains()
    metrics = {
        "corpus": classifier.evaluate(clf, corpus_test, domains),
        "cases": classifier.evaluate(clf, cases_test, domains),
        "thresholds": selectors.thresholds(),
    }
    return clf, metrics, trained_on, len(cases_train), seconds


def classifier_retrain(
    *, actor=None, kind: str = ClassifierKind.TRAINED, activate: bool = True, note: str = ""
) -> ClassifierVersion:
    """Train a new version on the corpus and every confirmed case, store it with its metrics,
    and (by default) make it the active one."""
    if kind not in ClassifierKind.values:
        raise ValidationFailed(_("未知的模型类型。"))
    clf, metrics, trained_on, from_cases, seconds = classifier_train(kind=kind)
    blob, digest = storage.dumps(clf)
    with transaction.atomic():
        latest = ClassifierVersion.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
        row = ClassifierVersion.objects.create(
            version=latest + 1,
            kind=kind,
            trained_on=trained_on,
            from_cases=from_cases,
            metrics=metrics,
            size_bytes=len(blob),
            train_seconds=round(seconds, 2),
            blob=blob,
            digest=digest,
            note=note[:200],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if activate:
            classifier_activate(actor=actor, version=row)
    return row


@transaction.atomic
def classifier_activate(*, actor, version: ClassifierVersion | None) -> ClassifierVersion | None:
    """Make `version` the active classifier; None goes back to the keyword cold start."""
    selectors.forget_active()
    transaction.on_commit(selectors.forget_active)
    ClassifierVersion.objects.filter(active=True).update(active=False)
    if version is None:
        return None
    storage.loads(
        ClassifierVersion.objects.values_list("blob", flat=True).get(pk=version.pk), version.digest
    )
    ClassifierVersion.objects.filter(pk=version.pk).update(active=True, activated_at=timezone.now())
    version.refresh_from_db(fields=["active", "activated_at"])
    return version


@transaction.atomic
def classifier_revert(*, actor) -> ClassifierVersion | None:
    """Back to the version that was active before the current one (by activation time), or to
    the cold start when there is none."""
    current = ClassifierVersion.objects.filter(active=True).first()
    previous = (
        ClassifierVersion.objects.exclude(pk=getattr(current, "pk", None))
        .filter(activated_at__isnull=False)
        .order_by("-activated_at")
        .first()
    )
    return classifier_activate(actor=actor, version=previous)
