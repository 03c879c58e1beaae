"""Thin views: staff pages (lists, detail, agreements, pairings, rates), phone pages for
party members, unit users and grid workers, and the residents' portal pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import ApplicationError, NotFound, PermissionDenied
from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.models import Unit
from civicgrid.people.models import PartyMember, Resident

from . import exports, selectors, services, workflow
from .choices import ClaimStatus, OfferKind, WishCategory, WishKind, WishStatus
from .forms import (
    AgreementForm,
    AgreementItemForm,
    OfferForm,
    PairingForm,
    PortalWishForm,
    WishForm,
    WorkerWishForm,
)
from .models import AgreementItem, Claim, Offer, Pairing
from .permissions import member_of, owns_wish, staff_over, units_of


def _fail(request, e: ApplicationError, form=None):
    if form is not None:
        form.add_error(None, str(e.message))
        for field, errs in (e.details or {}).items():
            if field in form.fields:
                for err in errs:
                    form.add_error(field, err)
    else:
        messages.error(request, str(e.message))


def _staff_or_phone(request):
    """Staff without any scope (a party member's login) go to the phone page."""
    if get_scope(request.user).empty:
        return redirect("wishes:m_home")
    return None


def _page(request, qs, per_page=30):
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    page.keep = keep.urlencode()
    page.param = "page"
    return page


# --- staff ----------------------------------------------------------------------------------


@login_required
def wish_list(request):
    if (r := _staff_or_phone(request)) is not None:
        return r
    p = request.GET
    qs = selectors.wish_list(
        user=request.user,
        status=p.get("status", ""),
        kind=p.get("kind", ""),
        grid=p.get("grid", ""),
        q=p.get("q", "").strip(),
        area=p.get("area", ""),
    )
    return render(
        request,
        "wishes/list.html",
        {
            "page": _page(request, qs),
            "statuses": WishStatus.choices,
            "kinds": WishKind.choices,
            "params": p,
            "communities": selectors.communities_for(request.user),
            "pending": selectors.wish_list(user=request.user, status=WishStatus.PENDING).count(),
        },
    )


@login_required
def wish_export(request):
    qs = selectors.wish_list(
        user=request.user,
        status=request.GET.get("status", ""),
        kind=request.GET.get("kind", ""),
        area=request.GET.get("area", ""),
    )
    data = exports.wishes_xlsx(user=request.user, qs=qs)
    name = f"wishes-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def wish_new(request):
    if (r := _staff_or_phone(request)) is not None:
        return r
    user = request.user
    form = WishForm(
        request.POST or None,
        communities=selectors.communities_for(user, CHANGE),
        grids=Grid.objects.restrict(user, CHANGE).order_by("code"),
        units=Unit.objects.restrict(user).order_by("name"),
        initial={"kind": request.GET.get("kind", WishKind.NEED)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            wish = services.wish_create(
                actor=user,
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                category=d["category"],
                community=d.get("community"),
                grid=d.get("grid"),
                unit=d.get("unit"),
                owner_label=d.get("owner_label", ""),
                wanted_by=d.get("wanted_by"),
            )
        except ApplicationError as e:
            _fail(request, e, form)
        else:
            messages.success(request, _("已发布。"))
            return redirect("wishes:detail", pk=wish.pk)
    return render(request, "wishes/new.html", {"form": form})


def _claim_actions(user, claim):
    if claim is None:
        return []
    return [
        t
        for t in workflow.available(claim.status)
        if t.who != "system" and services.may_act(user, claim, t.who)
    ]


@login_required
def wish_detail(request, pk: int):
    wish = selectors.wish_get(user=request.user, pk=pk)
    claims = list(selectors.wish_claims(wish))
    active = next(
        (
            c
            for c in claims
            if c.status
            in (
                ClaimStatus.CLAIMED,
                ClaimStatus.IN_PROGRESS,
                ClaimStatus.COMPLETED,
                ClaimStatus.CONFIRMED,
            )
        ),
        None,
    )
    is_staff = staff_over(request.user, wish.area_id)
    from civicgrid.cases.models import MatterItem

    ctx = {
        "wish": wish,
        "claims": claims,
        "active": active,
        "actions": _claim_actions(request.user, active),
        "events": selectors.wish_events(wish),
        "is_staff": is_staff,
        "offers": selectors.matching_offers(wish) if wish.status == WishStatus.OPEN else [],
        "units": Unit.objects.restrict(request.user).filter(area_id=wish.area_id).order_by("name")
        if is_staff and wish.kind != WishKind.SUPPORT_ITEM
        else [],
        "items": MatterItem.objects.filter(active=True).order_by("code")
        if is_staff and wish.status in (WishStatus.PENDING, WishStatus.OPEN)
        else [],
    }
    return render(request, "wishes/detail.html", ctx)


@login_required
@require_POST
def wish_action(request, pk: int):
    wish = selectors.wish_get(user=request.user, pk=pk)
    action, note = request.POST.get("action", ""), request.POST.get("note", "")
    unit = None
    if action == "claim_unit":
        unit = Unit.objects.restrict(request.user).filter(pk=request.POST.get("unit") or 0).first()
        if unit is None:
            raise NotFound()
    try:
        if action in ("approve", "reject"):
            services.wish_review(
                actor=request.user, wish=wish, approve=action == "approve", note=note
            )
        elif action == "close":
            services.wish_close(actor=request.user, wish=wish, reason=note)
        elif action == "convert":
            from civicgrid.cases.models import MatterItem

            item = MatterItem.objects.filter(active=True, pk=request.POST.get("item") or 0).first()
            case = services.wish_convert_to_case(
                actor=request.user, wish=wish, item=item, note=note
            )
            messages.success(request, _("已转为事件 %(no)s。") % {"no": case.number})
            return redirect("wishes:detail", pk=wish.pk)
        elif action == "claim_unit":
            services.claim_create(actor=request.user, wish=wish, unit=unit)
        elif action == "lead":
            services.claim_create(actor=request.user, wish=wish, community=True)
        else:
            raise NotFound()
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, _("已保存。"))
    return redirect("wishes:detail", pk=wish.pk)


@login_required
@require_POST
def claim_action(request, pk: int):
    claim = Claim.objects.restrict(request.user).select_related("wish").filter(pk=pk).first()
    if claim is None:  # a member's or a unit contact's own claim (they hold no staff scope)
        member, units = member_of(request.user), units_of(request.user)
        claim = selectors.own_claim_get(member=member, units=units, pk=pk)
    if claim is None:
        raise NotFound()
    try:
        services.claim_transition(
            actor=request.user,
            claim=claim,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, _("已保存。"))
    nxt = request.POST.get("next", "")
    if nxt.startswith("/wishes/"):
        return redirect(nxt)
    return redirect("wishes:detail", pk=claim.wish_id)


# --- offers ---------------------------------------------------------------------------------


@login_required
def offer_list(request):
    if (r := _staff_or_phone(request)) is not None:
        return r
    units = Unit.objects.restrict(request.user).order_by("name")
    form = OfferForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.offer_create(actor=request.user, **d)
        except ApplicationError as e:
            _fail(request, e, form)
        else:
            messages.success(request, _("已登记。"))
            return redirect("wishes:offers")
    qs = selectors.offer_list(
        user=request.user, area=request.GET.get("area", ""), kind=request.GET.get("kind", "")
    )
    return render(
        request,
        "wishes/offers.html",
        {
            "page": _page(request, qs),
            "form": form,
            "kinds": OfferKind.choices,
            "params": request.GET,
        },
    )


@login_required
@require_POST
def offer_withdraw(request, pk: int):
    offer = Offer.objects.restrict(request.user).select_related("unit").filter(pk=pk).first()
    if offer is None:
        raise NotFound()
    try:
        services.offer_withdraw(actor=request.user, offer=offer)
    except ApplicationError as e:
        _fail(request, e)
    return redirect("wishes:offers")


# --- agreements, pairings, rates -------------------------------------------------------------


@login_required
def agreement_list(request):
    if (r := _staff_or_phone(request)) is not None:
        return r
    year = request.GET.get("year", "")
    form = AgreementForm(
        request.POST or None,
        units=Unit.objects.restrict(request.user).order_by("name"),
        communities=selectors.communities_for(request.user, CHANGE),
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ag = services.agreement_create(actor=request.user, **d)
        except ApplicationError as e:
            _fail(request, e, form)
        else:
            return redirect("wishes:agreement", pk=ag.pk)
    qs = selectors.agreement_list(user=request.user, year=int(year) if year.isdigit() else None)
    return render(
        request,
        "wishes/agreements.html",
        {
            "page": _page(request, qs),
            "form": form,
            "years": selectors.years_available(user=request.user),
            "year": year,
        },
    )


@login_required
def agreement_detail(request, pk: int):
    ag = selectors.agreement_get(user=request.user, pk=pk)
    form = AgreementItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_item_add(actor=request.user, agreement=ag, **form.cleaned_data)
        except ApplicationError as e:
            _fail(request, e, form)
        else:
            return redirect("wishes:agreement", pk=ag.pk)
    return render(
        request,
        "wishes/agreement.html",
        {
            "ag": ag,
            "form": form,
            "today": timezone.localdate(),
            "may_edit": staff_over(request.user, ag.area_id),
        },
    )


@login_required
@require_POST
def agreement_item_progress(request, pk: int):
    item = (
        AgreementItem.objects.restrict(request.user)
        .select_related("agreement__unit")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise NotFound()
    try:
        services.agreement_item_progress(
            actor=request.user,
            item=item,
            progress=request.POST.get("progress"),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, _("进度已更新。"))
    return redirect("wishes:agreement", pk=item.agreement_id)


@login_required
def pairing_list(request):
    if (r := _staff_or_phone(request)) is not None:
        return r
    form = PairingForm(
        request.POST or None,
        members=PartyMember.objects.restrict(request.user).order_by("name"),
        residents=Resident.objects.restrict(request.user, CHANGE).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as e:
            _fail(request, e, form)
        else:
            messages.success(request, _("已结对。"))
            return redirect("wishes:pairings")
    qs = selectors.pairing_list(user=request.user, active_only=request.GET.get("active") == "1")
    return render(
        request,
        "wishes/pairings.html",
        {"page": _page(request, qs), "form": form, "params": request.GET},
    )


@login_required
@require_POST
def pairing_end(request, pk: int):
    pairing = Pairing.objects.restrict(request.user).filter(pk=pk).first()
    if pairing is None:
        raise NotFound()
    try:
        services.pairing_end(actor=request.user, pairing=pairing, until=timezone.localdate())
    except ApplicationError as e:
        _fail(request, e)
    return redirect("wishes:pairings")


@login_required
def rates(request):
    if (r := _staff_or_phone(request)) is not None:
        return r
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
    data = selectors.completion_rates(user=request.user, year=year)
    chart = {
        "labels": [str(_("共建事项完成率%")), str(_("认领确认率%"))],
        "communities": {
            "names": [r["name"] for r in data["communities"]],
            "items": [r["item_rate"] for r in data["communities"]],
            "claims": [r["claim_rate"] for r in data["communities"]],
        },
        "units": {
            "names": [r["name"] for r in data["units"][:30]],
            "items": [r["item_rate"] for r in data["units"][:30]],
            "claims": [r["claim_rate"] for r in data["units"][:30]],
        },
    }
    return render(
        request,
        "wishes/rates.html",
        {
            "data": data,
            "chart": chart,
            "year": year,
            "years": selectors.years_available(user=request.user),
        },
    )


# --- phone: party members, unit users, grid workers -------------------------------------------


def _claimant_context(user):
    member = member_of(user)
    units = units_of(user)
    if member is None and not units:
        raise PermissionDenied(_("此页面供党员和单位认领使用:您的账号未关联党员或单位。"))
    return member, units


@login_required
def m_home(request):
    member, units = _claimant_context(request.user)
    near = request.GET.get("near") == "1"
    wishes = []
    if member is not None:
        wishes = selectors.open_wishes_for_member(member=member, near=near)
    unit_wishes = selectors.open_wishes_for_units(units=units) if units else []
    return render(
        request,
        "wishes/m/home.html",
        {
            "member": member,
            "units": units,
            "near": near,
            "wishes": wishes,
            "unit_wishes": unit_wishes,
            "claims": selectors.claims_of(member=member, units=units),
        },
    )


@login_required
def m_wish(request, pk: int):
    member, units = _claimant_context(request.user)
    wish = selectors.claimable_wish_get(member=member, units=units, pk=pk)
    claim = (
        Claim.objects.filter(
            wish=wish,
            status__in=[
                ClaimStatus.CLAIMED,
                ClaimStatus.IN_PROGRESS,
                ClaimStatus.COMPLETED,
                ClaimStatus.CONFIRMED,
            ],
        )
        .select_related("member", "unit", "wish__unit")
        .first()
    )
    mine = claim is not None and (
        (member is not None and claim.member_id == member.pk)
        or claim.unit_id in {u.pk for u in units}
    )
    return render(
        request,
        "wishes/m/wish.html",
        {
            "wish": wish,
            "member": member,
            "units": [u for u in units if u.area_id == wish.area_id],
            "claim": claim if mine else None,
            "actions": _claim_actions(request.user, claim) if mine else [],
            "claim_days": services.claim_days(),
        },
    )


@login_required
@require_POST
def m_claim(request, pk: int):
    member, units = _claimant_context(request.user)
    wish = selectors.claimable_wish_get(member=member, units=units, pk=pk)
    as_unit = request.POST.get("unit", "")
    try:
        if as_unit:
            unit = next((u for u in units if str(u.pk) == as_unit), None)
            if unit is None:
                raise NotFound()
            services.claim_create(actor=request.user, wish=wish, unit=unit)
        else:
            if member is None:
                raise PermissionDenied(_("您的账号未关联党员。"))
            services.claim_create(actor=request.user, wish=wish, member=member)
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, _("认领成功,请在期限内完成。"))
    return redirect("wishes:m_wish", pk=wish.pk)


@login_required
def m_post(request):
    """A grid worker posts a micro-wish for a resident of their grid (phone page)."""
    residents = Resident.objects.restrict(request.user, CHANGE).order_by("name")
    if not residents.exists():
        raise PermissionDenied(_("您名下没有可代录的居民。"))
    form = WorkerWishForm(request.POST or None, residents=residents)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            wish = services.wish_create(
                actor=request.user,
                kind=WishKind.MICRO_WISH,
                title=d["title"],
                description=d["description"],
                category=d["category"],
                resident=d["resident"],
                owner_label=d.get("owner_label", ""),
            )
        except ApplicationError as e:
            _fail(request, e, form)
        else:
            messages.success(request, _("已代居民发布心愿。"))
            return redirect("wishes:detail", pk=wish.pk)
    return render(request, "wishes/m/post.html", {"form": form})


# --- residents' portal -------------------------------------------------------------------------


def portal_home(request):
    user = request.user
    signed_in = user.is_authenticated and getattr(user, "portal_account", None) is not None
    form = None
    if signed_in:
        form = PortalWishForm(
            request.POST or None,
            communities=Area.objects.filter(level=Area.Level.COMMUNITY).order_by("code"),
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.wish_submit(actor=user, **form.cleaned_data)
            except ApplicationError as e:
                _fail(request, e, form)
            else:
                messages.success(request, _("心愿已提交,社区审核后发布。"))
                return redirect("wishes:portal")
    return render(
        request,
        "wishes/portal/home.html",
        {
            "signed_in": signed_in,
            "form": form,
            "wishes": selectors.resident_wishes(user=user) if signed_in else [],
            "categories": WishCategory.choices,
        },
    )


def portal_wish(request, pk: int):
    if not request.user.is_authenticated:
        return redirect("portal:login")
    wish = selectors.resident_wish_get(user=request.user, pk=pk)
    claim = wish.active_claims[0] if wish.active_claims else None
    return render(
        request,
        "wishes/portal/wish.html",
        {
            "wish": wish,
            "claim": claim,
            "can_rate": claim is not None
            and claim.status == ClaimStatus.CONFIRMED
            and claim.rating is None
            and owns_wish(request.user, wish),
            "stars": [1, 2, 3, 4, 5],
        },
    )


@require_POST
def portal_rate(request, pk: int):
    if not request.user.is_authenticated:
        return redirect("portal:login")
    wish = selectors.resident_wish_get(user=request.user, pk=pk)
    claim = wish.active_claims[0] if wish.active_claims else None
    if claim is None:
        raise NotFound()
    try:
        services.claim_rate(
            actor=request.user,
            claim=claim,
            rating=request.POST.get("rating"),
            comment=request.POST.get("comment", ""),
        )
    except ApplicationError as e:
        _fail(request, e)
    else:
        messages.success(request, _("感谢您的评价!"))
    return redirect("wishes:portal_wish", pk=wish.pk)
