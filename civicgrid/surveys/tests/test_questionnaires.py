"""Questionnaires: sampling, the one-time links, one answer per person, anonymity, results."""

from __future__ import annotations

import math

import pytest

from civicgrid.cases.models import Notification
from civicgrid.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from civicgrid.surveys import sampling
from civicgrid.surveys.models import AnswerItem, Invitation, Response
from civicgrid.surveys.selectors import questionnaires as sel
from civicgrid.surveys.services import questionnaires as svc

from .conftest import make_questionnaire

pytestmark = pytest.mark.django_db


def answers(q, single=0, multi=(0, 2), scale=4, text=""):
    qs = list(q.questions.order_by("position"))
    return {
        qs[0].pk: [str(single)],
        qs[1].pk: [str(m) for m in multi],
        qs[2].pk: [str(scale)] if scale is not None else [],
        qs[3].pk: [text] if text else [],
    }


def sample_of(q):
    from civicgrid.surveys.models import Sample

    return Sample.objects.get(questionnaire=q)


def sampled_ids(q):
    return list(q.invitations.order_by("sort_key").values_list("resident_id", flat=True))


def test_same_seed_same_sample_other_seed_other_sample(tiny, crowd, questionnaire):
    svc.sample_draw(
        actor=tiny.street_staff, questionnaire=questionnaire, area=tiny.street, size=10, seed="2026"
    )
    first = sampled_ids(questionnaire)
    svc.sample_draw(
        actor=tiny.street_staff, questionnaire=questionnaire, area=tiny.street, size=10, seed="2026"
    )
    assert sampled_ids(questionnaire) == first and len(first) == 10
    svc.sample_draw(
        actor=tiny.street_staff, questionnaire=questionnaire, area=tiny.street, size=10, seed="2027"
    )
    assert sampled_ids(questionnaire) != first
    sample = sample_of(questionnaire)
    assert sample.seed == "2027" and sample.frame_size == 40


def test_sample_is_the_smallest_sha256_keys(tiny, crowd, questionnaire):
    svc.sample_draw(
        actor=tiny.street_staff, questionnaire=questionnaire, area=tiny.street, size=5, seed="s1"
    )
    import hashlib

    by_hand = sorted(crowd, key=lambda r: hashlib.sha256(f"s1:{r.pk}".encode()).hexdigest())[:5]
    assert set(sampled_ids(questionnaire)) == {r.pk for r in by_hand}


def test_stratified_sample_allocates_in_proportion(tiny, crowd, questionnaire):
    svc.sample_draw(
        actor=tiny.street_staff,
        questionnaire=questionnaire,
        area=tiny.street,
        size=9,
        seed="x",
        stratify=True,
    )
    per_area = sorted(questionnaire.invitations.values_list("area_id", flat=True))
    assert per_area.count(tiny.community_a.pk) == 5 and per_area.count(tiny.community_b.pk) == 4
    assert sampling.allocate({1: 10, 2: 30}, 8) == {1: 2, 2: 6}


def test_filters_by_attention_and_age_band(tiny, crowd, questionnaire):
    svc.sample_draw(
        actor=tiny.street_staff,
        questionnaire=questionnaire,
        area=tiny.street,
        size=100,
        seed="a",
        filters={"attention_levels": ["red"]},
    )
    assert sample_of(questionnaire).frame_size == 8
    import datetime as dt

    svc.sample_draw(
        actor=tiny.street_staff,
        questionnaire=questionnaire,
        area=tiny.street,
        size=100,
        seed="a",
        filters={"age_min": 60},
        reference_date=dt.date(2026, 12, 1),
    )
    ages_ok = [r for r in crowd if r.birth_date <= dt.date(1966, 12, 1)]
    assert sample_of(questionnaire).frame_size == len(ages_ok)


def test_frame_stays_in_the_actors_scope(tiny, crowd):
    q = make_questionnaire(tiny, area=tiny.community_a, actor=tiny.staff_a)
    svc.sample_draw(actor=tiny.staff_a, questionnaire=q, area=tiny.community_a, size=100, seed="1")
    assert set(q.invitations.values_list("area_id", flat=True)) == {tiny.community_a.pk}
    with pytest.raises((NotFound, PermissionDenied, ValidationFailed)):
        svc.sample_draw(
            actor=tiny.staff_a, questionnaire=q, area=tiny.community_b, size=5, seed="1"
        )
    with pytest.raises(NotFound):
        svc.sample_draw(
            actor=tiny.staff_b, questionnaire=q, area=tiny.community_b, size=5, seed="1"
        )


