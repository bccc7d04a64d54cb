"""The locality tree: country → province → … → residential compound (小区)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Length
from simple_history.models import HistoricalRecords

from cases.models.visibility import LocalityVisibility

models.CharField.register_lookup(Length)

# Names the NBS tables use for a grouping level that is not a real place;
# full names skip them (天津市市辖区和平区 reads 天津市和平区).
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Upper bound for path range scans: sorts after every character a path can hold.
_PATH_END = "~"
# Upper bound for name prefix scans: sorts after every character a name can hold.
_NAME_END = "\U0010ffff"


class Level(models.TextChoices):
    COUNTRY = "country", "国家 country"
    PROVINCE = "province", "省级 province"
    PREFECTURE = "prefecture", "地级 prefecture"
    COUNTY = "county", "县级 county"
    TOWNSHIP = "township", "乡级 township/street"
    COMMUNITY = "community", "村级 community/village"
    COMPOUND = "compound", "小区 residential compound"


LEVEL_ORDER = [choice.value for choice in Level]

# NBS statistical division codes have a fixed length per level.
CODE_LENGTHS = {
    Level.PROVINCE: 2,
    Level.PREFECTURE: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.COMMUNITY: 12,
}


class LocalityQuerySet(LocalityVisibility, models.QuerySet):
    def within(self, ancestor: Locality, *, include_self: bool = True) -> LocalityQuerySet:
        """The locality and everything beneath it, at any depth: one range scan on the path index."""
        queryset = self.filter(path__gte=ancestor.path, path__lt=ancestor.path + _PATH_END)
        if not include_self:
            queryset = queryset.exclude(pk=ancestor.pk)
        return queryset

    def with_code_prefix(self, code: str) -> LocalityQuerySet:
        """Coded localities whose statistical code starts with ``code`` (510105 → all of 青羊区)."""
        return self.filter(code__startswith=code)

    def matching(self, text: str, *, contains: bool = False) -> LocalityQuerySet:
        """Places whose name, one of whose aliases, or whose code starts with ``text`` (autocomplete).

        Each branch is a range scan on its index (``name >= text AND name < text + U+10FFFF``;
        SQLite's case-insensitive LIKE cannot use a binary index), so a two-character prefix over
        665,000 places answers in milliseconds. ``contains=True`` matches anywhere in the name or
        alias instead: a full scan, tens of times slower.
        """
        if contains:
            aliased = LocalityAlias.objects.filter(name__contains=text).values("locality_id")
            return self.filter(
                models.Q(name__contains=text) | models.Q(pk__in=aliased) | models.Q(code__startswith=text)
            )
        end = text + _NAME_END
        by_name = {"name__gte": text, "name__lt": end, "name__startswith": text}
        # One ``id IN (… UNION …)``, not ``name … OR id IN (…)``: PostgreSQL guesses half the table
        # for such an OR and walks the whole path index; the union's rows it probes by key.
        matches = Locality.objects.filter(**by_name).values("pk").order_by()
        matches = matches.union(LocalityAlias.objects.filter(**by_name).values("locality_id").order_by())
        if text.isdigit() and text.isascii():
            by_code = {"code__gte": text, "code__lt": end, "code__startswith": text}
            matches = matches.union(Locality.objects.filter(**by_code).values("pk").order_by())
        return self.filter(pk__in=matches)

    def named(self, name: str) -> LocalityQuerySet:
        """Localities whose name or one of whose aliases is exactly ``name``."""
        # A subquery rather than a join: no DISTINCT, and both sides use their name index.
        aliased = LocalityAlias.objects.filter(name=name).values("locality_id")
        return self.filter(models.Q(name=name) | models.Q(pk__in=aliased))


class Locality(models.Model):
    name = models.CharField("名称 name", max_length=100, db_index=True)
    name_en = models.CharField("英文名称 English name", max_length=200, blank=True)
    full_name = models.CharField(
        "全称 full name", max_length=400, editable=False, help_text="e.g. 四川省成都市青羊区少城街道长城社区"
    )
    level = models.CharField("级别 level", max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级 parent", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(
        "统计用区划代码 NBS code",
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text="2/4/6/9/12 digits; empty below the village level or where none is known",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, verbose_name="路径 path")
    note = models.TextField("说明 note", blank=True)

    objects = LocalityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "地区 locality"
        verbose_name_plural = "地区 localities"
        ordering = ["path"]
        # The gazetteer automaton and jieba read places by level (44,703 above level 5 of 665,276).
        indexes = [models.Index(fields=["level", "code"], name="locality_level_code")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__isnull=True)
                | models.Q(
                    *[models.Q(level=level, code__length=length) for level, length in CODE_LENGTHS.items()],
                    _connector=models.Q.OR,
                ),
                name="locality_code_length_matches_level",
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, level=Level.COUNTRY)
                | models.Q(parent__isnull=False) & ~models.Q(level=Level.COUNTRY),
                name="locality_only_country_is_root",
            ),
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=models.Q(code__isnull=True),
                name="locality_uncoded_name_unique_under_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.name} ({self.code})" if self.code else self.full_name or self.name

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.full_name = self.compute_full_name()
        if self.pk is None and not self.code:
            # The path segment of an uncoded place is its primary key, known only after insert.
            self.path = f"pending-{id(self)}"
            super().save(*args, **kwargs)
            kwargs = {"update_fields": ["path"]}
        self.path = self.compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._repath_descendants(old_path)

    def clean(self) -> None:
        if self.code is not None:
            if self.code == "":
                self.code = None
            elif not self.code.isdigit():
                raise ValidationError({"code": f"code {self.code!r} must be digits only"})
            elif len(self.code) != CODE_LENGTHS.get(self.level):
                expected = CODE_LENGTHS.get(self.level, "no")
                raise ValidationError({"code": f"a {self.level} code has {expected} digits, not {len(self.code)}"})
        if self.parent is None:
            if self.level != Level.COUNTRY:
                raise ValidationError({"parent": "only the country has no parent"})
            return
        if LEVEL_ORDER.index(self.level) <= LEVEL_ORDER.index(self.parent.level):
            raise ValidationError({"level": f"a {self.level} cannot sit under a {self.parent.level}"})
        if self.code and self.parent.code and not self.code.startswith(self.parent.code):
            raise ValidationError(
                {"code": f"code {self.code} does not start with its parent's code {self.parent.code}"}
            )
        if self.pk and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": "a locality cannot be moved beneath itself"})

    def _segment(self) -> str:
        return self.code or f"n{self.pk}"

    def compute_path(self) -> str:
        return (self.parent.path if self.parent else "") + self._segment() + "/"

    def compute_full_name(self) -> str:
        if self.parent is None or self.parent.level == Level.COUNTRY:
            return self.name
        if self.name in PLACEHOLDER_NAMES:
            return self.parent.full_name
        return self.parent.full_name + self.name

    def _repath_descendants(self, old_path: str) -> None:
        """After a move or re-code, rebuild the path and full name of everything beneath."""
        descendants = Locality.objects.filter(path__gt=old_path, path__lt=old_path + _PATH_END).order_by("path")
        by_path = {old_path: self}
        for child in descendants:
            parent_old_path = child.path[: child.path.rstrip("/").rfind("/") + 1]
            child.parent = by_path[parent_old_path]
            child_old_path = child.path
            child.path = child.compute_path()
            child.full_name = child.compute_full_name()
            Locality.objects.filter(pk=child.pk).update(path=child.path, full_name=child.full_name)
            by_path[child_old_path] = child

    def ancestors(self) -> list[Locality]:
        """From the country down to the parent, in one query."""
        segments = self.path.rstrip("/").split("/")[:-1]
        prefixes = ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]
        return list(Locality.objects.filter(path__in=prefixes).order_by("path"))


class LocalityAlias(models.Model):
    """Another name a place goes by: 成都 for 成都市, 广西 for 广西壮族自治区."""

    # No index of its own: the unique (locality, name) index serves lookups by place, and one index
    # less to write for the 1.1 million aliases of a full gazetteer load.
    locality = models.ForeignKey(
        Locality, on_delete=models.CASCADE, related_name="aliases", verbose_name="地区 locality", db_index=False
    )
    name = models.CharField("别名 alias", max_length=100, db_index=True)

    class Meta:
        verbose_name = "地区别名 locality alias"
        verbose_name_plural = "地区别名 locality aliases"
        constraints = [models.UniqueConstraint(fields=["locality", "name"], name="locality_alias_unique")]

    def __str__(self) -> str:
        return f"{self.name} → {self.locality.name}"
