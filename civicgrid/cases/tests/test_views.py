import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicgrid.cases import services
from civicgrid.cases.choices import Status
from civicgrid.cases.models import Case, CaseAttachment

pytestmark = pytest.mark.django_db

PNG = (  # a valid 1 × 1 PNG (photos are decoded and re-encoded on upload)
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(client, user):
    client.force_login(user)
    return client


def _post_new(client, loop, **extra):
    data = {
        "item": loop.item_community.pk,
        "text": "井盖缺失",
        "lon": "114.005",
        "lat": "23.005",
        "idempotency_key": "abc123",
    }
    data.update(extra)
    return client.post(reverse("cases:new"), data)


def test_grid_worker_reports_with_photo_and_a_retry_creates_nothing(client, loop):
    login(client, loop.worker_a1)
    r = _post_new(client, loop, photos=SimpleUploadedFile("a.png", PNG, content_type="image/png"))
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.grid == loop.grid_a1 and CaseAttachment.objects.filter(case=case).count() == 1
    r2 = _post_new(client, loop, photos=SimpleUploadedFile("a.png", PNG, content_type="image/png"))
    assert (
        r2.status_code == 302 and Case.objects.count() == 1 and CaseAttachment.objects.count() == 1
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"item": ""}, "请选择事项类别"),
        ({"item": "999999"}, "未知的事项类别"),
        ({"text": ""}, "请填写情况描述"),
        ({"text": "长" * 4001}, "4000"),
        (
            {
                "photos": SimpleUploadedFile(
                    "x.png", b"not an image at all", content_type="image/png"
                )
            },
            "不是图片",
        ),
        ({"lon": "", "lat": ""}, "请在地图上选择位置或选择网格"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(client, loop, extra, message):
    login(client, loop.worker_a1)
    r = _post_new(client, loop, **extra)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0


def test_oversized_photo_is_refused(client, loop, settings):
    settings.CIVICGRID_PHOTO_MAX_BYTES = 100
    login(client, loop.worker_a1)
    r = _post_new(
        client,
        loop,
        photos=SimpleUploadedFile("big.png", PNG + b"\0" * 200, content_type="image/png"),
    )
    assert "超过" in r.content.decode() and Case.objects.count() == 0


def test_quick_handle_records_every_step(client, loop):
    login(client, loop.worker_a1)
    r = _post_new(client, loop, quick="on", quick_note="已当场盖好井盖")
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.status == Status.RESOLVED
    assert list(case.events.values_list("action", flat=True)) == [
        "report",
        "accept",
        "dispatch",
        "start",
        "resolve",
    ]


def test_other_community_cannot_open_or_act(client, loop):
    case = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="x", lon=114.005, lat=23.005
    )
    login(client, loop.staff_b)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    r = client.post(
        reverse("cases:act", args=[case.pk]), {"action": "accept", "version": case.version}
    )
    assert r.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.REPORTED


def test_stale_form_and_illegal_action_are_explained(client, loop):
    case = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="x", lon=114.005, lat=23.005
    )
    login(client, loop.staff_a)
    url = reverse("cases:act", args=[case.pk])
    client.post(url, {"action": "accept", "version": case.version})
    r = client.post(url, {"action": "accept", "version": case.version}, follow=True)
    assert "已被他人处理" in r.content.decode()
    r = client.post(
        url, {"action": "resolve", "version": case.version + 1, "note": "x"}, follow=True
    )
    assert "不能执行" in r.content.decode()
    assert Case.objects.get().status == Status.ACCEPTED


def test_queue_shows_only_scoped_cases_with_sla_colour(client, loop):
    services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="东门的事", lon=114.005, lat=23.005
    )
    services.case_create(
        actor=loop.staff_b, item=loop.item_community, text="西门的事", lon=114.025, lat=23.005
    )
    login(client, loop.staff_a)
    body = client.get(reverse("cases:queue_named", args=["all"])).content.decode()
    assert "东门的事" in body and "西门的事" not in body and "sla-green" in body


def test_queue_query_count_does_not_grow_with_rows(client, loop, django_assert_max_num_queries):
    for i in range(15):
        services.case_create(
            actor=loop.worker_a1, item=loop.item_community, text=f"事{i}", lon=114.005, lat=23.005
        )
    login(client, loop.staff_a)
    with django_assert_max_num_queries(25):
        r = client.get(reverse("cases:queue_named", args=["all"]))
    assert r.status_code == 200 and r.content.decode().count("/cases/") >= 15


