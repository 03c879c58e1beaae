"""The case loop's transition table. One place decides what may happen from each state.

Each action names the states it may start from, the state it leads to, and the kind of
actor allowed to perform it (checked by `services.case_transition` against scope and roles).
The table is tested exhaustively in tests/test_workflow.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import Status as S


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: decided by the service (e.g. rating)
    actor: str  # "dispatcher" | "handler" | "reporter" | "supervisor" | "system"
    needs_note: bool = False


def _a(name, label, sources, target, actor, needs_note=False) -> Action:
    return Action(name, label, frozenset(sources), target, actor, needs_note)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        _a("accept", _("受理"), {S.REPORTED}, S.ACCEPTED, "dispatcher"),
        _a(
            "dispatch", _("派单"), {S.ACCEPTED, S.RETURNED, S.ESCALATED}, S.DISPATCHED, "dispatcher"
        ),
        _a("return", _("退回"), {S.DISPATCHED}, S.RETURNED, "handler", needs_note=True),
        _a("start", _("签收办理"), {S.DISPATCHED, S.REOPENED}, S.IN_PROGRESS, "handler"),
        _a("resolve", _("办结"), {S.IN_PROGRESS}, S.RESOLVED, "handler", needs_note=True),
        _a("rate", _("评价"), {S.RESOLVED}, None, "reporter"),
        _a("close", _("归档"), {S.RATED, S.RESOLVED}, S.CLOSED, "dispatcher"),
        _a(
            "escalate",
            _("提级"),
            {S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS, S.REOPENED},
            S.ESCALATED,
            "dispatcher",
            needs_note=True,
        ),
        _a("merge", _("合并"), {S.REPORTED, S.ACCEPTED}, S.MERGED, "dispatcher", needs_note=False),
        _a(
            "invalidate",
            _("不予受理"),
            {S.REPORTED, S.ACCEPTED},
            S.INVALID,
            "dispatcher",
            needs_note=True,
        ),
    ]
}


class TransitionNotAllowed(Exception):
    pass


def check(action: str, status: str) -> Action:
    """Return the action if it may start from `status`; raise with a reason otherwise."""
    act = ACTIONS.get(action)
    if act is None:
        raise TransitionNotAllowed(_("未知的操作。"))
    if status not in act.sources:
        allowed = "、".join(sorted(str(S(s).label) for s in act.sources))
        raise TransitionNotAllowed(
            _("当前状态为「%(now)s」,不能执行「%(act)s」(仅限:%(allowed)s)。")
            % {"now": S(status).label, "act": act.label, "allowed": allowed}
        )
    return act


def available(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.sources]
