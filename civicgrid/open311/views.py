"""GeoReport v2 endpoints (transport only: parse, call services and selectors, render).

Every response is XML or JSON by the URL's extension; errors are the spec's list of
``{code, description}`` with the HTTP status as the code. Key failures answer 403, as the
spec asks (the REST API answers 401 for the same keys).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civicgrid.core.errors import ApplicationError, NotFound
from civicgrid.partners.auth import authenticate_key
from civicgrid.partners.choices import KeyScope
from civicgrid.partners.drf import key_from_headers

from . import conf, selectors
from .attributes import parse_attribute_params
from .models import ServiceRequest
from .render import FORMATS, errors, respond
from .services import Submission, find_item, request_create

KEY_STATUS = 403


class _Refused(Exception):
    def __init__(self, status: int, *descriptions):
        self.status = status
        self.descriptions = descriptions


def open311_view(methods=("GET",)):
    """Format check, jurisdiction check, and one way of rendering every error."""

    def wrap(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        def inner(request, fmt: str, **kwargs):
            if fmt not in FORMATS:
                return errors(
                    "xml", 400, _("不支持的格式“%(f)s”:请使用 .xml 或 .json。") % {"f": fmt}
                )
            try:
                _check_jurisdiction(request)
                return view(request, fmt, **kwargs)
            except _Refused as e:
                return errors(fmt, e.status, *e.descriptions)
            except ApplicationError as e:
                status = 404 if isinstance(e, NotFound) else 400
                return errors(fmt, status, *_descriptions(e))

        inner.__name__ = view.__name__
        return inner

    return wrap


def _descriptions(e: ApplicationError) -> list[str]:
    found = [str(e.message)]
    for field, messages in (e.details or {}).items():
        for m in messages:
            text = f"{field}: {m}"
            if str(m) not in found[0]:
                found.append(text)
    return found


def _param(request, name: str) -> str:
    data = request.POST if request.method == "POST" else request.GET
    return (data.get(name) or "").strip()


def _check_jurisdiction(request) -> None:
    given = _param(request, "jurisdiction_id")
    if given and given != conf.jurisdiction_id():
        raise _Refused(404, _("找不到 jurisdiction_id“%(j)s”。") % {"j": given})


def _key(request, *, required: bool):
    raw = _param(request, "api_key") or key_from_headers(request)
    if not raw and not required:
        return None
    try:
        return authenticate_key(raw, scope=KeyScope.OPEN311)
    except ApplicationError as e:
        raise _Refused(KEY_STATUS, e.message)


def _reader(request):
    """(user, public): a key's partner, or the anonymous coarse view when allowed."""
    key = _key(request, required=False)
    if key is not None:
        return key.partner.user, False
    if not conf.anonymous_read():
        raise _Refused(KEY_STATUS, _("查询服务请求须提供 api_key。"))
    return None, True


# ---------------------------------------------------------------- discovery and services
@open311_view()
def discovery(request, fmt):
    changeset = selectors.catalogue_changeset()
    data = {
        "changeset": changeset,
        "contact": conf.contact(),
        "key_service": conf.key_service(),
        "endpoints": [
            {
                "specification": conf.SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": changeset,
                "type": conf.endpoint_type(),
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


@open311_view()
def services(request, fmt):
    return respond(fmt, "services", selectors.services_list())


@open311_view()
def service_definition(request, fmt, code):
    item = find_item(code)
    return respond(fmt, "service_definition", selectors.service_definition(item))


# ---------------------------------------------------------------- requests
def _rate_limit(key) -> None:
    window = int(time.time() // 60)
    name = f"open311:post:{key.pk}:{window}"
    cache.add(name, 0, timeout=120)
    try:
        count = cache.incr(name)
    except ValueError:  # evicted between add and incr
        cache.set(name, 1, timeout=120)
        count = 1
    if count > conf.post_rate_per_minute():
        raise _Refused(429, _("提交过于频繁,请稍后再试。"))


def _submission(request) -> Submission:
    p = request.POST
    token = (request.headers.get("Idempotency-Key") or p.get("idempotency_key") or "").strip()
    fields = {
        name: (p.get(name) or "").strip()
        for name in Submission.__dataclass_fields__
        if name not in ("attributes", "token", "description")
    }
    return Submission(
        **fields,
        description=(p.get("description") or "").strip(),
        token=token,
        attributes=parse_attribute_params(p),
    )


@open311_view(methods=("GET", "POST"))
def requests(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    user, public = _reader(request)
    cases = selectors.requests_query(user, request.GET, public=public)
    return respond(
        fmt, "service_requests", [selectors.request_data(c, public=public) for c in cases]
    )


def _post_request(request, fmt):
    key = _key(request, required=True)
    _rate_limit(key)
    sub = _submission(request)
    with transaction.atomic():
        sr = request_create(actor=key.partner.user, key=key, sub=sub)
    case = sr.case
    data = [
        {
            "service_request_id": case.number,
            "service_notice": selectors.service_notice(case),
            "account_id": sr.account_id or None,
        }
    ]
    return respond(fmt, "service_requests", data, status=201)


@open311_view()
def request_detail(request, fmt, number):
    user, public = _reader(request)
    case = selectors.request_get(user, number, public=public)
    if case is None:
        raise NotFound(_("找不到编号为“%(n)s”的服务请求。") % {"n": number})
    return respond(fmt, "service_requests", [selectors.request_data(case, public=public)])


@open311_view()
def token(request, fmt, token):
    """The request a client created with this Idempotency-Key (the key's own partner only:
    tokens are chosen by clients, so they are looked up within one partner)."""
    key = _key(request, required=False)
    if key is None:
        raise _Refused(KEY_STATUS, _("按令牌查询须提供 api_key(令牌只在贵方的请求中查找)。"))
    sr = (
        ServiceRequest.objects.select_related("case")
        .filter(partner_id=key.partner_id, token=token)
        .first()
    )
    if sr is None:
        raise NotFound(_("找不到该令牌。"))
    return respond(
        fmt, "service_requests", [{"service_request_id": sr.case.number, "token": token}]
    )
