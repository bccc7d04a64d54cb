"""The index hides what the public pages hide: records that stop being public when a link goes,
and the facts of a public case that its detail page leaves out."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from cases.models import (
    CaseOrganisation,
    DocumentType,
    Evidence,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    Position,
    SearchDocument,
    SourceCredit,
)
from tests import factories

pytestmark = pytest.mark.django_db


def search_body(q: str) -> str:
    """The results and facets of a search (the response also echoes the query itself)."""
    data = APIClient().get("/api/v1/search/", {"q": q}).json()
    return json.dumps([data["count"], data["results"], data["facets"]], ensure_ascii=False)


def is_public(object_type: str, pk: int) -> bool:
    return SearchDocument.objects.get(object_type=object_type, object_id=pk).is_public


@pytest.fixture
def case():
    return factories.case(primary_locality=factories.chengdu_tree()["changcheng"])


def test_removing_an_initiative_hides_the_organisations_public_only_through_it(case):
    organisation = factories.organisation(name="联盟成员单位", aliases=["QZXALIAS"])
    person = factories.person(name="QZXPERSON")
    Position.objects.create(person=person, organisation=organisation, title="QZXPOST")
    initiative = Initiative.objects.create(name="睦邻联盟", kind=InitiativeKind.ALLIANCE)
    InitiativeParticipant.objects.create(initiative=initiative, organisation=organisation, role="member")
    case.initiatives.add(initiative)
    assert is_public(DocumentType.ORGANISATION, organisation.pk)
    assert "QZXALIAS" in search_body("QZXALIAS")

    case.initiatives.remove(initiative)
    assert not is_public(DocumentType.ORGANISATION, organisation.pk)
    for token in ("QZXALIAS", "QZXPERSON", "QZXPOST"):
        assert token not in search_body(token), token


def test_clearing_initiatives_from_the_initiative_side_hides_them_too(case):
    organisation = factories.organisation(name="联盟成员单位", aliases=["QZXCLEAR"])
    initiative = Initiative.objects.create(name="睦邻联盟", kind=InitiativeKind.ALLIANCE)
    InitiativeParticipant.objects.create(initiative=initiative, organisation=organisation, role="member")
    case.initiatives.add(initiative)
    initiative.cases.clear()
    assert not is_public(DocumentType.ORGANISATION, organisation.pk)
    assert "QZXCLEAR" not in search_body("QZXCLEAR")


def test_removing_a_source_hides_the_organisations_credited_only_on_it(case):
    organisation = factories.organisation(name="通讯员单位", aliases=["QZXCREDIT"])
    source = factories.source()
    SourceCredit.objects.create(source=source, role="author", organisation=organisation, as_printed="通讯员")
    case.sources.add(source)
    assert is_public(DocumentType.ORGANISATION, organisation.pk)
    case.sources.remove(source)
    assert not is_public(DocumentType.ORGANISATION, organisation.pk)
    assert "QZXCREDIT" not in search_body("QZXCREDIT")


def test_a_case_document_holds_only_the_quotes_and_posts_its_detail_shows(case):
    cited = factories.source(text="居民议事会每月召开。")
    case.sources.add(cited)
    uncited = factories.source(text="QZXQUOTE 出自一篇未被公开案例引用的报道。")
    Evidence.objects.create(source=cited, start=0, end=5, quote="居民议事会", case=case)
    Evidence.objects.create(source=uncited, start=0, end=8, quote="QZXQUOTE", case=case)
    person = factories.person(name="社区书记甲")
    case.people.add(person)
    hidden = factories.organisation(name="只在草稿里的组织")
    Position.objects.create(person=person, organisation=hidden, title="QZXHIDDENPOST")
    Position.objects.create(person=person, title="QZXPLAINPOST")

    detail = APIClient().get(f"/api/v1/cases/{case.public_id}/").content.decode()
    assert "QZXQUOTE" not in detail and "QZXHIDDENPOST" not in detail and "QZXPLAINPOST" in detail
    assert "QZXQUOTE" not in search_body("QZXQUOTE")
    assert "QZXHIDDENPOST" not in search_body("QZXHIDDENPOST")
    assert "QZXPLAINPOST" in search_body("QZXPLAINPOST")
    assert "居民议事会" in search_body("居民议事会")


def test_an_organisation_document_names_only_public_people(case):
    organisation = factories.organisation(name="公开的社区党委")
    CaseOrganisation.objects.create(case=case, organisation=organisation, role="牵头")
    draft = factories.case(primary_locality=case.primary_locality, status="draft")
    hidden = factories.person(name="QZXDRAFTPERSON")
    draft.people.add(hidden)
    Position.objects.create(person=hidden, organisation=organisation, title="委员")
    assert "QZXDRAFTPERSON" not in search_body("QZXDRAFTPERSON")
    case.people.add(hidden)  # now public through a published case
    assert "QZXDRAFTPERSON" in search_body("QZXDRAFTPERSON")
    case.people.remove(hidden)
    assert "QZXDRAFTPERSON" not in search_body("QZXDRAFTPERSON")
