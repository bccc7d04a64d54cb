"""The search index: one row per searchable record, tokenised at write time.

The database indexes the token columns: on SQLite an FTS5 table (``cases_searchdocument_fts``,
external content, kept in step by triggers), on PostgreSQL a generated ``search_vector``
tsvector column with a GIN index. Both are created by migration 0004_search_document with raw SQL for the
database in use, so the model does not declare them.

SQLite caveat: a later migration that alters this table makes Django rebuild it, which drops
the triggers; such a migration must run ``cases.search.schema.recreate_sqlite_index`` again.
"""

from __future__ import annotations

from django.db import models


class DocumentType(models.TextChoices):
    CASE = "case", "案例 case"
    ORGANISATION = "organisation", "组织 organisation"
    INITIATIVE = "initiative", "举措 initiative"
    SOURCE = "source", "来源 source"


class SearchDocumentQuerySet(models.QuerySet):
    def public(self) -> SearchDocumentQuerySet:
        """Documents anonymous users may see (their record passes its model's ``public()``)."""
        return self.filter(is_public=True)


class SearchDocument(models.Model):
    object_type = models.CharField(max_length=20, choices=DocumentType.choices)
    object_id = models.BigIntegerField()
    is_public = models.BooleanField(default=False, db_index=True)
    title = models.CharField(max_length=300, help_text="shown in results")
    fields = models.JSONField(default=list, help_text="[[field name, original text], …] as stored in the record")
    normalized = models.TextField(help_text="the fields' texts joined by newlines, simplified and lower case")
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    chars = models.TextField(blank=True, help_text="every CJK character, for single characters and unknown words")
    locality = models.ForeignKey(
        "cases.Locality", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    province_code = models.CharField(max_length=2, blank=True, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, db_index=True)
    themes = models.ManyToManyField("cases.Theme", blank=True, related_name="+")
    indexed_at = models.DateTimeField(auto_now=True)

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "检索文档 search document"
        verbose_name_plural = "检索文档 search documents"
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="search_document_unique_object")
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.title}"
