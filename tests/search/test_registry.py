"""The search type registry: every stored document type is declared once, and its declaration is whole."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import DocumentType
from cases.search.backends import TYPE_WEIGHTS
from cases.search.registry import TYPES, indexed_type, watched_models
from cases.search.signals import link_tables


def test_every_stored_document_type_has_one_declaration():
    assert list(TYPES) == DocumentType.values


@pytest.mark.parametrize("object_type", DocumentType.values)
def test_each_type_links_its_results_to_api_and_site_detail_pages(object_type):
    entry = TYPES[object_type]
    key = "example" if entry.url_key != "pk" else 1
    assert reverse(entry.api_route, args=[key]).startswith("/api/v1/")
    assert reverse(entry.site_route, args=[key])
    assert TYPE_WEIGHTS[object_type] == entry.weight


def test_an_unknown_type_is_refused_by_name():
    with pytest.raises(KeyError, match="unknown document type 'policy'; expected one of case, "):
        indexed_type("policy")


def test_the_signals_watch_every_indexed_model_and_its_plain_link_tables():
    watched = {model.__name__ for model in watched_models()}
    assert {entry.model.__name__ for entry in TYPES.values()} <= watched
    assert {table._meta.model_name for table in link_tables()} == {
        "case_themes",
        "case_localities",
        "case_initiatives",
        "case_people",
        "case_sources",
        "initiative_localities",
    }
