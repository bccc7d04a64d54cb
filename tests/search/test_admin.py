"""The admin's search box answers Chinese terms from the index."""

from __future__ import annotations

import pytest
from import_export.formats.base_formats import CSV

from cases.admin.resources import OrganisationResource
from cases.models import Status
from cases.search.query import parse
from cases.search.service import search_documents
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", password="x")
    client.force_login(user)
    return client


@pytest.fixture
def cases():
    place = factories.chengdu_tree()["changcheng"]
    return {
        "property": factories.case(
            primary_locality=place, title_zh="红色物业联盟", summary_zh="物业公司加入党支部，物业服务提升"
        ),
        "owners": factories.case(primary_locality=place, title_zh="业主委员会换届", status=Status.DRAFT),
        "other": factories.case(primary_locality=place, title_zh="网格化管理", public_id="grid-management"),
    }


def changelist_ids(editor_client, path: str, q: str) -> list[int]:
    response = editor_client.get(path, {"q": q})
    assert response.status_code == 200
    return [obj.pk for obj in response.context["cl"].result_list]


def test_chinese_terms_use_the_index_with_variants_and_drafts(editor_client, cases):
    assert changelist_ids(editor_client, "/admin/cases/case/", "物业") == [cases["property"].pk]
    # A draft is an editor's business; 業委會 is traditional for 业委会, a variant of 业主委员会.
    assert changelist_ids(editor_client, "/admin/cases/case/", "業委會") == [cases["owners"].pk]


def test_identifiers_keep_the_substring_search(editor_client, cases):
    assert changelist_ids(editor_client, "/admin/cases/case/", "grid-manage") == [cases["other"].pk]


def test_an_index_search_ranks_by_relevance_unless_the_editor_sorts_by_a_column(editor_client, cases):
    place = cases["property"].primary_locality
    # 物业 in the title and the summary ranks above 物业 in the summary alone.
    best = factories.case(primary_locality=place, title_zh="物业管理", summary_zh="物业服务", public_id="a-best")
    other = factories.case(primary_locality=place, title_zh="社区议事", summary_zh="物业公司", public_id="b-other")
    found = changelist_ids(editor_client, "/admin/cases/case/", "物业")
    assert found.index(best.pk) < found.index(other.pk)
    # Column 1 is the public id (column 0 the action checkbox).
    by_id = editor_client.get("/admin/cases/case/", {"q": "物业", "o": "-1"}).context["cl"].result_list
    assert [case.public_id for case in by_id] == sorted((case.public_id for case in by_id), reverse=True)
    by_title = editor_client.get("/admin/cases/case/", {"q": "物业", "o": "2"}).context["cl"].result_list
    assert [case.title_zh for case in by_title] == sorted(case.title_zh for case in by_title)


def test_a_too_long_search_warns_instead_of_failing(editor_client, cases):
    response = editor_client.get("/admin/cases/case/", {"q": "物" * 500})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_an_import_is_indexed(editor_client):
    dataset = CSV().create_dataset("id,name,kind\n,中电建五兴物业公司,property_firm\n")
    result = OrganisationResource().import_data(dataset, dry_run=False)
    assert not result.has_errors(), [row.errors for row in result.rows]
    found = search_documents(parse("五兴物业"), public_only=False, types=["organisation"])
    assert [d.title for d in found] == ["中电建五兴物业公司"]
