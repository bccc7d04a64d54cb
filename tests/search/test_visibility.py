"""The index's published flag follows the models' own public() rule, on the seed data and after changes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Case, DocumentType, Initiative, Organisation, SearchDocument, Source, Status
from cases.search.signals import refresh_for

pytestmark = pytest.mark.django_db

MODELS = {
    DocumentType.CASE: Case.objects.published,
    DocumentType.ORGANISATION: Organisation.objects.public,
    DocumentType.INITIATIVE: Initiative.objects.public,
    DocumentType.SOURCE: Source.objects.public,
}


def assert_index_matches_visibility() -> None:
    for object_type, public in MODELS.items():
        expected = set(public().values_list("pk", flat=True))
        indexed = set(
            SearchDocument.objects.filter(object_type=object_type, is_public=True).values_list("object_id", flat=True)
        )
        assert indexed == expected, object_type


def test_published_flags_follow_public_on_the_seed_data(seeded_index):
    assert_index_matches_visibility()
    assert any(public().exists() for public in MODELS.values())


def test_published_flags_follow_public_when_cases_are_unpublished(seeded_index):
    chengdu = list(Case.objects.filter(primary_locality__path__contains="/5101/").values_list("pk", flat=True))
    Case.objects.filter(pk__in=chengdu).update(status=Status.DRAFT, published_at=None)
    refresh_for(Case, chengdu)
    assert_index_matches_visibility()
    Case.objects.filter(pk__in=chengdu).update(status=Status.PUBLISHED, published_at=timezone.now())
    refresh_for(Case, chengdu)
    assert_index_matches_visibility()
