"""One community's people, written in bulk: buildings, households, residents with encrypted
PII and blind indexes (Resident.set_pii), special groups and three-colour levels, party members,
building groups, central households, information officers, landlord links and visits."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from civicgrid.core import crypto
from civicgrid.orgs.choices import OrgKind
from civicgrid.orgs.models import PartyOrganization
from civicgrid.people.choices import AttentionLevel, HouseholdKind, LandlordLinkKind
from civicgrid.people.models import (
    Building,
    Household,
    InformationOfficer,
    LandlordLink,
    PartyMember,
    Resident,
    SpecialGroup,
    Visit,
)

from . import identity
from .allocate import sub_numpy, sub_random
from .geometry import random_points_in
from .places import COUNTY_NAME, ESTATE_SUFFIXES, ROAD_STEMS, ROAD_SUFFIXES
from .rows import RowWriter
from .structure import BATCH, CommunityPlan, GridPlan, create_orgs

_AGE_BANDS = ((22, 34, 25), (35, 49, 35), (50, 64, 25), (65, 90, 15))
_SIZES = (1, 2, 3, 4, 5, 6)
_SIZE_WEIGHTS = (14, 24, 27, 20, 10, 5)
_VISIT_NOTES = (
    "入户走访,了解家庭近况,身体状况良好。",
    "电话回访,反映楼道照明不足,已记录。",
    "上门核实低保申请材料。",
    "走访独居老人,检查燃气和用电安全。",
    "了解就业需求,推荐社区招聘信息。",
    "协助办理医保续缴。",
    "矛盾纠纷回访,双方已达成和解。",
    "对接志愿者定期上门陪护。",
)
_NEEDS = (
    "",
    "",
    "",
    "希望增设休闲座椅。",
    "反映小区停车难。",
    "需要上门理发服务。",
    "希望修缮楼道扶手。",
)


@dataclass
class Person:
    name: str
    gender: str
    age: int
    relation: str


@dataclass
class GridPeople:
    """One grid's people as plain rows (dicts keyed by attribute name), ids assigned up front."""

    plan: GridPlan
    buildings: list[Building] = field(default_factory=list)
    building_groups: list[PartyOrganization] = field(default_factory=list)
    households: list[dict] = field(default_factory=list)
    hh_building: list[int] = field(default_factory=list)
    residents: list[dict] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    res_household: list[int] = field(default_factory=list)


def household_people(rng: random.Random, size: int) -> list[Person]:
    lo, hi, _w = rng.choices(_AGE_BANDS, [b[2] for b in _AGE_BANDS])[0]
    head_age = rng.randint(lo, hi)
    head_gender = "M" if rng.random() < 0.7 else "F"
    head_family = identity.surname(rng)
    other_family = identity.surname(rng)
    father_family = head_family if head_gender == "M" else other_family
    people = [
        Person(identity.full_name(rng, head_gender, head_family), head_gender, head_age, "户主")
    ]
    if size >= 2 and rng.random() < 0.85:
        g = "F" if head_gender == "M" else "M"
        age = max(20, head_age + rng.randint(-5, 5))
        people.append(Person(identity.full_name(rng, g, other_family), g, age, "配偶"))
    parents = 0
    while len(people) < size:
        g = rng.choice("MF")
        if 30 <= head_age <= 60 and parents < 2 and rng.random() < 0.15:
            age = min(98, head_age + rng.randint(22, 34))
            people.append(
                Person(
                    identity.full_name(rng, g, head_family if g == "M" else None),
                    g,
                    age,
                    "父亲" if g == "M" else "母亲",
                )
            )
            parents += 1
        elif head_age >= 55 and rng.random() < 0.3:
            people.append(
                Person(
                    identity.full_name(rng, g, father_family),
                    g,
                    rng.randint(0, 12),
                    "孙子" if g == "M" else "孙女",
                )
            )
        else:
            age = max(0, head_age - rng.randint(22, 36)) if head_age >= 24 else rng.randint(0, 2)
            people.append(
                Person(
                    identity.full_name(rng, g, father_family), g, age, "子" if g == "M" else "女"
                )
            )
    return people


