"""Demo data for participation (after `demo` and `demo_cases`): property companies with
profiles and compounds, three months of inspections and two published red/yellow lists,
deliberation meetings with items (solved on the spot and commitments that are cases), and a
livelihood-project vote with its result and progress. Written through the services with
the system actor; deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from civicgrid.cases.models import MatterItem
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit

from . import services
from .models import CompoundGrid, Criterion, Vote

COMPOUND_WORDS = ["幸福", "阳光", "锦绣", "翠苑", "和谐", "金色", "滨江", "书香", "紫荆", "康乐"]
PROJECTS = [
    ("老旧小区加装电梯", 420, "resident"),
    ("社区长者饭堂", 120, "resident"),
    ("背街小巷路灯改造", 80, "department"),
    ("城区公办幼儿园扩位", 900, "department"),
    ("农贸市场升级改造", 350, "department"),
    ("口袋公园建设", 150, "resident"),
    ("小区充电桩进小区", 200, "resident"),
    ("学校周边交通护学岗", 60, "department"),
]


def _months_back(n: int) -> list[dt.date]:
    m = timezone.localdate().replace(day=1)
    out = []
    for _ in range(n):
        out.append(m)
        m = (m - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(out))


@transaction.atomic
def seed(*, county: Area, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"compounds": 0, "inspections": 0, "meetings": 0, "items": 0, "votes": 0}
    companies = list(
        Unit.objects.filter(kind=UnitKind.PROPERTY_COMPANY, area__path__startswith=county.path)
        .select_related("area")
        .order_by("id")[:24]
    )
    taken = set(CompoundGrid.objects.values_list("grid_id", flat=True))
    compounds = []
    for i, company in enumerate(companies):
        services.company_profile_save(
            actor=None,
            unit=company,
            licence_no=f"YZ{4413000 + company.pk:09d}",
            licence_expires=dt.date(2028, 12, 31),
            hotline=f"0752-{6100000 + company.pk:07d}"[:20],
            manager_name="",
            party_organization=company.party_organization,
        )
        community = company.area
        if community.level != Area.Level.COMMUNITY:
            community = (
                Area.objects.filter(parent=community, level=Area.Level.COMMUNITY)
                .order_by("id")
                .first()
            )
        if community is None:
            continue
        grid = Grid.objects.filter(community=community).exclude(pk__in=taken).order_by("id").first()
        if grid is None:
            continue
        taken.add(grid.pk)
        compound = services.compound_save(
            actor=None,
            name=f"{COMPOUND_WORDS[i % len(COMPOUND_WORDS)]}花园{i + 1}期",
            community=community,
            households=rng.randint(180, 1500),
            grids=[grid],
            company=company,
        )
        compounds.append(compound)
        counts["compounds"] += 1
    criteria = list(Criterion.objects.filter(active=True))
    months = _months_back(3)
    for company in companies:
        quality = rng.uniform(0.55, 0.98)
        for month in months:
            scores = {
                c.pk: round(min(c.max_score, max(0, c.max_score * rng.gauss(quality, 0.08))) * 2)
                / 2
                for c in criteria
            }
            services.inspection_record(
                actor=None, company=company, month=month, scores=scores, note=""
            )
            counts["inspections"] += 1
    for month in months[:-1]:
        if companies:
            services.assessment_publish(actor=None, area=county, month=month)
    counts["meetings"], counts["items"] = _meetings(rng, compounds)
    counts["votes"] = _vote(rng, county)
    return counts


def _meetings(rng: random.Random, compounds) -> tuple[int, int]:
    matter = (
        MatterItem.objects.filter(code="MS01-02").first()
        or MatterItem.objects.filter(active=True).first()
    )
    now = timezone.now()
    today = timezone.localdate()
    n_meetings = n_items = 0
    for k, compound in enumerate(compounds[:4]):
        grid_id = compound.grid_links.values_list("grid_id", flat=True).first()
        grid = Grid.objects.get(pk=grid_id)
        held = services.meeting_schedule(
            actor=None,
            kind="red_hall",
            title=f"{compound.name}红色议事厅({(now - dt.timedelta(days=20)):%m}月)",
            area=compound.community,
            compound=compound,
            scheduled_at=now - dt.timedelta(days=20 + k),
            place=f"{compound.community.name}党群服务中心",
        )
        for name in ("社区书记", "物业项目经理", "业委会主任", "楼栋长"):
            services.invitee_add(actor=None, meeting=held, kind="resident", name=name)
        proposal = services.proposal_record(
            actor=None,
            area=compound.community,
            compound=compound,
            proposer_name="",
            title="小区健身器材损坏",
            text="3 号楼下的健身器材坏了两个月,老人孩子不敢用。",
        )
        i1 = services.item_add(actor=None, meeting=held, origin="proposal", proposal=proposal)
        i2 = services.item_add(actor=None, meeting=held, origin="staff", title="楼道灯不亮")
        i3 = services.item_add(actor=None, meeting=held, origin="staff", title="电动车飞线充电")
        services.meeting_sign_in(
            actor=None,
            meeting=held,
            present_ids=list(held.invitees.values_list("pk", flat=True)),
            walk_ins=rng.randint(8, 30),
        )
        services.item_solve(
            actor=None, item=i2, resolution="物业当场答应三天内更换灯泡,业委会监督。"
        )
        services.item_commit(
            actor=None,
            item=i1,
            deadline=today + dt.timedelta(days=10),
            matter=matter,
            grid=grid,
            owner_unit=compound.company,
        )
        services.item_commit(
            actor=None,
            item=i3,
            deadline=today + dt.timedelta(days=20),
            matter=matter,
            grid=grid,
            owner_area=compound.community,
        )
        services.meeting_record(
            actor=None,
            meeting=held,
            minutes="社区党组织、物业、业委会与居民代表共同商议三件事,一件当场解决,两件明确责任和时限。",
        )
        services.meeting_publish(actor=None, meeting=held)
        services.meeting_schedule(
            actor=None,
            kind="tripartite",
            title=f"{compound.name}物居业三方议事会",
            area=compound.community,
            compound=compound,
            scheduled_at=now + dt.timedelta(days=7 + k),
            place=f"{compound.community.name}党群服务中心",
        )
        n_meetings += 2
        n_items += 3
    return n_meetings, n_items


def _vote(rng: random.Random, county: Area) -> int:
    now = timezone.now()
    vote = services.vote_create(
        actor=None,
        area=county,
        title=f"{now.year + 1} 年{county.name}十大民生实事项目票决",
        opens_at=now - dt.timedelta(hours=2),
        closes_at=now + dt.timedelta(hours=1),
        seats=5,
    )
    projects = [
        services.project_add(
            actor=None,
            vote=vote,
            title=t,
            description=f"{t}:由{'群众征集' if o == 'resident' else '部门申报'}。",
            cost=c,
            area=county,
            origin=o,
        )
        for t, c, o in PROJECTS
    ]
    deputies = services.deputies_add(
        actor=None, vote=vote, names=[f"代表{i + 1:02d}" for i in range(25)]
    )
    services.vote_open(actor=None, vote=vote)
    popularity = [rng.random() for _ in projects]
    for _deputy, code in deputies[:22]:
        picks = sorted(range(len(projects)), key=lambda i: -popularity[i] * rng.uniform(0.5, 1.5))[
            :5
        ]
        services.ballot_cast(
            actor=None, vote=vote, code=code, project_ids=[projects[i].pk for i in picks]
        )
    # Demo only: end the voting window now so that the result can be published.
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    vote = services.vote_publish(actor=None, vote=vote)
    today = timezone.localdate()
    for p in vote.projects.filter(chosen=True):
        for title, pct in (
            ("立项批复", 10),
            ("完成招标", 30),
            ("开工建设", rng.choice([40, 60, 80])),
        )[: rng.randint(1, 3)]:
            services.milestone_add(
                actor=None, project=p, title=title, progress=pct, reached_on=today
            )
    return 1
