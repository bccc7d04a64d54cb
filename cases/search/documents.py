"""What each record contributes to the index: its texts, visibility, region and themes.

``build_documents`` reads records in batches with a constant number of queries per batch and
returns plain ``DocumentData``; tokenising is separate (``tokenise``) so ``reindex`` can run it
in worker processes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from cases.models import (
    Case,
    CaseOrganisation,
    DocumentType,
    Evidence,
    Initiative,
    LocalityAlias,
    Organisation,
    Person,
    Position,
    Source,
    SourceCredit,
    Status,
)
from cases.search.text import characters, index_tokens, normalize

# Fields whose tokens go to the weighted title column.
TITLE_FIELDS = frozenset({"title_zh", "title_en", "name", "name_en", "headline"})
# Fields holding one name each: the whole name is also a token, so a name created after the
# indexing process loaded its dictionary is still found as one word once every process knows it.
NAME_FIELDS = frozenset({"name", "alias", "locality", "organisation", "initiative", "person"})
_SINGLE_WORD = re.compile(r"[^\W_]{2,30}")


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
        tokens = index_tokens(normalized)
        if name in NAME_FIELDS and _SINGLE_WORD.fullmatch(normalized) and normalized not in tokens:
            tokens.append(normalized)
        (title if name in TITLE_FIELDS else body).extend(tokens)
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


def _grouped(rows: Iterable[tuple]) -> dict[int, list[tuple]]:
    """(key, *values) rows → {key: [values, …]} in row order."""
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for key, *values in rows:
        grouped[key].append(tuple(values))
    return grouped


def _with_region(data: DocumentData, locality_id: int | None, path: str | None) -> None:
    if locality_id is not None and path:
        data.locality_id = locality_id
        data.province_code, data.prefecture_code = region_codes(path)


# Builders read flat rows (values_list), never model instances: a reindex builds hundreds of
# thousands of documents and model instantiation would dominate it. Each runs a fixed number
# of queries per batch, whatever the batch size.


def build_cases(ids: list[int], public: set[int] | None = None) -> list[DocumentData]:
    rows = Case.objects.filter(pk__in=ids).values_list(
        "pk",
        "title_zh",
        "title_en",
        "summary_zh",
        "summary_en",
        "status",
        "primary_locality_id",
        "primary_locality__name",
        "primary_locality__full_name",
        "primary_locality__path",
    )
    rows = list(rows)
    places = {row[6] for row in rows}
    aliases = _grouped(
        LocalityAlias.objects.filter(locality__in=places).order_by("pk").values_list("locality_id", "name")
    )
    further = _grouped(
        Case.localities.through.objects.filter(case__in=ids)
        .order_by("pk")
        .values_list("case_id", "locality__full_name", "locality__name")
    )
    themes = _grouped(Case.themes.through.objects.filter(case__in=ids).values_list("case_id", "theme_id"))
    organisations = _grouped(
        CaseOrganisation.objects.filter(case__in=ids)
        .order_by("pk")
        .values_list("case_id", "organisation__name", "organisation__aliases")
    )
    initiatives = _grouped(
        Case.initiatives.through.objects.filter(case__in=ids)
        .order_by("pk")
        .values_list("case_id", "initiative__name", "initiative__aliases")
    )
    people = _grouped(
        Case.people.through.objects.filter(case__in=ids)
        .order_by("pk")
        .values_list("case_id", "person_id", "person__name")
    )
    # Only what the case detail shows anonymous users (cases.api.detail): posts in public
    # organisations or in none, quotes from public sources.
    positions = _grouped(
        Position.objects.public()
        .filter(person__in={person for found in people.values() for person, _ in found})
        .order_by("pk")
        .values_list("person_id", "title")
    )
    evidence = _grouped(Evidence.objects.public().filter(case__in=ids).order_by("pk").values_list("case_id", "quote"))
    documents = []
    for pk, title_zh, title_en, summary_zh, summary_en, status, place, name, full_name, path in rows:
        pairs: list[tuple[str, str]] = [
            ("title_zh", title_zh),
            ("title_en", title_en),
            ("summary_zh", summary_zh),
            ("summary_en", summary_en),
            ("locality", full_name or name),
            *_names("locality", (alias for (alias,) in aliases.get(place, []))),
            *_names("locality", (other_full or other for other_full, other in further.get(pk, []))),
        ]
        for organisation, organisation_aliases in organisations.get(pk, []):
            pairs += _names("organisation", [organisation, *(organisation_aliases or [])])
        for initiative, initiative_aliases in initiatives.get(pk, []):
            pairs += _names("initiative", [initiative, *(initiative_aliases or [])])
        for person, person_name in people.get(pk, []):
            pairs.append(("person", person_name))
            pairs += _names("position", (title for (title,) in positions.get(person, [])))
        pairs += _names("evidence", (quote for (quote,) in evidence.get(pk, [])))
        data = DocumentData(
            object_type=DocumentType.CASE,
            object_id=pk,
            title=title_zh,
            fields=_texts(*pairs),
            is_public=status == Status.PUBLISHED,
            theme_ids=sorted(theme for (theme,) in themes.get(pk, [])),
        )
        _with_region(data, place, path)
        documents.append(data)
    return documents


def _published_case_context(
    links: Iterable[tuple[int, int]],
) -> tuple[dict[int, list[int]], dict[int, tuple[int, str]]]:
    """For (record id, case id) links: each record's published cases' theme ids and the
    (locality id, path) of the first one's primary locality (by public id)."""
    links = list(links)
    case_ids = {case_id for _, case_id in links}
    cases = {
        pk: (public_id, place, path)
        for pk, public_id, place, path in Case.objects.published()
        .filter(pk__in=case_ids)
        .values_list("pk", "public_id", "primary_locality_id", "primary_locality__path")
    }
    case_themes = _grouped(Case.themes.through.objects.filter(case__in=cases).values_list("case_id", "theme_id"))
    themes: dict[int, set[int]] = defaultdict(set)
    localities: dict[int, tuple[int, str]] = {}
    for record_id, case_id in sorted((link for link in links if link[1] in cases), key=lambda link: cases[link[1]][0]):
        themes[record_id].update(theme for (theme,) in case_themes.get(case_id, []))
        localities.setdefault(record_id, cases[case_id][1:])
    return {key: sorted(value) for key, value in themes.items()}, localities


