"""The default evaluation forms (one per direction), loaded by a data migration; the
organisation department edits them in the admin."""

from __future__ import annotations

from decimal import Decimal

from .choices import Direction

DEFAULT_FORMS = {
    Direction.UNIT_TO_COMMUNITY: (
        "报到单位评价社区党组织",
        [
            ("组织领导有力", "社区党组织统筹区域党建、组织共建的情况", 10, "1.5"),
            ("服务群众到位", "为民服务事项办理、群众满意情况", 10, "1.5"),
            ("共建活动组织", "组织报到单位参加共建活动的情况", 10, "1"),
            ("资源共享开放", "阵地、场地等资源向单位开放的情况", 10, "1"),
            ("对接沟通顺畅", "需求发布、对接反馈是否及时", 10, "1"),
        ],
    ),
    Direction.COMMUNITY_TO_UNIT: (
        "社区评价报到单位党组织",
        [
            ("报到履约情况", "按共建协议履约、报到服务的情况", 10, "1.5"),
            ("参与区域共建", "参加社区共建活动、联席会议的情况", 10, "1.5"),
            ("认领项目完成", "认领需求、微心愿、服务项目的完成情况", 10, "1"),
            ("资源开放共享", "单位资源向社区开放的情况", 10, "1"),
            ("党员报到服务", "本单位在职党员到社区报到服务的情况", 10, "1"),
        ],
    ),
    Direction.COMMUNITY_TO_MEMBER: (
        "社区评价报到党员",
        [
            ("亮身份践承诺", "亮明党员身份、兑现服务承诺", 10, "1"),
            ("参加社区活动", "参加社区组织生活和主题党日", 10, "1"),
            ("认领微心愿", "认领并完成群众微心愿", 10, "1"),
            ("志愿服务表现", "志愿服务时长与群众评价", 10, "1"),
        ],
    ),
}


def load_default_forms(form_model=None, criterion_model=None) -> None:
    """Create each default form unless a form of that direction exists."""
    if form_model is None:
        from .models import EvaluationCriterion as criterion_model
        from .models import EvaluationForm as form_model
    for direction, (name, criteria) in DEFAULT_FORMS.items():
        if form_model.objects.filter(direction=direction).exists():
            continue
        form = form_model.objects.create(name=name, direction=direction)
        for order, (cname, help_text, max_score, weight) in enumerate(criteria, 1):
            criterion_model.objects.create(
                form=form,
                name=cname,
                help_text=help_text,
                max_score=max_score,
                weight=Decimal(weight),
                order=order,
            )
