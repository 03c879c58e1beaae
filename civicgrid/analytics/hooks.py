"""Case hook (settings.CIVICGRID_CASE_HOOKS): co-reporters hear of each step of the case they
joined, and the reporters of merged cases become co-reporters of the master case, so that
they are told and asked to rate when it resolves. Runs in the ledger's transaction; SMS go
out on commit. The cases app knows nothing of this module."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.notifications import deliver

# Steps a co-reporter is told of (the report itself and "join" are theirs already).
_MESSAGES = {
    "accept": _("您关注的问题(%(no)s)已受理。"),
    "dispatch": _("您关注的问题(%(no)s)已派至承办单位办理。"),
    "start": _("您关注的问题(%(no)s)正在办理。"),
    "resolve": _(
        "您关注的问题(%(no)s)已办结,请对办理结果进行评价:评价码 %(code)s(居民端“评价”页)。"
    ),
    "escalate": _("您关注的问题(%(no)s)已提交上级协调办理。"),
    "invalidate": _("您关注的问题(%(no)s)不予受理:%(note)s"),
    "close": _("您关注的问题(%(no)s)已归档,感谢您的参与。"),
    "rate": _("您关注的问题(%(no)s)已由诉求人评价。"),
}


def events_written(events: list) -> None:
    merges = [e for e in events if e.action == "merge"]
    if merges:
        _adopt_merged(merges)
    steps = [e for e in events if e.action in _MESSAGES]
    if steps:
        _notify(steps)


def _adopt_merged(events) -> None:
    """The reporter (and co-reporters) of a merged case follow the master case from now on."""
    from civicgrid.cases.models import Case
    from civicgrid.cases.services import tracking_code
    from civicgrid.core.crypto import blind_index

    from .models import CoReporter

    merged = Case.objects.filter(pk__in=[e.case_id for e in events], merged_into__isnull=False)
    for case in merged.select_related("merged_into"):
        master = case.merged_into
        people = [(case.reporter_id, case.reporter_name, case.reporter_phone)]
        people += [(c.user_id, c.name, c.phone) for c in CoReporter.objects.filter(case=case)]
        for user_id, name, phone in people:
            if not user_id and not phone:
                continue  # anonymous: nobody to tell
            if user_id and user_id == master.reporter_id:
                continue
            phone_index = "" if user_id else blind_index(phone)
            match = {"user_id": user_id} if user_id else {"phone_index": phone_index}
            if CoReporter.objects.filter(case=master, **match).exists():
                continue
            CoReporter.objects.create(
                case=master,
                kind=CoReporter.Kind.MERGED,
                user_id=user_id,
                name=name,
                phone=phone,
                phone_index=phone_index,
                source_case=case,
                rate_code=tracking_code(),
            )


def _notify(events) -> None:
    from civicgrid.cases.models import Notification

    from .models import CoReporter

    by_case: dict[int, list] = {}
    for co in CoReporter.objects.filter(case_id__in={e.case_id for e in events}).select_related(
        "case"
    ):
        by_case.setdefault(co.case_id, []).append(co)
    rows, sms = [], []
    for event in events:
        for co in by_case.get(event.case_id, []):
            message = _MESSAGES[event.action] % {
                "no": co.case.number,
                "code": co.rate_code,
                "note": event.note,
            }
            if co.user_id:
                rows.append(
                    Notification(
                        user_id=co.user_id, case_id=co.case_id, channel="app", message=message
                    )
                )
            if co.phone:
                rows.append(
                    Notification(
                        case_id=co.case_id, channel="sms", recipient=co.phone[-4:], message=message
                    )
                )
                sms.append((co.phone, message))
    if rows:
        Notification.objects.bulk_create(rows)
    for phone, message in sms:
        transaction.on_commit(lambda p=phone, m=message: deliver("sms", p, m))
