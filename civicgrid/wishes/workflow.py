"""The claim transition table (data, checked in one service: ``services.claim_transition``).

    claimed --start--> in_progress --complete--> completed --confirm--> confirmed
                           ^                          |
                           +---------return-----------+      (the community, with a reason)
    claimed / in_progress --withdraw--> withdrawn             (the claimant gives it up)
    claimed / in_progress --release-->  released              (the sweep, past the deadline)

Who may act: "claimant" (the member themself; a unit's user or community staff for a unit;
community staff for the community), "confirmer" (community staff over the wish's community;
for a support item the asking unit's user or community staff), "system" (the sweep).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import ClaimStatus as S


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    who: str
    label: str
    needs_note: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("start", frozenset({S.CLAIMED}), S.IN_PROGRESS, "claimant", _("开始办理")),
        Transition("complete", frozenset({S.IN_PROGRESS}), S.COMPLETED, "claimant", _("标记完成")),
        Transition("confirm", frozenset({S.COMPLETED}), S.CONFIRMED, "confirmer", _("确认完成")),
        Transition(
            "return",
            frozenset({S.COMPLETED}),
            S.IN_PROGRESS,
            "confirmer",
            _("退回"),
            needs_note=True,
        ),
        Transition(
            "withdraw",
            frozenset({S.CLAIMED, S.IN_PROGRESS}),
            S.WITHDRAWN,
            "claimant",
            _("放弃认领"),
            needs_note=True,
        ),
        Transition(
            "release", frozenset({S.CLAIMED, S.IN_PROGRESS}), S.RELEASED, "system", _("超期释放")
        ),
    )
}

# Why an action is refused in a state (shown to the person); the fallback names both.
REASONS: dict[tuple[str, str], str] = {
    ("start", S.IN_PROGRESS): _("已在办理中。"),
    ("complete", S.CLAIMED): _("请先开始办理,再标记完成。"),
    ("complete", S.COMPLETED): _("已标记完成,等待社区确认。"),
    ("confirm", S.CLAIMED): _("认领方尚未完成,不能确认。"),
    ("confirm", S.IN_PROGRESS): _("认领方尚未完成,不能确认。"),
    ("confirm", S.CONFIRMED): _("社区已确认过,不能重复确认。"),
    ("return", S.CONFIRMED): _("社区已确认,不能再退回。"),
    ("return", S.CLAIMED): _("只有已完成待确认的认领才能退回。"),
    ("return", S.IN_PROGRESS): _("只有已完成待确认的认领才能退回。"),
    ("withdraw", S.COMPLETED): _("已标记完成,不能放弃;如需修改请社区退回。"),
    ("withdraw", S.CONFIRMED): _("社区已确认,不能放弃。"),
}


def available(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
