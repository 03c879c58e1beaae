"""Needs, micro-wishes, service and support items, their claims and ledger; units' offers;
co-building agreements with items; member-to-resident pairings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from .choices import (
    ACTIVE_CLAIM_STATUSES,
    EVENT_LABELS,
    ClaimantKind,
    ClaimStatus,
    Direction,
    OfferKind,
    OwnerKind,
    PostedVia,
    WishCategory,
    WishKind,
    WishStatus,
    status_label,
)


class Wish(ScopedModel):
    """One thing to be claimed: a resident's micro-wish, a community need or service item,
    or a unit's support item (for the community to lead)."""

    kind = models.CharField(_("类型"), max_length=16, choices=WishKind.choices)
    category = models.CharField(
        _("类别"), max_length=16, choices=WishCategory.choices, default=WishCategory.OTHER
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("内容"), max_length=2000, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=WishStatus.choices, default=WishStatus.PENDING
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("网格"),
    )
    # The unit that asks for support (support items only).
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_items",
        verbose_name=_("提出单位"),
    )
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wishes",
        verbose_name=_("居民"),
    )
    # Whose wish it is: the portal login that posted it, and the keyed hash of the phone of the
    # resident it was posted for (so the resident can sign in to the portal later and rate).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wishes",
        verbose_name=_("心愿人账号"),
    )
    owner_phone_index = models.CharField(
        max_length=32, blank=True, default="", db_index=True, editable=False
    )
    owner_label = models.CharField(
        _("心愿人"), max_length=50, blank=True, help_text=_("公开显示的称呼,如“张阿姨”。")
    )
    posted_via = models.CharField(_("发布方式"), max_length=12, choices=PostedVia.choices)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    wanted_by = models.DateField(_("期望完成日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("转办事件"),
    )

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("微心愿/需求")
        verbose_name_plural = _("微心愿/需求")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area", "status", "created_at"], name="wish_area_status"),
            models.Index(fields=["area", "created_at"], name="wish_area_time"),
            models.Index(fields=["grid", "status", "created_at"], name="wish_grid_status"),
            models.Index(fields=["unit", "created_at"], name="wish_unit_time"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def direction(self) -> str:
        return Direction.TO_UNIT if self.kind == WishKind.SUPPORT_ITEM else Direction.TO_COMMUNITY

    @property
    def public_owner(self) -> str:
        return self.owner_label or (self.unit.name if self.unit_id else "")


class Claim(ScopedModel):
    """A claim (认领/领办) of one wish by a member, a unit or (support items) the community."""

    wish = models.ForeignKey(
        Wish, on_delete=models.CASCADE, related_name="claims", verbose_name=_("事项")
    )
    direction = models.CharField(_("方向"), max_length=16, choices=Direction.choices)
    claimant_kind = models.CharField(_("认领方类型"), max_length=10, choices=ClaimantKind.choices)
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("党员"),
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("单位"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.CLAIMED
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("认领操作人"),
    )
    claimed_at = models.DateTimeField(_("认领时间"))
    deadline = models.DateTimeField(_("完成期限"))
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("释放/放弃时间"), null=True, blank=True)
    completion_note = models.TextField(_("完成情况"), max_length=2000, blank=True)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    rating = models.PositiveSmallIntegerField(
        _("评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    # Copied from the wish (scoping, lists): the community and grid the claim serves.
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("网格"),
    )

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            # A wish is claimed once: at most one claim that is not released or withdrawn.
            models.UniqueConstraint(
                fields=["wish"],
                condition=Q(status__in=ACTIVE_CLAIM_STATUSES),
                name="wish_one_active_claim",
            ),
            models.CheckConstraint(
                condition=(
                    Q(claimant_kind="member", member__isnull=False, unit__isnull=True)
                    | Q(claimant_kind="unit", unit__isnull=False, member__isnull=True)
                    | Q(claimant_kind="community", unit__isnull=True, member__isnull=True)
                ),
                name="claim_one_claimant",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="claim_rating_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="claim_running_due"),
            models.Index(fields=["member", "claimed_at"], name="claim_member_time"),
            models.Index(fields=["unit", "claimed_at"], name="claim_unit_time"),
            models.Index(fields=["area", "claimed_at"], name="claim_area_time"),
        ]

    def __str__(self) -> str:
        return f"{self.wish} · {self.claimant_name}"

    @property
    def claimant_name(self) -> str:
        if self.member_id:
            return self.member.name
        if self.unit_id:
            return self.unit.name
        return str(_("社区"))


class WishEvent(ScopedModel):
    """The ledger of a wish and its claims: who did what, when (one row per change)."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events")
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(
        "geo.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("心愿台账")
        verbose_name_plural = _("心愿台账")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["wish", "at"], name="wishevent_wish_time")]

    def __str__(self) -> str:
        return f"{self.wish_id} {self.action}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))

    @property
    def from_label(self) -> str:
        return status_label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return status_label(self.to_status) if self.to_status else ""


class Offer(ScopedModel):
    """What a unit offers the community (供需配对): resources, skills, money, volunteers."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="offers", verbose_name=_("单位")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=OfferKind.choices)
    category = models.CharField(
        _("适用类别"), max_length=16, choices=WishCategory.choices, default=WishCategory.OTHER
    )
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    quantity = models.CharField(_("数量/规模"), max_length=50, blank=True)
    amount = models.DecimalField(
        _("金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    volunteers = models.PositiveIntegerField(_("志愿者人数"), null=True, blank=True)
    available_until = models.DateField(_("有效期至"), null=True, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("单位资源")
        verbose_name_plural = _("单位资源")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area", "active"], name="offer_area_active")]

    def __str__(self) -> str:
        return self.title


class Agreement(ScopedModel):
    """An annual co-building agreement (共建协议) between a unit and a community."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("单位")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("共建协议")
        verbose_name_plural = _("共建协议")
        ordering = ["-year", "area_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "area", "year"], name="agreement_once_a_year")
        ]

    def __str__(self) -> str:
        return self.title


class AgreementItem(ScopedModel):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="items", verbose_name=_("协议")
    )
    title = models.CharField(_("共建事项"), max_length=200)
    owner_kind = models.CharField(_("责任方类型"), max_length=10, choices=OwnerKind.choices)
    owner_name = models.CharField(_("责任人"), max_length=50, blank=True)
    owner_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    deadline = models.DateField(_("完成期限"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    notes = models.TextField(_("进展情况"), max_length=2000, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "agreement__area_id"
    scope_unit_field = "agreement__unit_id"

    class Meta:
        verbose_name = _("共建事项")
        verbose_name_plural = _("共建事项")
        ordering = ["agreement_id", "deadline", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="agreement_item_progress")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_display(self) -> str:
        if self.owner_kind == OwnerKind.UNIT and self.owner_unit_id:
            return self.owner_unit.name
        return self.owner_name or self.get_owner_kind_display()


class AgreementProgress(ScopedModel):
    """The history of an item's progress (each update is a row)."""

    item = models.ForeignKey(AgreementItem, on_delete=models.CASCADE, related_name="updates")
    progress = models.PositiveSmallIntegerField(_("进度(%)"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "item__agreement__area_id"
    scope_unit_field = "item__agreement__unit_id"

    class Meta:
        verbose_name = _("共建事项进展")
        verbose_name_plural = _("共建事项进展")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.progress}%"


class Pairing(ScopedModel):
    """A member-to-resident pairing (帮扶对子)."""

    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("党员"),
    )
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("帮扶对象"),
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("网格"),
    )
    since = models.DateField(_("结对日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("帮扶内容"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("帮扶对子")
        verbose_name_plural = _("帮扶对子")
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "resident"],
                condition=Q(until__isnull=True),
                name="pairing_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.resident}"
