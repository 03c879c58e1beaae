"""Sizes of the demo county. `county` is the scale of 博罗县 as its 2024 report gives it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    streets: int  # how many of the county's streets/towns to build (first N of places.STREETS)
    communities: tuple[int, ...]  # communities per street
    grids: int
    residents: int
    units: int  # units in communities (district departments come on top)
    grid_workers: int  # full-time
    parttime_workers: int
    instructors: int
    community_staff_per_community: int = 3
    street_staff_per_street: int = 3
    handlers_per_department: int = 2
    # Share of adults (18+) who are party members: ~50,000 of 1.21 M residents (73% are adults).
    party_member_rate: float = 0.057
    # A central household per this many households, each leading 2–3 information officers
    # who serve ~30 households each.
    households_per_central_household: int = 75


# 博罗县: 2 streets and 15 towns, 46 communities, 518 grids, 1.21 M residents,
# 518 grid chiefs, 2,972 full-time and 6,157 part-time workers, 448 instructors.
COUNTY_COMMUNITIES = (9, 5, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 1, 2, 1, 1, 1)

SCALES: dict[str, Scale] = {
    "tiny": Scale(
        name="tiny",
        streets=1,
        communities=(2,),
        grids=4,
        residents=160,
        units=6,
        grid_workers=8,
        parttime_workers=8,
        instructors=3,
        community_staff_per_community=1,
        street_staff_per_street=1,
        handlers_per_department=1,
        party_member_rate=0.12,
        households_per_central_household=20,
    ),
    "small": Scale(
        name="small",
        streets=1,
        communities=(3,),
        grids=30,
        residents=5_000,
        units=60,
        grid_workers=172,
        parttime_workers=357,
        instructors=26,
    ),
    "county": Scale(
        name="county",
        streets=17,
        communities=COUNTY_COMMUNITIES,
        grids=518,
        residents=1_210_000,
        units=1_480,
        grid_workers=2_972,
        parttime_workers=6_157,
        instructors=448,
    ),
}