def test_sniff_rejects_disguised_files():
    from civicgrid.cases.forms import sniff_image

    assert sniff_image(PNG[:16]) == "image/png"
    assert sniff_image(b"%PDF-1.7\n" + b"\0" * 8) is None
    assert sniff_image(io.BytesIO(b"RIFF\0\0\0\0WAVE").read()) is None


def test_queue_export_is_scoped_masked_and_audited(client, loop):
    import io as _io

    from openpyxl import load_workbook

    from civicgrid.core.models import AuditLog

    services.case_create(
        actor=loop.worker_a1,
        item=loop.item_community,
        text="东门的事",
        lon=114.005,
        lat=23.005,
        reporter_phone="13800138000",
    )
    services.case_create(
        actor=loop.staff_b, item=loop.item_community, text="西门的事", lon=114.025, lat=23.005
    )
    login(client, loop.staff_a)
    r = client.get(reverse("cases:queue_export", args=["all"]))
    assert r.status_code == 200
    rows = list(load_workbook(_io.BytesIO(r.content)).active.iter_rows(values_only=True))
    texts = [row[3] for row in rows[1:]]
    assert texts == ["东门的事"]
    assert rows[1][-1] == "138****8000"
    assert AuditLog.objects.filter(actor=loop.staff_a, action="export").count() == 1


def test_export_needs_the_capability(client, loop):
    login(client, loop.worker_a1)  # full-time grid workers may not export
    assert client.get(reverse("cases:queue_export", args=["all"])).status_code == 403


def test_assessment_page_and_excel(client, loop):
    services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="x", lon=114.005, lat=23.005
    )
    login(client, loop.street_staff)
    body = client.get(reverse("cases:assessment")).content.decode()
    assert loop.community_a.name in body and loop.community_b.name in body
    r = client.get(reverse("cases:assessment"), {"format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_whistle_report_and_supervision_through_the_pages(client, loop):
    from civicgrid.cases.models import Supervision, WhistleResponse

    case = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="x", lon=114.005, lat=23.005
    )
    url = lambda what: reverse("cases:oversight", args=[case.pk, what])  # noqa: E731
    login(client, loop.street_staff)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "吹哨" in page and "发起督办" in page
    client.post(url("whistle"), {"units": [loop.dept_unit.pk], "hours": "2", "note": "联合处置"})
    client.post(url("supervise"), {"note": "今日办结"})
    resp = WhistleResponse.objects.get()
    login(client, loop.dept_handler)
    assert "报到" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    client.post(url("report"), {"response": resp.pk, "text": "已到场"})
    login(client, loop.staff_a)
    client.post(url("answer"), {"supervision": Supervision.objects.get().pk, "answer": "已安排"})
    resp.refresh_from_db()
    assert resp.reported_at is not None and Supervision.objects.get().answered_at is not None
    login(client, loop.street_staff)
    client.post(url("rate_report"), {"response": resp.pk, "score": "4"})
    resp.refresh_from_db()
    assert resp.score == 4


def test_oversight_refusals_are_explained(client, loop):
    case = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="x", lon=114.005, lat=23.005
    )
    login(client, loop.staff_a)
    r = client.post(
        reverse("cases:oversight", args=[case.pk, "whistle"]),
        {"units": [loop.dept_unit.pk], "hours": "2", "note": "x"},
        follow=True,
    )
    assert "只有所在街道" in r.content.decode()
    r = client.post(
        reverse("cases:oversight", args=[case.pk, "whistle"]), {"hours": "x"}, follow=True
    )
    assert "有效的数字" in r.content.decode() or "只有所在街道" in r.content.decode()


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("路灯", {"小区路灯不亮"}),
        ("消防通道", {"楼道堆物堵塞消防通道"}),
        ("垃圾", set()),
        ("堵塞", {"楼道堆物堵塞消防通道"}),
    ],
)
def test_chinese_full_text_search_in_the_queue(client, loop, q, expected):
    for text in ("小区路灯不亮", "楼道堆物堵塞消防通道"):
        services.case_create(
            actor=loop.worker_a1, item=loop.item_community, text=text, lon=114.005, lat=23.005
        )
    services.case_create(
        actor=loop.staff_b, item=loop.item_community, text="西门路灯不亮", lon=114.025, lat=23.005
    )
    login(client, loop.staff_a)
    from civicgrid.cases import selectors

    qs = selectors.apply_filters(selectors.queue(user=loop.staff_a, name="all"), {"q": q})
    assert set(qs.values_list("text", flat=True)) == expected


