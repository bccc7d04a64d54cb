"""The public pages: what a reader sees, and that a page takes exactly its API resource's parameters."""

from __future__ import annotations

import re

import pytest
from django.utils.http import http_date

from cases.models import Case
from cases.site.places import place_key

CASE_FILTERS = [
    {"region": "51"},
    {"region": "510105005"},
    {"region": "成都"},
    {"theme": "property"},
    {"level": "township"},
    {"organisation_kind": "property_firm"},
    {"has_metrics": "true"},
    {"date_from": "2018-01-01", "date_to": "2019-12-31"},
    {"indicator": "firms"},
    {"ordering": "-period_start_date"},
    {"q": "测试"},
    {"q": "测试", "region": "5101"},
]


def text(response) -> str:
    return response.content.decode("utf-8")


def case_ids(html: str) -> list[str]:
    return re.findall(r'href="/cases/([^/"?]+)/"', html)


@pytest.mark.parametrize("params", CASE_FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_case_list_shows_the_api_rows_for_the_same_parameters(world, client, params):
    api = client.get("/api/v1/cases/", {**params, "page_size": 50}).json()
    page = client.get("/cases/", {**params, "page_size": 50})
    assert page.status_code == 200
    listed = [cid for cid in dict.fromkeys(case_ids(text(page)))]
    assert listed == [row["public_id"] for row in api["results"]]
    assert f"{api['count']}" in text(page)


def test_case_list_snippets_are_marked_and_escaped(world, client):
    case = world.cases["jinquan"]
    case.summary_zh = "<script>alert(1)</script>测试摘要"
    case.save()
    html = text(client.get("/cases/", {"q": "测试摘要"}))
    assert "<mark>测试</mark>" in html or "<mark>测试摘要</mark>" in html
    assert "<script>alert(1)</script>" not in html
    assert "'marked'" not in html


def test_a_bad_parameter_is_the_api_error_on_the_page(world, client):
    api = client.get("/api/v1/cases/", {"regoin": "51"})
    page = client.get("/cases/", {"regoin": "51"})
    assert page.status_code == api.status_code == 400
    assert "regoin" in text(page)


def test_format_on_a_page_goes_to_the_api(world, client):
    response = client.get("/cases/", {"region": "51", "format": "csv"})
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/cases/?region=51&format=csv"


def test_page_links_to_the_same_query_as_json_and_csv(world, client):
    html = text(client.get("/cases/", {"theme": "property", "page": "1"}))
    assert 'href="/api/v1/cases/?theme=property&amp;page=1"' in html
    assert 'href="/api/v1/cases/?theme=property&amp;format=csv"' in html


def test_home_browses_regions_themes_and_latest_cases_with_counts(world, client):
    html = text(client.get("/"))
    sichuan_cases = client.get("/api/v1/cases/", {"region": "51"}).json()["count"]
    assert re.search(rf'href="/places/51/">四川省</a> <span class="muted">\({sichuan_cases}\)', html)
    assert 'href="/cases/?theme=property"' in html
    assert str(Case.objects.published().count()) in html
    newest = Case.objects.published().order_by("-published_at").first()
    assert f'href="/cases/{newest.public_id}/"' in html


def test_region_browse_reaches_the_community_and_counts_match_the_lists(world, client):
    url = "/places/51/"
    for _ in range(4):
        html = text(client.get(url))
        children = re.findall(r'<li><a href="/places/([^/]+)/">([^<]+)</a> <span class="muted">\((\d+)\)', html)
        assert children, url
        for key, _name, count in children:
            region = key if key.isdigit() else f"id:{key[1:]}"
            assert int(count) == client.get("/api/v1/cases/", {"region": region}).json()["count"], key
        url = f"/places/{children[0][0]}/"
    assert url == f"/places/{place_key(world.places['changcheng'])}/"
    assert "长城社区" in text(client.get(url))


def test_place_page_has_a_path_of_links_and_everything_beneath(world, client):
    html = text(client.get(f"/places/{place_key(world.places['changcheng'])}/"))
    for key in ("51", "5101", "510105", "510105005"):
        assert f'href="/places/{key}/"' in html
    assert f'href="/cases/{world.cases["changcheng"].public_id}/"' in html
    assert f'href="/cases/{world.cases["compound"].public_id}/"' in html
    # The community's metrics (its cases' numbers) are listed beneath it.
    assert world.metrics[0].indicator.name_zh in html


def test_case_page_has_its_facts_evidence_in_context_and_citations(world, client):
    case = world.cases["changcheng"]
    response = client.get(f"/cases/{case.public_id}/")
    html = text(response)
    assert f"<title>{case.title_zh} · " in html
    assert '<meta name="description"' in html
    assert '<html lang="zh-Hans">' in html
    assert 'href="/places/510105005/"' in html
    assert "牵头 lead" in html and "社区党委书记" in html
    assert "<mark>长城社区</mark>有18个小区" in html
    assert "GB/T 7714-2015" in html and "[DB/OL]" in html and "@misc{" in html
    assert f'href="/api/v1/cases/{case.public_id}/?format=csv"' in html


def test_search_page_ranks_highlights_and_links_facets(world, client):
    api = client.get("/api/v1/search/", {"q": "测试"}).json()
    html = text(client.get("/search/", {"q": "测试"}))
    assert "<mark>测试</mark>" in html
    assert "'marked'" not in html
    for facet in api["facets"]["province"]:
        assert f'href="?q=%E6%B5%8B%E8%AF%95&amp;region={facet["value"]}"' in html
    assert f"{api['count']}" in html
    first = api["results"][0]
    assert first["title"] in html


def test_statistics_page_draws_charts_and_tables_from_the_api(world, client):
    stats = client.get("/api/v1/stats/").json()
    html = text(client.get("/stats/"))
    assert html.count("<svg") == 3
    for region in stats["cases"]["by_region"]:
        if region["code"]:
            assert (
                f'<a href="/places/{region["code"]}/">{region["full_name"]}</a></td><td class="n">{region["count"]}'
                in html
            )


def test_organisation_and_source_pages(world, client):
    org = world.organisations["committee"]
    assert org.name in text(client.get(f"/organisations/{org.pk}/"))
    source = world.sources["report"]
    html = text(client.get(f"/sources/{source.pk}/"))
    assert source.headline in html and "[N]" in html
    assert client.get("/organisations/abc/").status_code == 404


def test_pages_answer_conditional_requests_with_304(world, client):
    first = client.get("/")
    assert first["ETag"] and first["Last-Modified"]
    assert client.get("/", headers={"if-none-match": first["ETag"]}).status_code == 304
    assert client.get("/", headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    assert client.get("/", headers={"if-none-match": '"other"'}).status_code == 200


def test_an_edit_changes_the_validators(world, client):
    first = client.get("/cases/")
    case = world.cases["sichuan"]
    case.title_zh = "改过的标题"
    case.save()
    later = client.get("/cases/", headers={"if-none-match": first["ETag"]})
    assert later.status_code == 200
    assert "改过的标题" in text(later)
    assert http_date(0) != later["Last-Modified"]


def test_the_language_switch_renders_english_and_back(world, client):
    response = client.get("/lang/en/", {"next": "/stats/"})
    assert response.status_code == 302 and response["Location"] == "/stats/"
    html = text(client.get("/stats/"))
    assert '<html lang="en">' in html and "Statistics" in html
    client.get("/lang/zh-hans/")
    assert "统计" in text(client.get("/stats/"))
    assert client.get("/lang/en/", {"next": "https://elsewhere.example/"})["Location"] == "/"


def test_a_draft_case_page_is_404(world, client):
    assert client.get(f"/cases/{world.draft.public_id}/").status_code == 404
    assert client.get(f"/places/{place_key(world.draft.primary_locality)}/").status_code == 404


@pytest.mark.parametrize("params", [{}, {"region": "51"}, {"region": "5101", "theme": "property"}, {"level": "county"}])
def test_case_list_facets_count_what_their_links_list(world, client, params):
    html = text(client.get("/cases/", params))
    facets = re.findall(r'<li><a href="\?([^"]*)">[^<]+</a> <span class="muted">\((\d+)\)', html)
    assert facets
    for query, count in facets:
        linked = client.get(f"/api/v1/cases/?{query.replace('&amp;', '&')}").json()["count"]
        assert linked == int(count), query
