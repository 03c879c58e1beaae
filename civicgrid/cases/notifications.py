"""Tell whoever raised a case about each step (谁提诉求、向谁反馈).

In-app messages are Notification rows. SMS and e-mail go through one interface,
`deliver(channel, recipient, message)`, whose backend is set by CIVICGRID_NOTIFY_BACKEND
(default: write to the log). Delivery runs after the transaction commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicgrid.core.crypto import mask_phone

log = logging.getLogger("civicgrid.notify")

_STEP_MESSAGES = {
    "report": _("您反映的问题已登记,编号 %(no)s,查询码 %(code)s。"),
    "accept": _("您反映的问题(%(no)s)已受理。"),
    "dispatch": _("您反映的问题(%(no)s)已派至承办单位办理。"),
    "start": _("您反映的问题(%(no)s)正在办理。"),
    "resolve": _("您反映的问题(%(no)s)已办结,请对办理结果进行评价。"),
    "escalate": _("您反映的问题(%(no)s)已提交上级协调办理。"),
    "invalidate": _("您反映的问题(%(no)s)不予受理:%(note)s"),
    "merge": _("您反映的问题(%(no)s)与已有事件合并办理。"),
    "close": _("您反映的问题(%(no)s)已归档,感谢您的参与。"),
}


class LogBackend:
    def send(self, channel: str, recipient: str, message: str) -> None:
        # Never log a full phone number or address: personal data stays out of the logs.
        log.info(
            "notify %s to %s: %s",
            channel,
            mask_phone(recipient) if channel == "sms" else "***",
            message,
        )


def deliver(channel: str, recipient: str, message: str) -> None:
    backend = import_string(
        getattr(settings, "CIVICGRID_NOTIFY_BACKEND", "civicgrid.cases.notifications.LogBackend")
    )
    backend().send(channel, recipient, message)


def notify_step(case, event) -> None:
    from .models import Notification

    template = _STEP_MESSAGES.get(event.action)
    if template is None:
        return
    message = template % {"no": case.number, "code": case.tracking_code, "note": event.note}
    if case.reporter_id:
        Notification.objects.create(
            user_id=case.reporter_id, case=case, channel="app", message=message
        )
    if case.reporter_phone:
        phone = case.reporter_phone
        Notification.objects.create(case=case, channel="sms", recipient=phone[-4:], message=message)
        transaction.on_commit(lambda: deliver("sms", phone, message))
