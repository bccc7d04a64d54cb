"""Extraction quality on the curated seed page, generality on unseen text, and the review services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.extraction.evaluation import TYPES, Score, curated_sources, evaluate_source
from cases.extraction.extract import extract
from cases.extraction.reading import IngestError
from cases.models import (
    Candidate,
    CandidateStatus,
    Document,
    Evidence,
    Locality,
    Metric,
    Organisation,
    Person,
    Source,
    Status,
)
from cases.services.ingest import source_ingest
from cases.services.review import (
    candidate_accept,
    candidate_reject,
    candidates_accept,
    case_start_draft,
)
from cases.services.roles import EDITOR_GROUP
from tests.editorial import make_user

UNSEEN = (
    "浙江省杭州市西湖区西溪街道紫荆社区党委书记李明华介绍,社区有12个小区,"
    "近3年收集居民意见200余条。紫荆社区党委牵头成立了“邻里议事会”。"
)


def by_type(facts, fact_type):
    return [f for f in facts if f.fact_type == fact_type]


@pytest.fixture
def gazetteer(seeded):
    return seeded


def test_extraction_meets_the_quality_bar_on_the_curated_page(gazetteer):
    totals = {t: Score() for t in TYPES}
    for source in curated_sources():
        for fact_type, score in evaluate_source(source).items():
            totals[fact_type].add(score)
    for fact_type, score in totals.items():
        assert score.curated > 0, fact_type
        assert score.precision >= 0.9, (fact_type, score.extras)
        assert score.recall >= 0.85, (fact_type, score.misses)


def test_abbreviated_and_ambiguous_places_resolve_by_context(gazetteer):
    facts = extract("下图:广西融水苗族自治县纪委监委近日组成督查组。山东沂源县鲁村镇某某村的桃园。沂源将推广。")
    codes = {f.payload.get("code") for f in by_type(facts, "locality")}
    assert {"450225", "370323", "370323102"} <= codes
    assert not any(code and code.startswith("50") for code in codes)


def test_it_works_on_a_report_it_has_never_seen(gazetteer):
    facts = extract(UNSEEN)
    places = {f.payload.get("code") or f.payload["name"]: f.payload for f in by_type(facts, "locality")}
    assert "330106004" in places
    assert places["紫荆社区"]["parent_code"] == "330106004"
    orgs = {f.payload["name"]: f.payload["kind"] for f in by_type(facts, "organisation")}
    assert orgs.get("紫荆社区党委") == "party_committee"
    people = {f.payload["name"]: f.payload for f in by_type(facts, "person")}
    assert people["李明华"]["positions"][0]["organisation"] == "紫荆社区党委"
    metrics = {(f.payload["indicator"], f.payload["value"], f.payload["qualifier"]) for f in by_type(facts, "metric")}
    assert ("residential_compounds", "12", "exact") in metrics
    assert ("suggestions_collected", "200", "more_than") in metrics
    for fact in facts:
        for start, end in fact.spans:
            assert 0 <= start < end <= len(UNSEEN)


def test_words_with_numerals_are_not_metrics_but_chinese_counts_are(gazetteer):
    facts = extract("统一部署。四川各地举办七一活动,第一书记带队。院落党总支下设三个党支部。")
    metrics = [(f.payload["value"], f.payload["indicator"]) for f in by_type(facts, "metric")]
    assert metrics == [("3", "party_branches")]


def test_relative_dates_stay_relative_without_a_publication_date(gazetteer):
    text = "2019年以来,共举办800余场。今年2月,镇里成立了共同体。"
    undated = {f.payload["text"]: f.payload for f in by_type(extract(text), "date")}
    assert undated["2019年以来"]["period_kind"] == "since"
    assert undated["2019年以来"]["precision"] == "year"
    assert undated["今年2月"]["date"] is None
    dated = {
        f.payload["text"]: f.payload for f in by_type(extract(text, publication=datetime.date(2021, 9, 30)), "date")
    }
    assert (dated["今年2月"]["date"], dated["今年2月"]["precision"]) == ("2021-02-01", "month")


def test_ingesting_the_loaded_seed_page_proposes_candidates_once(gazetteer):
    document = Document.objects.get()
    sources_before = Source.objects.count()
    first = source_ingest(text=document.text)
    assert not first.already and first.created_sources == 0 and first.candidates > 50
    assert Source.objects.count() == sources_before
    again = source_ingest(text=document.text)
    assert again.already and again.candidates == 0
    assert "nothing new" in again.summary()


def test_bad_input_saves_nothing(gazetteer):
    counts = (Document.objects.count(), Source.objects.count(), Candidate.objects.count())
    for data in (b"", b"\x00\x01binary", b"no chinese here"):
        with pytest.raises(IngestError):
            source_ingest(data=data, filename="bad.txt")
    assert counts == (Document.objects.count(), Source.objects.count(), Candidate.objects.count())


def test_accepting_candidates_creates_records_with_evidence_and_a_draft_case(gazetteer, db):
    editor = make_user("editor", EDITOR_GROUP)
    result = source_ingest(data=UNSEEN.encode("gb18030"), filename="report.txt")
    assert result.document.encoding == "gb18030" and result.created_sources == 1
    source = result.sources[0]
    candidates = {(c.fact_type, c.label.split("（")[0]): c for c in source.candidates.all()}
    places = [c for c in source.candidates.filter(fact_type="locality")]
    candidates_accept(candidates=places, user=editor)
    community = Locality.objects.get(name="紫荆社区")
    assert community.parent.code == "330106004"
    evidence = Evidence.objects.get(locality=community, source=source)
    assert source.text[evidence.start : evidence.end] == "紫荆社区"

    case = case_start_draft(source=source, user=editor)
    assert case.status == Status.DRAFT and case.primary_locality == community
    party = next(c for c in source.candidates.filter(fact_type="organisation") if "紫荆社区党委" in c.payload["names"])
    candidate_accept(candidate=party, user=editor, case=case)
    organisation = Candidate.objects.get(pk=party.pk).organisation
    assert "紫荆社区党委" in organisation.all_names()
    assert organisation.locality == community and case.organisations.filter(pk=organisation.pk).exists()
    person = candidates[("person", "李明华")]
    candidate_accept(candidate=person, user=editor, case=case)
    assert Person.objects.get(name="李明华").positions.get().organisation == organisation
    metric = next(c for c in source.candidates.filter(fact_type="metric") if c.payload["value"] == "12")
    candidate_accept(candidate=metric, user=editor, case=case)
    assert Metric.objects.get(case=case).indicator.code == "residential_compounds"
    with pytest.raises(ValidationError, match="already"):
        candidate_accept(candidate=party, user=editor)
    rest = source.candidates.filter(status=CandidateStatus.PROPOSED)
    open_count = rest.count()
    assert candidate_reject(candidates=list(rest), user=editor) == open_count
    assert not source.candidates.filter(status=CandidateStatus.PROPOSED).exists()


def test_accepting_merges_with_existing_records_instead_of_duplicating(gazetteer):
    document = Document.objects.get()
    source_ingest(text=document.text)
    organisations, people = Organisation.objects.count(), Person.objects.count()
    chosen = Candidate.objects.filter(fact_type__in=["organisation", "person"], label__in=["长城社区党委", "代蕊婷"])
    assert chosen.count() == 2
    candidates_accept(candidates=list(chosen))
    assert (Organisation.objects.count(), Person.objects.count()) == (organisations, people)
    accepted = Candidate.objects.get(fact_type="organisation", label="长城社区党委")
    assert accepted.organisation.name == "长城社区党委"
