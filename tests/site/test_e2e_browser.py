"""End to end in headless Chromium: a researcher browses to a community, searches 物业, opens a case,
copies its GB/T 7714 citation, follows its CSV link and downloads the latest data release.

Screenshots of every page go to var/screenshots/site/ (gitignored)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from cases.models import Evidence
from cases.site.releases import release_build
from tests import factories
from tests.admin.test_e2e_browser import CHROMIUM, browser, plain_http_live_server  # noqa: F401 (fixtures)
from tests.api.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "site"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_researcher_browses_searches_cites_and_downloads(plain_http_live_server, browser, tmp_path):  # noqa: F811
    world = build_world()
    community = world.places["changcheng"]
    source = factories.source(
        headline="红色物业联盟调解小区纠纷", text="长城社区成立红色物业联盟，物业公司党员参加业委会。"
    )
    case = factories.case(
        primary_locality=community,
        public_id="changcheng-red-property",
        title_zh="长城社区红色物业联盟",
        title_en="The Red Property Alliance",
        summary_zh="社区党委牵头成立红色物业联盟。",
    )
    case.sources.add(source)
    case.themes.add(world.themes["property"])
    Evidence.objects.create(source=source, start=6, end=12, quote="红色物业联盟", case=case)
    release = release_build(version="1.0")
    base = plain_http_live_server.url

    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.goto(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    shot(page, "01-home")

    page.click("ul.regions a:has-text('四川省')")
    shot(page, "02-province")
    for step, name in enumerate(["成都市", "青羊区", "少城街道", "长城社区"], start=3):
        page.click(f"ul.children a:has-text('{name}')")
        assert page.locator("h1").inner_text().endswith(name)
        shot(page, f"{step:02d}-{name}")
    assert page.locator(f"a[href='/cases/{case.public_id}/']").count() >= 1

    page.fill("#site-q", "物业")
    page.press("#site-q", "Enter")
    page.wait_for_selector("ol.results")
    assert "<mark>物业</mark>" in page.content()
    shot(page, "07-search")

    page.click(f"li.result-case a[href='/cases/{case.public_id}/']")
    assert page.title().startswith(case.title_zh)
    assert page.locator("blockquote mark").first.inner_text() == "红色物业联盟"
    shot(page, "08-case")

    expected = page.locator("#cite-gbt7714").inner_text()
    assert "[DB/OL]" in expected
    page.click("button.copy[data-target=cite-gbt7714]")
    page.wait_for_function("document.querySelector('button.copy[data-target=cite-gbt7714]').textContent !== '复制'")
    assert page.evaluate("navigator.clipboard.readText()") == expected

    with page.expect_download() as csv_download:
        page.click("p.formats a.csv")
    csv_path = tmp_path / "case.csv"
    csv_download.value.save_as(csv_path)
    assert case.public_id in csv_path.read_text(encoding="utf-8-sig")

    page.goto(f"{base}/")
    with page.expect_download() as zip_download:
        page.click("a.latest-release")
    zip_path = tmp_path / release.filename
    zip_download.value.save_as(zip_path)
    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == release.sha256
    page.goto(f"{base}/releases/")
    shot(page, "09-releases")
    context.close()