def test_publish_sends_one_sms_per_person_and_records_it_without_the_token(
    tiny, crowd, questionnaire, django_capture_on_commit_callbacks, settings
):
    settings.CIVICGRID_NOTIFY_BACKEND = "civicgrid.surveys.tests.test_questionnaires.Outbox"
    Outbox.sent = []
    svc.sample_draw(
        actor=tiny.street_staff, questionnaire=questionnaire, area=tiny.street, size=6, seed="1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        pairs = svc.questionnaire_publish(actor=tiny.street_staff, questionnaire=questionnaire)
    assert len(pairs) == 6 and len(Outbox.sent) == 6
    tokens = [t for _i, t in pairs]
    assert all(any(t in m for _c, _r, m in Outbox.sent) for t in tokens)
    recorded = list(Notification.objects.filter(channel="sms").values_list("message", flat=True))
    assert len(recorded) == 6 and not any(t in m for t in tokens for m in recorded)
    assert not Invitation.objects.filter(token_hash__in=tokens).exists()  # only hashes are kept


class Outbox:
    sent: list = []

    def send(self, channel, recipient, message):
        Outbox.sent.append((channel, recipient, message))


@pytest.fixture
def published(tiny, crowd, questionnaire):
    svc.sample_draw(
        actor=tiny.street_staff, questionnaire=questionnaire, area=tiny.street, size=10, seed="1"
    )
    pairs = svc.questionnaire_publish(actor=tiny.street_staff, questionnaire=questionnaire)
    return questionnaire, pairs


def test_one_answer_per_person(published):
    q, pairs = published
    token = pairs[0][1]
    svc.response_submit(questionnaire=q, token=token, answers=answers(q))
    with pytest.raises(svc.AlreadyAnswered):
        svc.response_submit(questionnaire=q, token=token, answers=answers(q, single=1))
    assert Response.objects.filter(questionnaire=q).count() == 1
    assert (
        AnswerItem.objects.filter(question__questionnaire=q, option=1, question__position=1).count()
        == 0
    )


def test_bad_token_and_empty_required_answer_are_refused(published):
    q, pairs = published
    with pytest.raises(NotFound):
        svc.response_submit(questionnaire=q, token="nope", answers=answers(q))
    with pytest.raises(ValidationFailed) as e:
        svc.response_submit(questionnaire=q, token=pairs[0][1], answers=answers(q, scale=None))
    assert list(e.value.details) == [f"q{q.questions.get(position=3).pk}"]
    with pytest.raises(ValidationFailed):
        svc.response_submit(questionnaire=q, token=pairs[0][1], answers=answers(q, scale=6))
    with pytest.raises(ValidationFailed):
        svc.response_submit(questionnaire=q, token=pairs[0][1], answers=answers(q, single=9))
    # A refused sheet changes nothing: the person may still answer.
    assert not Invitation.objects.filter(questionnaire=q, answered=True).exists()
    svc.response_submit(questionnaire=q, token=pairs[0][1], answers=answers(q))


def test_anonymous_answer_cannot_be_linked_to_the_person(published):
    q, pairs = published
    inv, token = pairs[3]
    response = svc.response_submit(
        questionnaire=q, token=token, answers=answers(q, text="路灯坏了")
    )
    inv.refresh_from_db()
    assert inv.answered and inv.answered_at is None
    assert response.invitation_id is None and response.submitted_at is None
    assert isinstance(response.pk, type(response.pk)) and len(str(response.pk)) == 36  # a random id
    field_names = {f.name for f in Response._meta.get_fields()} | {
        f.name for f in AnswerItem._meta.get_fields()
    }
    assert "resident" not in field_names and "phone" not in field_names


def test_named_questionnaire_keeps_the_link(tiny, crowd):
    q = make_questionnaire(tiny, anonymous=False)
    svc.sample_draw(actor=tiny.street_staff, questionnaire=q, area=tiny.street, size=3, seed="1")
    inv, token = svc.questionnaire_publish(actor=tiny.street_staff, questionnaire=q)[0]
    response = svc.response_submit(questionnaire=q, token=token, answers=answers(q))
    assert response.invitation_id == inv.pk and response.submitted_at is not None


def test_margin_of_error_against_a_hand_computation(published):
    q, pairs = published
    # 4 answers: option 0 chosen by 3 of them, option 1 by 1.
    for i, (_inv, token) in enumerate(pairs[:4]):
        svc.response_submit(
            questionnaire=q, token=token, answers=answers(q, single=0 if i < 3 else 1)
        )
    r = sel.results(questionnaire=sel.questionnaire_get(user=q.created_by, pk=q.pk))
    assert r["population"] == 40 and r["invited"] == 10 and r["responses"] == 4
    assert r["response_rate"] == 40.0
    first = r["questions"][0]["rows"][0]
    # p = 0.75, n = 4, N = 40: 1.96 * sqrt(0.046875) * sqrt(36 / 39)
    #   = 1.96 * 0.216506 * 0.960769 = 0.40770
    by_hand = 1.96 * math.sqrt(0.75 * 0.25 / 4) * math.sqrt(36 / 39)
    assert abs(by_hand - 0.40770) < 1e-4
    assert first["pct"] == 75.0 and first["moe"] == 40.8
    assert sampling.margin_of_error(0.5, 400) == pytest.approx(0.049, abs=1e-4)
    assert sampling.margin_of_error(0.5, 100, 100) == 0.0


def test_satisfaction_index(published):
    q, pairs = published
    for scale, (_inv, token) in zip([5, 4, 3, 1], pairs, strict=False):
        svc.response_submit(questionnaire=q, token=token, answers=answers(q, scale=scale))
    idx = sel.satisfaction_index(q)
    # (100 + 75 + 50 + 0) / 4
    assert idx["value"] == 56.2 or idx["value"] == 56.3


def test_open_questionnaire_once_per_session(tiny):
    q = make_questionnaire(tiny, mode="open")
    svc.questionnaire_publish(actor=tiny.street_staff, questionnaire=q)
    svc.response_submit(questionnaire=q, open_key="session-1", answers=answers(q))
    with pytest.raises(svc.AlreadyAnswered):
        svc.response_submit(questionnaire=q, open_key="session-1", answers=answers(q))
    svc.response_submit(questionnaire=q, open_key="session-2", answers=answers(q))
    assert q.responses.count() == 2
    assert sel.results(questionnaire=q)["questions"][0]["rows"][0]["moe"] is None


def test_published_questionnaire_cannot_change(published):
    q, _pairs = published
    with pytest.raises(ApplicationError):
        svc.question_add(actor=q.created_by, questionnaire=q, kind="text", text="再加一题")


def test_case_reporters_frame_draws_reporters_of_resolved_cases(loop, registry):
    from civicgrid.cases import services as case_services
    from civicgrid.people.models import Resident

    tiny = loop
    phones = ["13800138000", "13911112222", "13911112222", "13733334444"]  # one repeats
    for i, phone in enumerate(phones):
        case_services.case_quick_handle(
            actor=tiny.worker_a1,
            item=tiny.item_community,
            text=f"楼道堆物{i}",
            note="已清理",
            lon=114.005,
            lat=23.005,
            reporter_name="某居民",
            reporter_phone=phone,
        )
    case_services.case_create(
        actor=tiny.worker_a1,
        item=tiny.item_community,
        text="未办结",
        lon=114.005,
        lat=23.005,
        reporter_phone="13655556666",
    )
    q = make_questionnaire(tiny)
    sample = svc.sample_draw(
        actor=tiny.street_staff,
        questionnaire=q,
        area=tiny.street,
        size=10,
        seed="7",
        frame_kind="case_reporters",
        filters={"resolved_from": "2000-01-01"},
    )
    assert sample.frame_size == 3 and q.invitations.count() == 3
    # The reporter whose phone is in the registry is linked to the resident.
    linked = q.invitations.exclude(resident=None).values_list("resident_id", flat=True)
    assert list(linked) == [Resident.objects.get(name="张建国").pk]
    again = [i.sort_key for i in q.invitations.order_by("sort_key")]
    svc.sample_draw(
        actor=tiny.street_staff,
        questionnaire=q,
        area=tiny.street,
        size=10,
        seed="7",
        frame_kind="case_reporters",
        filters={"resolved_from": "2000-01-01"},
    )
    assert [i.sort_key for i in q.invitations.order_by("sort_key")] == again
    # Out of the staff's scope: community B's staff finds nobody.
    q_b = make_questionnaire(tiny, area=tiny.community_b, actor=tiny.staff_b)
    with pytest.raises(ValidationFailed):
        svc.sample_draw(
            actor=tiny.staff_b,
            questionnaire=q_b,
            area=tiny.community_b,
            size=5,
            seed="1",
            frame_kind="case_reporters",
        )
