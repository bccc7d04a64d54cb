"""End to end in headless Chromium: an editor pastes the seed page, reviews and accepts, and a draft case stands.

The "done when" of the ingestion issue: paste the seed page into the admin form, review, accept,
and a draft case stands with its localities, organisations, people and metrics, each with evidence.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Candidate, CandidateStatus, Case, Evidence, Locality, Organisation, Source, Status
from cases.services.roles import EDITOR_GROUP
from seeds.loader import SEEDS_DIR, load_all
from tests.admin.test_e2e_browser import CHROMIUM, browser, plain_http_live_server  # noqa: F401 (fixtures)
from tests.conftest import FIXTURE_GAZETTEER
from tests.editorial import make_user

SEED_PAGE = SEEDS_DIR / "pages" / "000_b02ca641ce48e5ea.txt"
HEADLINE = "改善社区治理 优化社区服务"  # the Chengdu property report, first piece of the page
PROVINCES = ["51", "37", "12", "33", "45"]  # the provinces the page names

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]


def _message(page) -> str:
    page.wait_for_selector("ul.messagelist")
    return page.inner_text("ul.messagelist")


def _filter(page, title: str, choice: str | None) -> None:
    """Click a choice of a sidebar filter (``None``: its first, "all" choice); the other filters stay."""
    links = page.locator(f"#changelist-filter details[data-filter-title='{title}'] a")
    with page.expect_navigation():
        (links.first if choice is None else links.filter(has_text=choice)).click()


def _act(page, action: str, *, select_all: bool = True) -> str:
    if select_all:
        page.check("#action-toggle")
    else:
        page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    return _message(page)


def test_an_editor_pastes_the_seed_page_reviews_and_a_draft_case_stands(plain_http_live_server, browser):  # noqa: F811
    load_all(gazetteer=FIXTURE_GAZETTEER, corpus=[], limit_codes_prefixes=PROVINCES, progress=False)
    make_user("editor", EDITOR_GROUP)
    base = plain_http_live_server.url

    page = browser.new_context().new_page()
    # Generous: accepting a whole page's candidates on a loaded 2-core machine took over 15 s, and a
    # request still running when the test ends writes into the next test's database.
    page.set_default_timeout(90_000)
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-editor")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    # Paste the whole page into the ingest form.
    page.goto(base + reverse("admin:cases_candidate_ingest"))
    page.fill("#id_text", SEED_PAGE.read_text(encoding="utf-8"))
    page.fill("#id_outlet", "人民日报")
    page.click("input[type=submit][value*='Ingest']")
    assert "candidates proposed" in _message(page)

    # The queue lists every piece's candidates: follow the report's source link to its own queue.
    page.locator("#result_list td.field-source_link a", has_text=HEADLINE).first.click()
    page.wait_for_url("**source__id__exact=*")
    source = Source.objects.get(headline=HEADLINE)
    assert f"source__id__exact={source.pk}" in page.url
    assert "<mark>" in page.inner_html("#result_list")

    # Places first: the case needs its primary locality, later facts need their places.
    _filter(page, "类型 fact type", "地区 locality")
    places = source.candidates.filter(fact_type="locality").count()
    assert f"Accepted {places} candidates" in _act(page, "accept_selected")

    assert "Draft case" in _act(page, "start_draft_case", select_all=False)

    # Everything still open in this source goes into the draft case.
    _filter(page, "类型 fact type", None)
    _filter(page, "状态 status", "待审 proposed")
    remaining = source.candidates.filter(status=CandidateStatus.PROPOSED).count()
    assert remaining > 0
    assert f"Accepted {remaining} candidates" in _act(page, "accept_selected")
    page.context.close()

    assert not source.candidates.filter(status__in=[CandidateStatus.PROPOSED, CandidateStatus.EDITED]).exists()
    case = Case.objects.get(sources=source)
    assert case.status == Status.DRAFT
    chengdu = Locality.objects.get(code="5101")
    assert Locality.objects.within(chengdu).filter(pk=case.primary_locality_id).exists()
    localities = [case.primary_locality, *case.localities.all()]
    organisations = list(case.organisations.all())
    people = list(case.people.all())
    metrics = list(case.metrics.all())
    assert len(localities) > 1 and organisations and people and metrics
    for field, records in [
        ("locality", localities),
        ("organisation", organisations),
        ("person", people),
        ("metric", metrics),
    ]:
        for record in records:
            evidence = list(Evidence.objects.filter(**{field: record}, source=source))
            assert evidence, f"no evidence for {field} {record}"
            for quote in evidence:
                assert quote.quote == source.text[quote.start : quote.end]
    # Accepted together, a branch finds the alliance it belongs to whatever their order in the text.
    assert Organisation.objects.get(name="红色物业联盟党支部").parent.name == "红色物业联盟"
    accepted = Candidate.objects.filter(source=source, status=CandidateStatus.ACCEPTED)
    assert set(accepted.values_list("case", flat=True)) == {case.pk}
