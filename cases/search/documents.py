"""What each record contributes to the index: its texts, visibility, region and themes.

``build_documents`` reads records in batches with a constant number of queries per batch and
returns plain ``DocumentData``; tokenising is separate (``tokenise``) so ``reindex`` can run it
in worker processes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from cases.models import (
    Case,
    CaseOrganisation,
    DocumentType,
    Evidence,
    Initiative,
    Locality,
    Organisation,
    Position,
    Source,
    Status,
)
from cases.search.text import characters, index_tokens, normalize

# Fields whose tokens go to the weighted title column.
TITLE_FIELDS = frozenset({"title_zh", "title_en", "name", "name_en", "headline"})


@dataclass
class DocumentData:
    object_type: str
    object_id: int
    title: str
    fields: list[list[str]]
    is_public: bool
    locality_id: int | None = None
    province_code: str = ""
    prefecture_code: str = ""
    theme_ids: list[int] = field(default_factory=list)


@dataclass
class Tokens:
    normalized: str
    title_tokens: str
    body_tokens: str
    chars: str


def tokenise(fields: list[list[str]]) -> Tokens:
    """Normalised text and token columns for a document's fields (pure: safe in worker processes)."""
    normalized_parts: list[str] = []
    title: list[str] = []
    body: list[str] = []
    chars: list[str] = []
    for name, text in fields:
        normalized = normalize(text)
        normalized_parts.append(normalized)
        (title if name in TITLE_FIELDS else body).extend(index_tokens(normalized))
        chars.extend(characters(normalized))
    return Tokens("\n".join(normalized_parts), " ".join(title), " ".join(body), " ".join(chars))


def region_codes(path: str) -> tuple[str, str]:
    """(province code, prefecture code) from a locality path such as ``n1/51/5101/510105/``."""
    province = prefecture = ""
    for segment in path.split("/"):
        if segment.isdigit() and len(segment) == 2:
            province = segment
        elif segment.isdigit() and len(segment) == 4:
            prefecture = segment
    return province, prefecture


def _texts(*pairs: tuple[str, str | None]) -> list[list[str]]:
    return [[name, text] for name, text in pairs if text and text.strip()]


def _names(prefix: str, names: Iterable[str]) -> list[tuple[str, str]]:
    return [(prefix, name) for name in names if isinstance(name, str)]


def _with_region(data: DocumentData, locality: Locality | None) -> None:
    if locality is not None:
        data.locality_id = locality.pk
        data.province_code, data.prefecture_code = region_codes(locality.path)


def _build_cases(ids: list[int]) -> list[DocumentData]:
    cases = (
        Case.objects.filter(pk__in=ids)
        .select_related("primary_locality")
        .prefetch_related(
            "primary_locality__aliases",
            "localities",
            "themes",
            "initiatives",
            Prefetch("case_organisations", queryset=CaseOrganisation.objects.select_related("organisation")),
            Prefetch("people__positions", queryset=Position.objects.order_by("pk")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("pk")),
        )
    )
    documents = []
    for case in cases:
        place = case.primary_locality
        pairs: list[tuple[str, str]] = [
            ("title_zh", case.title_zh),
            ("title_en", case.title_en),
            ("summary_zh", case.summary_zh),
            ("summary_en", case.summary_en),
            ("locality", place.full_name or place.name),
            *_names("locality", (alias.name for alias in place.aliases.all())),
            *_names("locality", (other.full_name or other.name for other in case.localities.all())),
        ]
        for role in case.case_organisations.all():
            pairs += _names("organisation", role.organisation.all_names())
        for initiative in case.initiatives.all():
            pairs += _names("initiative", [initiative.name, *initiative.aliases])
        for person in case.people.all():
            pairs.append(("person", person.name))
            pairs += _names("position", (position.title for position in person.positions.all()))
        pairs += _names("evidence", (evidence.quote for evidence in case.evidence.all()))
        data = DocumentData(
            object_type=DocumentType.CASE,
            object_id=case.pk,
            title=case.title_zh,
            fields=_texts(*pairs),
            is_public=case.status == Status.PUBLISHED,
            theme_ids=sorted(theme.pk for theme in case.themes.all()),
        )
        _with_region(data, place)
        documents.append(data)
    return documents


