"""Citations of sources and cases: GB/T 7714-2015, APA, BibTeX and CSL-JSON."""

from __future__ import annotations

import datetime

import pytest

from cases.citations import CITATION_STYLES, case_citation, page_number, source_citation
from cases.models import CreditRole, Person, SourceCredit, Status
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 10, 10)
ACCESSED = datetime.date(2024, 11, 2)


def dated_source(**overrides):
    fields = {
        "headline": "老旧小区换新颜",
        "publication_date": DAY,
        "publication_precision": "day",
        "page": "第05版",
    }
    fields.update(overrides)
    source = factories.source(**fields)
    reporter = Person.objects.create(name="李明")
    SourceCredit.objects.create(source=source, role=CreditRole.REPORTER, person=reporter, as_printed="本报记者 李明")
    photographer = Person.objects.create(name="王芳")
    SourceCredit.objects.create(
        source=source, role=CreditRole.PHOTOGRAPHER, person=photographer, as_printed="王芳摄", order=1
    )
    return source


def test_a_printed_newspaper_article_is_cited_as_N_with_its_page():
    assert source_citation(dated_source(), "gbt7714") == "李明. 老旧小区换新颜[N]. 人民日报, 2024-10-10(5)."


def test_an_article_read_online_is_N_OL_with_access_date_and_url():
    source = dated_source(url="http://paper.example.cn/a.html", accessed_date=ACCESSED)
    assert source_citation(source, "gbt7714") == (
        "李明. 老旧小区换新颜[N/OL]. 人民日报, 2024-10-10(5)[2024-11-02]. http://paper.example.cn/a.html."
    )


def test_photographers_are_not_authors_and_unknown_dates_are_left_out():
    source = dated_source(publication_date=None, publication_precision="unknown", page="")
    assert source_citation(source, "gbt7714") == "李明. 老旧小区换新颜[N]. 人民日报."
    assert "(n.d.)" in source_citation(source, "apa")


def test_apa_bibtex_and_csl_carry_the_same_facts():
    source = dated_source(url="http://paper.example.cn/a.html", accessed_date=ACCESSED)
    assert source_citation(source, "apa") == (
        "李明. (2024, October 10). 老旧小区换新颜. 人民日报, 5. http://paper.example.cn/a.html"
    )
    bibtex = source_citation(source, "bibtex")
    assert bibtex.startswith(f"@article{{source{source.pk},")
    for line in (
        "author = {{李明}}",
        "journal = {人民日报}",
        "date = {2024-10-10}",
        "pages = {5}",
        "urldate = {2024-11-02}",
    ):
        assert line in bibtex
    csl = source_citation(source, "csl")
    assert csl["type"] == "article-newspaper"
    assert csl["author"] == [{"literal": "李明"}]
    assert csl["issued"] == {"date-parts": [[2024, 10, 10]]}
    assert csl["accessed"] == {"date-parts": [[2024, 11, 2]]}
    assert csl["page"] == "5"


def test_a_case_is_a_database_entry():
    places = factories.chengdu_tree()
    case = factories.case(primary_locality=places["changcheng"], status=Status.DRAFT, title_zh="长城社区物业联盟")
    text = case_citation(case, "gbt7714", url="https://cases.example.cn/c/x/", accessed=ACCESSED)
    assert text.startswith("中国社区治理案例库. 长城社区物业联盟[DB/OL]. (")
    assert text.endswith(")[2024-11-02]. https://cases.example.cn/c/x/.")
    assert case_citation(case, "gbt7714", accessed=ACCESSED).endswith(f"/api/v1/cases/{case.public_id}/.")
    assert case_citation(case, "csl", accessed=ACCESSED)["id"] == case.public_id
    assert f"@misc{{{case.public_id}," in case_citation(case, "bibtex", accessed=ACCESSED)
    assert "Retrieved November 2, 2024" in case_citation(case, "apa", accessed=ACCESSED)


@pytest.mark.parametrize(("printed", "number"), [("第05版", "5"), ("05", "5"), ("5版", "5"), ("A3", "A3"), ("", "")])
def test_page_numbers_are_bare(printed, number):
    assert page_number(printed) == number


def test_every_style_is_accepted_and_others_refused():
    source = dated_source()
    for style in CITATION_STYLES:
        assert source_citation(source, style)
    with pytest.raises(ValueError, match="unknown citation style 'mla'"):
        source_citation(source, "mla")


def test_the_anonymous_api_cites_a_published_case_and_its_source(client):
    places = factories.chengdu_tree()
    case = factories.case(primary_locality=places["changcheng"], title_zh="长城社区物业联盟")
    source = dated_source(url="http://paper.example.cn/a.html", accessed_date=ACCESSED)
    case.sources.add(source)
    detail = client.get(f"/api/v1/cases/{case.public_id}/").json()
    assert detail["citation_gbt7714"].startswith("中国社区治理案例库. 长城社区物业联盟[DB/OL].")
    assert f"http://testserver/api/v1/cases/{case.public_id}/" in detail["citation_gbt7714"]
    assert detail["citation_csl"]["id"] == case.public_id
    assert list(detail)[-4:] == ["citation_gbt7714", "citation_apa", "citation_bibtex", "citation_csl"]
    assert detail["sources"][0]["citation_gbt7714"] == source_citation(source, "gbt7714")
    listed = client.get("/api/v1/sources/").json()["results"]
    assert [row["citation_gbt7714"] for row in listed if row["id"] == source.pk] == [source_citation(source, "gbt7714")]
