import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.cases import oversight, services
from civicgrid.cases.choices import SlaState, Status
from civicgrid.cases.models import Case, Department, Notification
from civicgrid.cases.tasks import sweep
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_departments(loop):
    police = Unit.objects.create(name="县公安局", kind=UnitKind.DEPARTMENT, area=loop.county)
    Department.objects.create(unit=police, department_type="public_security", county=loop.county)
    loop.police = police
    loop.police_handler = make_user(Role.DEPARTMENT_HANDLER, unit=police, username="police")
    return loop


def _case(loop):
    return services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="油烟扰民", lon=114.005, lat=23.005
    )


def test_whistle_report_late_and_rating(two_departments):
    loop = two_departments
    case = _case(loop)
    call = oversight.whistle_blow(
        actor=loop.street_staff,
        case=case,
        units=[loop.dept_unit, loop.police],
        report_hours=2,
        note="多部门联合处置",
    )
    on_time, late = call.responses.get(unit=loop.dept_unit), call.responses.get(unit=loop.police)
    # Whistled departments can now see the case.
    assert Case.objects.restrict(loop.police_handler).filter(pk=case.pk).exists()
    oversight.whistle_report(actor=loop.dept_handler, response=on_time, text="已到场")
    late.due = timezone.now() - dt.timedelta(minutes=1)
    late.save()
    assert sweep()["late_whistle"] == 1
    oversight.whistle_report(actor=loop.police_handler, response=late, text="迟到")
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.late and not on_time.late
    oversight.whistle_rate(actor=loop.street_staff, response=late, score=2, comment="响应慢")
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["report", "whistle", "whistle_report", "whistle_report", "whistle_rate"]


def test_only_street_staff_blow_and_only_called_departments_report(two_departments):
    loop = two_departments
    case = _case(loop)
    with pytest.raises(PermissionDenied):
        oversight.whistle_blow(
            actor=loop.staff_a, case=case, units=[loop.police], report_hours=2, note="x"
        )
    call = oversight.whistle_blow(
        actor=loop.street_staff, case=case, units=[loop.police], report_hours=2, note="x"
    )
    with pytest.raises(NotFound):
        oversight.whistle_report(
            actor=loop.dept_handler, response=call.responses.get(), text="不是我"
        )
    with pytest.raises(ValidationFailed):
        oversight.whistle_blow(
            actor=loop.street_staff, case=case, units=[], report_hours=2, note="x"
        )


def test_supervision_from_the_tier_above_must_be_answered(loop):
    case = _case(loop)
    with pytest.raises(PermissionDenied):
        oversight.supervise(actor=loop.staff_a, case=case, note="快办")
    with pytest.raises(NotFound):
        oversight.supervise(actor=loop.staff_b, case=case, note="快办")
    sup = oversight.supervise(actor=loop.street_staff, case=case, note="请今日办结")
    case.refresh_from_db()
    assert case.supervised
    oversight.supervision_answer(actor=loop.staff_a, supervision=sup, answer="已安排清理")
    case.refresh_from_db()
    assert not case.supervised
    assert list(case.events.values_list("action", flat=True))[-2:] == [
        "supervise",
        "supervision_answer",
    ]


def test_sweep_marks_yellow_and_red_from_stored_deadlines(loop):
    a, b, c = _case(loop), _case(loop), _case(loop)
    now = timezone.now()
    Case.objects.filter(pk=a.pk).update(resolve_due=now - dt.timedelta(hours=1))
    Case.objects.filter(pk=b.pk).update(
        warn_at=now - dt.timedelta(minutes=5), resolve_due=now + dt.timedelta(hours=1)
    )
    result = sweep(now)
    assert result["overdue"] == 1 and result["warned"] == 1
    states = dict(Case.objects.values_list("pk", "sla_state"))
    assert states == {a.pk: SlaState.OVERDUE, b.pk: SlaState.WARNING, c.pk: SlaState.ON_TIME}
    assert Notification.objects.filter(case=a, message__contains="超期").exists()
    assert sweep(now)["overdue"] == 0  # idempotent


def test_sweep_closes_unrated_after_n_days(loop, settings):
    settings.CIVICGRID_RATING_DAYS = 7
    case = _case(loop)
    for action, kw in [
        ("accept", {}),
        ("dispatch", {}),
        ("start", {}),
        ("resolve", {"note": "ok"}),
    ]:
        case = services.case_transition(actor=loop.staff_a, case=case, action=action, **kw)
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(days=8))
    assert sweep()["closed_unrated"] == 1
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.rating == "none"
    assert case.events.last().actor is None


def test_reporter_is_told_of_each_step(loop):
    case = services.case_create(
        actor=loop.resident_user,
        item=loop.item_community,
        text="路灯不亮",
        lon=114.005,
        lat=23.005,
        source="resident",
    )
    services.case_transition(actor=loop.staff_a, case=case, action="accept")
    messages = list(
        Notification.objects.filter(user=loop.resident_user).values_list("message", flat=True)
    )
    assert len(messages) == 2 and case.number in messages[0] and "受理" in messages[0] + messages[1]


def test_joint_handling_creates_lead_and_assist_tasks(two_departments):
    loop = two_departments
    item = loop.item_department
    item.mode, item.assist_departments = "departments_joint", ["public_security"]
    item.save()
    case = services.case_create(
        actor=loop.worker_a1, item=item, text="占道经营引发冲突", lon=114.005, lat=23.005
    )
    case = services.case_transition(actor=loop.staff_a, case=case, action="accept")
    case = services.case_transition(actor=loop.staff_a, case=case, action="dispatch")
    roles = dict(case.tasks.values_list("unit__name", "role"))
    assert roles == {"县城市管理和综合执法局": "lead", "县公安局": "assist"}
    assist = case.tasks.get(role="assist")
    assert Case.objects.restrict(loop.police_handler).filter(pk=case.pk).exists()
    services.task_reply(actor=loop.police_handler, task=assist, reply="已派民警到场")
    with pytest.raises(NotFound):
        services.task_reply(actor=loop.police_handler, task=case.tasks.get(role="lead"), reply="x")
    # Only the lead department resolves the case.
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=loop.police_handler, case=case, action="start")
    case = services.case_transition(actor=loop.dept_handler, case=case, action="start")
    case = services.case_transition(
        actor=loop.dept_handler, case=case, action="resolve", note="联合执法完毕"
    )
    assert case.status == Status.RESOLVED
