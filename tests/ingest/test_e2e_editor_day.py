"""The editor's day in headless Chromium: a pasted article becomes a case in review, then a published, cited case.

An editor pastes a 700-character article (written for this test) with its URL and date, corrects
one place, one organisation and one person, accepts everything, starts the draft case, fixes its
summary and submits it; a reviewer publishes it; the anonymous API cites it. The test counts the
editor's actions (clicks, choices and form submissions; typing into a field is counted apart) and
prints them, and fails on any error page or dead end.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from cases.models import Candidate, CandidateStatus, Case, Locality, Status
from cases.services.roles import EDITOR_GROUP, REVIEWER_GROUP
from seeds.loader import load_all
from tests.admin.test_e2e_browser import CHROMIUM, browser, plain_http_live_server  # noqa: F401 (fixtures)
from tests.conftest import FIXTURE_GAZETTEER
from tests.editorial import make_user

ARTICLE = (Path(__file__).parent / "fixtures" / "editor_day_article.txt").read_text(encoding="utf-8")
URL = "http://paper.example.cn/2024-10/13/nw.D110000renmrb_20241013_1-05.htm"
HEADLINE = "成都武侯区芳华社区：物业服务联盟让老旧小区有人管"
TARGET_ACTIONS = 15

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]


class Editor:
    """The page plus a tally: every click, choice and submission is one action; typing is counted apart."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.actions: list[str] = []
        self.typed = 0

    def act(self, what: str) -> None:
        self.actions.append(what)

    def fill(self, selector: str, value: str) -> None:
        self.page.fill(selector, value)
        self.typed += 1

    def click(self, what: str, selector: str, **kwargs) -> None:
        self.act(what)
        with self.page.expect_navigation():
            self.page.locator(selector, **kwargs).first.click()
        self.no_error_page()

    def no_error_page(self) -> None:
        title = self.page.title()
        assert "Server Error" not in title and "Page not found" not in title, title
        assert "Traceback" not in self.page.content()

    def messages(self) -> str:
        return self.page.inner_text("ul.messagelist") if self.page.locator("ul.messagelist").count() else ""


def _log_in(browser, base: str, username: str):  # noqa: F811
    page = browser.new_context().new_page()
    page.set_default_timeout(90_000)  # a loaded 2-core machine: see test_e2e_ingest_browser
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


def _pick(editor: Editor, name: str, typed: str, choice: str) -> None:
    """Choose a place in an autocomplete (select2) field: open it, type, click the match."""
    page = editor.page
    page.locator(f"#id_{name} + .select2 .select2-selection").click()
    editor.act(f"open the {name} picker")
    page.locator(".select2-search__field").fill(typed)
    editor.typed += 1
    page.locator(".select2-results__option", has_text=choice).first.click()
    editor.act(f"pick {choice}")


