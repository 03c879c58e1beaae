"""Two people act on one case at once: exactly one wins, the other is told clearly."""

import threading

import pytest
from django.db import connection, connections

from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.core.errors import ApplicationError

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are tested on PostgreSQL")


def test_parallel_transitions_exactly_one_wins(loop):
    case = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="并发", lon=114.005, lat=23.005
    )
    version = case.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor, action, note):
        try:
            barrier.wait()
            services.case_transition(
                actor=actor,
                case=Case(pk=case.pk),
                action=action,
                note=note,
                expected_version=version,
            )
            outcomes.append("ok")
        except ApplicationError as e:
            outcomes.append(str(e.message))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(loop.staff_a, "accept", "")),
        threading.Thread(target=act, args=(loop.street_staff, "invalidate", "重复上报")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    loser = next(o for o in outcomes if o != "ok")
    assert "已被他人处理" in loser
    assert CaseEvent.objects.filter(case_id=case.pk).count() == 2  # report + the one winner
