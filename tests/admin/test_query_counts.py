"""Every changelist and change page issues the same number of queries for 10 rows as for 1,000."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import (
    Case,
    CaseOrganisation,
    Evidence,
    Indicator,
    Level,
    Locality,
    Metric,
    Organisation,
    OrganisationKind,
    Person,
    Position,
    Source,
    SourceKind,
)
from tests.admin.helpers import build_world


def grow(count: int, *, tag: str) -> None:
    """Add ``count`` rows to each big table, linked like real data, with bulk inserts for speed."""
    story_case = Case.objects.order_by("pk").first()
    township = story_case.primary_locality.parent
    # Paths are normally computed in save(); bulk inserts set them directly.
    localities = Locality.objects.bulk_create(
        Locality(
            name=f"{tag}社区{i}",
            level=Level.COMMUNITY,
            parent=township,
            full_name=f"{township.full_name}{tag}社区{i}",
            path=f"{township.path}{tag}{i}/",
        )
        for i in range(count)
    )
    indicator = Indicator.objects.first()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"{tag}党委{i}", kind=OrganisationKind.PARTY_COMMITTEE, locality=localities[i])
        for i in range(count)
    )
    people = Person.objects.bulk_create(Person(name=f"{tag}人{i}") for i in range(count))
    Position.objects.bulk_create(
        Position(person=people[i], organisation=organisations[i], title="书记") for i in range(count)
    )
    cases = Case.objects.bulk_create(
        Case(public_id=f"{tag}-{i}", title_zh=f"{tag}案例{i}", primary_locality=localities[i]) for i in range(count)
    )
    Case.localities.through.objects.bulk_create(Case.localities.through(case=case, locality=township) for case in cases)
    CaseOrganisation.objects.bulk_create(
        CaseOrganisation(case=cases[i], organisation=organisations[i]) for i in range(count)
    )
    Metric.objects.bulk_create(
        Metric(indicator=indicator, value=i, case=cases[i], locality=localities[i]) for i in range(count)
    )
    sources = Source.objects.bulk_create(
        Source(headline=f"{tag}报道{i}", kind=SourceKind.REPORT, text=f"{tag}文本{i}", content_hash=f"{tag}-{i}")
        for i in range(count)
    )
    Evidence.objects.bulk_create(
        Evidence(source=sources[i], quote=f"{tag}文本", start=0, end=len(tag) + 2, case=cases[i]) for i in range(count)
    )


def grow_case(case: Case, count: int, *, tag: str) -> None:
    """Add ``count`` inline rows (metrics, evidence, organisations, people) to one case."""
    indicator = Indicator.objects.first()
    Metric.objects.bulk_create(Metric(indicator=indicator, value=i, case=case) for i in range(count))
    sources = Source.objects.bulk_create(
        Source(headline=f"{tag}{i}", kind=SourceKind.REPORT, text=f"{tag}原文{i}", content_hash=f"{tag}{i}")
        for i in range(count)
    )
    Evidence.objects.bulk_create(
        Evidence(source=s, quote=f"{tag}原文", start=0, end=len(tag) + 2, case=case) for s in sources
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"{tag}组织{i}", kind=OrganisationKind.OTHER) for i in range(count)
    )
    CaseOrganisation.objects.bulk_create(CaseOrganisation(case=case, organisation=o) for o in organisations)
    people = Person.objects.bulk_create(Person(name=f"{tag}人物{i}") for i in range(count))
    case.people.add(*people)
    Position.objects.bulk_create(Position(person=p, title="主任") for p in people)
    case.sources.add(*sources)


CHANGELISTS = [
    (model, "") for model, model_admin in admin.site._registry.items() if model._meta.app_label == "cases"
] + [(Case, "?region={township}"), (Case, "?status=draft&q=案例"), (Metric, "?region={township}")]


def _count(client, url: str) -> int:
    # Warm up first: the content-type cache fills on the first request and would skew the count.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_changelists_cost_the_same_for_10_and_1000_rows(client, superuser):
    story = build_world()
    township = story.case.primary_locality.parent
    client.force_login(superuser)
    urls = [
        reverse(f"admin:cases_{model._meta.model_name}_changelist") + query.format(township=township.pk)
        for model, query in CHANGELISTS
    ]
    grow(10, tag="a")
    small = {url: _count(client, url) for url in urls}
    grow(990, tag="b")
    large = {url: _count(client, url) for url in urls}
    assert {url: n for url, n in large.items() if n != small[url]} == {}, small


@pytest.mark.django_db
def test_change_pages_cost_the_same_for_2_and_40_inline_rows(client, superuser):
    from tests.editorial import make_story

    build_world()
    client.force_login(superuser)
    counts = []
    for size in (2, 40):
        case = make_story().case
        grow_case(case, size, tag=f"g{size}-")
        organisation = Organisation.objects.create(name=f"组织{size}", kind=OrganisationKind.OTHER)
        person = Person.objects.create(name=f"人物{size}")
        Position.objects.bulk_create(
            Position(person=person, organisation=organisation, title=f"职务{i}") for i in range(size)
        )
        pages = {
            "case change": reverse("admin:cases_case_change", args=[case.pk]),
            "case history": reverse("admin:cases_case_history", args=[case.pk]),
            "organisation change": reverse("admin:cases_organisation_change", args=[organisation.pk]),
            "person change": reverse("admin:cases_person_change", args=[person.pk]),
        }
        counts.append({name: _count(client, url) for name, url in pages.items()})
    small, large = counts
    assert large == small
