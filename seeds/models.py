"""Bookkeeping for the seed loader: which database row each curated record became."""

from __future__ import annotations

from django.db import models


class SeedRecord(models.Model):
    """Maps a record's key in a corpus file to the row it was loaded into.

    Keys are local to a corpus file; the mapping lets a second load update the same
    rows instead of creating duplicates, so the load is idempotent.
    """

    corpus = models.CharField(max_length=200, help_text="corpus file name, e.g. 000_renmin_ribao_page.yaml")
    kind = models.CharField(max_length=50, help_text="model label, e.g. cases.organisation")
    key = models.CharField(max_length=300)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["corpus", "kind", "key"], name="seed_record_unique_key")]

    def __str__(self) -> str:
        return f"{self.corpus}:{self.kind}:{self.key} → {self.object_id}"
