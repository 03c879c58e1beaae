import pytest

from civicgrid.cases import services
from civicgrid.cases.choices import Rating, Status
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def _create(loop, **kw):
    params = {
        "actor": loop.worker_a1,
        "item": loop.item_community,
        "text": "3栋楼道堆满杂物",
        "lon": 114.005,
        "lat": 23.005,
    }
    params.update(kw)
    return services.case_create(**params)


def test_create_routes_to_grid_and_community(loop):
    case = _create(loop)
    assert case.grid == loop.grid_a1 and case.area == loop.community_a
    assert case.handler_area == loop.community_a and case.handler_unit is None
    assert case.status == Status.REPORTED and case.number
    assert case.accept_due > case.created_at and case.resolve_due > case.accept_due
    assert list(case.events.values_list("action", "to_status")) == [("report", Status.REPORTED)]


def test_department_item_routes_to_department(loop):
    case = _create(loop, item=loop.item_department)
    assert case.handler_unit == loop.dept_unit and case.handler_area is None


def test_idempotency_key_returns_first_case(loop):
    a = _create(loop, idempotency_key="k-1")
    b = _create(loop, idempotency_key="k-1", text="different text")
    assert a.pk == b.pk
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


def test_point_outside_every_grid_goes_to_unlocated_queue(loop):
    case = _create(loop, lon=114.045, lat=23.005)
    assert not case.located and case.grid is None
    assert case.suggested_grid == loop.grid_b2
    assert case.handler_area == loop.street
    services.case_locate(actor=loop.street_staff, case=case, grid=loop.grid_b2)
    case.refresh_from_db()
    assert case.located and case.grid == loop.grid_b2 and case.handler_area == loop.community_b


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "字" * 4001}, "text"),
        ({"lon": None, "lat": None}, "location"),
        ({"item": None}, "item"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(loop, kwargs, field):
    with pytest.raises(ValidationFailed) as exc:
        _create(loop, **kwargs)
    assert field in exc.value.details
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_the_whole_loop_with_return_and_reopen(loop):
    case = _create(loop, item=loop.item_department, actor=loop.resident_user, source="resident")
    step = services.case_transition
    case = step(actor=loop.staff_a, case=case, action="accept")
    case = step(actor=loop.staff_a, case=case, action="dispatch")
    assert case.handler_unit == loop.dept_unit
    case = step(actor=loop.dept_handler, case=case, action="return", note="不属于本部门职责")
    assert case.status == Status.RETURNED
    case = step(actor=loop.staff_a, case=case, action="dispatch", to_unit=loop.dept_unit)
    case = step(actor=loop.dept_handler, case=case, action="start")
    case = step(actor=loop.dept_handler, case=case, action="resolve", note="已清理")
    case = step(
        actor=loop.resident_user,
        case=case,
        action="rate",
        rating=Rating.DISSATISFIED,
        note="没清干净",
    )
    assert (
        case.status == Status.REOPENED
        and case.handler_unit == loop.dept_unit
        and case.reopen_count == 1
    )
    case = step(actor=loop.dept_handler, case=case, action="start")
    case = step(actor=loop.dept_handler, case=case, action="resolve", note="再次清理")
    case = step(actor=loop.resident_user, case=case, action="rate", rating=Rating.SATISFIED)
    case = step(actor=loop.staff_a, case=case, action="close")
    assert case.status == Status.CLOSED
    assert list(case.events.values_list("action", flat=True)) == [
        "report",
        "accept",
        "dispatch",
        "return",
        "dispatch",
        "start",
        "resolve",
        "rate",
        "start",
        "resolve",
        "rate",
        "close",
    ]


def test_illegal_transition_is_refused_with_reason(loop):
    case = _create(loop)
    with pytest.raises(Conflict) as exc:
        services.case_transition(actor=loop.staff_a, case=case, action="resolve", note="x")
    assert "已上报" in str(exc.value.message)
    case.refresh_from_db()
    assert case.status == Status.REPORTED and case.events.count() == 1


def test_actor_outside_scope_is_refused(loop):
    case = _create(loop)
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=loop.staff_b, case=case, action="accept")
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=loop.dept_handler, case=case, action="accept")


def test_return_needs_a_reason(loop):
    case = _create(loop, item=loop.item_department)
    case = services.case_transition(actor=loop.staff_a, case=case, action="accept")
    case = services.case_transition(actor=loop.staff_a, case=case, action="dispatch")
    with pytest.raises(ValidationFailed):
        services.case_transition(actor=loop.dept_handler, case=case, action="return", note=" ")


def test_stale_form_is_refused(loop):
    case = _create(loop)
    seen_version = case.version
    services.case_transition(
        actor=loop.staff_a, case=case, action="accept", expected_version=seen_version
    )
    with pytest.raises(Conflict):
        services.case_transition(
            actor=loop.street_staff,
            case=case,
            action="invalidate",
            note="重复",
            expected_version=seen_version,
        )


def test_escalation_moves_up_a_tier_and_keeps_history(loop):
    case = _create(loop)
    case = services.case_transition(actor=loop.staff_a, case=case, action="accept")
    case = services.case_transition(
        actor=loop.staff_a, case=case, action="escalate", note="社区无法处理"
    )
    assert case.status == Status.ESCALATED and case.handler_area == loop.street
    case = services.case_transition(
        actor=loop.street_staff, case=case, action="dispatch", to_unit=loop.dept_unit
    )
    assert case.handler_unit == loop.dept_unit
    assert case.events.filter(action="escalate").get().data["to_area"] == loop.street.name


def test_merge_into_another_case(loop):
    a = _create(loop)
    b = _create(loop, text="同一楼道堆物")
    b = services.case_transition(actor=loop.staff_a, case=b, action="merge", merged_into=a)
    assert b.status == Status.MERGED and b.merged_into == a


def test_unrated_resolved_case_closes_as_no_rating(loop):
    case = _create(loop)
    for action, kw in [
        ("accept", {}),
        ("dispatch", {}),
        ("start", {}),
        ("resolve", {"note": "ok"}),
    ]:
        actor = loop.staff_a
        case = services.case_transition(actor=actor, case=case, action=action, **kw)
    case = services.case_transition(actor=loop.staff_a, case=case, action="close")
    assert case.status == Status.CLOSED and case.rating == Rating.NONE
