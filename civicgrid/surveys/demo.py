"""Demo data of the surveys app (DEMO ONLY): a satisfaction survey with a sample and answers,
a question bank with a test and results, two secretaries with projects, a public-welfare round
with a market. Written through the services, so every rule holds for it too."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from civicgrid.geo.models import Area
from civicgrid.orgs.choices import OrgKind, UnitKind
from civicgrid.orgs.models import PartyOrganization, RoleAssignment, Unit

from .models import PaperItem
from .services import questionnaires as qsvc
from .services import secretaries as ssvc
from .services import training as tsvc
from .services import welfare as wsvc

BANK = [
    (
        "single",
        "网格员在巡查中发现问题,第一步应当?",
        ["登记上报", "等待居民投诉", "自行处置不记录"],
        [0],
        "三个第一:第一时间记录、处置、报告。",
    ),
    (
        "single",
        "三色管理中“红色”表示?",
        ["常态", "关注", "重点"],
        [2],
        "红色为重点对象,须加密走访。",
    ),
    (
        "multiple",
        "以下属于特殊对象的有?",
        ["独居老人", "残疾人", "低保户", "企业法人"],
        [0, 1, 2],
        "企业法人不属于特殊对象。",
    ),
    (
        "true_false",
        "党员中心户一般联系 2–3 名信息员。",
        [],
        [0],
        "每名中心户带 2–3 名信息员,每名信息员联系约 30 户。",
    ),
    ("true_false", "办结的事件无需回访诉求人。", [], [1], "谁提诉求、向谁反馈、由谁评价。"),
    (
        "single",
        "社区级事项的办理方式是?",
        ["村社区直办", "区直部门领办", "委领导研办"],
        [0],
        "三级六办:三级事项由社区直接办理。",
    ),
    (
        "multiple",
        "“双报到”的报到主体包括?",
        ["单位党组织", "在职党员", "物业公司经理"],
        [0, 1],
        "单位党组织向所在社区报到,在职党员向居住社区报到。",
    ),
    (
        "single",
        "述职评议的群众满意度来自?",
        ["抽样问卷调查", "书记自评", "领导印象"],
        [0],
        "年底以现场述职和抽样问卷调查落实责任。",
    ),
]


def _user(username: str, name: str):
    from civicgrid.demo.logins import DEMO_PASSWORD

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed(*, street: Area, rng_seed: int = 2026) -> dict:
    rng = random.Random(rng_seed)
    communities = list(street.children.order_by("code")[:2])
    now = timezone.now()
    year = timezone.localdate().year
    counts: dict[str, int] = {}

    # 1. A satisfaction survey of the street's residents, sampled, answered by about 60 %.
    q = qsvc.questionnaire_create(
        actor=None,
        area=street,
        title=f"{year} 年度社区服务满意度调查",
        purpose="annual_review",
        anonymous=True,
        description="用于年度述职评议,匿名填写,约 2 分钟。",
    )
    qsvc.question_add(
        actor=None,
        questionnaire=q,
        kind="single",
        text="您是否了解本社区书记领办的项目?",
        options=["了解", "听说过", "不了解"],
    )
    qsvc.question_add(
        actor=None,
        questionnaire=q,
        kind="multiple",
        text="您最希望改进哪些方面?(可多选)",
        options=["环境卫生", "停车管理", "养老服务", "治安巡逻", "物业服务"],
        required=False,
    )
    qsvc.question_add(
        actor=None,
        questionnaire=q,
        kind="scale",
        text="您对社区服务的总体满意度",
        scale_max=5,
        satisfaction=True,
    )
    qsvc.question_add(
        actor=None,
        questionnaire=q,
        kind="scale",
        text="您对网格员走访服务的满意度",
        scale_max=10,
        satisfaction=True,
    )
    qsvc.question_add(
        actor=None, questionnaire=q, kind="text", text="您的意见和建议", required=False
    )
    sample = qsvc.sample_draw(
        actor=None, questionnaire=q, area=street, size=80, seed=str(year), stratify=True
    )
    pairs = qsvc.questionnaire_publish(actor=None, questionnaire=q)
    questions = list(q.questions.order_by("position"))
    suggestions = [
        "希望增加小区停车位",
        "楼道灯经常不亮",
        "网格员很负责",
        "希望多组织老年活动",
        "垃圾分类点太远",
    ]
    answered = 0
    for _inv, token in pairs:
        if rng.random() > 0.6:
            continue
        answers = {
            questions[0].pk: [str(rng.choice([0, 0, 1, 1, 2]))],
            questions[1].pk: [str(i) for i in sorted(rng.sample(range(5), rng.randint(0, 2)))],
            questions[2].pk: [str(rng.choice([3, 4, 4, 5, 5, 2]))],
            questions[3].pk: [str(rng.choice([6, 7, 8, 8, 9, 10]))],
            questions[4].pk: [rng.choice(suggestions)] if rng.random() < 0.3 else [],
        }
        qsvc.response_submit(questionnaire=q, token=token, answers=answers)
        answered += 1
    counts["questionnaire_sample"] = sample.size
    counts["questionnaire_answers"] = answered

    # 2. A question bank, a paper and results of the street's staff.
    bank = tsvc.bank_create(actor=None, area=street, name="网格业务与党务知识题库", topic="grid")
    for kind, text, options, answer, explanation in BANK:
        tsvc.bank_item_add(
            actor=None,
            bank=bank,
            kind=kind,
            text=text,
            options=options,
            answer=answer,
            explanation=explanation,
        )
    paper = tsvc.paper_create(
        actor=None,
        bank=bank,
        area=street,
        title=f"{year} 年岗位练兵业务知识测试",
        question_count=6,
        time_limit_minutes=15,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=30),
        seed="demo",
        training_hours=2,
    )
    staff_ids = (
        RoleAssignment.objects.filter(active=True)
        .filter(area__path__startswith=street.path)
        .values_list("user_id", flat=True)
        .distinct()
    )
    User = get_user_model()
    sat = 0
    for user in (
        User.objects.filter(pk__in=list(staff_ids))
        .exclude(username__in=["demo_community", "demo_street"])
        .order_by("id")[:8]
    ):
        attempt = tsvc.attempt_start(actor=user, paper=paper)
        answers = {}
        for pi in PaperItem.objects.filter(paper=paper).select_related("item"):
            right = pi.item.answer
            answers[pi.pk] = right if rng.random() < 0.75 else [0 if right != [0] else 1]
        tsvc.attempt_submit(actor=user, attempt=attempt, answers=answers)
        sat += 1
    counts["test_attempts"] = sat

    # 3. Two community secretaries with projects, lists, a meeting and the annual review.
    secretaries = []
    titles = [
        ("老旧小区加装电梯", "年内完成 6 个单元加装电梯"),
        ("红色物业联建", "三方议事会每月召开,物业投诉下降 30%"),
    ]
    for i, community in enumerate(communities):
        org = PartyOrganization.objects.filter(
            area=community, kind=OrgKind.COMMUNITY_BIG_COMMITTEE
        ).first()
        if org is None:
            org = PartyOrganization.objects.filter(area=community).order_by("path").first()
        if org is None:
            continue
        sec = ssvc.secretary_appoint(
            actor=None, user=_user(f"demo_secretary{i + 1}", f"书记{i + 1}"), organization=org
        )
        secretaries.append(sec)
        title, goal = titles[i % 2]
        p = ssvc.project_create(
            actor=None, secretary=sec, title=f"{community.name}{title}", goal=goal, year=year
        )
        for j, (mt, months) in enumerate(
            (("摸底调研", 1), ("方案公示", 3), ("实施", 7), ("验收", 11))
        ):
            m = ssvc.milestone_add(
                actor=None, project=p, title=mt, due_on=dt.date(year, months, 28)
            )
            if j < 2:
                ssvc.milestone_set_done(
                    actor=None, milestone=m, done=True, on=dt.date(year, months, 20)
                )
        for month, pct, text in (
            (1, 10, "完成摸底,走访 120 户"),
            (3, 35, "方案公示无异议"),
            (6, 55, "首批 2 台开工"),
        ):
            ssvc.progress_report(
                actor=None, project=p, month=dt.date(year, month, 1), text=text, percent=pct
            )
        ssvc.responsibility_add(
            actor=None,
            secretary=sec,
            kind="responsibility",
            title="落实党建目标责任书",
            due_on=dt.date(year, 12, 31),
        )
        ssvc.responsibility_add(
            actor=None,
            secretary=sec,
            kind="task",
            title="每月走访党员中心户",
            due_on=dt.date(year, 12, 31),
        )
    ssvc.meeting_record(
        actor=None,
        area=street,
        held_on=dt.date(year, 3, 31),
        title="一季度片区会",
        notes="通报书记领办项目进度;协调加装电梯资金。",
    )
    rnd = ssvc.review_round_create(
        actor=None,
        area=street,
        year=year,
        title=f"{year} 年度社区书记述职评议",
        criteria=[("抓党建", 30), ("抓治理", 30), ("抓服务", 20), ("作风建设", 20)],
        questionnaire=q,
    )
    reviewer = User.objects.filter(username="demo_street").first()
    for k, sec in enumerate(secretaries):
        ssvc.review_report_submit(
            actor=None, round=rnd, secretary=sec, text="一年来,坚持党建引领,领办项目按期推进……"
        )
        if reviewer is not None:
            crit = list(rnd.criteria.all())
            ssvc.review_score(
                actor=reviewer,
                round=rnd,
                secretary=sec,
                scores={c.pk: c.max_score - (k + 1) * (c.position + 1) // 2 for c in crit},
            )
    counts["secretaries"] = len(secretaries)

    # 4. A public-welfare round with projects, donations and the market.
    wround = wsvc.round_create(actor=None, area=street, year=year, title=f"{year} 年公益创投大赛")
    home = communities[0] if communities else street
    social = Unit.objects.filter(
        kind=UnitKind.SOCIAL_ORG, area__path__startswith=street.path
    ).first() or Unit.objects.create(name="邻里互助服务社", kind=UnitKind.SOCIAL_ORG, area=home)
    firm = Unit.objects.filter(kind=UnitKind.FIRM, area__path__startswith=street.path).first()
    p1 = wsvc.project_propose(
        actor=None,
        round=wround,
        organization=social,
        area=home,
        title="独居老人助餐服务",
        summary="为 60 名独居老人每周送餐三次。",
        budget="36000",
    )
    wsvc.project_review(actor=None, project=p1, approve=True, reason="需求明确,预算合理")
    wsvc.donation_record(
        actor=None,
        project=p1,
        donor_unit=firm,
        donor_name="" if firm else "爱心企业",
        amount="12000",
        received_on=dt.date(year, 4, 10),
    )
    wsvc.donation_record(
        actor=None,
        project=p1,
        donor_name="热心居民王先生",
        amount="800",
        received_on=dt.date(year, 4, 12),
    )
    wsvc.project_progress(actor=None, project=p1, percent=60, beneficiaries=58)
    wsvc.welfare_milestone_add(actor=None, project=p1, title="中期评估", due_on=dt.date(year, 7, 1))
    wsvc.project_propose(
        actor=None,
        round=wround,
        organization=social,
        area=home,
        title="四点半课堂",
        summary="放学后托管与作业辅导。",
        budget="20000",
    )
    market = wsvc.market_create(
        actor=None, round=wround, held_on=dt.date(year, 9, 5), place="善集公益一条街"
    )
    wsvc.stall_add(
        actor=None, market=market, organization=social, project=p1, note="助餐服务展示与志愿者招募"
    )
    if firm:
        wsvc.stall_add(actor=None, market=market, organization=firm, note="企业认捐")
    wsvc.market_results(
        actor=None, market=market, funds_raised="25600", projects_matched=4, volunteers_recruited=37
    )
    counts["welfare_projects"] = 2
    return counts