def build_organisations(ids: list[int], public: set[int] | None = None) -> list[DocumentData]:
    rows = list(
        Organisation.objects.filter(pk__in=ids).values_list(
            "pk", "name", "name_en", "aliases", "description", "locality_id", "locality__path"
        )
    )
    # The people of an organisation's posts are searchable only once the people are public.
    positions = _grouped(
        Position.objects.filter(organisation__in=ids, person__in=Person.objects.public())
        .order_by("pk")
        .values_list("organisation_id", "person__name", "title")
    )
    if public is None:
        public = public_ids(DocumentType.ORGANISATION, ids)
    themes, case_places = _published_case_context(
        CaseOrganisation.objects.filter(organisation__in=ids).values_list("organisation_id", "case_id")
    )
    documents = []
    for pk, name, name_en, aliases, description, place, path in rows:
        pairs: list[tuple[str, str]] = [("name", name), ("name_en", name_en)]
        pairs += _names("alias", aliases or [])
        pairs.append(("description", description))
        for person, title in positions.get(pk, []):
            pairs += [("person", person), ("position", title)]
        data = DocumentData(
            object_type=DocumentType.ORGANISATION,
            object_id=pk,
            title=name,
            fields=_texts(*pairs),
            is_public=pk in public,
            theme_ids=themes.get(pk, []),
        )
        _with_region(data, *((place, path) if place else case_places.get(pk, (None, None))))
        documents.append(data)
    return documents


def build_initiatives(ids: list[int], public: set[int] | None = None) -> list[DocumentData]:
    rows = list(Initiative.objects.filter(pk__in=ids).values_list("pk", "name", "name_en", "aliases", "description"))
    places = _grouped(
        Initiative.localities.through.objects.filter(initiative__in=ids)
        .order_by("locality__path")
        .values_list("initiative_id", "locality_id", "locality__path")
    )
    if public is None:
        public = public_ids(DocumentType.INITIATIVE, ids)
    themes, case_places = _published_case_context(
        Case.initiatives.through.objects.filter(initiative__in=ids).values_list("initiative_id", "case_id")
    )
    documents = []
    for pk, name, name_en, aliases, description in rows:
        pairs: list[tuple[str, str]] = [("name", name), ("name_en", name_en)]
        pairs += _names("alias", aliases or [])
        pairs.append(("description", description))
        data = DocumentData(
            object_type=DocumentType.INITIATIVE,
            object_id=pk,
            title=name,
            fields=_texts(*pairs),
            is_public=pk in public,
            theme_ids=themes.get(pk, []),
        )
        own = places.get(pk)
        _with_region(data, *(own[0] if own else case_places.get(pk, (None, None))))
        documents.append(data)
    return documents


def build_sources(ids: list[int], public: set[int] | None = None) -> list[DocumentData]:
    rows = list(
        Source.objects.filter(pk__in=ids).values_list(
            "pk", "headline", "kicker", "subheadline", "column", "outlet", "text"
        )
    )
    credits = _grouped(
        SourceCredit.objects.filter(source__in=ids).order_by("order", "pk").values_list("source_id", "as_printed")
    )
    if public is None:
        public = public_ids(DocumentType.SOURCE, ids)
    themes, case_places = _published_case_context(
        Case.sources.through.objects.filter(source__in=ids).values_list("source_id", "case_id")
    )
    documents = []
    for pk, headline, kicker, subheadline, column, outlet, source_text in rows:
        pairs: list[tuple[str, str]] = [
            ("headline", headline),
            ("kicker", kicker),
            ("subheadline", subheadline),
            ("column", column),
            ("outlet", outlet),
            ("text", source_text),
        ]
        pairs += _names("credit", (printed for (printed,) in credits.get(pk, [])))
        data = DocumentData(
            object_type=DocumentType.SOURCE,
            object_id=pk,
            title=f"{outlet}《{headline}》" if outlet else f"《{headline}》",
            fields=_texts(*pairs),
            is_public=pk in public,
            theme_ids=themes.get(pk, []),
        )
        _with_region(data, *case_places.get(pk, (None, None)))
        documents.append(data)
    return documents


def public_ids(object_type: str, ids: Iterable[int] | None = None) -> set[int]:
    """Ids of the records anonymous users may see (``registry.public_ids``: the models' own rule)."""
    from cases.search.registry import public_ids

    return public_ids(object_type, ids)


def build_documents(object_type: str, ids: Iterable[int], *, public: set[int] | None = None) -> list[DocumentData]:
    """Index data for the records of ``object_type`` with these ids (missing ids are skipped).

    ``public`` may hold the ids of every public record of the type (see ``public_ids``); by
    default visibility is looked up for these ids.
    """
    # The registry names this module's builders, so it is read when called, not on import.
    from cases.search.registry import indexed_type

    ids = sorted(set(ids))
    return indexed_type(object_type).build(ids, public) if ids else []