def _published_case_context(links: Iterable[tuple[int, int]]) -> tuple[dict[int, list[int]], dict[int, Locality]]:
    """For (record id, case id) links: each record's published cases' theme ids and first locality."""
    links = list(links)
    cases = (
        Case.objects.published()
        .filter(pk__in={case_id for _, case_id in links})
        .select_related("primary_locality")
        .prefetch_related("themes")
        .order_by("public_id")
    )
    by_case = {case.pk: case for case in cases}
    themes: dict[int, set[int]] = defaultdict(set)
    localities: dict[int, Locality] = {}
    for record_id, case_id in sorted(links, key=lambda link: by_case[link[1]].public_id if link[1] in by_case else ""):
        case = by_case.get(case_id)
        if case is None:
            continue
        themes[record_id].update(theme.pk for theme in case.themes.all())
        localities.setdefault(record_id, case.primary_locality)
    return {key: sorted(value) for key, value in themes.items()}, localities


def _build_organisations(ids: list[int]) -> list[DocumentData]:
    organisations = (
        Organisation.objects.filter(pk__in=ids)
        .select_related("locality")
        .prefetch_related(Prefetch("positions", queryset=Position.objects.select_related("person").order_by("pk")))
    )
    public = set(Organisation.objects.public().filter(pk__in=ids).values_list("pk", flat=True))
    themes, case_places = _published_case_context(
        CaseOrganisation.objects.filter(organisation__in=ids).values_list("organisation_id", "case_id")
    )
    documents = []
    for organisation in organisations:
        pairs: list[tuple[str, str]] = [("name", organisation.name), ("name_en", organisation.name_en)]
        pairs += _names("alias", organisation.aliases)
        pairs.append(("description", organisation.description))
        for position in organisation.positions.all():
            pairs += [("person", position.person.name), ("position", position.title)]
        data = DocumentData(
            object_type=DocumentType.ORGANISATION,
            object_id=organisation.pk,
            title=organisation.name,
            fields=_texts(*pairs),
            is_public=organisation.pk in public,
            theme_ids=themes.get(organisation.pk, []),
        )
        _with_region(data, organisation.locality or case_places.get(organisation.pk))
        documents.append(data)
    return documents


def _build_initiatives(ids: list[int]) -> list[DocumentData]:
    initiatives = Initiative.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("localities", queryset=Locality.objects.order_by("path"))
    )
    public = set(Initiative.objects.public().filter(pk__in=ids).values_list("pk", flat=True))
    themes, case_places = _published_case_context(
        Case.initiatives.through.objects.filter(initiative__in=ids).values_list("initiative_id", "case_id")
    )
    documents = []
    for initiative in initiatives:
        pairs: list[tuple[str, str]] = [("name", initiative.name), ("name_en", initiative.name_en)]
        pairs += _names("alias", initiative.aliases)
        pairs.append(("description", initiative.description))
        places = list(initiative.localities.all())
        data = DocumentData(
            object_type=DocumentType.INITIATIVE,
            object_id=initiative.pk,
            title=initiative.name,
            fields=_texts(*pairs),
            is_public=initiative.pk in public,
            theme_ids=themes.get(initiative.pk, []),
        )
        _with_region(data, places[0] if places else case_places.get(initiative.pk))
        documents.append(data)
    return documents


def _build_sources(ids: list[int]) -> list[DocumentData]:
    sources = Source.objects.filter(pk__in=ids).prefetch_related("credits")
    public = set(Source.objects.public().filter(pk__in=ids).values_list("pk", flat=True))
    themes, case_places = _published_case_context(
        Case.sources.through.objects.filter(source__in=ids).values_list("source_id", "case_id")
    )
    documents = []
    for source in sources:
        pairs: list[tuple[str, str]] = [
            ("headline", source.headline),
            ("kicker", source.kicker),
            ("subheadline", source.subheadline),
            ("column", source.column),
            ("outlet", source.outlet),
            ("text", source.text),
        ]
        pairs += _names("credit", (credit.as_printed for credit in source.credits.all()))
        data = DocumentData(
            object_type=DocumentType.SOURCE,
            object_id=source.pk,
            title=str(source),
            fields=_texts(*pairs),
            is_public=source.pk in public,
            theme_ids=themes.get(source.pk, []),
        )
        _with_region(data, case_places.get(source.pk))
        documents.append(data)
    return documents


BUILDERS = {
    DocumentType.CASE: _build_cases,
    DocumentType.ORGANISATION: _build_organisations,
    DocumentType.INITIATIVE: _build_initiatives,
    DocumentType.SOURCE: _build_sources,
}

MODELS = {
    DocumentType.CASE: Case,
    DocumentType.ORGANISATION: Organisation,
    DocumentType.INITIATIVE: Initiative,
    DocumentType.SOURCE: Source,
}


def build_documents(object_type: str, ids: Iterable[int]) -> list[DocumentData]:
    """Index data for the records of ``object_type`` with these ids (missing ids are skipped)."""
    ids = sorted(set(ids))
    return BUILDERS[DocumentType(object_type)](ids) if ids else []
