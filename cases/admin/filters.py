"""List filters: the region drill-down (province → prefecture → county → township → community → compound)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models

from cases.models import Level, Locality

# Levels whose children the filter offers: a township's villages and communities (a few dozen, at
# most a few hundred) and a community's compounds.
_DRILL_DOWN_FROM = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP, Level.COMMUNITY)


class RegionFilter(admin.SimpleListFilter):
    """Rows whose locality is the chosen region or anywhere beneath it.

    The choices show the way up (ancestors), the current region and its children, so an editor
    clicks down from a province to a community and its compounds; each page costs the same three
    small queries.
    Subclasses set ``locality_lookups``: the paths from the model to a Locality.
    """

    title = "地区 region"
    parameter_name = "region"
    locality_lookups: tuple[str, ...] = ()

    def selected_locality(self) -> Locality | None:
        if not hasattr(self, "_selected"):
            value = self.value()
            self._selected = None
            if value:
                if not value.isdigit():
                    raise IncorrectLookupParameters(f"region must be a locality id, not {value!r}")
                self._selected = Locality.objects.filter(pk=value).first()
                if self._selected is None:
                    raise IncorrectLookupParameters(f"no locality with id {value}")
        return self._selected

    def lookups(self, request, model_admin):
        selected = self.selected_locality()
        if selected is None:
            return [(str(p.pk), p.name) for p in Locality.objects.filter(level=Level.PROVINCE).order_by("path")]
        choices = [(str(a.pk), f"↑ {a.name}") for a in selected.ancestors() if a.level not in (Level.COUNTRY,)]
        choices.append((str(selected.pk), f"● {selected.name}"))
        if selected.level in _DRILL_DOWN_FROM:
            children = Locality.objects.filter(parent=selected).order_by("path")
            choices.extend((str(c.pk), f"　{c.name}") for c in children)
        return choices

    def queryset(self, request, queryset):
        selected = self.selected_locality()
        if selected is None:
            return queryset
        within = Locality.objects.within(selected).values("pk")
        condition = models.Q()
        for lookup in self.locality_lookups:
            condition |= models.Q(**{f"{lookup}__in": within})
        queryset = queryset.filter(condition)
        # A many-to-many lookup can match one row several times.
        if any(self._is_multi_valued(queryset.model, lookup) for lookup in self.locality_lookups):
            return queryset.distinct()
        return queryset

    @staticmethod
    def _is_multi_valued(model: type[models.Model], lookup: str) -> bool:
        for part in lookup.split("__"):
            if part == "pk":
                return False
            field = model._meta.get_field(part)
            if field.many_to_many or field.one_to_many:
                return True
            model = field.related_model
        return False


def region_filter(*lookups: str) -> type[RegionFilter]:
    """A RegionFilter matching rows where any of ``lookups`` (paths to a Locality) is in the region."""
    return type("RegionFilter", (RegionFilter,), {"locality_lookups": lookups})
