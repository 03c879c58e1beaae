"""The county's skeleton: areas and grids (through the geo services), units, the upper party
organisation tree, and grid staff with their role assignments (bulk: one password hash)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from shapely.geometry import Polygon, shape

from civicgrid.geo import services as geo_services
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import OrgKind, Role, UnitKind
from civicgrid.orgs.models import PartyOrganization, RoleAssignment, Unit

from . import identity
from .allocate import allocate, sub_numpy, sub_random
from .geometry import county_polygon, random_points_in, split, to_geojson
from .places import COMMUNITY_STEMS as STEMS
from .places import (
    COUNTY_CODE,
    COUNTY_NAME,
    DEPARTMENTS,
    ESTATE_SUFFIXES,
    FIRM_TRADES,
    FIRM_WORDS,
    STREETS,
    chinese_number,
)
from .scales import Scale

BATCH = 2000


@dataclass
class GridPlan:
    grid: Grid
    polygon: Polygon
    residents: int
    visitor_ids: list[int] = field(default_factory=list)  # chief and full-time workers
    branch: PartyOrganization | None = None


@dataclass
class CommunityPlan:
    area: Area
    street: Area
    urban: bool
    residents: int
    grids: list[GridPlan] = field(default_factory=list)
    big_committee: PartyOrganization | None = None


def create_orgs(orgs: list[PartyOrganization], parents: list[PartyOrganization | None]) -> None:
    """Insert organisations and set their materialised path ("/root/…/self/")."""
    PartyOrganization.objects.bulk_create(orgs, batch_size=BATCH)
    for org, parent in zip(orgs, parents, strict=True):
        org.parent = parent
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
    PartyOrganization.objects.bulk_update(orgs, ["parent", "path"], batch_size=BATCH)


class Skeleton:
    def __init__(self, scale: Scale, seed: int, password_hash: str):
        self.scale, self.seed, self.password_hash = scale, seed, password_hash
        self.communities: list[CommunityPlan] = []
        self.unit_orgs_by_street: dict[int, list[PartyOrganization]] = {}
        self.counts: dict[str, int] = {}

    # -- areas and grids ---------------------------------------------------------------
    def build_areas(self) -> None:
        s = self.scale
        rng, nrng = sub_random(self.seed, "areas"), sub_numpy(self.seed, "areas")
        size = 1.0 if s.streets > 1 else 1 / 6  # a one-street county is the size of a street
        outline = county_polygon(nrng, half_width=0.36 * size, half_height=0.27 * size)
        self.county = geo_services.area_create(
            actor=None,
            code=f"{COUNTY_CODE}000000",
            name=COUNTY_NAME,
            level=Area.Level.COUNTY,
            geometry=to_geojson(outline),
        )
        streets = STREETS[: s.streets]
        street_polys = split(outline, len(streets), nrng)
        weights = []
        plans = []
        for (name, code, urban), poly, n_comm in zip(
            streets, street_polys, s.communities, strict=True
        ):
            street = geo_services.area_create(
                actor=None,
                code=f"{COUNTY_CODE}{code}000",
                name=name,
                level=Area.Level.STREET,
                parent=self.county,
                geometry=to_geojson(poly),
            )
            stems = self._community_names(rng, name, urban, n_comm)
            for k, (cname, cpoly) in enumerate(
                zip(stems, split(poly, n_comm, nrng), strict=True), 1
            ):
                area = geo_services.area_create(
                    actor=None,
                    code=f"{COUNTY_CODE}{code}{k:03d}",
                    name=cname,
                    level=Area.Level.COMMUNITY,
                    parent=street,
                    geometry=to_geojson(cpoly),
                )
                plans.append((CommunityPlan(area, street, urban, 0), cpoly))
                weights.append(rng.uniform(0.6, 1.4) * (1.8 if urban else 1.0))
        residents = allocate(s.residents, weights, minimum=1)
        grids = allocate(s.grids, weights, minimum=1)
        for (plan, cpoly), n_res, n_grids in zip(plans, residents, grids, strict=True):
            plan.residents = n_res
            self._build_grids(plan, cpoly, n_grids, rng, nrng)
            self.communities.append(plan)
        self.counts.update(areas=Area.objects.count(), grids=s.grids)

    @staticmethod
    def _community_names(rng, street_name: str, urban: bool, n: int) -> list[str]:
        stems = list(STEMS)
        rng.shuffle(stems)
        names = [f"{stem}社区" for stem in stems[:n]]
        if not urban:  # a town's first community carries the town's name
            names[0] = f"{street_name.removesuffix('镇')}社区"
        return names

    def _build_grids(self, plan: CommunityPlan, cpoly: Polygon, n: int, rng, nrng) -> None:
        shares = allocate(plan.residents, [rng.uniform(0.7, 1.3) for _ in range(n)])
        for k, (poly, n_res) in enumerate(zip(split(cpoly, n, nrng), shares, strict=True), 1):
            grid = geo_services.grid_create(
                actor=None,
                code=f"{plan.area.code}{k:03d}",
                name=f"{plan.area.name}第{chinese_number(k)}网格",
                community=plan.area,
                geometry=to_geojson(poly),
            )
            plan.grids.append(GridPlan(grid, poly, n_res))

    # -- units and the party organisation tree --------------------------------------------
    def build_units_and_orgs(self) -> None:
        rng, nrng = sub_random(self.seed, "units"), sub_numpy(self.seed, "units")
        county_org = PartyOrganization(
            name=f"中共{COUNTY_NAME}委员会",
            kind=OrgKind.COUNTY_COMMITTEE,
            area=self.county,
            secretary_name=identity.full_name(rng, "M"),
        )
        create_orgs([county_org], [None])
        sectors = [
            PartyOrganization(
                name=f"中共{COUNTY_NAME}非公有制经济组织委员会",
                kind=OrgKind.SECTOR_COMMITTEE,
                area=self.county,
                secretary_name=identity.full_name(rng, "M"),
            ),
            PartyOrganization(
                name=f"中共{COUNTY_NAME}物业服务行业委员会",
                kind=OrgKind.SECTOR_COMMITTEE,
                area=self.county,
                secretary_name=identity.full_name(rng, "F"),
            ),
        ]
        create_orgs(sectors, [county_org, county_org])
        streets = {c.street.pk: c.street for c in self.communities}
        street_orgs = {
            pk: PartyOrganization(
                name=f"中共{a.name}工作委员会",
                kind=OrgKind.STREET_WORKING_COMMITTEE,
                area=a,
                secretary_name=identity.full_name(rng, "M"),
            )
            for pk, a in streets.items()
        }
        create_orgs(list(street_orgs.values()), [county_org] * len(street_orgs))
        for c in self.communities:
            c.big_committee = PartyOrganization(
                name=f"中共{c.area.name}大党委",
                area=c.area,
                kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
                secretary_name=identity.full_name(rng, rng.choice("MF")),
            )
        create_orgs(
            [c.big_committee for c in self.communities],
            [street_orgs[c.street.pk] for c in self.communities],
        )
        branches, parents = [], []
        for c in self.communities:
            for g in c.grids:
                g.branch = PartyOrganization(
                    name=f"{g.grid.name}党支部",
                    kind=OrgKind.GRID_BRANCH,
                    area=c.area,
                    grid=g.grid,
                    secretary_name=identity.full_name(rng, rng.choice("MF")),
                )
                branches.append(g.branch)
                parents.append(c.big_committee)
        create_orgs(branches, parents)
        self._build_units(rng, nrng, county_org, sectors)

    def _build_units(self, rng, nrng, county_org, sectors) -> None:
        units: list[Unit] = []
        first_street = self.communities[0]
        centre = random_points_in(shape(first_street.area.geometry), len(DEPARTMENTS), nrng)
        for name, (x, y) in zip(DEPARTMENTS, centre, strict=True):
            units.append(
                Unit(
                    name=f"{COUNTY_NAME}{name}",
                    kind=UnitKind.DEPARTMENT,
                    area=self.county,
                    credit_code=identity.credit_code(rng),
                    lon=float(x),
                    lat=float(y),
                    address=f"{COUNTY_NAME}罗阳街道{name}",
                    contact_name=identity.full_name(rng, "M"),
                    contact_phone=f"0752-{rng.randrange(6_000_000, 6_999_999)}",
                )
            )
        kinds = [
            UnitKind.AGENCY,
            UnitKind.SCHOOL,
            UnitKind.HOSPITAL,
            UnitKind.SOE,
            UnitKind.FIRM,
            UnitKind.SOCIAL_ORG,
            UnitKind.PROPERTY_COMPANY,
        ]
        kind_weights = [8, 10, 3, 5, 50, 10, 14]
        shares = allocate(self.scale.units, [c.residents for c in self.communities], minimum=1)
        for c, n in zip(self.communities, shares, strict=True):
            for i in range(n):
                kind = rng.choices(kinds, kind_weights)[0]
                g = c.grids[rng.randrange(len(c.grids))]
                ((x, y),) = random_points_in(g.polygon, 1, nrng)
                units.append(
                    Unit(
                        name=self._unit_name(rng, kind, c, i),
                        kind=kind,
                        area=c.area,
                        grid=g.grid,
                        credit_code=identity.credit_code(rng),
                        lon=float(x),
                        lat=float(y),
                        address=f"{COUNTY_NAME}{c.street.name}{c.area.name}{rng.randrange(1, 300)}号",
                        contact_name=identity.full_name(rng, rng.choice("MF")),
                        contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    )
                )
        Unit.objects.bulk_create(units, batch_size=BATCH)
        # Party organisations in units: always in public bodies, often in firms.
        with_org = {
            UnitKind.DEPARTMENT: 1.0,
            UnitKind.AGENCY: 1.0,
            UnitKind.SCHOOL: 1.0,
            UnitKind.HOSPITAL: 1.0,
            UnitKind.SOE: 1.0,
            UnitKind.FIRM: 0.25,
            UnitKind.SOCIAL_ORG: 0.2,
            UnitKind.PROPERTY_COMPANY: 0.3,
        }
        by_area = {c.area.pk: c for c in self.communities}
        orgs, parents, owners = [], [], []
        for u in units:
            if rng.random() >= with_org[u.kind]:
                continue
            if u.kind == UnitKind.DEPARTMENT:
                parent = county_org
            elif u.kind == UnitKind.FIRM:
                parent = sectors[0]
            elif u.kind == UnitKind.PROPERTY_COMPANY:
                parent = sectors[1]
            else:
                parent = by_area[u.area_id].big_committee
            orgs.append(
                PartyOrganization(
                    name=f"中共{u.name}支部委员会",
                    kind=OrgKind.UNIT_ORGANIZATION,
                    area=u.area,
                    grid=u.grid,
                    unit=u,
                    secretary_name=identity.full_name(rng, rng.choice("MF")),
                )
            )
            parents.append(parent)
            owners.append(u)
        create_orgs(orgs, parents)
        for u, org in zip(owners, orgs, strict=True):
            u.party_organization = org
            street_id = (
                self.county.pk if u.kind == UnitKind.DEPARTMENT else by_area[u.area_id].street.pk
            )
            self.unit_orgs_by_street.setdefault(street_id, []).append(org)
        Unit.objects.bulk_update(owners, ["party_organization"], batch_size=BATCH)
        self.departments = [u for u in units if u.kind == UnitKind.DEPARTMENT]
        self.counts.update(units=len(units), unit_organizations=len(orgs))

    @staticmethod
    def _unit_name(rng, kind: str, c: CommunityPlan, i: int) -> str:
        place = c.area.name.removesuffix("社区")
        word = rng.choice(FIRM_WORDS)
        return {
            UnitKind.AGENCY: f"{c.street.name}{rng.choice(['综合治理办公室', '便民服务中心', '财政所', '派出所'])}",
            UnitKind.SCHOOL: f"{COUNTY_NAME}{place}{rng.choice(['小学', '中学', '幼儿园'])}",
            UnitKind.HOSPITAL: f"{place}{rng.choice(['社区卫生服务站', '卫生院', '医院'])}",
            UnitKind.SOE: f"惠州{word}{rng.choice(['水务', '燃气', '交通', '城建'])}集团{place}分公司",
            UnitKind.FIRM: f"惠州市{word}{rng.choice(FIRM_TRADES)}有限公司",
            UnitKind.SOCIAL_ORG: f"{place}{rng.choice(['志愿者协会', '社会工作服务站', '老年人协会', '商会'])}",
            UnitKind.PROPERTY_COMPANY: f"{word}{rng.choice(ESTATE_SUFFIXES)}物业管理有限公司",
        }[kind] + (
            f"({i})" if kind in (UnitKind.AGENCY, UnitKind.FIRM, UnitKind.SOE) and i > 20 else ""
        )

    # -- staff ----------------------------------------------------------------------------
    def build_staff(self) -> None:
        s = self.scale
        rng = sub_random(self.seed, "staff")
        grids = [g for c in self.communities for g in c.grids]
        weights = [g.residents for g in grids]
        full = allocate(s.grid_workers, weights)
        part = allocate(s.parttime_workers, weights)
        people: list[tuple[str, str, dict]] = []  # (username, role, scope kwargs)
        for g, n_full, n_part in zip(grids, full, part, strict=True):
            people.append((f"{g.grid.code}-wgz", Role.GRID_CHIEF, {"grid": g.grid}))
            people += [
                (f"{g.grid.code}-zz{i}", Role.GRID_WORKER, {"grid": g.grid})
                for i in range(1, n_full + 1)
            ]
            people += [
                (f"{g.grid.code}-jz{i}", Role.GRID_WORKER_PARTTIME, {"grid": g.grid})
                for i in range(1, n_part + 1)
            ]
        for j, g in enumerate(grids):  # fewer instructors than grids: some cover two
            n = math.floor(j * s.instructors / len(grids)) + 1
            people.append((f"zdy{n:04d}", Role.GRID_INSTRUCTOR, {"grid": g.grid}))
        for c in self.communities:
            people += [
                (f"{c.area.code}-sq{i}", Role.COMMUNITY_STAFF, {"area": c.area})
                for i in range(1, s.community_staff_per_community + 1)
            ]
        for street in {c.street.pk: c.street for c in self.communities}.values():
            people += [
                (f"{street.code}-jd{i}", Role.STREET_STAFF, {"area": street})
                for i in range(1, s.street_staff_per_street + 1)
            ]
        for d, unit in enumerate(self.departments, 1):
            people += [
                (f"bm{d:02d}-{i}", Role.DEPARTMENT_HANDLER, {"unit": unit})
                for i in range(1, s.handlers_per_department + 1)
            ]
        User = get_user_model()
        users: dict[str, object] = {}
        for username, _role, _scope in people:
            if username not in users:
                users[username] = User(
                    username=username,
                    password=self.password_hash,
                    display_name=identity.full_name(rng, rng.choice("MMF")),
                )
        User.objects.bulk_create(list(users.values()), batch_size=BATCH)
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=users[u], role=role, **scope) for u, role, scope in people],
            batch_size=BATCH,
        )
        by_grid = {g.grid.pk: g for g in grids}
        for username, role, scope in people:
            if role in (Role.GRID_CHIEF, Role.GRID_WORKER):
                by_grid[scope["grid"].pk].visitor_ids.append(users[username].pk)
        self.counts.update(staff_users=len(users), role_assignments=len(people))