class CommunityWriter:
    def __init__(
        self,
        *,
        plan: CommunityPlan,
        seed: int,
        scale,
        numbers: identity.NumberBook,
        unit_orgs: list[PartyOrganization],
        groups: dict[str, SpecialGroup],
        rows: RowWriter,
    ):
        self.c, self.seed, self.scale, self.numbers = plan, seed, scale, numbers
        self.unit_orgs, self.groups, self.rows = unit_orgs, groups, rows
        self.rng = sub_random(seed, "community", plan.area.code)
        self.now = timezone.now()
        self.counts: dict[str, int] = {}

    def _add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def write(self, on_grid=None) -> None:
        for g in self.c.grids:
            people = self._plan_grid(g)
            self._write_grid(people)
            if on_grid:
                on_grid(len(people.residents))

    # -- planning (no database) ----------------------------------------------------------
    def _plan_grid(self, g: GridPlan) -> GridPeople:
        rng, urban, c = self.rng, self.c.urban, self.c
        nrng = sub_numpy(self.seed, "grid", g.grid.code)
        out = GridPeople(g)
        roads = [f"{rng.choice(ROAD_STEMS)}{rng.choice(ROAD_SUFFIXES)}" for _ in range(3)]
        estate = f"{rng.choice(ROAD_STEMS)}{rng.choice(ESTATE_SUFFIXES)}"
        points = random_points_in(g.polygon, 16, nrng)
        rental_share = 0.18 if urban else 0.10
        room_left = 0
        n_residents = 0
        while n_residents < g.residents:
            if room_left == 0:
                b = len(out.buildings)
                if b >= len(points):
                    points = np.concatenate(
                        [points, random_points_in(g.polygon, len(points), nrng)]
                    )
                x, y = points[b]
                if urban or rng.random() < 0.5:
                    room_left = rng.randint(12, 72) if urban else rng.randint(8, 36)
                    name, addr = (
                        f"{estate}{b + 1}栋",
                        f"{roads[b % 3]}{rng.randint(1, 400)}号{estate}{b + 1}栋",
                    )
                else:
                    room_left = rng.randint(1, 3)
                    name = addr = f"{roads[b % 3]}{b + 1}号"
                out.buildings.append(
                    Building(
                        name=name,
                        area_id=c.area.pk,
                        grid=g.grid,
                        address=f"{COUNTY_NAME}{c.street.name}{c.area.name}{addr}",
                        lon=float(x),
                        lat=float(y),
                    )
                )
            b = len(out.buildings) - 1
            room_left -= 1
            roll = rng.random()
            kind = (
                HouseholdKind.VACANT
                if roll < 0.04
                else (HouseholdKind.RENTAL if roll < 0.04 + rental_share else HouseholdKind.OWNER)
            )
            n_hh = len(out.households)
            room = f"{rng.randint(1, 30)}{rng.randint(1, 8):02d}房" if urban else ""
            hh = {
                "number": f"{g.grid.code[-6:]}{n_hh + 1:05d}",
                "area_id": c.area.pk,
                "grid_id": g.grid.pk,
                "address": f"{out.buildings[b].address}{room}",
                "kind": str(kind),
            }
            out.households.append(hh)
            out.hh_building.append(b)
            if kind == HouseholdKind.VACANT:
                continue
            for p in household_people(rng, rng.choices(_SIZES, _SIZE_WEIGHTS)[0]):
                self._plan_resident(out, p, hh, n_hh)
                n_residents += 1
        for hh, pk in zip(
            out.households, self.rows.ids(Household, len(out.households)), strict=True
        ):
            hh["id"] = pk
        for r, pk in zip(out.residents, self.rows.ids(Resident, len(out.residents)), strict=True):
            r["id"] = pk
        return out

    def _plan_resident(self, out: GridPeople, p: Person, hh: dict, hh_index: int) -> None:
        rng = self.rng
        born = identity.birth_date(rng, p.age)
        idn = self.numbers.id_number(rng, p.gender, born)
        phone = ""
        if p.age >= 14 and rng.random() < (0.5 if p.age >= 80 else 0.93):
            phone = self.numbers.phone(rng)
        # The same fields Resident.set_pii fills: encrypted values (on insert) and blind indexes.
        out.residents.append(
            {
                "name": p.name,
                "gender": p.gender,
                "birth_date": born,
                "address": hh["address"],
                "area_id": self.c.area.pk,
                "grid_id": out.plan.grid.pk,
                "relation_to_head": p.relation,
                "id_number": idn,
                "id_number_index": crypto.blind_index(idn),
                "phone": phone,
                "phone_index": crypto.blind_index(phone),
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        out.ages.append(p.age)
        out.res_household.append(hh_index)

    def _tags(self, gender: str, age: int, hh_size: int) -> tuple[str, list[str]]:
        rng = self.rng
        groups: list[str] = []
        level = AttentionLevel.GREEN
        if age >= 70 and hh_size == 1:
            groups.append("elderly_alone")
        elif age >= 65 and hh_size == 2 and rng.random() < 0.5:
            groups.append("empty_nest")
        for code, rate, cond in (
            ("disabled", 0.015, True),
            ("low_income", 0.012, True),
            ("extreme_poverty", 0.002, True),
            ("left_behind_child", 0.02, age < 16),
            ("community_correction", 0.0005, age >= 18),
            ("mental_illness", 0.003, age >= 16),
            ("released_prisoner", 0.001, age >= 18),
            ("drug_rehab", 0.0005, age >= 18),
            ("veteran", 0.012, gender == "M" and 25 <= age <= 80),
        ):
            if cond and rng.random() < rate:
                groups.append(code)
        if (
            set(groups) & {"community_correction", "mental_illness", "drug_rehab"}
            or rng.random() < 0.004
        ):
            level = AttentionLevel.RED
        elif set(groups) - {"veteran"} or rng.random() < 0.03:
            level = AttentionLevel.YELLOW
        return str(level), groups

    # -- writing --------------------------------------------------------------------------
    def _write_grid(self, gp: GridPeople) -> None:
        Building.objects.bulk_create(gp.buildings, batch_size=BATCH)
        for hh, b in zip(gp.households, gp.hh_building, strict=True):
            hh["building_id"] = gp.buildings[b].pk
        self.rows.insert(Household, gp.households)
        sizes = [0] * len(gp.households)
        for h in gp.res_household:
            sizes[h] += 1
        links = []
        for r, age, h in zip(gp.residents, gp.ages, gp.res_household, strict=True):
            r["household_id"] = gp.households[h]["id"]
            r["attention_level"], groups = self._tags(r["gender"], age, sizes[h])
            links += [
                {"resident_id": r["id"], "specialgroup_id": self.groups[code].pk} for code in groups
            ]
        self.rows.insert(Resident, gp.residents)
        self.rows.insert(Resident.special_groups.through, links, with_pk=False)
        self._add("buildings", len(gp.buildings))
        self._add("households", len(gp.households))
        self._add("residents", len(gp.residents))
        self._add("special_group_links", len(links))
        self._write_party(gp)
        self._write_visits(gp)

    def _write_party(self, gp: GridPeople) -> None:
        rng, g = self.rng, gp.plan
        n_groups = max(1, min(8, math.ceil(len(gp.buildings) / 6)))
        gp.building_groups = [
            PartyOrganization(
                name=f"{g.grid.name}第{k + 1}党小组",
                kind=OrgKind.BUILDING_GROUP,
                area_id=self.c.area.pk,
                grid=g.grid,
            )
            for k in range(n_groups)
        ]
        members: list[tuple[PartyMember, int]] = []  # (member, index of the resident row)
        chief_buildings: set[int] = set()
        for i, (r, age, h) in enumerate(zip(gp.residents, gp.ages, gp.res_household, strict=True)):
            if age < 18 or rng.random() >= self.scale.party_member_rate:
                continue
            b = gp.hh_building[h]
            in_unit = bool(self.unit_orgs) and rng.random() < 0.28
            org = rng.choice(self.unit_orgs) if in_unit else gp.building_groups[b % n_groups]
            joined = r["birth_date"] + dt.timedelta(
                days=365 * rng.randint(18, max(18, min(age, 60)))
            )
            m = PartyMember(
                name=r["name"],
                gender=r["gender"],
                birth_date=r["birth_date"],
                organization=org,
                work_unit=org.unit if in_unit else None,
                area_id=self.c.area.pk,
                grid=g.grid,
                resident_id=r["id"],
                joined_on=min(joined, identity.REFERENCE_DATE),
                is_lane_chief=not self.c.urban and rng.random() < 0.03,
            )
            m.set_pii(id_number=r["id_number"], phone=r["phone"])
            if not in_unit and b not in chief_buildings and rng.random() < 0.5:
                m.is_building_chief = True
                chief_buildings.add(b)
            members.append((m, i))
        for grp in gp.building_groups:
            grp.secretary_name = next((m.name for m, _i in members if m.organization is grp), "")
        create_orgs(gp.building_groups, [g.branch] * n_groups)
        landlords = self._pick_landlords(gp, members)
        central = self._pick_central_households(gp, members)
        PartyMember.objects.bulk_create([m for m, _i in members], batch_size=BATCH)
        links = [
            LandlordLink(party_member=m, resident_id=rid, kind=kind)
            for m, pairs in landlords
            for rid, kind in pairs
        ]
        LandlordLink.objects.bulk_create(links, batch_size=BATCH)
        self._add("party_members", len(members))
        self._add("building_groups", n_groups)
        self._add("landlord_links", len(links))
        self._write_central_households(gp, central)

    def _pick_landlords(self, gp: GridPeople, members):
        """Party landlords (1+N): each looks after 2–4 tenant households and a few other landlords."""
        rng = self.rng
        heads = [
            (r["id"], gp.households[h]["kind"])
            for r, h in zip(gp.residents, gp.res_household, strict=True)
            if r["relation_to_head"] == "户主"
        ]
        tenants = [rid for rid, kind in heads if kind == HouseholdKind.RENTAL]
        owners = [rid for rid, kind in heads if kind == HouseholdKind.OWNER]
        out = []
        if not tenants:
            return out
        for m, i in members:
            kind = gp.households[gp.res_household[i]]["kind"]
            if m.work_unit_id is None and kind == HouseholdKind.OWNER and rng.random() < 0.1:
                m.is_party_landlord = True
                picks = [
                    (rid, LandlordLinkKind.TENANT)
                    for rid in rng.sample(tenants, min(len(tenants), rng.randint(2, 4)))
                ]
                others = [
                    rid for rid in rng.sample(owners, min(len(owners), 3)) if rid != m.resident_id
                ][:2]
                out.append((m, picks + [(rid, LandlordLinkKind.LANDLORD) for rid in others]))
        return out

    def _pick_central_households(self, gp: GridPeople, members):
        """About one central household per N households, each serving a run of neighbouring
        households, with 2–3 information officers (adults who are not members) under it."""
        rng = self.rng
        candidates = [(m, i) for m, i in members if m.work_unit_id is None]
        if not candidates or not gp.households:
            return []
        n = min(
            len(candidates),
            math.ceil(len(gp.households) / self.scale.households_per_central_household),
        )
        size = math.ceil(len(gp.households) / n)
        party = {i for _m, i in members}
        adults_of: dict[int, list[int]] = {}
        for i, (age, h) in enumerate(zip(gp.ages, gp.res_household, strict=True)):
            if age >= 18 and i not in party:
                adults_of.setdefault(h, []).append(i)
        used: set[int] = set()
        plans = []
        for start in range(0, len(gp.households), size):
            chunk = range(start, min(start + size, len(gp.households)))
            pool = [(m, i) for m, i in candidates if i not in used]
            if not pool:
                break
            local = [(m, i) for m, i in pool if gp.res_household[i] in chunk]
            m, i = (local or pool)[0]
            used.add(i)
            m.is_central_household = True
            k = 3 if len(chunk) > 75 else 2
            part = math.ceil(len(chunk) / k)
            officers = []
            for j in range(0, len(chunk), part):
                sub = chunk[j : j + part]
                adults = [a for h in sub for a in adults_of.get(h, [])]
                if adults:
                    officers.append((rng.choice(adults), sub))
            plans.append((m, chunk, officers))
        return plans

    def _write_central_households(self, gp: GridPeople, plans) -> None:
        g, hh = gp.plan, gp.households
        orgs = [
            PartyOrganization(
                name=f"{m.name}党员中心户",
                kind=OrgKind.CENTRAL_HOUSEHOLD,
                area_id=self.c.area.pk,
                grid=g.grid,
                secretary_name=m.name,
            )
            for m, _c, _o in plans
        ]
        create_orgs(orgs, [m.organization for m, _c, _o in plans])
        self.rows.insert(
            PartyMember.served_households.through,
            (
                {"partymember_id": m.pk, "household_id": hh[h]["id"]}
                for m, chunk, _o in plans
                for h in chunk
            ),
            with_pk=False,
        )
        officers, served_by = [], []
        for m, _chunk, picks in plans:
            for i, sub in picks:
                officers.append(
                    InformationOfficer(
                        resident_id=gp.residents[i]["id"],
                        central_household=m,
                        area_id=self.c.area.pk,
                        grid=g.grid,
                    )
                )
                served_by.append(sub)
        InformationOfficer.objects.bulk_create(officers, batch_size=BATCH)
        self.rows.insert(
            InformationOfficer.households.through,
            (
                {"informationofficer_id": o.pk, "household_id": hh[h]["id"]}
                for o, sub in zip(officers, served_by, strict=True)
                for h in sub
            ),
            with_pk=False,
        )
        self._add("central_households", len(plans))
        self._add("information_officers", len(officers))

    def _write_visits(self, gp: GridPeople) -> None:
        rng, g = self.rng, gp.plan
        if not g.visitor_ids:
            return
        base = timezone.make_aware(dt.datetime.combine(identity.REFERENCE_DATE, dt.time(9, 0)))
        visits = []
        for r in gp.residents:
            level = r["attention_level"]
            n = (
                2
                if level == AttentionLevel.RED
                else (1 if level == AttentionLevel.YELLOW and rng.random() < 0.4 else 0)
            )
            for _ in range(n):
                visits.append(
                    Visit(
                        resident_id=r["id"],
                        area_id=r["area_id"],
                        grid=g.grid,
                        visitor_id=rng.choice(g.visitor_ids),
                        visited_at=base
                        - dt.timedelta(days=rng.randrange(120), minutes=rng.randrange(600)),
                        notes=rng.choice(_VISIT_NOTES),
                        needs=rng.choice(_NEEDS),
                        attention_level=level,
                    )
                )
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        self._add("visits", len(visits))
