"""Cases over the API: intake with Idempotency-Key, queues and filters, the case with its
ledger, and every workflow verb through the same services as the pages."""

from __future__ import annotations

import pytest

from civicgrid.api.models import IdempotencyRecord
from civicgrid.cases import workflow
from civicgrid.cases.models import Case, CaseEvent, Supervision, WhistleResponse

from .conftest import POINT_A1, error_of

pytestmark = pytest.mark.django_db


def _new(world, **extra) -> dict:
    return {"item": world.tiny.item_community.pk, "text": "单元门禁损坏", **extra}


def test_create_case_at_a_point(world, as_user):
    client = as_user(world.tiny.worker_a1)
    body = _new(world, lon=POINT_A1[0], lat=POINT_A1[1], address="东门路1号")
    r = client.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    case = Case.objects.get(pk=data["id"])
    assert (case.grid, case.reporter, case.status) == (
        world.tiny.grid_a1,
        world.tiny.worker_a1,
        "reported",
    )
    assert data["number"] == case.number and data["grid"] == world.tiny.grid_a1.pk
    assert list(case.events.values_list("action", flat=True)) == ["report"]


def test_idempotency_key_returns_the_first_case(world, as_user):
    client = as_user(world.tiny.staff_a)
    body = _new(world, grid=world.tiny.grid_a1.pk)
    before = Case.objects.count()
    first = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-123")
    again = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-123")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == before + 1
    # The same key for a different request is refused, and creates nothing.
    other = client.post(
        "/api/v1/cases/", {**body, "text": "另一件事"}, format="json", HTTP_IDEMPOTENCY_KEY="k-123"
    )
    assert other.status_code == 422 and error_of(other)["code"] == "idempotency_key_reused"
    # Another user's identical key is their own.
    theirs = as_user(world.tiny.street_staff).post(
        "/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-123"
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    assert Case.objects.count() == before + 2


def test_idempotent_replay_even_when_the_record_is_lost(world, as_user):
    """The domain's own key (case_create) still returns the first case."""
    client = as_user(world.tiny.staff_a)
    body = _new(world, grid=world.tiny.grid_a1.pk)
    first = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="lost")
    IdempotencyRecord.objects.all().delete()
    again = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="lost")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]


def test_failed_create_is_not_remembered(world, as_user):
    client = as_user(world.tiny.staff_a)
    bad = client.post("/api/v1/cases/", {"item": 0}, format="json", HTTP_IDEMPOTENCY_KEY="fix-me")
    assert bad.status_code == 400
    good = client.post(
        "/api/v1/cases/", _new(world, grid=world.tiny.grid_a1.pk), HTTP_IDEMPOTENCY_KEY="fix-me"
    )
    assert good.status_code == 201


def test_bad_idempotency_key_is_400(world, as_user):
    r = as_user(world.tiny.staff_a).post(
        "/api/v1/cases/", _new(world, grid=world.tiny.grid_a1.pk), HTTP_IDEMPOTENCY_KEY="x" * 65
    )
    assert r.status_code == 400 and "Idempotency-Key" in error_of(r)["details"]


def test_create_in_a_foreign_grid_is_refused(world, as_user):
    before = Case.objects.count()
    r = as_user(world.tiny.staff_a).post(
        "/api/v1/cases/", _new(world, grid=world.tiny.grid_b1.pk), format="json"
    )
    assert r.status_code == 400 and "grid" in error_of(r)["details"]
    r = as_user(world.tiny.staff_a).post("/api/v1/cases/", _new(world), format="json")
    assert r.status_code == 400 and "location" in error_of(r)["details"]
    assert Case.objects.count() == before


