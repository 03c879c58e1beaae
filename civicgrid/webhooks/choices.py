"""Event types a partner may subscribe to, and how case ledger rows map onto them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    CREATED = "case.created", _("新建事件")
    LOCATED = "case.located", _("确认网格")
    ACCEPTED = "case.accepted", _("受理")
    DISPATCHED = "case.dispatched", _("派单")
    RETURNED = "case.returned", _("退回")
    STARTED = "case.started", _("签收办理")
    RESOLVED = "case.resolved", _("办结")
    RATED = "case.rated", _("评价")
    REOPENED = "case.reopened", _("不满意重办")
    CLOSED = "case.closed", _("归档")
    ESCALATED = "case.escalated", _("提级")
    MERGED = "case.merged", _("合并")
    INVALIDATED = "case.invalidated", _("不予受理")
    WHISTLED = "case.whistled", _("吹哨")
    WHISTLE_REPORTED = "case.whistle_reported", _("部门报到")
    WHISTLE_RATED = "case.whistle_rated", _("报到评价")
    SUPERVISED = "case.supervised", _("督办")
    SUPERVISION_ANSWERED = "case.supervision_answered", _("答复督办")
    TASK_REPLIED = "case.task_replied", _("联办答复")
    WARNING = "case.warning", _("临期预警")
    OVERDUE = "case.overdue", _("超期")


# CaseEvent.action -> event type. A rating that reopens the case is "case.reopened";
# free notes are not pushed.
ACTION_EVENTS: dict[str, str] = {
    "report": EventType.CREATED,
    "locate": EventType.LOCATED,
    "accept": EventType.ACCEPTED,
    "dispatch": EventType.DISPATCHED,
    "return": EventType.RETURNED,
    "start": EventType.STARTED,
    "resolve": EventType.RESOLVED,
    "rate": EventType.RATED,
    "close": EventType.CLOSED,
    "escalate": EventType.ESCALATED,
    "merge": EventType.MERGED,
    "invalidate": EventType.INVALIDATED,
    "whistle": EventType.WHISTLED,
    "whistle_report": EventType.WHISTLE_REPORTED,
    "whistle_rate": EventType.WHISTLE_RATED,
    "supervise": EventType.SUPERVISED,
    "supervision_answer": EventType.SUPERVISION_ANSWERED,
    "task_reply": EventType.TASK_REPLIED,
}
# SlaState value -> event type (from the deadline sweep).
SLA_EVENTS: dict[str, str] = {"yellow": EventType.WARNING, "red": EventType.OVERDUE}


def event_type_of(action: str, to_status: str) -> str | None:
    if action == "rate" and to_status == "reopened":
        return EventType.REOPENED
    return ACTION_EVENTS.get(action)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败待重试")
    DEAD = "dead", _("已放弃")


# Deliveries a worker may still send.
OPEN_DELIVERY = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
