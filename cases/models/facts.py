"""What happened and how much: themes, initiatives, indicators and metrics."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.dates import date_field, date_text_field, fuzzy_date_constraint, precision_field
from cases.models.visibility import InitiativeQuerySet, MetricQuerySet


class Theme(models.Model):
    """A bilingual controlled vocabulary of research themes."""

    code = models.SlugField("代码 code", max_length=60, unique=True)
    name_zh = models.CharField("中文名 Chinese name", max_length=60, unique=True)
    name_en = models.CharField("英文名称 English name", max_length=120)
    description = models.TextField("说明 description", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "主题 theme"
        verbose_name_plural = "主题 themes"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.name_en}"


class InitiativeKind(models.TextChoices):
    ALLIANCE = "alliance", "联盟/共同体 alliance or community"
    AGREEMENT = "agreement", "协议 agreement"
    MECHANISM = "mechanism", "机制 mechanism or practice"
    PROGRAMME = "programme", "项目/活动 programme"
    EVENT = "event", "活动 one-off event"
    FACILITY = "facility", "设施/服务网点 facilities or service points"
    CAMPAIGN = "campaign", "专项行动/督查 campaign or inspection"
    POLICY_DOCUMENT = "policy_document", "政策文件 policy document"
    STRATEGY = "strategy", "战略/导向 strategy or policy orientation"


class ParticipantRole(models.TextChoices):
    LEAD = "lead", "牵头 lead"
    MEMBER = "member", "成员 member"
    PARTNER = "partner", "合作 partner"
    ISSUER = "issuer", "印发 issuer"
    HOST = "host", "主办/承办 host"
    DEVELOPER = "developer", "开发 developer"
    IMPLEMENTER = "implementer", "实施 implementer"
    TARGET = "target", "对象 target"


class Initiative(models.Model):
    name = models.CharField("名称 name", max_length=300, db_index=True)
    name_en = models.CharField("英文名称 English name", max_length=300, blank=True)
    aliases = models.JSONField("别名 aliases", default=list, blank=True)
    kind = models.CharField("类型 kind", max_length=20, choices=InitiativeKind.choices)
    description = models.TextField("说明 description", blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="所属 part of",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
        help_text="e.g. one Party-building community within a county's programme",
    )
    start_date = date_field("开始 start")
    start_precision = precision_field("开始 start")
    start_text = date_text_field("开始 start")
    localities = models.ManyToManyField(
        "cases.Locality", blank=True, related_name="initiatives", verbose_name="地区 localities"
    )
    organisations = models.ManyToManyField(
        "cases.Organisation",
        through="InitiativeParticipant",
        blank=True,
        related_name="initiatives",
        verbose_name="参与组织 organisations",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间 created at")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="更新时间 updated at")

    objects = InitiativeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "举措 initiative"
        verbose_name_plural = "举措 initiatives"
        ordering = ["name"]
        constraints = [fuzzy_date_constraint("start", "initiative")]

    def __str__(self) -> str:
        return self.name


class InitiativeParticipant(models.Model):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="participants", verbose_name="举措 initiative"
    )
    organisation = models.ForeignKey(
        "cases.Organisation", on_delete=models.PROTECT, related_name="participations", verbose_name="组织 organisation"
    )
    role = models.CharField("角色 role", max_length=20, choices=ParticipantRole.choices)
    note = models.CharField("说明 note", max_length=300, blank=True)

    class Meta:
        verbose_name = "参与组织 participant"
        verbose_name_plural = "参与组织 participants"
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organisation", "role"], name="participant_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}) — {self.initiative}"


class Indicator(models.Model):
    """What a metric counts, from a controlled bilingual list."""

    code = models.SlugField("代码 code", max_length=60, unique=True)
    name_zh = models.CharField("中文名 Chinese name", max_length=60)
    name_en = models.CharField("英文名称 English name", max_length=120)
    unit = models.CharField(
        "默认单位 default unit", max_length=20, blank=True, help_text="measure word, e.g. 个, 家, 人次"
    )
    description = models.TextField("说明 description", blank=True)

    class Meta:
        verbose_name = "指标 indicator"
        verbose_name_plural = "指标 indicators"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.name_en}"


class Qualifier(models.TextChoices):
    EXACT = "exact", "确数 exact"
    APPROXIMATELY = "approximately", "约 approximately"
    NEARLY = "nearly", "近 nearly (just under)"
    MORE_THAN = "more_than", "余/多 more than"
    AT_LEAST = "at_least", "至少 at least"
    AT_MOST = "at_most", "至多 at most"
    TARGET = "target", "目标 target"


class PeriodKind(models.TextChoices):
    AS_OF = "as_of", "截至 as of"
    SINCE = "since", "以来 since"
    DURING = "during", "期间 during"
    UNKNOWN = "unknown", "未说明 unstated"


METRIC_SUBJECTS = ("case", "locality", "organisation", "initiative")


class Metric(models.Model):
    """A quantitative fact as data: 18个小区, 60余条建议, 6—8个村, 约5万人次."""

    # What was measured, in the order the API, exports, imports and the admin list it.
    MEASURE_FIELDS = ("value", "value_upper", "unit", "counted", "qualifier")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="metrics", verbose_name="指标 indicator"
    )
    value = models.DecimalField("数值 value", max_digits=18, decimal_places=4)
    value_upper = models.DecimalField(
        "上限 upper value", max_digits=18, decimal_places=4, null=True, blank=True, help_text="for ranges: 6—8 → 6, 8"
    )
    unit = models.CharField(
        "单位 unit", max_length=20, blank=True, help_text="measure word as printed: 个, 家, 条, 人次"
    )
    counted = models.CharField(
        "计数对象 what is counted", max_length=100, blank=True, help_text="as printed: 单元微信群"
    )
    qualifier = models.CharField("限定 qualifier", max_length=16, choices=Qualifier.choices, default=Qualifier.EXACT)
    period_kind = models.CharField(
        "时段 period kind", max_length=10, choices=PeriodKind.choices, default=PeriodKind.UNKNOWN
    )
    period_start_date = date_field("时段起 period start")
    period_start_precision = precision_field("时段起 period start")
    period_end_date = date_field("时段止 period end")
    period_end_precision = precision_field("时段止 period end")
    period_text = date_text_field("时段 period")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="metrics", verbose_name="案例 case"
    )
    locality = models.ForeignKey(
        "cases.Locality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="metrics",
        verbose_name="地区 locality",
    )
    organisation = models.ForeignKey(
        "cases.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="metrics",
        verbose_name="组织 organisation",
    )
    initiative = models.ForeignKey(
        Initiative,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="metrics",
        verbose_name="举措 initiative",
    )
    note = models.TextField("说明 note", blank=True)

    objects = MetricQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "数据 metric"
        verbose_name_plural = "数据 metrics"
        ordering = ["indicator__code", "id"]
        # Covering index for the API statistics: sums by indicator and place over a set of cases.
        indexes = [models.Index(fields=["case", "indicator", "locality", "value"], name="metric_case_indicator_place")]
        constraints = [
            fuzzy_date_constraint("period_start", "metric"),
            fuzzy_date_constraint("period_end", "metric"),
            models.CheckConstraint(
                condition=models.Q(value_upper__isnull=True) | models.Q(value_upper__gte=models.F("value")),
                name="metric_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    *[models.Q(**{f"{s}__isnull": False}) for s in METRIC_SUBJECTS], _connector=models.Q.OR
                ),
                name="metric_describes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name_zh}: {self.display_value()}"

    def display_value(self) -> str:
        def fmt(number) -> str:
            return f"{Decimal(number).normalize():f}"

        value = fmt(self.value) if self.value_upper is None else f"{fmt(self.value)}—{fmt(self.value_upper)}"
        prefix = {"approximately": "约", "nearly": "近", "at_least": "至少", "at_most": "至多", "target": "目标"}.get(
            self.qualifier, ""
        )
        suffix = "余" if self.qualifier == Qualifier.MORE_THAN else ""
        return f"{prefix}{value}{suffix}{self.unit}{self.counted}"

    def clean(self) -> None:
        if self.value is not None and self.value_upper is not None and self.value_upper < self.value:
            raise ValidationError({"value_upper": f"upper value {self.value_upper} is below the value {self.value}"})
        if not any(getattr(self, f"{s}_id") for s in METRIC_SUBJECTS):
            raise ValidationError("a metric must describe a case, locality, organisation or initiative")
