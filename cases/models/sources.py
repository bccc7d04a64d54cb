"""Where facts come from: received documents, the sources cut from them, and quoted evidence."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.dates import date_field, date_text_field, fuzzy_date_constraint, precision_field
from cases.models.visibility import EvidenceQuerySet, SourceQuerySet


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Quotes copied from the web or typed by hand differ from the received text in punctuation width
# (， for ,) and spacing; they are found modulo these, and the source's own span is what is stored.
_FOLD = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {
    "。": ".",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "〔": "(",
    "〕": ")",
}


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` with widths folded and whitespace dropped, and each kept character's offset in ``text``."""
    chars, offsets = [], []
    for index, char in enumerate(text):
        if char.isspace():
            continue
        chars.append(_FOLD.get(char, char))
        offsets.append(index)
    return "".join(chars), offsets


def quote_differences(quote: str, exact: str) -> list[str]:
    """What separates a typed quote from the source's text it was matched to."""
    kinds = []
    if "".join(quote.split()) != "".join(exact.split()):
        kinds.append("full-width/half-width punctuation 全角/半角标点")
    if [c for c in quote if c.isspace()] != [c for c in exact if c.isspace()]:
        kinds.append("whitespace 空白")
    return kinds


class Document(models.Model):
    """A text as received (a newspaper page, a report, a policy text), kept byte-for-byte as decoded."""

    title = models.CharField("标题 title", max_length=300, blank=True)
    filename = models.CharField("文件名 filename", max_length=300, blank=True)
    encoding = models.CharField("编码 encoding", max_length=20, default="utf-8")
    text = models.TextField("全文 text")
    sha256 = models.CharField(max_length=64, unique=True, editable=False, verbose_name="内容校验 SHA-256")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间 created at")

    class Meta:
        verbose_name = "原始文档 document"
        verbose_name_plural = "原始文档 documents"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.filename or f"document {self.sha256[:12]}"

    def save(self, *args, **kwargs) -> None:
        self.sha256 = content_hash(self.text)
        super().save(*args, **kwargs)


class SourceKind(models.TextChoices):
    REPORT = "report", "报道 report"
    COMMENTARY = "commentary", "评论 commentary"
    PHOTO_CAPTION = "photo_caption", "图片说明 photo caption"
    POLICY_DOCUMENT = "policy_document", "政策文件 policy document"
    OTHER = "other", "其他 other"