def _correct(editor: Editor, label: str, fields: dict[str, str], picks: dict | None = None, shows: str = "") -> None:
    """Open a candidate from the queue, change some fields and save back to the queue."""
    queue = editor.page.url
    editor.click(f"open {label}", "#result_list th a, #result_list td a", has_text=label)
    assert shows in editor.page.inner_text("#candidate_form")
    for name, (typed, choice) in (picks or {}).items():
        _pick(editor, name, typed, choice)
    for name, value in fields.items():
        field = editor.page.locator(f"#id_{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
            editor.act(f"choose {name}")
        else:
            editor.fill(f"#id_{name}", value)
    editor.click(f"save {label}", "input[name=_save]")
    assert "成功修改" in editor.messages() or "changed successfully" in editor.messages(), editor.messages()
    if editor.page.url != queue:
        # Django returns to the filtered list it came from (preserved filters); be sure we are there.
        editor.page.goto(queue)


def test_an_editor_takes_a_pasted_article_to_review_and_a_reviewer_publishes_it(
    plain_http_live_server,  # noqa: F811
    browser,  # noqa: F811
    client,
):
    load_all(gazetteer=FIXTURE_GAZETTEER, corpus=[], limit_codes_prefixes=["51"], progress=False)
    make_user("editor", EDITOR_GROUP)
    make_user("reviewer", REVIEWER_GROUP)
    base = plain_http_live_server.url
    editor = Editor(_log_in(browser, base, "editor"), base)
    page = editor.page

    # The desk links to the ingest form.
    editor.click("open the ingest form", "a", has_text="导入 Ingest a page")
    editor.fill("#id_url", URL)
    editor.fill("#id_publication_date", "2024-10-13")
    editor.fill("#id_outlet", "人民日报")
    editor.fill("#id_page", "第05版")
    editor.fill("#id_headline", HEADLINE)
    editor.fill("#id_byline", "本报记者 陈立")
    editor.fill("#id_text", ARTICLE)
    # The form says "working…" while the first ingest of a fresh process loads its dictionaries.
    assert page.locator("script[src*='busy.js']").count() == 1
    editor.click("ingest", "input[type=submit][value*='Ingest']")
    assert "candidates proposed" in editor.messages()

    # One place: the new community belongs to its street, not straight to the district. The form
    # shows the proposal as a full path.
    proposed = "四川省 › 成都市 › 武侯区 (510107) › 芳华社区（新 new）"
    _correct(editor, "芳华社区（新", {}, picks={"parent_place": ("玉林", "玉林街道")}, shows=proposed)
    # One organisation: the alliance goes by a shorter name too.
    _correct(editor, "芳华社区物业服务联盟", {"other_names": "物业服务联盟"})
    # One person: her post as the community's party secretary, with its full name.
    _correct(editor, "周海燕", {"title": "芳华社区党委书记"})

    # Everything else as proposed: one button in the box above the queue accepts all that is open.
    editor.click("accept all open", "button.accept-all")
    accepted_message = editor.messages()
    assert "Accepted" in accepted_message and "Start the draft case" in accepted_message, accepted_message

    # The box above the queue starts the draft case and opens it.
    editor.click("start the draft case", "button.start-draft")
    assert "Draft case" in editor.messages(), editor.messages()
    case = Case.objects.get(title_zh=HEADLINE)
    assert page.url.endswith(f"/admin/cases/case/{case.pk}/change/")

    summary = "社区党委牵头成立物业服务联盟，连片托管12个老旧小区，居民议事、公示收支、积分兑换服务。"
    editor.fill("#id_summary_zh", summary)
    editor.click("save and continue", "input[name=_continue]")
    editor.click("submit for review", "input[name=_transition][value*='提交审核']")
    assert "待审" in editor.messages() or "in review" in editor.messages().lower(), editor.messages()
    page.context.close()

    print(f"\neditor's actions: {len(editor.actions)} (target ≤ {TARGET_ACTIONS}), fields typed: {editor.typed}")
    for number, action in enumerate(editor.actions, 1):
        print(f"  {number:2d}. {action}")
    assert len(editor.actions) <= TARGET_ACTIONS

    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    # A readable id from the place and subject; the headline as title; the events' dates as period.
    assert case.public_id.startswith("fanghua-") and "draft" not in case.public_id, case.public_id
    assert case.period_start_date == datetime.date(2023, 3, 1) and case.period_end_date is not None
    assert case.primary_locality.name == "芳华社区"
    assert case.primary_locality.parent == Locality.objects.get(code="510107005")
    assert "陈立" not in {p.name for p in case.people.all()}
    assert "周海燕" in {p.name for p in case.people.all()}
    source = case.sources.get()
    assert (source.url, source.page, source.publication_date) == (URL, "第05版", datetime.date(2024, 10, 13))
    assert [c.person.name for c in source.credits.all()] == ["陈立"]
    assert Candidate.objects.filter(source=source, status=CandidateStatus.ACCEPTED, case=case).count() > 10

    # A reviewer publishes it.
    reviewer = _log_in(browser, base, "reviewer")
    reviewer.goto(f"{base}/admin/cases/case/{case.pk}/change/")
    with reviewer.expect_navigation():
        reviewer.locator("input[name=_transition][value*='发布 Publish']").first.click()
    reviewer.context.close()
    case.refresh_from_db()
    assert case.status == Status.PUBLISHED

    # The anonymous API cites the case and its source.
    detail = client.get(f"/api/v1/cases/{case.public_id}/").json()
    assert detail["citation_gbt7714"].startswith(f"中国社区治理案例库. {HEADLINE}[DB/OL].")
    cited = detail["sources"][0]["citation_gbt7714"]
    assert cited == f"陈立. {HEADLINE}[N/OL]. 人民日报, 2024-10-13(5)[{source.accessed_date.isoformat()}]. {URL}."
    print(f"case citation: {detail['citation_gbt7714']}\nsource citation: {cited}")
