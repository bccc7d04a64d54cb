"""Evidence quotes: every quote must occur in its source; the span found is stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from cases.models import (
    Evidence,
)
from seeds.parsing import Record


class EvidenceMixin:
    """The ``evidence`` list of any record."""

    def _evidence(self, record: Record, **subject: models.Model) -> None:
        ((subject_name, obj),) = subject.items()
        wanted = []
        for index, raw in enumerate(record.list("evidence")):
            item = Record(self.file, f"{record.label}.evidence[{index}]", raw if isinstance(raw, dict) else {})
            item.check_keys(["source", "quote", "claim", "occurrence"], required=["source", "quote"])
            source = self._ref(item, "source", self.sources, "source")
            quote = str(item.data["quote"])
            occurrence = item.data.get("occurrence", 1)
            if not isinstance(occurrence, int) or occurrence < 1:
                raise item.error("must be a positive whole number", "occurrence")
            try:
                start, end = source.locate(quote, occurrence)
            except ValidationError as error:
                raise item.error(error.message_dict["quote"][0], "quote") from None
            wanted.append((source.pk, start, end, quote, item.str("claim")))
        have = list(obj.evidence.order_by("id").values_list("source_id", "start", "end", "quote", "claim"))
        if have == wanted:
            return
        obj.evidence.all().delete()
        for source_id, start, end, quote, claim in wanted:
            evidence = Evidence(
                source_id=source_id, start=start, end=end, quote=quote, claim=claim, **{subject_name: obj}
            )
            evidence.full_clean()
            evidence.save()
        self.counts["evidence quotes written"] += len(wanted)