def test_bulk_accept_goes_through_the_service_and_reports_refusals(client, loop):
    a = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="a", lon=114.005, lat=23.005
    )
    b = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="b", lon=114.005, lat=23.005
    )
    services.case_transition(actor=loop.staff_a, case=b, action="accept")
    other = services.case_create(
        actor=loop.staff_b, item=loop.item_community, text="c", lon=114.025, lat=23.005
    )
    login(client, loop.staff_a)
    r = client.post(
        reverse("cases:bulk"), {"action": "accept", "ids": [a.pk, b.pk, other.pk]}, follow=True
    )
    body = r.content.decode()
    assert "已批量受理 1 件" in body and "不能执行" in body and "1 件找不到或无权查看" in body
    a.refresh_from_db()
    other.refresh_from_db()
    assert a.status == "accepted" and other.status == "reported"
    assert a.events.filter(action="accept").count() == 1


def test_staff_record_a_hotline_call_with_the_callers_phone(client, loop):
    login(client, loop.staff_a)
    r = _post_new(
        client, loop, source="hotline", reporter_name="王女士", reporter_phone="13800138000"
    )
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.source == "hotline" and case.reporter_phone == "13800138000"
    r = _post_new(client, loop, idempotency_key="other", reporter_phone="12345")
    assert "11位" in r.content.decode() and Case.objects.count() == 1


def test_hotline_import_page(client, loop, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(
        "工单编号,诉求内容,事项编码,经度,纬度\nW1,噪音,TZ01-01,114.005,23.005\nW2,,TZ01-01,114.005,23.005\n",
        encoding="utf-8",
    )
    login(client, loop.staff_a)
    with path.open("rb") as f:
        body = client.post(reverse("cases:hotline_import"), {"file": f}).content.decode()
    assert "新建 0 件" in body and "<td>3</td><td>诉求内容</td>" in body
    with path.open("rb") as f:
        body = client.post(
            reverse("cases:hotline_import"), {"file": f, "partial": "on"}
        ).content.decode()
    assert "新建 1 件" in body and Case.objects.count() == 1
    login(client, loop.worker_a1)
    assert client.get(reverse("cases:hotline_import")).status_code == 403


def test_new_case_form_preselects_the_grid_from_the_grid_page(client, loop):
    login(client, loop.worker_a1)
    body = client.get(reverse("cases:new"), {"grid": loop.grid_a1.pk}).content.decode()
    assert f'<option value="{loop.grid_a1.pk}" selected>' in body


def test_queue_counts_in_two_queries_match_each_queue(loop, django_assert_num_queries):
    from civicgrid.cases import selectors

    a = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="a", lon=114.005, lat=23.005
    )
    services.case_create(
        actor=loop.worker_a1, item=loop.item_department, text="b", lon=114.015, lat=23.005
    )
    services.case_transition(actor=loop.staff_a, case=a, action="accept")
    for user in (loop.staff_a, loop.worker_a1, loop.dept_handler, loop.street_staff):
        user = type(user).objects.get(pk=user.pk)  # fresh scope cache
        selectors.queue_counts(user=user)  # warms the scope
        with django_assert_num_queries(2):
            counts = selectors.queue_counts(user=user)
        assert counts == {n: selectors.queue(user=user, name=n).count() for n in counts}
    assert selectors.queue_counts(user=loop.staff_a)["dispatch"] == 2


def test_pick_map_data_is_the_users_grids(client, loop):
    login(client, loop.worker_a1)
    names = {
        f["properties"]["name"]
        for f in client.get(reverse("cases:pick_map_data")).json()["features"]
    }
    assert names == {loop.grid_a1.name}
    login(client, loop.staff_b)
    names = {
        f["properties"]["name"]
        for f in client.get(reverse("cases:pick_map_data")).json()["features"]
    }
    assert names == {loop.grid_b1.name, loop.grid_b2.name}