class Source(models.Model):
    """One citable piece: a report, a commentary, a caption, a policy text."""

    document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
        help_text="the page or file this piece was cut from",
        verbose_name="原始文档 document",
    )
    document_start = models.PositiveIntegerField(null=True, blank=True, verbose_name="文档起 document start")
    document_end = models.PositiveIntegerField(null=True, blank=True, verbose_name="文档止 document end")
    outlet = models.CharField("媒体 outlet", max_length=100, blank=True, help_text="e.g. 人民日报")
    column = models.CharField("栏目 column", max_length=200, blank=True, help_text="e.g. 红船观澜")
    kicker = models.CharField("引题 kicker", max_length=300, blank=True)
    headline = models.CharField("标题 headline", max_length=300)
    subheadline = models.CharField("副题 subheadline", max_length=300, blank=True)
    kind = models.CharField("类型 kind", max_length=20, choices=SourceKind.choices)
    publication_date = date_field("发表 published")
    publication_precision = precision_field("发表 published")
    publication_text = date_text_field("发表 published")
    page = models.CharField("版次 page", max_length=20, blank=True)
    url = models.URLField("网址 URL", max_length=500, blank=True)
    accessed_date = models.DateField(
        "访问日期 accessed", null=True, blank=True, help_text="the day the URL was read; cited as [引用日期]"
    )
    text = models.TextField("全文 text")
    content_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name="内容校验 content hash")
    is_truncated = models.BooleanField("截断 truncated", default=False, help_text="the text stops mid-sentence")
    editorial_note = models.TextField(
        "编辑说明 editorial note", blank=True, help_text="printing slips kept as printed, cuts, doubts"
    )
    intertitles = models.JSONField(
        "小标题 intertitles",
        default=list,
        blank=True,
        help_text="the subheadings printed inside the text, in order, each exactly as it occurs in the text",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间 created at")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="更新时间 updated at")

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        verbose_name = "来源 source"
        verbose_name_plural = "来源 sources"
        ordering = ["outlet", "headline"]
        constraints = [
            fuzzy_date_constraint("publication", "source"),
            models.CheckConstraint(condition=~models.Q(text=""), name="source_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet}《{self.headline}》" if self.outlet else f"《{self.headline}》"

    def save(self, *args, **kwargs) -> None:
        self.content_hash = content_hash(self.text)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.check_intertitles()

    def check_intertitles(self) -> None:
        """Every intertitle is a string found in the text, after the one before it."""
        if not isinstance(self.intertitles, list) or not all(isinstance(t, str) and t for t in self.intertitles):
            raise ValidationError({"intertitles": "a list of non-empty strings, each as printed in the text"})
        position = 0
        for intertitle in self.intertitles:
            found = self.text.find(intertitle, position)
            if found < 0:
                where = "in the text" if self.text.find(intertitle) < 0 else "after the intertitle before it"
                raise ValidationError({"intertitles": f"intertitle {intertitle!r} does not occur {where}"})
            position = found + len(intertitle)

    def intertitle_spans(self) -> list[tuple[int, int, str]]:
        """(start, end, intertitle) in the text, in order."""
        spans, position = [], 0
        for intertitle in self.intertitles:
            start = self.text.find(intertitle, position)
            if start >= 0:
                spans.append((start, start + len(intertitle), intertitle))
                position = start + len(intertitle)
        return spans

    def locate(self, quote: str, occurrence: int = 1) -> tuple[int, int]:
        """Offsets of the ``occurrence``-th appearance of ``quote`` in the text, or a ValidationError.

        Found verbatim, or else modulo punctuation width and whitespace (``locate_loosely``): the
        offsets are then those of the source's own text, which the caller stores as the quote.
        """
        if not quote or not quote.strip():
            raise ValidationError({"quote": "the quote is empty"})
        start = -1
        for _ in range(occurrence):
            start = self.text.find(quote, start + 1)
            if start < 0:
                break
        else:
            return start, start + len(quote)
        loose = self.locate_loosely(quote, occurrence)
        if loose is not None:
            return loose
        raise ValidationError(
            {
                "quote": f"quote {quote!r} does not occur in source {self}"
                + (f" {occurrence} times" if occurrence > 1 else "")
                + " (even ignoring full-width/half-width punctuation and whitespace)"
            }
        )

    def locate_loosely(self, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
        """The ``occurrence``-th match of ``quote`` modulo punctuation width and whitespace, as offsets in the text."""
        text, offsets = _folded(self.text)
        wanted, _ = _folded(quote)
        if not wanted:
            return None
        start = -1
        for _ in range(occurrence):
            start = text.find(wanted, start + 1)
            if start < 0:
                return None
        return offsets[start], offsets[start + len(wanted) - 1] + 1


class CreditRole(models.TextChoices):
    REPORTER = "reporter", "记者 reporter"
    AUTHOR = "author", "作者 author"
    PHOTOGRAPHER = "photographer", "摄影 photographer"
    AGENCY = "agency", "图片机构 picture agency"


class SourceCredit(models.Model):
    """A byline: 本报记者 史一棋, 谢航凯摄, （人民视觉）."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="credits", verbose_name="来源 source")
    role = models.CharField("角色 role", max_length=20, choices=CreditRole.choices)
    person = models.ForeignKey(
        "cases.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name="人物 person",
    )
    organisation = models.ForeignKey(
        "cases.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name="组织 organisation",
    )
    as_printed = models.CharField("署名原文 as printed", max_length=100, help_text="e.g. 本报记者 史一棋")
    order = models.PositiveSmallIntegerField(default=0, verbose_name="顺序 order")

    class Meta:
        verbose_name = "署名 credit"
        verbose_name_plural = "署名 credits"
        ordering = ["source", "order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(organisation__isnull=False),
                name="source_credit_names_someone",
            )
        ]

    def __str__(self) -> str:
        return self.as_printed


# Every kind of fact that evidence can support; exactly one is set per quote.
EVIDENCE_SUBJECTS = ("case", "locality", "organisation", "person", "position", "initiative", "metric")


class Evidence(models.Model):
    """An exact quote in a source that supports one fact."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence", verbose_name="来源 source")
    start = models.PositiveIntegerField("起 start offset")
    end = models.PositiveIntegerField("止 end offset")
    quote = models.TextField("引文 quote")
    claim = models.CharField(
        "所证 claim", max_length=300, blank=True, help_text="what the quote supports, e.g. 成立时间, 党委书记"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence", verbose_name="案例 case"
    )
    locality = models.ForeignKey(
        "cases.Locality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="地区 locality",
    )
    organisation = models.ForeignKey(
        "cases.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="组织 organisation",
    )
    person = models.ForeignKey(
        "cases.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="人物 person",
    )
    position = models.ForeignKey(
        "cases.Position",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="职务 position",
    )
    initiative = models.ForeignKey(
        "cases.Initiative",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="举措 initiative",
    )
    metric = models.ForeignKey(
        "cases.Metric",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="数据 metric",
    )

    history = HistoricalRecords()
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "证据 evidence"
        verbose_name_plural = "证据 evidence"
        ordering = ["source", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="evidence_end_after_start"),
            models.CheckConstraint(
                condition=models.Q(
                    *[
                        models.Q(**{f"{s}__isnull": s != subject for s in EVIDENCE_SUBJECTS})
                        for subject in EVIDENCE_SUBJECTS
                    ],
                    _connector=models.Q.OR,
                ),
                name="evidence_supports_exactly_one_fact",
            ),
        ]
        indexes = [models.Index(fields=["source", "start"])]

    def __str__(self) -> str:
        return f"「{self.quote[:40]}」"

    @property
    def subject(self) -> models.Model | None:
        for name in EVIDENCE_SUBJECTS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    def clean(self) -> None:
        """The quote must be the source's text at the given offsets; missing offsets are looked up."""
        if not self.source_id:
            return
        text = self.source.text
        if self.start is None or self.end is None:
            self.start, self.end = self.source.locate(self.quote)
            # A loose match stores the source's own text, so the quote is exactly the span.
            self.quote = text[self.start : self.end]
        elif text[self.start : self.end] != self.quote:
            raise ValidationError(
                {
                    "quote": f"quote {self.quote!r} is not the source's text at {self.start}–{self.end} "
                    f"(found {text[self.start : self.end]!r})"
                }
            )
        subjects = [name for name in EVIDENCE_SUBJECTS if getattr(self, f"{name}_id")]
        if len(subjects) != 1:
            raise ValidationError(f"evidence must support exactly one fact, not {len(subjects)}")
