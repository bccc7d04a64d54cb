"""The draft canary on the public site: crawl every page reachable from the home page (every link,
every facet, every page of every list) and find the draft's token on none of them."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import urljoin, urlsplit

from tests.api.test_canary import DRAFT_VALUE, TOKEN

LINK = re.compile(r'href="([^"#]+)"')
# The search box is a form, not a link: its pages start the crawl too, with words of the draft's
# texts (its title, summary, initiative, source) and words it shares with published cases. (Not
# the token itself: the page repeats the query.)
STARTS = ("/", "/search/?q=标题", "/search/?q=摘要", "/search/?q=联盟", "/search/?q=报道", "/cases/?q=测试")
# Not the site's pages: the API has its own canary; the admin is for staff.
ELSEWHERE = ("/api/", "/admin/", "/static/", "/lang/")
MAX_PAGES = 400


def unzipped(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as bundle:
        return "".join(bundle.read(name).decode("utf-8") for name in bundle.namelist())


def crawl(client, starts: tuple[str, ...] = ("/",)) -> dict[str, str]:
    """Every site page reachable from ``starts`` by links, with its text (a release's files unzipped)."""
    seen: dict[str, str] = {}
    queue = list(starts)
    broken = crawl.broken = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        if response.status_code != 200:
            broken.append((url, response.status_code))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if url.endswith(".zip"):
            seen[url] = unzipped(body)
            continue
        text = body.decode("utf-8")
        seen[url] = text
        for href in LINK.findall(text):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(ELSEWHERE):
                continue
            if target not in seen:
                queue.append(target)
    return seen


def leaks(pages: dict[str, str]) -> list[str]:
    return [url for url, text in pages.items() if TOKEN in text or DRAFT_VALUE in text]


def test_the_draft_token_appears_on_no_public_page(world, client):
    from cases.site.releases import release_build

    release_build(version="1.0")
    pages = crawl(client, STARTS)
    paths = {urlsplit(url).path for url in pages}
    # The crawl reached every kind of page.
    for prefix in ("/cases/", "/places/", "/organisations/", "/sources/", "/initiatives/", "/search/", "/stats/"):
        assert any(path.startswith(prefix) for path in paths), prefix
    assert any(path.endswith(".zip") for path in paths)
    assert len(pages) > 40
    assert leaks(pages) == []
    # Every link leads somewhere: a link to a draft's page would be a 404 here.
    assert crawl.broken == []


def test_the_crawl_finds_the_token_once_it_is_published(world, client):
    """So the canary can fail: publish the draft and the same crawl reports it."""
    from django.utils import timezone

    from cases.models import Status

    draft = world.draft
    draft.status = Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    found = leaks(crawl(client, STARTS))
    assert f"/cases/{draft.public_id}/" in found
    assert "/" in found
