"""Assisted extraction: facts the extractor proposes for a source, waiting for an editor's review."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FactType(models.TextChoices):
    LOCALITY = "locality", "地区 locality"
    ORGANISATION = "organisation", "组织 organisation"
    PERSON = "person", "人物 person"
    METRIC = "metric", "数据 metric"
    DATE = "date", "时间 date"
    THEME = "theme", "主题 theme"


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", "待审 proposed"
    EDITED = "edited", "已修改 edited"
    ACCEPTED = "accepted", "已采纳 accepted"
    REJECTED = "rejected", "已驳回 rejected"


OPEN_STATUSES = (CandidateStatus.PROPOSED, CandidateStatus.EDITED)


class CandidateQuerySet(models.QuerySet):
    def open(self) -> CandidateQuerySet:
        """Candidates still waiting for a decision (proposed, or edited but not yet accepted)."""
        return self.filter(status__in=OPEN_STATUSES)

    def for_document(self, document_id: int) -> CandidateQuerySet:
        """Candidates of every source cut from one received document."""
        return self.filter(source__document_id=document_id)


class Candidate(models.Model):
    """One proposed fact with the exact span of the source text it comes from."""

    source = models.ForeignKey(
        "cases.Source", on_delete=models.CASCADE, related_name="candidates", verbose_name="来源 source"
    )
    fact_type = models.CharField("类型 fact type", max_length=16, choices=FactType.choices)
    key = models.CharField(
        "键 key", max_length=300, help_text="what makes the fact unique within its source (code, name, value…)"
    )
    label = models.CharField("摘要 label", max_length=300)
    payload = models.JSONField("内容 payload", default=dict, blank=True)
    start = models.PositiveIntegerField("起 start offset")
    end = models.PositiveIntegerField("止 end offset")
    quote = models.TextField("引文 quote")
    spans = models.JSONField("全部位置 all spans", default=list, blank=True, help_text="[[start, end], …]")
    confidence = models.FloatField("置信度 confidence", default=1.0)
    status = models.CharField(
        "状态 status", max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED, db_index=True
    )
    locality = models.ForeignKey(
        "cases.Locality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="地区 locality",
    )
    organisation = models.ForeignKey(
        "cases.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="组织 organisation",
    )
    person = models.ForeignKey(
        "cases.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="人物 person"
    )
    metric = models.ForeignKey(
        "cases.Metric", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="数据 metric"
    )
    theme = models.ForeignKey(
        "cases.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="主题 theme"
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the draft case the accepted fact was added to",
        verbose_name="案例 case",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审核人 reviewed by",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name="审核时间 reviewed at")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间 created at")

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = "候选事实 candidate"
        verbose_name_plural = "候选事实 candidates"
        ordering = ["source", "start", "fact_type"]
        constraints = [
            models.UniqueConstraint(fields=["source", "fact_type", "key"], name="candidate_unique_per_source"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="candidate_end_after_start"),
        ]
        indexes = [models.Index(fields=["source", "status"])]

    def __str__(self) -> str:
        return f"{self.get_fact_type_display()}: {self.label}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
