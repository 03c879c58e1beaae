from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionnaireMode(models.TextChoices):
    SAMPLED = "sampled", _("抽样问卷")
    OPEN = "open", _("公开问卷")


class QuestionnairePurpose(models.TextChoices):
    GENERAL = "general", _("一般调查")
    CASE_SATISFACTION = "case_satisfaction", _("事件办理满意度")
    PROPERTY_SATISFACTION = "property_satisfaction", _("物业满意度")
    ANNUAL_REVIEW = "annual_review", _("述职评议满意度")


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    SCALE = "scale", _("量表打分")
    TEXT = "text", _("文字")


class FrameKind(models.TextChoices):
    RESIDENTS = "residents", _("居民库")
    CASE_REPORTERS = "case_reporters", _("已办结事件的诉求人")


class BankTopic(models.TextChoices):
    GRID = "grid", _("网格业务")
    PARTY = "party", _("党务知识")
    OTHER = "other", _("其他")


class ItemKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "true_false", _("判断题")


class TrainingKind(models.TextChoices):
    TEST = "test", _("业务测试")
    COURSE = "course", _("培训课程")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("推进中")
    DONE = "done", _("已完成")
    SUSPENDED = "suspended", _("暂停")


class ListKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("责任清单")
    TASK = "task", _("任务清单")


class ItemStatus(models.TextChoices):
    TODO = "todo", _("未开始")
    DOING = "doing", _("进行中")
    DONE = "done", _("已完成")


class WelfareStatus(models.TextChoices):
    PROPOSED = "proposed", _("待评审")
    APPROVED = "approved", _("已立项")
    REJECTED = "rejected", _("未通过")
    COMPLETED = "completed", _("已结项")
