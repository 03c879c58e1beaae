import json
from functools import cache
from pathlib import Path

import pytest
from django.core.cache import cache as django_cache

from civicgrid.intake.classifier import CatalogueEntry, build_keywords, train
from civicgrid.intake.text import corpus

CATALOGUE = Path(__file__).resolve().parents[2] / "cases" / "data" / "catalogue.json"


@cache
def entries() -> tuple[CatalogueEntry, ...]:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return tuple(
        CatalogueEntry(i["code"], i["name"], i["domain"], tuple(i["keywords"]), i["description"])
        for i in data["items"]
    )


@cache
def trained():
    return train(corpus("train"), entries())


@cache
def keywords():
    return build_keywords(entries())


def domains() -> dict[str, str]:
    return {e.code: e.domain for e in entries()}


@pytest.fixture(autouse=True)
def _clear_cache():
    django_cache.clear()
    yield


@pytest.fixture
def trained_version(db):
    from civicgrid.intake import services

    return services.classifier_retrain(actor=None)
