"""Thin staff views for deliberation meetings, proposals and counts."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.cases import selectors as case_selectors
from civicgrid.cases.choices import OPEN_STATUSES, Status
from civicgrid.cases.models import Department, MatterItem
from civicgrid.core.errors import ApplicationError, NotFound
from civicgrid.core.scoping import CHANGE
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.people.models import PartyMember

from . import selectors, services
from .choices import CADENCE_LABELS, InviteeKind, ItemOutcome, MeetingKind, MeetingStatus
from .forms import CommitForm, InviteForm, ItemForm, MeetingForm, ProposalForm, SolveForm
from .models import AgendaItem, Compound, Proposal


def form_errors(request, form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for err in errs:
            messages.error(request, f"{label}:{err}" if label else err)


def run(request, fn, ok: str | None = None):
    """Call a service; put its refusal on the page as a message. Returns the result or None."""
    try:
        result = fn()
    except ApplicationError as e:
        messages.error(request, str(e.message))
        return None
    if ok:
        messages.success(request, ok)
    return result


def change_areas(user, *levels):
    qs = Area.objects.restrict(user, CHANGE).order_by("path")
    return qs.filter(level__in=levels) if levels else qs


def month_range(request) -> tuple[dt.date, dt.date, str, str]:
    """?from=2026-09&to=2026-11 (months, inclusive); default: the last three months."""
    today = timezone.localdate().replace(day=1)

    def parse(value, default):
        try:
            y, m = (int(x) for x in value.split("-"))
            return dt.date(y, m, 1)
        except (ValueError, AttributeError):
            return default

    default_from = (today - dt.timedelta(days=62)).replace(day=1)
    start = parse(request.GET.get("from"), default_from)
    end = parse(request.GET.get("to"), today)
    if end < start:
        start, end = end, start
    end_excl = (end + dt.timedelta(days=32)).replace(day=1)
    return start, end_excl, f"{start:%Y-%m}", f"{end:%Y-%m}"


@login_required
def index(request):
    return render(
        request,
        "participation/index.html",
        {
            "scheduled": selectors.meeting_list(user=request.user)
            .filter(status=MeetingStatus.SCHEDULED)
            .order_by("scheduled_at")[:5],
            "open_proposals": selectors.proposal_list(user=request.user, open_only=True).count(),
            "cadence": [(MeetingKind(k).label, v) for k, v in CADENCE_LABELS.items()],
        },
    )


@login_required
def meeting_list(request):
    qs = selectors.meeting_list(user=request.user, params=request.GET)[:200]
    return render(
        request,
        "participation/meeting_list.html",
        {
            "meetings": qs,
            "statuses": MeetingStatus.choices,
            "kinds": MeetingKind.choices,
            "params": request.GET,
        },
    )


@login_required
def meeting_new(request):
    form = MeetingForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            area = change_areas(request.user).filter(pk=d["area"]).first()
            compound = (
                Compound.objects.restrict(request.user).filter(pk=d["compound"]).first()
                if d.get("compound")
                else None
            )
            if area is None:
                messages.error(request, _("找不到该区划,或您无权在该区划安排会议。"))
            else:
                meeting = run(
                    request,
                    lambda: services.meeting_schedule(
                        actor=request.user,
                        kind=d["kind"],
                        title=d["title"],
                        area=area,
                        compound=compound,
                        scheduled_at=d["scheduled_at"],
                        place=d["place"],
                    ),
                    _("会议已安排。"),
                )
                if meeting:
                    return redirect("participation:meeting", pk=meeting.pk)
        else:
            form_errors(request, form)
    return render(
        request,
        "participation/meeting_new.html",
        {
            "form": form,
            "areas": change_areas(request.user),
            "compounds": selectors.compounds(user=request.user).order_by("community__path", "name"),
            "cadence": [(k, MeetingKind(k).label, v) for k, v in CADENCE_LABELS.items()],
        },
    )


def _meeting_or_404(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if meeting is None:
        raise NotFound()
    return meeting


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    area = meeting.area
    in_area = {"area__path__startswith": area.path}
    editable = meeting.status != MeetingStatus.PUBLISHED
    ctx = {
        "meeting": meeting,
        "items": list(meeting.items.all()),
        "invitees": list(meeting.invitees.all()),
        "editable": editable,
        "invitee_kinds": InviteeKind.choices,
        "today": timezone.localdate(),
    }
    if editable:
        county = area
        while county.parent_id is not None and county.level != Area.Level.COUNTY:
            county = county.parent
        ctx.update(
            {
                "staff": get_user_model()
                .objects.filter(
                    role_assignments__active=True,
                    role_assignments__area__path__startswith=area.path,
                )
                .distinct()
                .order_by("username")[:200],
                "units": Unit.objects.restrict(request.user)
                .filter(**in_area)
                .order_by("name")[:200],
                "members": PartyMember.objects.restrict(request.user)
                .filter(**in_area)
                .only("id", "name")[:300],
                "proposals": selectors.proposal_list(user=request.user, open_only=True).filter(
                    **in_area
                )[:100],
                "open_cases": case_selectors.case_base(user=request.user)
                .filter(status__in=list(OPEN_STATUSES), area__path__startswith=area.path)
                .order_by("-created_at")[:50],
                "grids": Grid.objects.restrict(request.user)
                .filter(community__path__startswith=area.path)
                .order_by("code"),
                "default_grid": (
                    meeting.compound.grid_links.values_list("grid_id", flat=True).first()
                    if meeting.compound_id
                    else None
                ),
                "matters": MatterItem.objects.filter(active=True).order_by("code"),
                "owner_units": list(
                    Department.objects.filter(county=county)
                    .select_related("unit")
                    .order_by("unit__name")
                ),
                "companies": Unit.objects.filter(
                    kind=UnitKind.PROPERTY_COMPANY, area__path__startswith=county.path
                ).order_by("name"),
                "owner_areas": Area.objects.filter(
                    path__startswith=area.path, level__gte=Area.Level.STREET
                ).order_by("path")
                if area.level != Area.Level.COMMUNITY
                else Area.objects.filter(pk__in=[area.pk, area.parent_id]).order_by("path"),
            }
        )
    return render(request, "participation/meeting_detail.html", ctx)


@login_required
@require_POST
def meeting_act(request, pk: int, what: str):
    meeting = _meeting_or_404(request, pk)
    u = request.user
    if what == "invite":
        form = InviteForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
        else:
            d = form.cleaned_data
            kw = {"kind": d["kind"], "name": d.get("name") or ""}
            if d["kind"] == InviteeKind.STAFF and d.get("user"):
                kw["user"] = get_user_model().objects.filter(pk=d["user"]).first()
            if d["kind"] == InviteeKind.UNIT and d.get("unit"):
                kw["unit"] = Unit.objects.restrict(u).filter(pk=d["unit"]).first()
            if d["kind"] == InviteeKind.PARTY_MEMBER and d.get("party_member"):
                kw["party_member"] = (
                    PartyMember.objects.restrict(u).filter(pk=d["party_member"]).first()
                )
            run(
                request, lambda: services.invitee_add(actor=u, meeting=meeting, **kw), _("已邀请。")
            )
    elif what == "sign_in":
        ids = [int(x) for x in request.POST.getlist("present") if x.isdigit()]
        walk = request.POST.get("walk_ins") or "0"
        walk_ins = int(walk) if walk.isdigit() else -1
        run(
            request,
            lambda: services.meeting_sign_in(
                actor=u, meeting=meeting, present_ids=ids, walk_ins=walk_ins
            ),
            _("签到已保存。"),
        )
    elif what == "item":
        form = ItemForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
        else:
            d = form.cleaned_data
            proposal = (
                Proposal.objects.restrict(u).filter(pk=d["proposal"]).first()
                if d.get("proposal")
                else None
            )
            case = None
            if d.get("source_case"):
                case = (
                    case_selectors.case_base(user=u).filter(number=d["source_case"].strip()).first()
                )
                if case is None:
                    messages.error(
                        request, _("找不到编号为 %(n)s 的事件。") % {"n": d["source_case"]}
                    )
                    return redirect("participation:meeting", pk=pk)
            run(
                request,
                lambda: services.item_add(
                    actor=u,
                    meeting=meeting,
                    origin=d["origin"],
                    title=d["title"],
                    description=d["description"],
                    proposal=proposal,
                    source_case=case,
                ),
                _("议题已列入议程。"),
            )
    elif what == "minutes":
        run(
            request,
            lambda: services.meeting_record(
                actor=u, meeting=meeting, minutes=request.POST.get("minutes", "")
            ),
            _("会议纪要已保存。"),
        )
    elif what == "publish":
        run(
            request,
            lambda: services.meeting_publish(actor=u, meeting=meeting),
            _("会议结果已向居民公开。"),
        )
    else:
        raise NotFound()
    return redirect("participation:meeting", pk=pk)


@login_required
@require_POST
def item_act(request, pk: int, what: str):
    item = AgendaItem.objects.restrict(request.user).select_related("meeting").filter(pk=pk).first()
    if item is None:
        raise NotFound()
    u = request.user
    if what == "solve":
        form = SolveForm(request.POST)
        form.is_valid()
        run(
            request,
            lambda: services.item_solve(
                actor=u, item=item, resolution=form.cleaned_data.get("resolution", "")
            ),
            _("已记录为就地解决。"),
        )
    elif what == "commit":
        form = CommitForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
        else:
            d = form.cleaned_data
            owner_unit = owner_area = None
            kind, _sep, ref = (d.get("owner") or "").partition(":")
            if kind == "unit" and ref.isdigit():
                owner_unit = Unit.objects.filter(pk=int(ref)).first()
            elif kind == "area" and ref.isdigit():
                owner_area = Area.objects.filter(pk=int(ref)).first()
            matter = MatterItem.objects.filter(pk=d["matter"]).first() if d.get("matter") else None
            grid = Grid.objects.filter(pk=d["grid"]).first() if d.get("grid") else None
            done = run(
                request,
                lambda: services.item_commit(
                    actor=u,
                    item=item,
                    deadline=d.get("deadline"),
                    matter=matter,
                    grid=grid,
                    owner_unit=owner_unit,
                    owner_area=owner_area,
                    note=d.get("note", ""),
                ),
            )
            if done:
                messages.success(
                    request,
                    _("已转为事件 %(n)s,由 %(o)s 限期办理。")
                    % {"n": done.case.number, "o": done.owner_name},
                )
    else:
        raise NotFound()
    return redirect("participation:meeting", pk=item.meeting_id)


@login_required
def proposals(request):
    form = ProposalForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            area = change_areas(request.user, Area.Level.COMMUNITY).filter(pk=d["area"]).first()
            compound = (
                Compound.objects.restrict(request.user).filter(pk=d["compound"]).first()
                if d.get("compound")
                else None
            )
            if area is None:
                messages.error(request, _("找不到该社区,或您无权记录。"))
            elif run(
                request,
                lambda: services.proposal_record(
                    actor=request.user,
                    area=area,
                    compound=compound,
                    title=d["title"],
                    text=d["text"],
                    proposer_name=d["proposer_name"],
                ),
                _("提议已记录,可在安排会议时列入议程。"),
            ):
                return redirect("participation:proposals")
        else:
            form_errors(request, form)
    return render(
        request,
        "participation/proposals.html",
        {
            "form": form,
            "proposals": selectors.proposal_list(user=request.user)[:200],
            "areas": change_areas(request.user, Area.Level.COMMUNITY),
            "compounds": selectors.compounds(user=request.user).order_by("name"),
        },
    )


@login_required
def stats(request):
    roots = Area.objects.restrict(request.user).order_by("level", "path")
    root = None
    if (request.GET.get("area") or "").isdigit():
        root = roots.filter(pk=int(request.GET["area"])).first()
    root = root or roots.first()
    start, end, f, t = month_range(request)
    total, rows = (None, [])
    if root is not None:
        tz = timezone.get_current_timezone()
        total, rows = selectors.meeting_figures(
            user=request.user,
            root=root,
            start=dt.datetime.combine(start, dt.time(), tz),
            end=dt.datetime.combine(end, dt.time(), tz),
        )
    chart = {
        "names": [r.name for r in rows],
        "solved": [r.solved for r in rows],
        "committed_done": [r.committed_done for r in rows],
        "committed_open": [r.committed - r.committed_done for r in rows],
        "labels": [_("就地解决"), _("限期办理·已办结"), _("限期办理·办理中")],
    }
    return render(
        request,
        "participation/stats.html",
        {
            "root": root,
            "roots": roots[:300],
            "total": total,
            "rows": rows,
            "chart": chart,
            "from": f,
            "to": t,
        },
    )


# For the templates: outcome values.
OUTCOMES = {
    "pending": ItemOutcome.PENDING,
    "solved": ItemOutcome.SOLVED,
    "commitment": ItemOutcome.COMMITMENT,
}
DONE_STATUSES = [Status.RESOLVED, Status.RATED, Status.CLOSED]
