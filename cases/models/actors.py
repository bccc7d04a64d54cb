"""Who acts: organisations, people and the posts that tie them together."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.dates import date_field, date_text_field, fuzzy_date_constraint, precision_field
from cases.models.visibility import OrganisationVisibility, PersonQuerySet, PositionQuerySet


class OrganisationKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", "党委 Party committee"
    PARTY_WORKING_COMMITTEE = "party_working_committee", "党工委 Party working committee"
    PARTY_GENERAL_BRANCH = "party_general_branch", "党总支 Party general branch"
    PARTY_BRANCH = "party_branch", "党支部 Party branch"
    PARTY_DEPARTMENT = "party_department", "党委工作机关 Party department"
    PARTY_BUILDING_ALLIANCE = "party_building_alliance", "党建联盟/党建共同体 Party-building alliance or community"
    DISCIPLINE_INSPECTION = "discipline_inspection", "纪委监委 discipline inspection and supervision"
    GOVERNMENT = "government", "政府部门 government department"
    RESIDENTS_COMMITTEE = "residents_committee", "居委会/社区 residents' committee"
    VILLAGERS_COMMITTEE = "villagers_committee", "村委会 villagers' committee"
    OWNERS_COMMITTEE = "owners_committee", "业委会 owners' committee"
    PROPERTY_FIRM = "property_firm", "物业公司 property-management firm"
    ENTERPRISE = "enterprise", "企业 enterprise"
    SOCIAL_ORGANISATION = "social_organisation", "社会组织/社会团体 social organisation"
    PUBLIC_INSTITUTION = "public_institution", "事业单位 public institution"
    MEDIA = "media", "媒体 media"
    CULTURAL_INSTITUTION = "cultural_institution", "文化机构 cultural institution"
    WORKING_GROUP = "working_group", "工作组/督查组 working group"
    OTHER = "other", "其他 other"


PARTY_KINDS = frozenset(
    {
        OrganisationKind.PARTY_COMMITTEE,
        OrganisationKind.PARTY_WORKING_COMMITTEE,
        OrganisationKind.PARTY_GENERAL_BRANCH,
        OrganisationKind.PARTY_BRANCH,
        OrganisationKind.PARTY_DEPARTMENT,
        OrganisationKind.PARTY_BUILDING_ALLIANCE,
        OrganisationKind.DISCIPLINE_INSPECTION,
    }
)


class OrganisationQuerySet(OrganisationVisibility, models.QuerySet):
    def party(self) -> OrganisationQuerySet:
        """Party organisations (committees, branches, departments, alliances, discipline bodies)."""
        return self.filter(kind__in=PARTY_KINDS)


class NameBasis(models.TextChoices):
    """How the source gives an organisation's name: the curated name may say more than the page."""

    PRINTED = "printed", "原文 as printed"
    COMPLETED = "completed", "补全 completed: a short or contextual form is printed (中办, 小区党支部)"
    INFERRED = "inferred", "推断 inferred: the body is not named (its cadres are; 本报 for 人民日报)"


class Organisation(models.Model):
    name = models.CharField("名称 name", max_length=200, db_index=True, help_text="as printed, or its full form")
    name_basis = models.CharField(
        "名称依据 name basis",
        max_length=10,
        choices=NameBasis.choices,
        default=NameBasis.PRINTED,
        help_text="whether the sources print this name, a short form of it, or not at all; the description "
        "says what was printed",
    )
    name_en = models.CharField("英文名称 English name", max_length=300, blank=True)
    aliases = models.JSONField("别名 aliases", default=list, blank=True, help_text="other names, e.g. 国办")
    kind = models.CharField("类型 kind", max_length=32, choices=OrganisationKind.choices)
    locality = models.ForeignKey(
        "cases.Locality",
        verbose_name="地区 locality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级 parent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="e.g. a branch's general branch, a firm's Party general branch → the firm",
    )
    predecessor = models.ForeignKey(
        "self",
        verbose_name="前身 predecessor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        help_text="the body this one grew out of or replaced (鲁村镇联村党委 → 沂源乡村振兴党建共同体)",
    )
    founded_date = date_field("成立 founded")
    founded_precision = precision_field("成立 founded")
    founded_text = date_text_field("成立 founded")
    description = models.TextField("说明 description", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间 created at")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="更新时间 updated at")

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "组织 organisation"
        verbose_name_plural = "组织 organisations"
        ordering = ["name"]
        constraints = [
            fuzzy_date_constraint("founded", "organisation"),
            models.CheckConstraint(condition=~models.Q(name=""), name="organisation_name_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("pk")), name="organisation_not_its_own_predecessor"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party(self) -> bool:
        return self.kind in PARTY_KINDS

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]


class Person(models.Model):
    name = models.CharField("姓名 name", max_length=100, db_index=True)
    name_en = models.CharField("拼音名 romanised name", max_length=200, blank=True)
    note = models.TextField("说明 note", blank=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "人物 person"
        verbose_name_plural = "人物 people"
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~models.Q(name=""), name="person_name_not_empty")]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A post a person holds, as the source reports it at a point in time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions", verbose_name="人物 person")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name="组织 organisation",
    )
    title = models.CharField("职务 title", max_length=100, help_text="as printed, e.g. 社区党委书记, 总经理")
    title_en = models.CharField("英文职务 English title", max_length=200, blank=True)
    as_of_date = date_field("时点 as of")
    as_of_precision = precision_field("时点 as of")
    as_of_text = date_text_field("时点 as of")

    history = HistoricalRecords()
    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = "职务 position"
        verbose_name_plural = "职务 positions"
        ordering = ["person__name", "title"]
        constraints = [
            fuzzy_date_constraint("as_of", "position"),
            models.UniqueConstraint(
                fields=["person", "organisation", "title"], name="position_unique_per_person_organisation_title"
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation.name if self.organisation_id else ""
        # Titles are kept as printed and often already name the organisation (长城社区党委副书记).
        if where and where in self.title:
            where = ""
        return f"{where}{self.title} {self.person.name}"
