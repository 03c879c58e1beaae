"""Creating a service request: a case like any other, through ``case_create``, plus the
``ServiceRequest`` row with what only Open311 carries. Everything is checked before any
write, and a case that would land outside the partner's area is rolled back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.cases.choices import Source
from civicgrid.cases.models import MatterItem
from civicgrid.cases.services import MAX_TEXT, case_create
from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.core.scoping import get_scope
from civicgrid.core.validators import validate_contact_phone
from civicgrid.geo.models import Area, Grid
from civicgrid.partners.models import ApiKey

from .attributes import clean_attributes
from .models import ServiceRequest

REPORT = "report"
MAX_ADDRESS = 200
MAX_TOKEN = 100


@dataclass
class Submission:
    """A POST's fields, as strings (empty = not sent), and its attribute lists."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    token: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={name: [message]})


def _coordinates(sub: Submission) -> tuple[float | None, float | None]:
    if not sub.lat and not sub.long:
        return None, None
    if not (sub.lat and sub.long):
        raise _invalid("lat", _("lat 与 long 须同时提供。"))
    try:
        lat, lon = float(sub.lat), float(sub.long)
    except ValueError:
        raise _invalid("lat", _("lat/long 须为数字(WGS84 经纬度)。"))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
        raise _invalid("lat", _("lat/long 超出范围(纬度 -90~90,经度 -180~180)。"))
    return lat, lon


def _address(partner_user, sub: Submission) -> tuple[Grid | None, Area | None]:
    """The grid or community named by address_id (a grid code or a community code), or
    the community that address_string names, inside the partner's area."""
    if sub.address_id:
        grid = (
            Grid.objects.restrict(partner_user, REPORT)
            .select_related("community")
            .filter(code=sub.address_id)
            .first()
        )
        if grid is not None:
            return grid, grid.community
        community = (
            Area.objects.restrict(partner_user, REPORT)
            .filter(code=sub.address_id, level=Area.Level.COMMUNITY)
            .first()
        )
        if community is None:
            raise _invalid(
                "address_id", _("未知的 address_id(应为授权区域内的网格编码或社区编码)。")
            )
        return None, community
    communities = Area.objects.restrict(partner_user, REPORT).filter(level=Area.Level.COMMUNITY)
    named = [a for a in communities.only("id", "name", "code") if a.name in sub.address_string]
    if len(named) == 1:
        return None, named[0]
    only = list(communities[:2])
    if len(only) == 1:
        return None, only[0]
    raise _invalid(
        "address_string",
        _(
            "无法从 address_string 确定所在社区:请同时提供 lat/long,或以 address_id 指明网格或社区编码。"
        ),
    )


def _contact(sub: Submission) -> tuple[str, str, str]:
    name = " ".join(p.strip() for p in (sub.last_name, sub.first_name) if p.strip())
    if len(name) > 50:
        raise _invalid("first_name", _("姓名不能超过 50 字。"))
    phone = ""
    if sub.phone:
        try:
            phone = validate_contact_phone(sub.phone)
        except ValidationError as e:
            raise _invalid("phone", _("phone 格式不正确:%(m)s") % {"m": e.messages[0]})
    email = sub.email.strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise _invalid("email", _("电子邮箱格式不正确。"))
    return name, phone, email


def _check(sub: Submission) -> None:
    if len(sub.description) > MAX_TEXT:
        raise _invalid(
            "description",
            _("description 不能超过 %(n)d 字(现为 %(m)d 字)。")
            % {"n": MAX_TEXT, "m": len(sub.description)},
        )
    if len(sub.address_string) > MAX_ADDRESS:
        raise _invalid("address_string", _("address_string 不能超过 200 字。"))
    if sub.media_url:
        try:
            URLValidator(schemes=["http", "https"])(sub.media_url)
        except ValidationError:
            raise _invalid("media_url", _("media_url 须为 http(s) 链接。"))
        if len(sub.media_url) > 1000:
            raise _invalid("media_url", _("media_url 过长。"))
    for name in ("device_id", "account_id"):
        if len(getattr(sub, name)) > 100:
            raise _invalid(name, _("%(f)s 不能超过 100 个字符。") % {"f": name})
    if len(sub.token) > MAX_TOKEN:
        raise _invalid("token", _("Idempotency-Key 不能超过 100 个字符。"))


def find_item(code: str) -> MatterItem:
    if not code:
        raise _invalid("service_code", _("缺少 service_code。"))
    item = MatterItem.objects.filter(code=code, active=True).select_related("group").first()
    if item is None:
        raise NotFound(_("找不到 service_code 为“%(c)s”的服务。") % {"c": code})
    return item


def _idempotency_key(key: ApiKey, token: str) -> str | None:
    if not token:
        return None
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()[:48]
    return f"open311:{key.partner_id}:{digest}"


@transaction.atomic
def request_create(*, actor, key: ApiKey, sub: Submission) -> ServiceRequest:
    """Create (or, for a repeated token, return) the service request of ``sub``.

    ``actor`` is the partner's service account; the case must fall inside its report scope.
    """
    item = find_item(sub.service_code)
    _check(sub)
    lat, lon = _coordinates(sub)
    grid = community = None
    if sub.address_id or lat is None:
        if not (sub.address_id or sub.address_string):
            raise _invalid("lat", _("须提供位置:lat 与 long,或 address_string,或 address_id。"))
        grid, community = _address(actor, sub)
    name, phone, email = _contact(sub)
    attributes = clean_attributes(item, sub.attributes)
    if sub.token:
        existing = (
            ServiceRequest.objects.select_related("case")
            .filter(partner_id=key.partner_id, token=sub.token)
            .first()
        )
        if existing is not None:
            return existing
    case = case_create(
        actor=actor,
        item=item,
        text=sub.description.strip() or item.name,
        source=Source.OPEN311,
        lon=lon,
        lat=lat,
        grid=grid,
        community=community if grid is None else None,
        address=sub.address_string.strip(),
        reporter_name=name,
        reporter_phone=phone,
        idempotency_key=_idempotency_key(key, sub.token),
        urgent=True if attributes.get("urgent") == "yes" else None,
    )
    scope = get_scope(actor, REPORT)
    if not scope.everything and not (
        case.area_id in scope.area_ids or (case.grid_id and case.grid_id in scope.grid_ids)
    ):
        raise _invalid("lat", _("该位置不在贵方的授权区域内。"))
    existing = ServiceRequest.objects.filter(case=case).first()
    if existing is not None:  # the same case through the core idempotency key
        return existing
    return ServiceRequest.objects.create(
        case=case,
        partner_id=key.partner_id,
        api_key=key,
        token=sub.token,
        attributes=attributes,
        media_url=sub.media_url,
        address_id=sub.address_id,
        email=email,
        device_id=sub.device_id,
        account_id=sub.account_id,
    )
