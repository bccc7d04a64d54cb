"""Editing a candidate in the review queue: one structured form per fact type, errors on the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.extraction.indicators import suggest_indicators
from cases.models import Candidate, CandidateStatus, Indicator, Metric
from cases.services.ingest import source_ingest
from cases.services.review import candidate_accept

TEXT = "北京市朝阳区劲松街道农光东里社区党委书记韩素芬介绍,社区配备网格员24名,有居民两千余户,组建了“邻里互助会”。"


@pytest.fixture
def source(seeded):
    return source_ingest(text=TEXT).sources[0]


def change_url(candidate: Candidate) -> str:
    return reverse("admin:cases_candidate_change", args=[candidate.pk])


def metric(source, value: str) -> Candidate:
    return next(c for c in source.candidates.filter(fact_type="metric") if c.payload["value"] == value)


def test_a_metric_without_an_indicator_gets_suggestions_first_in_its_form(admin_client, source):
    grid = metric(source, "24")
    assert grid.payload["indicator"] is None
    page = admin_client.get(change_url(grid)).content.decode()
    for field in ("id_value", "id_value_upper", "id_unit", "id_counted", "id_qualifier", "id_indicator"):
        assert f'id="{field}"' in page
    assert 'name="payload"' not in page


def test_suggestions_rank_indicators_by_unit_and_shared_words(seeded):
    indicators = list(Indicator.objects.all())
    best = suggest_indicators(unit="户", counted="农户", indicators=indicators)[0]
    assert best.code == "households"
    assert suggest_indicators(unit="起", counted="网格员", indicators=indicators) == []


def test_editing_a_metric_checks_each_field_and_accepting_uses_the_edit(admin_client, source):
    grid = metric(source, "24")
    form = {
        "label": grid.label,
        "indicator": "volunteers",
        "value": "24",
        "value_upper": "20",
        "unit": "名",
        "counted": "网格员",
        "qualifier": "exact",
        "locality_code": "",
    }
    response = admin_client.post(change_url(grid), form)
    assert response.status_code == 200
    assert "below the value" in response.context["adminform"].form.errors["value_upper"][0]
    grid.refresh_from_db()
    assert grid.status == CandidateStatus.PROPOSED and grid.payload["indicator"] is None

    response = admin_client.post(change_url(grid), {**form, "value_upper": "", "locality_code": "110105017"})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.status == CandidateStatus.EDITED
    assert (grid.payload["indicator"], grid.payload["counted"], grid.payload["locality_key"]) == (
        "volunteers",
        "网格员",
        "110105017",
    )
    candidate_accept(candidate=grid)
    created = Metric.objects.get(evidence__source=source)
    assert (created.indicator.code, created.value, created.locality.code) == ("volunteers", 24, "110105017")


def test_a_new_place_with_an_unknown_parent_code_is_refused_on_that_field(admin_client, source):
    place = source.candidates.get(fact_type="locality", label__startswith="农光东里社区")
    form = {"label": place.label, "code": "", "name": "农光东里社区", "level": "community", "parent_code": "999"}
    response = admin_client.post(change_url(place), form)
    assert "no locality has the code 999" in response.context["adminform"].form.errors["parent_code"][0]
    response = admin_client.post(change_url(place), {**form, "parent_code": "110105017"})
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.payload["parent_code"], place.payload["parent_name"]) == ("110105017", "劲松街道")


def test_an_organisation_is_edited_by_name_kind_and_other_names(admin_client, source):
    party = source.candidates.get(fact_type="organisation", label="农光东里社区党委")
    form = {
        "label": party.label,
        "name": "农光东里社区党委",
        "kind": "party_general_branch",
        "other_names": "社区党委，农光东里党委",
        "locality_code": "",
        "parent_name": "",
    }
    assert admin_client.post(change_url(party), form).status_code == 302
    party.refresh_from_db()
    assert party.payload["kind"] == "party_general_branch"
    assert party.payload["names"] == ["农光东里社区党委", "社区党委", "农光东里党委"]


def test_a_decided_candidate_can_no_longer_be_edited(admin_client, source):
    person = source.candidates.get(fact_type="person", label="韩素芬")
    candidate_accept(candidate=person)
    form = {"label": "x", "name": "别人", "title": "", "organisation_name": ""}
    response = admin_client.post(change_url(person), form)
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.payload["name"] == "韩素芬"


def test_a_person_is_corrected_with_a_post_in_an_organisation_and_accepted(admin_client, source):
    person = source.candidates.get(fact_type="person", label="韩素芬")
    form = {"label": "韩素芬", "name": "韩素芬", "title": "社区党委书记", "organisation_name": "农光东里社区党委"}
    response = admin_client.post(change_url(person), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.status == CandidateStatus.EDITED and person.organisation is None
    assert person.payload["positions"][0] == {"title": "社区党委书记", "organisation": "农光东里社区党委"}
    accepted = candidate_accept(candidate=person)
    assert accepted.person.positions.get().title == "社区党委书记"


def test_place_proposals_show_a_full_path_and_a_misfit_is_flagged(admin_client, source):
    party = source.candidates.get(fact_type="organisation", label="农光东里社区党委")
    page = admin_client.get(change_url(party)).content.decode()
    assert "北京市 › 北京城区" in page or "北京市 ›" in page
    place = source.candidates.filter(fact_type="locality").exclude(payload__code=None).first()
    assert "提议 proposed: 北京市" in admin_client.get(change_url(place)).content.decode()
    # A place far from the article's others is flagged.
    place.payload = {"code": "5101", "name": "成都市", "level": "prefecture"}
    place.save()
    assert "⚠" in admin_client.get(change_url(place)).content.decode()
