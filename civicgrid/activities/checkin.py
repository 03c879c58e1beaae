"""The rotating check-in code shown at the venue.

A token is ``<activity id>-<step>-<signature>``: the step is the number of STEP_SECONDS periods
since the epoch, the signature an HMAC-SHA256 (keyed by the server's secret) over the activity,
the step and the activity's own random secret. A token is accepted in its own step and the next
one (a scan that takes a few seconds across a step boundary still works), so a photo of the code
sent to someone at home stops working one to two minutes after it was taken. Tokens are also
accepted only inside the activity's check-in window: from ``checkin_lead_minutes`` before the
start to the end.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import ValidationFailed

STEP_SECONDS = 60
GRACE_STEPS = 1
_SALT = "civicgrid.activities.checkin"


def step_of(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def _signature(activity, step: int) -> str:
    return salted_hmac(
        _SALT, f"{activity.pk}:{step}:{activity.qr_secret}", algorithm="sha256"
    ).hexdigest()[:24]


def make_token(activity, at: dt.datetime | None = None) -> str:
    step = step_of(at or timezone.now())
    return f"{activity.pk}-{step}-{_signature(activity, step)}"


def seconds_left(at: dt.datetime | None = None) -> int:
    """Seconds until the code shown now is replaced by the next one."""
    now = at or timezone.now()
    return STEP_SECONDS - int(now.timestamp()) % STEP_SECONDS


def window(activity) -> tuple[dt.datetime, dt.datetime]:
    return activity.starts_at - dt.timedelta(
        minutes=activity.checkin_lead_minutes
    ), activity.ends_at


def in_window(activity, at: dt.datetime | None = None) -> bool:
    opens, closes = window(activity)
    return opens <= (at or timezone.now()) <= closes


class BadToken(ValidationFailed):
    code = "checkin_code_invalid"
    default_message = _("签到码无效,请重新扫描现场的二维码。")


class ExpiredToken(ValidationFailed):
    code = "checkin_code_expired"
    default_message = _("签到码已过期,请重新扫描现场的二维码。")


class OutsideWindow(ValidationFailed):
    code = "checkin_closed"
    default_message = _("不在签到时间内。")


@dataclass(frozen=True)
class ParsedToken:
    activity_id: int
    step: int
    signature: str


def parse(token: str) -> ParsedToken:
    parts = (token or "").split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 18:
        raise BadToken()
    return ParsedToken(int(parts[0]), int(parts[1]), parts[2])


def verify(activity, token: str, at: dt.datetime | None = None) -> None:
    """Raise unless ``token`` is a current code of ``activity`` inside its window."""
    now = at or timezone.now()
    parsed = parse(token)
    if parsed.activity_id != activity.pk:
        raise BadToken()
    if not hmac.compare_digest(parsed.signature, _signature(activity, parsed.step)):
        raise BadToken()
    current = step_of(now)
    if parsed.step > current or current - parsed.step > GRACE_STEPS:
        raise ExpiredToken()
    if not in_window(activity, now):
        raise OutsideWindow()