def test_quick_handle_records_handles_and_resolves(world, as_user):
    body = _new(world, grid=world.tiny.grid_a1.pk, quick=True, quick_note="已当场清理")
    r = as_user(world.tiny.worker_a1).post("/api/v1/cases/", body, format="json")
    assert r.status_code == 201 and r.json()["status"] == "resolved"
    actions = list(Case.objects.get(pk=r.json()["id"]).events.values_list("action", flat=True))
    assert actions == ["report", "accept", "dispatch", "start", "resolve"]
    r = as_user(world.tiny.worker_a1).post(
        "/api/v1/cases/", {**body, "quick_note": ""}, format="json"
    )
    assert r.status_code == 400 and "quick_note" in error_of(r)["details"]


def test_queues_and_filters_match_the_page(world, as_user):
    client = as_user(world.tiny.staff_a)
    queues = {q["name"]: q["count"] for q in client.get("/api/v1/cases/queues/").json()}
    assert queues["dispatch"] == 2 and queues["in_progress"] == 0
    dispatch = client.get("/api/v1/cases/", {"queue": "dispatch"}).json()
    assert {c["id"] for c in dispatch["results"]} == {world.case_a.pk, world.case_a2.pk}
    mine = as_user(world.tiny.worker_a1).get("/api/v1/cases/", {"queue": "mine"}).json()
    assert [c["id"] for c in mine["results"]] == [world.case_a.pk]
    status = client.get("/api/v1/cases/", {"status": "accepted"}).json()
    assert status["count"] == 0
    by_domain = client.get("/api/v1/cases/", {"domain": "enforcement", "sort": "-created"}).json()
    assert [c["id"] for c in by_domain["results"]] == [world.case_a2.pk, world.case_a.pk]


def test_full_text_search(world, as_user):
    client = as_user(world.tiny.staff_a)
    found = client.get("/api/v1/cases/", {"q": "消防通道"}).json()
    assert [c["id"] for c in found["results"]] == [world.case_a.pk]
    by_number = client.get("/api/v1/cases/", {"q": world.case_a2.number}).json()
    assert [c["id"] for c in by_number["results"]] == [world.case_a2.pk]
    # Community B's matching case is not found by community A.
    assert client.get("/api/v1/cases/", {"q": "路灯"}).json()["count"] == 0


def test_detail_has_ledger_and_available_verbs(world, as_user):
    r = as_user(world.tiny.staff_a).get(f"/api/v1/cases/{world.case_a.pk}/")
    data = r.json()
    assert [e["action"] for e in data["events"]] == ["report"]
    assert {a["name"] for a in data["actions"]} == {"accept", "merge", "invalidate"}
    assert data["version"] == 1 and data["attachments"] == []
    # The part-time grid worker may look but not act.
    viewer = as_user(world.tiny.parttime_a1).get(f"/api/v1/cases/{world.case_a.pk}/").json()
    assert viewer["actions"] == []


def _act(client, case, verb, **body):
    return client.post(f"/api/v1/cases/{case.pk}/{verb}/", body, format="json")


