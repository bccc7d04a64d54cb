"""End to end in headless Chromium: an editor edits and submits a case, a reviewer publishes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connections

from cases.models import Case, Status
from cases.services.roles import EDITOR_GROUP, REVIEWER_GROUP
from tests.editorial import make_story, make_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]


@pytest.fixture
def browser(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here between
    # page steps are plain synchronous code all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()
        # ORM calls made inside Playwright's greenlet open their own connection (asgiref treats
        # the running event loop as an async context); close it or PostgreSQL cannot drop the
        # test database at the end of the session.
        connections.close_all()


@pytest.fixture
def plain_http_live_server(live_server, settings):
    """The live server speaking plain HTTP, as the test client does (see the root conftest's TEST_SETTINGS).

    SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server (shared by the session)
    builds its middleware, so rebuild the chain now that the setting is off. It stays rebuilt:
    a test server has no use for the HTTPS redirect.
    """
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    handler = live_server.thread.httpd.get_app()
    # The static and media handlers wrap a WSGIHandler, and each level may serve a request with
    # its own middleware chain: rebuild every one.
    while handler is not None:
        if getattr(handler, "_middleware_chain", None) is not None:
            handler.load_middleware()
        handler = getattr(handler, "application", None)
    return live_server


def _log_in(browser, base_url: str, username: str):
    page = browser.new_context().new_page()
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")
    return page


def _run_action(page, base_url: str, case: Case, action: str) -> str:
    page.goto(f"{base_url}/admin/cases/case/")
    page.check(f"input[name=_selected_action][value='{case.pk}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")
    return page.inner_text("ul.messagelist")


def test_an_editor_submits_and_a_reviewer_publishes_in_a_real_browser(plain_http_live_server, browser):
    make_user("editor", EDITOR_GROUP)
    make_user("reviewer", REVIEWER_GROUP)
    case = make_story(Status.DRAFT).case
    base = plain_http_live_server.url

    page = _log_in(browser, base, "editor")
    page.goto(f"{base}/admin/cases/case/{case.pk}/change/")
    assert "<mark>红色物业联盟</mark>" in page.content()
    page.fill("#id_title_zh", "长城社区红色物业联盟（浏览器编辑）")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist")
    # The editor is offered no way to publish.
    assert "move_to_published" not in page.inner_html("select[name=action]")
    assert "1 case(s)" in _run_action(page, base, case, "move_to_in_review")
    page.context.close()

    page = _log_in(browser, base, "reviewer")
    assert "1 case(s)" in _run_action(page, base, case, "move_to_published")
    page.context.close()

    case.refresh_from_db()
    assert case.title_zh == "长城社区红色物业联盟（浏览器编辑）"
    assert case.status == Status.PUBLISHED
    assert case.published_by.username == "reviewer"
    history = [
        (h.history_user.username if h.history_user else None, h.title_zh, h.status)
        for h in case.history.order_by("history_id")
    ]
    assert ("editor", "长城社区红色物业联盟（浏览器编辑）", Status.DRAFT) in history
    assert history[-2:] == [
        ("editor", "长城社区红色物业联盟（浏览器编辑）", Status.IN_REVIEW),
        ("reviewer", "长城社区红色物业联盟（浏览器编辑）", Status.PUBLISHED),
    ]
