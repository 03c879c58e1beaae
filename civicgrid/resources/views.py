"""Thin views: the directory, a resource's week and month, booking, approvals, centres, the
living map. The directory and the centres are public; everything else needs a sign-in."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import ApplicationError, NotFound
from civicgrid.geo import selectors as geo_selectors
from civicgrid.geo.models import Area

from . import ics, selectors, services
from .choices import BookingStatus, CentreLevel, ResourceKind
from .forms import BookingForm, CancelForm, DecideForm, ResourceForm


def _paginate(request, qs, per_page: int = 30):
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    page.param, page.keep = "page", params.urlencode()
    return page


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _resource(request, pk: int):
    resource = selectors.resource_get(user=request.user, pk=pk)
    if resource is None:
        raise NotFound()
    return resource


def _filter_areas(paths):
    """Streets and communities offered in the filters: those holding a listed row (so the
    filter reveals no area the page itself would not show)."""
    ids = {int(i) for p in paths if p for i in p.strip("/").split("/")}
    return Area.objects.filter(
        pk__in=ids, level__in=(Area.Level.STREET, Area.Level.COMMUNITY)
    ).order_by("path")[:300]


def index(request):
    qs = selectors.directory(user=request.user, params=request.GET)
    page = _paginate(request, qs, 30)
    counts = selectors.directory_counts(user=request.user)
    return render(
        request,
        "resources/index.html",
        {
            "page": page,
            "params": request.GET,
            "kinds": ResourceKind.choices,
            "counts": [
                (label, counts.get(value, 0), value) for value, label in ResourceKind.choices
            ],
            "areas": _filter_areas(
                selectors.visible_resources(user=request.user)
                .order_by()
                .values_list("area__path", flat=True)
                .distinct()
            ),
            "may_create": _may_create(request.user),
            "pending": selectors.pending_count(user=request.user)
            if request.user.is_authenticated
            else 0,
        },
    )


def _may_create(user) -> bool:
    return bool(
        user.is_authenticated
        and (Area.objects.restrict(user, "change").exists() or services.user_units(user))
    )


def resource_detail(request, pk: int):
    resource = _resource(request, pk)
    day = _day(request.GET.get("week"))
    monday = day - dt.timedelta(days=day.weekday())
    days = selectors.week(resource=resource, monday=monday)
    manager = services.can_manage(request.user, resource)
    return render(
        request,
        "resources/detail.html",
        {
            "resource": resource,
            "days": days,
            "monday": monday,
            "prev_week": monday - dt.timedelta(days=7),
            "next_week": monday + dt.timedelta(days=7),
            "manager": manager,
            "hours": list(resource.hours.all()),
        },
    )


def resource_month(request, pk: int):
    resource = _resource(request, pk)
    day = _day((request.GET.get("month") or "") + "-01" if request.GET.get("month") else None)
    first = day.replace(day=1)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "resources/month.html",
        {
            "resource": resource,
            "weeks": selectors.month(resource=resource, first=first),
            "first": first,
            "prev_month": prev_month,
            "next_month": next_month,
        },
    )


@login_required
def book(request, pk: int):
    resource = _resource(request, pk)
    initial = {
        "date": request.GET.get("date") or timezone.localdate().isoformat(),
        "start": request.GET.get("start", "09:00"),
        "end": request.GET.get("end", "10:00"),
    }
    form = BookingForm(request.POST or None, resource=resource, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            booking = services.booking_create(
                actor=request.user,
                resource=resource,
                start=d["start_at"],
                end=d["end_at"],
                purpose=d["purpose"],
                attendees=d["attendees"],
                unit=d.get("unit"),
            )
        except ApplicationError as e:
            form.add_error(None, str(e.message))
        else:
            if booking.status == BookingStatus.PENDING:
                messages.success(request, _("已提交预订申请,等待产权方审批;审批前该时段为您保留。"))
            else:
                messages.success(request, _("预订成功。"))
            day = timezone.localtime(booking.start).date().isoformat()
            return redirect(
                reverse("resources:detail", args=[resource.pk]) + f"?week={day}#d-{day}"
            )
    return render(request, "resources/book.html", {"resource": resource, "form": form})


@login_required
def resource_ics(request, pk: int):
    resource = _resource(request, pk)
    manager = services.can_manage(request.user, resource)
    body = ics.resource_calendar(resource=resource, detailed=manager, user=request.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="resource-{resource.pk}.ics"'
    return response


@login_required
def resource_new(request):
    if not _may_create(request.user):
        raise NotFound()
    return _resource_form(request, None)


@login_required
def resource_edit(request, pk: int):
    resource = selectors.managed_resources(user=request.user).filter(pk=pk).first()
    if resource is None:
        raise NotFound()
    return _resource_form(request, resource)


def _resource_form(request, resource):
    form = ResourceForm(request.POST or None, instance=resource, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        hours, closed = d.pop("hours"), d.pop("closed_list")
        d.pop("closed_days", None)
        for i in range(7):
            d.pop(f"hours_{i}", None)
        try:
            if resource is None:
                resource = services.resource_create(
                    actor=request.user, hours=hours, closed_days=closed, **d
                )
            else:
                resource = services.resource_update(
                    actor=request.user, resource=resource, hours=hours, closed_days=closed, **d
                )
        except ApplicationError as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(request, _("已保存。"))
            return redirect("resources:detail", pk=resource.pk)
    return render(request, "resources/edit.html", {"form": form, "resource": resource})


@login_required
def booking_list(request):
    status = request.GET.get("status", BookingStatus.PENDING)
    qs = selectors.booking_list(user=request.user, status=status)
    page = _paginate(request, qs, 30)
    return render(
        request,
        "resources/bookings.html",
        {"page": page, "status": status, "statuses": BookingStatus.choices, "mine": False},
    )


@login_required
def my_bookings(request):
    page = _paginate(request, selectors.my_bookings(user=request.user), 30)
    return render(request, "resources/bookings.html", {"page": page, "mine": True})


@login_required
def booking_detail(request, pk: int):
    booking = selectors.booking_get(user=request.user, pk=pk)
    if booking is None:
        raise NotFound()
    return render(
        request,
        "resources/booking.html",
        {
            "booking": booking,
            "events": selectors.booking_ledger(booking),
            "manager": services.can_manage(request.user, booking.resource),
            "is_booker": booking.booker_id == request.user.pk,
        },
    )


@login_required
@require_POST
def booking_decide(request, pk: int):
    booking = selectors.booking_get(user=request.user, pk=pk)
    if booking is None:
        raise NotFound()
    form = DecideForm(request.POST)
    if not form.is_valid():
        raise Http404
    services.booking_decide(
        actor=request.user,
        booking=booking,
        approve=form.cleaned_data["approve"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("已审批。"))
    return redirect(request.POST.get("next") or reverse("resources:booking", args=[pk]))


@login_required
@require_POST
def booking_cancel(request, pk: int):
    booking = selectors.booking_get(user=request.user, pk=pk)
    if booking is None:
        raise NotFound()
    form = CancelForm(request.POST)
    form.is_valid()
    booking = services.booking_cancel(
        actor=request.user, booking=booking, reason=form.cleaned_data.get("reason", "")
    )
    if booking.late_cancellation:
        messages.warning(request, _("已取消。距开始不足免责时限,本次记为迟取消。"))
    else:
        messages.success(request, _("已取消。"))
    return redirect("resources:booking", pk=pk)


# --- service centres -----------------------------------------------------------------------


def centre_list(request):
    qs = selectors.centre_list(user=request.user, params=request.GET)
    page = _paginate(request, qs, 40)
    return render(
        request,
        "resources/centres.html",
        {
            "page": page,
            "levels": CentreLevel.choices,
            "params": request.GET,
            "areas": _filter_areas(
                selectors.centre_list(user=request.user)
                .order_by()
                .values_list("area__path", flat=True)
                .distinct()
            ),
        },
    )


def centre_detail(request, pk: int):
    centre = selectors.centre_get(user=request.user, pk=pk)
    if centre is None:
        raise NotFound()
    return render(request, "resources/centre.html", {"centre": centre})


# --- the living map ------------------------------------------------------------------------


def _map_area(request):
    area_id = request.GET.get("area") or ""
    if not area_id:
        return None
    area = (
        Area.objects.restrict(request.user).filter(pk=area_id if area_id.isdigit() else 0).first()
    )
    if area is None:
        raise NotFound()
    return area


@login_required
def living_map(request):
    if get_scope_empty(request.user):
        raise NotFound()
    areas = (
        Area.objects.restrict(request.user)
        .filter(level__in=(Area.Level.COUNTY, Area.Level.STREET, Area.Level.COMMUNITY))
        .order_by("path")[:300]
    )
    return render(
        request,
        "resources/map.html",
        {"areas": areas, "current": request.GET.get("area", "")},
    )


def get_scope_empty(user) -> bool:
    from civicgrid.core.scoping import get_scope

    return get_scope(user).empty


@login_required
def living_map_data(request):
    if get_scope_empty(request.user):
        raise NotFound()
    area = _map_area(request)
    layer = geo_selectors.map_layer(user=request.user, area_id=area.pk if area else None)
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"{f['kind']}-{f['id']}", "label": f["name"]},
            "geometry": f["geometry"],
        }
        for f in layer.features
        if f.get("geometry")
    ]
    data = selectors.living_map(user=request.user, area=layer.area or area)
    for r in data["resources"]:
        r["url"] = reverse("resources:detail", args=[r["id"]])
    for c in data["risks"]:
        c["url"] = reverse("cases:detail", args=[c["id"]])
    for h in data["hotspots"]:
        h["url"] = reverse("hotspots:detail", args=[h["id"]])
    return JsonResponse(
        {
            "area": {"id": layer.area.pk, "name": layer.area.name} if layer.area else None,
            "geojson": {"type": "FeatureCollection", "features": features},
            **data,
        }
    )
