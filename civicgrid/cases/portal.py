"""The resident portal: sign in by phone and one-time code, or report anonymously and
follow the case with its tracking code; rate the result (谁提诉求、由谁评价)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import crypto, ratelimit
from civicgrid.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from civicgrid.core.validators import validate_phone

from . import services
from .choices import Status
from .models import Case, PortalAccount, PortalCode
from .notifications import deliver

CODE_TTL = dt.timedelta(minutes=10)
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 5


def _hash(code: str) -> str:
    return hmac.new(crypto.keyring().index_key, code.encode(), hashlib.sha256).hexdigest()


def _phone(phone: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        return validate_phone(phone)
    except ValidationError as e:
        raise ValidationFailed(e.messages[0], details={"phone": e.messages})


@transaction.atomic
def code_send(*, phone: str) -> None:
    phone = _phone(phone)
    index = crypto.blind_index(phone)
    last = PortalCode.objects.filter(phone_index=index).first()
    now = timezone.now()
    if last and now - last.created_at < RESEND_AFTER:
        raise Conflict(_("验证码已发送,请 60 秒后再试。"))
    if not ratelimit.allow_public("portal_code_phone", index):
        raise RateLimited(_("今天向该号码发送的验证码已达上限,请明天再试。"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    PortalCode.objects.create(phone_index=index, code_hash=_hash(code), expires_at=now + CODE_TTL)
    transaction.on_commit(
        lambda: deliver("sms", phone, _("【善治网格】验证码 %(c)s,10 分钟内有效。") % {"c": code})
    )


def code_verify(*, phone: str, code: str):
    """Return the resident's user (created on first sign-in) if the code is right.
    A wrong code is counted (and the count kept) before the error is raised."""
    phone = _phone(phone)
    user, error = _code_check(phone, (code or "").strip())
    if error is not None:
        raise error
    return user


@transaction.atomic
def _code_check(phone: str, code: str):
    index = crypto.blind_index(phone)
    pc = PortalCode.objects.select_for_update().filter(phone_index=index, used=False).first()
    if pc is None or pc.expires_at < timezone.now():
        return None, ValidationFailed(
            _("验证码已过期,请重新获取。"), details={"code": [_("已过期。")]}
        )
    if pc.attempts >= MAX_ATTEMPTS:
        return None, ValidationFailed(
            _("错误次数过多,请重新获取验证码。"), details={"code": [_("已锁定。")]}
        )
    if not hmac.compare_digest(pc.code_hash, _hash(code)):
        pc.attempts += 1
        pc.save(update_fields=["attempts"])
        return None, ValidationFailed(_("验证码不正确。"), details={"code": [_("不正确。")]})
    pc.used = True
    pc.save(update_fields=["used"])
    account = PortalAccount.objects.select_related("user").filter(phone_index=index).first()
    if account is None:
        user = get_user_model().objects.create_user(
            username=f"r-{index[:16]}", display_name=crypto.mask_phone(phone)
        )
        user.set_unusable_password()
        user.save()
        account = PortalAccount.objects.create(user=user, phone=phone, phone_index=index)
    return account.user, None


def case_by_code(*, tracking_code: str) -> Case:
    code = (tracking_code or "").strip().upper()
    case = (
        Case.objects.select_related("item").filter(tracking_code=code).first()
        if len(code) == 10
        else None
    )
    if case is None:
        raise NotFound(_("查询码不正确。"))
    return case


def rate_by_code(*, tracking_code: str, rating: str, comment: str = "") -> Case:
    """An anonymous reporter rates with the tracking code the case gave them."""
    case = case_by_code(tracking_code=tracking_code)
    if case.reporter_id is not None:
        raise Conflict(_("请登录后评价。"))
    if case.status != Status.RESOLVED:
        raise Conflict(_("事件尚未办结,暂不能评价。"))
    return services.case_transition(
        actor=services.SYSTEM,
        case=case,
        action="rate",
        rating=rating,
        note=comment,
        data={"by": "tracking_code"},
    )
