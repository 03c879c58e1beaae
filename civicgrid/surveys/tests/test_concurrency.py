"""Two submissions with the same personal link at the same moment: exactly one answer."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from civicgrid.core.errors import ApplicationError
from civicgrid.surveys.models import Invitation, Response
from civicgrid.surveys.services import questionnaires as svc

from .conftest import make_questionnaire

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submissions_at_once_give_one_answer(tiny, crowd):
    q = make_questionnaire(tiny)
    svc.sample_draw(actor=tiny.street_staff, questionnaire=q, area=tiny.street, size=3, seed="1")
    _inv, token = svc.questionnaire_publish(actor=tiny.street_staff, questionnaire=q)[0]
    questions = list(q.questions.order_by("position"))
    answers = {questions[0].pk: ["0"], questions[2].pk: ["5"]}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait()
            svc.response_submit(questionnaire=q, token=token, answers=answers)
            outcomes.append("ok")
        except ApplicationError as e:
            outcomes.append(e.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_answered", "ok"]
    assert Response.objects.filter(questionnaire=q).count() == 1
    assert Invitation.objects.filter(questionnaire=q, answered=True).count() == 1
