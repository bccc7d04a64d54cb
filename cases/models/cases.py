"""The case: the unit researchers find, cite and compare."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.dates import date_field, date_text_field, fuzzy_date_constraint, precision_field
from cases.models.places import Locality


class Status(models.TextChoices):
    DRAFT = "draft", "草稿 draft"
    IN_REVIEW = "in_review", "待审 in review"
    PUBLISHED = "published", "已发布 published"
    ARCHIVED = "archived", "已归档 archived"


class CaseQuerySet(models.QuerySet):
    def published(self) -> CaseQuerySet:
        """Cases anonymous users may see. Every public path starts here."""
        return self.filter(status=Status.PUBLISHED)

    def in_region(self, locality: Locality) -> CaseQuerySet:
        """Cases with any of their localities at or beneath ``locality``."""
        within = Locality.objects.within(locality).values("pk")
        return self.filter(models.Q(primary_locality__in=within) | models.Q(localities__in=within)).distinct()


class Case(models.Model):
    public_id = models.SlugField(
        "公开编号 public id", max_length=100, unique=True, help_text="stable identifier used in URLs and citations"
    )
    title_zh = models.CharField("标题 Chinese title", max_length=300)
    title_en = models.CharField("英文标题 English title", max_length=300, blank=True)
    summary_zh = models.TextField("摘要 Chinese summary", blank=True)
    summary_en = models.TextField("英文摘要 English summary", blank=True)
    status = models.CharField("状态 status", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    primary_locality = models.ForeignKey(
        Locality, verbose_name="主要地区 primary locality", on_delete=models.PROTECT, related_name="primary_cases"
    )
    localities = models.ManyToManyField(
        Locality, verbose_name="其他地区 further localities", blank=True, related_name="cases"
    )
    period_start_date = date_field("时段起 period start")
    period_start_precision = precision_field("时段起 period start")
    period_end_date = date_field("时段止 period end")
    period_end_precision = precision_field("时段止 period end")
    period_text = date_text_field("时段 period")
    themes = models.ManyToManyField("cases.Theme", verbose_name="主题 themes", blank=True, related_name="cases")
    initiatives = models.ManyToManyField(
        "cases.Initiative", verbose_name="举措 initiatives", blank=True, related_name="cases"
    )
    organisations = models.ManyToManyField(
        "cases.Organisation",
        through="CaseOrganisation",
        blank=True,
        related_name="cases",
        verbose_name="参与组织 organisations",
    )
    people = models.ManyToManyField("cases.Person", verbose_name="人物 people", blank=True, related_name="cases")
    sources = models.ManyToManyField("cases.Source", verbose_name="来源 sources", blank=True, related_name="cases")
    published_at = models.DateTimeField("发布时间 published at", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发布人 published by",
    )
    revision = models.PositiveIntegerField(
        default=0, help_text="bumped on every save; guards against lost updates", verbose_name="修订号 revision"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间 created at")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="更新时间 updated at")

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[localities, themes, initiatives, people, sources])

    class Meta:
        verbose_name = "案例 case"
        verbose_name_plural = "案例 cases"
        ordering = ["public_id"]
        indexes = [
            # Covering indexes for the public API (cases.api): a deep page of published cases walks
            # (status, public_id) without reading rows; statistics group published cases by period
            # and place from the index alone.
            models.Index(fields=["status", "public_id"], name="case_status_public_id"),
            models.Index(fields=["status", "period_start_date", "primary_locality"], name="case_status_period_place"),
        ]
        constraints = [
            fuzzy_date_constraint("period_start", "case"),
            fuzzy_date_constraint("period_end", "case"),
            models.CheckConstraint(
                condition=~models.Q(status=Status.PUBLISHED) | models.Q(published_at__isnull=False),
                name="case_published_has_timestamp",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.title_zh}"


class CaseOrganisation(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="case_organisations", verbose_name="案例 case"
    )
    organisation = models.ForeignKey(
        "cases.Organisation", on_delete=models.PROTECT, related_name="case_roles", verbose_name="组织 organisation"
    )
    role = models.CharField("角色 role", max_length=100, blank=True, help_text="e.g. 牵头 lead, 成员 member")

    class Meta:
        verbose_name = "案例组织 case organisation"
        verbose_name_plural = "案例组织 case organisations"
        constraints = [models.UniqueConstraint(fields=["case", "organisation"], name="case_organisation_unique")]
        # From the organisation's side without reading rows: Organisation.objects.public() asks,
        # per organisation, whether one of its cases is published.
        indexes = [models.Index(fields=["organisation", "case"], name="caseorg_organisation_case")]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.case.public_id}"
