"""The index follows every write: create, update, delete, publish, relations, bulk paths."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case, DocumentType, SearchDocument, Status
from cases.search.index import deferred
from cases.search.query import parse
from cases.search.service import highlights_for, search_documents
from cases.search.signals import refresh_for
from cases.services.workflow import case_transition
from tests import factories

pytestmark = pytest.mark.django_db


def found(q: str, *, public_only: bool = True, object_type: str = DocumentType.CASE) -> set[int]:
    documents = search_documents(parse(q), public_only=public_only, types=[object_type])
    return set(documents.values_list("object_id", flat=True))


@pytest.fixture
def place():
    return factories.chengdu_tree()["changcheng"]


def test_a_new_case_is_found_and_an_edit_replaces_its_words(place):
    case = factories.case(primary_locality=place, title_zh="长城社区红色物业联盟")
    assert found("红色物业") == {case.pk}
    case.title_zh = "长城社区党建引领"
    case.save()
    assert found("红色物业") == set()
    assert found("党建引领") == {case.pk}


def test_a_deleted_case_leaves_the_index(place):
    case = factories.case(primary_locality=place, title_zh="网格化管理试点")
    pk = case.pk
    case.delete()
    assert found("网格化") == set()
    assert not SearchDocument.objects.filter(object_type=DocumentType.CASE, object_id=pk).exists()


def test_publishing_and_unpublishing_show_and_hide_the_case_and_its_source(place):
    reviewer = get_user_model().objects.create_superuser("reviewer", password="x")
    source = factories.source(text="双报到制度让党员到社区报到。")
    case = factories.case(primary_locality=place, status=Status.IN_REVIEW, title_zh="双报到")
    case.sources.add(source)
    case.evidence.create(source=source, start=0, end=3, quote="双报到")
    assert found("双报到") == set()
    assert found("双报到", public_only=False) == {case.pk}
    assert found("双报到", object_type=DocumentType.SOURCE) == set()

    case_transition(case=case, to_status=Status.PUBLISHED, user=reviewer)
    assert found("双报到") == {case.pk}
    assert found("双报到", object_type=DocumentType.SOURCE) == {source.pk}

    case_transition(case=case, to_status=Status.DRAFT, user=reviewer)
    assert found("双报到") == set()
    assert found("双报到", object_type=DocumentType.SOURCE) == set()


def test_renaming_an_organisation_updates_the_cases_it_acts_in(place):
    case = factories.case(primary_locality=place)
    organisation = factories.organisation(name="长城社区党委")
    case.case_organisations.create(organisation=organisation, role="牵头")
    assert found("长城社区党委") == {case.pk}
    organisation.name = "少城街道党工委"
    organisation.save()
    assert found("党工委") == {case.pk}
    assert found("长城社区党委") == set()


def test_theme_changes_reach_the_document(place):
    case = factories.case(primary_locality=place, title_zh="民生综合体")
    theme = factories.theme(code="public_services")
    case.themes.add(theme)
    document = SearchDocument.objects.get(object_type=DocumentType.CASE, object_id=case.pk)
    assert list(document.themes.values_list("code", flat=True)) == ["public_services"]
    case.themes.clear()
    assert not document.themes.exists()


def test_a_bulk_status_update_is_repaired_by_refresh_for(place):
    cases = [factories.case(primary_locality=place, title_zh=f"联建共建{n}") for n in range(3)]
    ids = [case.pk for case in cases]
    Case.objects.filter(pk__in=ids).update(status=Status.DRAFT, published_at=None)
    assert found("联建共建") == set(ids), "update() fires no signal: the index is stale until refreshed"
    refresh_for(Case, ids)
    assert found("联建共建") == set()


def test_deferred_refreshes_once_at_the_end_of_the_block(place):
    with deferred():
        case = factories.case(primary_locality=place, title_zh="院落党总支")
        assert found("院落党总支") == set()
        case.title_zh = "院落党总支成立"
        case.save()
    assert found("院落党总支") == {case.pk}


def test_a_failed_write_leaves_the_index_as_it_was(place):
    case = factories.case(primary_locality=place, title_zh="网格员")
    with pytest.raises(RuntimeError), deferred():
        case.title_zh = "业主大会"
        case.save()
        raise RuntimeError("the caller's transaction rolls back")
    assert found("网格员") == {case.pk}


def test_a_block_whose_writes_committed_one_by_one_refreshes_them_after_an_error(place):
    case = factories.case(primary_locality=place, title_zh="网格员")
    with pytest.raises(RuntimeError), deferred(after_error=True):
        case.title_zh = "业主大会"
        case.save()  # committed on its own (as each of candidates_accept_each's acceptances is)
        raise RuntimeError("the next write fails")
    assert found("业主大会") == {case.pk}
    assert found("网格员") == set()


def test_published_cases_are_stamped(place):
    # A guard for the factories this module relies on: published means a timestamp.
    case = factories.case(primary_locality=place)
    assert case.published_at is not None and case.published_at <= timezone.now()


def test_highlights_point_into_the_original_traditional_text(place):
    case = factories.case(primary_locality=place, title_zh="成立業委會", summary_zh="小區業主委員會今年成立。")
    document = search_documents(parse("业委会"), types=[DocumentType.CASE]).get()
    assert document.object_id == case.pk
    highlights = highlights_for(document, parse("业委会"))["highlights"]
    originals = {"title_zh": case.title_zh, "summary_zh": case.summary_zh}
    assert {(h["field"], h["text"]) for h in highlights} == {("title_zh", "業委會"), ("summary_zh", "業主委員會")}
    for mark in highlights:
        assert originals[mark["field"]][mark["start"] : mark["end"]] == mark["text"]
