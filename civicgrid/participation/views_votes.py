"""Thin staff views for livelihood-project votes, and the deputies' ballot page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import ApplicationError, NotFound
from civicgrid.geo.models import Area

from . import services
from .choices import VoteStatus
from .forms import BallotForm, DeputiesForm, MilestoneForm, ProjectForm, VoteForm
from .models import Project, Vote
from .views import change_areas, form_errors, run


@login_required
def vote_list(request):
    form = VoteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            area = (
                change_areas(request.user, Area.Level.COUNTY, Area.Level.STREET)
                .filter(pk=d["area"])
                .first()
            )
            if area is None:
                messages.error(request, _("找不到该区划,或您无权发起票决。"))
            else:
                vote = run(
                    request,
                    lambda: services.vote_create(
                        actor=request.user,
                        area=area,
                        title=d["title"],
                        opens_at=d["opens_at"],
                        closes_at=d["closes_at"],
                        seats=d["seats"],
                    ),
                    _("票决已创建,请添加候选项目和代表。"),
                )
                if vote:
                    return redirect("participation:vote", pk=vote.pk)
        else:
            form_errors(request, form)
    return render(
        request,
        "participation/vote_list.html",
        {
            "votes": Vote.objects.restrict(request.user).select_related("area")[:100],
            "form": form,
            "areas": change_areas(request.user, Area.Level.COUNTY, Area.Level.STREET),
        },
    )


def _vote_or_404(request, pk):
    vote = Vote.objects.restrict(request.user).select_related("area").filter(pk=pk).first()
    if vote is None:
        raise NotFound()
    return vote


@login_required
def vote_detail(request, pk: int):
    vote = _vote_or_404(request, pk)
    codes = request.session.pop(f"vote-codes-{vote.pk}", None)
    return render(
        request,
        "participation/vote_detail.html",
        {
            "vote": vote,
            "projects": vote.projects.select_related("area")
            .prefetch_related("milestones")
            .order_by("rank", "id"),
            "deputies": vote.deputies.order_by("id"),
            "voted": vote.deputies.filter(voted_at__isnull=False).count(),
            "codes": codes,
            "areas": Area.objects.filter(path__startswith=vote.area.path).order_by("path")[:300],
            "now": timezone.now(),
            "statuses": VoteStatus,
            "ballot_url": request.build_absolute_uri(
                f"/participation/public/votes/{vote.pk}/ballot/"
            ),
        },
    )


@login_required
@require_POST
def vote_act(request, pk: int, what: str):
    vote = _vote_or_404(request, pk)
    u = request.user
    if what == "project":
        form = ProjectForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            area = Area.objects.filter(pk=d["area"]).first()
            run(
                request,
                lambda: services.project_add(
                    actor=u,
                    vote=vote,
                    title=d["title"],
                    description=d["description"],
                    cost=d["cost"],
                    area=area,
                    origin=d["origin"],
                    proposer=d["proposer"],
                ),
                _("候选项目已添加。"),
            )
        else:
            form_errors(request, form)
    elif what == "deputies":
        form = DeputiesForm(request.POST)
        if form.is_valid():
            names = [n.strip() for n in form.cleaned_data["names"].splitlines() if n.strip()]
            added = run(request, lambda: services.deputies_add(actor=u, vote=vote, names=names))
            if added:
                request.session[f"vote-codes-{vote.pk}"] = [(d.name, code) for d, code in added]
                messages.success(
                    request,
                    _("已登记 %(n)d 位代表。投票码只显示这一次,请打印后分发。") % {"n": len(added)},
                )
        else:
            form_errors(request, form)
    elif what == "open":
        run(request, lambda: services.vote_open(actor=u, vote=vote), _("投票已开放。"))
    elif what == "publish":
        run(request, lambda: services.vote_publish(actor=u, vote=vote), _("计票完成,结果已公布。"))
    elif what == "milestone":
        project = (
            Project.objects.restrict(u)
            .filter(pk=request.POST.get("project") or 0, vote=vote)
            .first()
        )
        form = MilestoneForm(request.POST)
        if project is None:
            raise NotFound()
        if form.is_valid():
            d = form.cleaned_data
            run(
                request,
                lambda: services.milestone_add(
                    actor=u,
                    project=project,
                    title=d["title"],
                    progress=d["progress"],
                    reached_on=d["reached_on"],
                    note=d["note"],
                ),
                _("进度已更新。"),
            )
        else:
            form_errors(request, form)
    else:
        raise NotFound()
    return redirect("participation:vote", pk=pk)


def ballot(request, pk: int):
    """The deputies' ballot page: no sign-in, the one-time code identifies the deputy."""
    vote = (
        Vote.objects.filter(pk=pk).exclude(status=VoteStatus.DRAFT).select_related("area").first()
    )
    if vote is None:
        raise NotFound()
    projects = list(vote.projects.order_by("id"))
    form = BallotForm(
        request.POST or None, project_choices=[(str(p.pk), p.title) for p in projects]
    )
    done = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.ballot_cast(
                actor=None, vote=vote, code=d["code"], project_ids=[int(x) for x in d["projects"]]
            )
        except ApplicationError as e:
            messages.error(request, str(e.message))
        else:
            done = True
    return render(
        request,
        "participation/public/ballot.html",
        {"vote": vote, "projects": projects, "form": form, "done": done, "now": timezone.now()},
    )
