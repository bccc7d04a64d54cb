"""A draft case started from a pasted article: its id, title, period, people and the way to it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cases.models import CandidateStatus, Case, Status
from cases.search.index import refresh
from cases.services.drafts import dateline_end, event_period, lead_span
from cases.services.editing import case_attach
from cases.services.ingest import source_ingest
from cases.services.review import NoPlaceYet, candidates_accept_each, case_start_draft
from cases.services.roles import EDITOR_GROUP
from tests.editorial import make_user
from tests.search.helpers import snapshot

ARTICLE = (Path(__file__).resolve().parent.parent / "ingest" / "fixtures" / "editor_day_article.txt").read_text(
    encoding="utf-8"
)
HEADLINE = "成都武侯区芳华社区：物业服务联盟让老旧小区有人管"


@pytest.fixture
def source(seeded, db):
    return source_ingest(
        text=ARTICLE, headline=HEADLINE, byline="本报记者 陈立", publication_date=datetime.date(2024, 10, 13)
    ).sources[0]


def test_accepting_everything_before_the_draft_accepts_what_it_can_and_names_the_rest(source):
    editor = make_user("editor", EDITOR_GROUP)
    report = candidates_accept_each(candidates=list(source.candidates.open()), user=editor)
    assert report.accepted and all(c.status == CandidateStatus.ACCEPTED for c in report.accepted)
    # Dates and themes wait for the draft instead of failing; only metrics lacking an indicator stay open.
    assert {c.fact_type for c, _ in report.refused} <= {"metric"}
    assert all("indicator" in reason for _, reason in report.refused)

    case = case_start_draft(source=source, user=editor)
    assert case.status == Status.DRAFT and case.title_zh == HEADLINE
    assert case.public_id == "fanghua-wuye-fuwu-lianmeng"
    # The events run from 2023年3月 to 今年9月; the dateline's 10月12日 is the paper's date, not an event.
    assert (case.period_start_date, case.period_start_precision) == (datetime.date(2023, 3, 1), "month")
    assert (case.period_end_date, case.period_end_precision) == (datetime.date(2024, 9, 1), "month")
    assert "陈立" not in {person.name for person in case.people.all()}
    assert [credit.person.name for credit in source.credits.all()] == ["陈立"]
    assert case.themes.exists()
    lead = case.evidence.get()
    assert lead.quote.startswith("走进") and lead.quote.endswith("。")
    assert (
        Case.objects.get(pk=case_start_draft(source=source, user=editor).pk).public_id == "fanghua-wuye-fuwu-lianmeng-2"
    )


def test_accepting_everything_leaves_the_search_index_as_refreshing_each_record_would(source):
    # Acceptance refreshes the index once per batch (index.deferred), not after every write.
    editor = make_user("editor", EDITOR_GROUP)
    candidates_accept_each(candidates=list(source.candidates.open().filter(fact_type="locality")), user=editor)
    case = case_start_draft(source=source, user=editor)
    report = candidates_accept_each(candidates=list(source.candidates.open()), user=editor)
    assert {c.fact_type for c in report.accepted} >= {"organisation", "person"}
    after_acceptance = snapshot()
    kept = set(after_acceptance[0])
    assert ("case", case.pk) in kept
    assert {("organisation", c.organisation_id) for c in report.accepted if c.organisation_id} <= kept
    for object_type in {object_type for object_type, _ in kept}:
        refresh(object_type, [pk for kind, pk in kept if kind == object_type])
    assert snapshot() == after_acceptance


def test_a_draft_without_an_accepted_place_says_what_to_do(source):
    # 武侯区, 芳华社区, 玉林街道: the dateline city (本报成都10月12日电) is the reporter's, not proposed.
    with pytest.raises(NoPlaceYet, match="accept or correct one of its 3 proposed places"):
        case_start_draft(source=source, user=make_user("editor", EDITOR_GROUP))


def test_a_case_in_review_refuses_new_facts_from_an_editor_without_the_right(source):
    editor = make_user("editor", EDITOR_GROUP)
    candidates_accept_each(candidates=list(source.candidates.filter(fact_type="locality")), user=editor)
    case = case_start_draft(source=source, user=editor)
    Case.objects.filter(pk=case.pk).update(status=Status.PUBLISHED, published_at=datetime.datetime.now(datetime.UTC))
    with pytest.raises(ValidationError, match="only a reviewer may change it"):
        case_attach(case=case, user=None, people=[])


def test_period_and_lead_helpers():
    assert dateline_end("本报成都10月12日电（记者 陈立）走进社区。") == 11
    assert lead_span("本报成都10月12日电（记者 陈立）走进社区。后文") == (18, 23)
    assert event_period([("2024-05-01", "month", "2024年5月"), ("2023-03-01", "month", "2023年3月")]) == {
        "period_start_date": datetime.date(2023, 3, 1),
        "period_start_precision": "month",
        "period_text": "2023年3月—2024年5月",
        "period_end_date": datetime.date(2024, 5, 1),
        "period_end_precision": "month",
    }
    assert event_period([("", "unknown", "近日")]) == {}
