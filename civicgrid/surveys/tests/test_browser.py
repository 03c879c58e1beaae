"""In a real browser: a sampled resident answers on a phone through the personal link, then
staff see the results page with its charts drawn, the sample size and the margins of error."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from django.test import Client

from civicgrid.surveys.services import questionnaires as svc

from .conftest import make_questionnaire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    folder = Path(os.environ.get("CIVICGRID_SCREENSHOTS") or Path(tempfile.gettempdir()) / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_answer_on_a_phone_and_see_the_charts(live_server, browser, phone_page, tiny, crowd):
    q = make_questionnaire(tiny)
    svc.sample_draw(actor=tiny.street_staff, questionnaire=q, area=tiny.street, size=10, seed="b")
    pairs = svc.questionnaire_publish(actor=tiny.street_staff, questionnaire=q)
    questions = list(q.questions.order_by("position"))
    for _inv, token in pairs[1:4]:
        svc.response_submit(
            questionnaire=q, token=token, answers={questions[0].pk: ["1"], questions[2].pk: ["3"]}
        )

    page = phone_page
    page.goto(live_server.url + svc.answer_path(pairs[0][1]))
    assert page.locator("h1").inner_text() == q.title
    page.locator("#question-1 label.choice").first.click()
    page.locator("#question-3 .scale-point").nth(3).click()
    page.locator("#question-4 textarea").fill("希望路灯早点修好")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "surveys-answer-phone")
    page.locator("button[type=submit]").click()
    page.wait_for_selector("#answer-done")
    assert "提交成功" in page.locator("#answer-done").inner_text()
    # The same link again: refused.
    page.goto(live_server.url + svc.answer_path(pairs[0][1]))
    assert "已提交过" in page.locator("#answer-done").inner_text()
    assert q.responses.count() == 4

    client = Client()
    client.force_login(tiny.street_staff)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    desk = context.new_page()
    desk.goto(live_server.url + f"/surveys/q/{q.pk}/results/")
    desk.wait_for_selector(f"#chart-{questions[0].pk} svg")
    assert (
        desk.locator(".survey-chart svg").count() == 3
    )  # single, multiple, scale; not the text question
    assert desk.locator("#sample-size").inner_text() == "10"
    assert desk.locator("#responses").inner_text() == "4"
    assert desk.locator("#response-rate").inner_text() == "40.0%"
    moe = desk.locator("#result-q1 td.moe").first.inner_text()
    assert moe.startswith("±")
    assert "希望路灯早点修好" in desk.locator("#result-q4").inner_text()
    _shot(desk, "surveys-results")
    context.close()