def test_the_whole_loop_through_verbs(world, as_user):
    staff, worker = as_user(world.tiny.staff_a), as_user(world.tiny.worker_a1)
    case = world.case_a
    r = _act(staff, case, "accept", version=1)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = _act(staff, case, "dispatch", version=2, to_area=world.tiny.community_a.pk)
    assert r.json()["status"] == "dispatched"
    assert _act(staff, case, "start").json()["status"] == "in_progress"
    r = _act(staff, case, "resolve", note="")
    assert r.status_code == 400 and "note" in error_of(r)["details"]
    assert _act(staff, case, "resolve", note="已清理").json()["status"] == "resolved"
    r = _act(worker, case, "rate", rating="dissatisfied", note="没清干净")
    assert r.json()["status"] == "reopened"
    assert _act(staff, case, "start").json()["status"] == "in_progress"
    assert _act(staff, case, "resolve", note="再次清理").json()["status"] == "resolved"
    assert _act(worker, case, "rate", rating="satisfied").json()["status"] == "rated"
    r = _act(staff, case, "close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    actions = [e["action"] for e in r.json()["events"]]
    assert actions == [
        "report", "accept", "dispatch", "start", "resolve", "rate", "start", "resolve", "rate", "close",
    ]  # fmt: skip


def test_every_action_of_the_transition_table_has_a_verb(world, as_user):
    client = as_user(world.tiny.staff_a)
    for name in workflow.ACTIONS:
        r = client.post(f"/api/v1/cases/{world.case_b.pk}/{name}/", {}, format="json")
        assert r.status_code == 404, name  # routed (a foreign case), not an unknown path
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    for name in workflow.ACTIONS:
        assert f"/api/v1/cases/{{id}}/{name}/" in schema


def test_stale_version_is_409_and_changes_nothing(world, as_user):
    client = as_user(world.tiny.staff_a)
    assert _act(client, world.case_a, "accept", version=1).status_code == 200
    events = CaseEvent.objects.count()
    r = _act(client, world.case_a, "invalidate", version=1, note="重复")
    assert r.status_code == 409
    assert error_of(r)["code"] == "conflict" and "请刷新后重试" in error_of(r)["message"]
    world.case_a.refresh_from_db()
    assert world.case_a.status == "accepted" and CaseEvent.objects.count() == events


def test_illegal_transition_is_409_with_the_reason(world, as_user):
    r = _act(as_user(world.tiny.staff_a), world.case_a, "resolve", note="x")
    assert r.status_code == 409
    err = error_of(r)
    assert err["code"] == "transition_not_allowed" and "不能执行「办结」" in err["message"]


def test_wrong_actor_is_403(world, as_user):
    r = _act(as_user(world.tiny.parttime_a1), world.case_a, "accept")
    assert r.status_code == 403 and "受理" in error_of(r)["message"]
    world.case_a.refresh_from_db()
    assert world.case_a.status == "reported"


def test_foreign_case_verbs_are_404(world, as_user):
    r = _act(as_user(world.tiny.staff_b), world.case_a, "accept")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_dispatch_to_a_department_and_bad_targets(world, as_user):
    client = as_user(world.tiny.staff_a)
    case = world.case_a2
    _act(client, case, "accept")
    r = _act(client, case, "dispatch", to_unit=world.unit_a.pk)  # a school, not a department
    assert r.status_code == 400 and "to_unit" in error_of(r)["details"]
    r = _act(client, case, "dispatch", to_area=world.tiny.community_b.pk)
    assert r.status_code == 400 and "to_area" in error_of(r)["details"]
    r = _act(client, case, "dispatch", to_unit=world.tiny.dept_unit.pk)
    assert r.status_code == 200 and r.json()["handler_unit"] == world.tiny.dept_unit.pk
    handler = as_user(world.tiny.dept_handler)
    r = _act(handler, case, "return", note="不属于本部门")
    assert r.status_code == 200 and r.json()["status"] == "returned"


def test_merge_and_invalidate(world, as_user):
    client = as_user(world.tiny.staff_a)
    r = _act(client, world.case_a, "merge", merged_into=world.case_b.pk)  # not visible
    assert r.status_code == 400 and "merged_into" in error_of(r)["details"]
    r = _act(client, world.case_a, "merge", merged_into=world.case_a2.pk)
    assert r.status_code == 200 and r.json()["status"] == "merged"
    assert r.json()["merged_into"] == world.case_a2.pk
    r = _act(client, world.case_a2, "invalidate")
    assert r.status_code == 400
    assert _act(client, world.case_a2, "invalidate", note="非本辖区").json()["status"] == "invalid"


def test_escalate_moves_the_case_up(world, as_user):
    client = as_user(world.tiny.staff_a)
    _act(client, world.case_a, "accept")
    r = _act(client, world.case_a, "escalate", note="社区无法处置")
    assert r.status_code == 200 and r.json()["status"] == "escalated"
    assert r.json()["handler_area"] == world.tiny.street.pk


def test_whistle_report_and_rating(world, as_user):
    street, handler = as_user(world.tiny.street_staff), as_user(world.tiny.dept_handler)
    case = world.case_a
    url = f"/api/v1/cases/{case.pk}/whistle/"
    body = {"units": [world.tiny.dept_unit.pk], "report_hours": 4, "note": "请城管报到"}
    r = as_user(world.tiny.staff_a).post(url, body, format="json")
    assert r.status_code == 403  # only the street whistles
    r = street.post(url, {**body, "report_hours": 100}, format="json")
    assert r.status_code == 400 and "report_hours" in error_of(r)["details"]
    r = street.post(url, body, format="json")
    assert r.status_code == 200, r.content
    [call] = r.json()["whistles"]
    response_id = call["responses"][0]["id"]
    # The whistled department now sees the case and reports.
    assert handler.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    report = f"/api/v1/cases/{case.pk}/whistle-responses/{response_id}/report/"
    r = handler.post(report, {"text": "已到场"}, format="json")
    assert r.status_code == 200
    assert handler.post(report, {"text": "再报"}, format="json").status_code == 409
    rate = f"/api/v1/cases/{case.pk}/whistle-responses/{response_id}/rate/"
    assert street.post(rate, {"score": 6}, format="json").status_code == 400
    assert street.post(rate, {"score": 5, "comment": "及时"}, format="json").status_code == 200
    assert WhistleResponse.objects.get(pk=response_id).score == 5
    missing = f"/api/v1/cases/{case.pk}/whistle-responses/999999/report/"
    assert handler.post(missing, {"text": "x"}, format="json").status_code == 404


def test_supervision_and_answer(world, as_user):
    street, staff = as_user(world.tiny.street_staff), as_user(world.tiny.staff_a)
    case = world.case_a
    assert staff.post(f"/api/v1/cases/{case.pk}/supervise/", {"note": "x"}).status_code == 403
    r = street.post(f"/api/v1/cases/{case.pk}/supervise/", {"note": "请尽快处理"}, format="json")
    assert r.status_code == 200 and r.json()["supervised"] is True
    sup = Supervision.objects.get(case=case)
    answer = f"/api/v1/cases/{case.pk}/supervisions/{sup.pk}/answer/"
    viewer = as_user(world.tiny.parttime_a1)
    assert viewer.post(answer, {"answer": "x"}).status_code == 403
    r = staff.post(answer, {"answer": "已安排"}, format="json")
    assert r.status_code == 200 and r.json()["supervised"] is False


def test_locate_an_unlocated_case(world, as_user):
    from civicgrid.cases import services

    case = services.case_create(
        actor=world.tiny.staff_a,
        item=world.tiny.item_community,
        text="位置不明",
        community=world.tiny.community_a,
    )
    queue = as_user(world.tiny.staff_a).get("/api/v1/cases/", {"queue": "unlocated"}).json()
    assert case.pk in {c["id"] for c in queue["results"]}
    # The street holds an unlocated case; the community may not confirm its grid.
    r = as_user(world.tiny.staff_a).post(
        f"/api/v1/cases/{case.pk}/locate/", {"grid": world.tiny.grid_a2.pk}
    )
    assert r.status_code == 403
    client = as_user(world.tiny.street_staff)
    r = client.post(f"/api/v1/cases/{case.pk}/locate/", {"grid": 999999})
    assert r.status_code == 400 and "grid" in error_of(r)["details"]
    r = client.post(f"/api/v1/cases/{case.pk}/locate/", {"grid": world.tiny.grid_a2.pk})
    assert r.status_code == 200 and r.json()["located"] is True


def test_assessment_figures(world, as_user):
    client = as_user(world.tiny.street_staff)
    r = client.get("/api/v1/assessment/", {"by": "response_rate"})
    assert r.status_code == 200
    data = r.json()
    communities = {row["name"]: row for row in data["communities"]}
    assert communities["东门社区"]["received"] == 2 and communities["西门社区"]["received"] == 1
    assert [s["name"] for s in data["streets"]] == ["罗阳街道"]
    only_a = as_user(world.tiny.staff_a).get("/api/v1/assessment/").json()
    assert [c["name"] for c in only_a["communities"]] == ["东门社区"]
    assert client.get("/api/v1/assessment/", {"by": "nonsense"}).status_code == 400
