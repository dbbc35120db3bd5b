"""Benchmark: the web UI and the one-file report with many events, first render in headless Chromium.

usage: python bench/bench_ui.py [--events 10000] [--runs 5] [--spread town|point]

Builds a database from the example corpus, then replaces its merged layer with N synthetic events
(dates over six years, the six ACLED event types, actors and places taken from the stored entities,
evidence pointing at real sentences).  ``--spread point`` (default) gives every event its own
position (its place's coordinates moved by up to ~5 km), the worst case for the map: one marker per
event, drawn on a canvas; ``--spread town`` keeps the places' own coordinates, as real events mostly
have, so markers group by town.

Measured (median of ``--runs`` page loads, each in a fresh browser context, server warm):
first render of the map page — from navigation start to the ``rasad-map-rendered`` performance mark,
set once every marker is on the map — and of the timeline and network pages; the report's
``rasad-report-rendered`` mark; the server's time to build its snapshot (cold) and to answer
``/api/map`` (warm).  Reports figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
TYPES = [
    ("Battles", "Armed clash"), ("Explosions/Remote violence", "Air/drone strike"),
    ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"), ("Riots", "Mob violence"),
    ("Strategic developments", "Change to group/activity"),
]


def build_db(folder: Path, *, events: int, spread: str, seed: int = 7) -> str:
    from rasad.kb import load_kb
    from rasad.runner import run_paths
    from rasad.store import open_store

    url = str(folder / "bench-ui.db")
    kb = load_kb("default")
    store = open_store(url)
    try:
        run_paths([str(EXAMPLES)], store=store, kb=kb)
        entities = list(store.entities())
        places = [e for e in entities if e.type == "place" and e.lat is not None and e.lon is not None]
        actors = [e.id for e in entities if e.type == "actor"]
        sentences = [(a.id, a.outlet, s.start, s.end, a.text[s.start : s.end])
                     for a in store.articles() for s in a.sentences[:6]]
        rng = random.Random(seed)
        records = [_event(i, rng, places, actors, sentences, spread) for i in range(events)]
        store.replace_merged([], records, list(store.raw_relations()))
    finally:
        store.close()
    return url


def _event(i: int, rng: random.Random, places: list[Any], actors: list[str], sentences: list[Any],
           spread: str) -> dict[str, Any]:
    place = rng.choice(places)
    jitter = 0.045 if spread == "point" else 0.0
    kind, sub = rng.choice(TYPES)
    article_id, outlet, start, end, text = rng.choice(sentences)
    day = time.strftime("%Y-%m-%d", time.gmtime(1_546_300_800 + rng.randrange(6 * 365) * 86_400))
    return {
        "id": f"e-bench-{i:06d}", "event_type": kind, "sub_event_type": sub, "event_date": day,
        "time_precision": 1, "location": place.id, "latitude": place.lat + rng.uniform(-jitter, jitter),
        "longitude": place.lon + rng.uniform(-jitter, jitter), "geo_precision": 2 if jitter else 1,
        "actor1": rng.choice(actors), "actor2": rng.choice(actors) if rng.random() < 0.4 else None,
        "assoc_actor_1": [], "assoc_actor_2": [], "fatalities": rng.choice([None, 0, 1, 3]),
        "civilian_targeting": False, "tags": [], "notes": f"synthetic event {i}",
        "evidence": [{"article_id": article_id, "start": start, "end": end, "text": text, "certainty": "reported",
                      "attributed_to": outlet, "outlet": outlet}],
        "sources": [outlet or article_id], "corroboration": 1,
    }


def start_server(db: str) -> tuple[str, Any]:
    import uvicorn

    from rasad.web.app import create_app
    from rasad.web.options import WebOptions

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(WebOptions(db=db)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}/", server


def timed_get(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        size = len(response.read())
    return time.perf_counter() - start, size


def render_ms(browser: Any, url: str, mark: str, ready: str) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        page.wait_for_selector(ready)
        page.wait_for_function(f"performance.getEntriesByName('{mark}').length > 0")
        value: float = page.evaluate(f"performance.getEntriesByName('{mark}')[0].startTime")
        return value
    finally:
        context.close()


def page_ready_ms(browser: Any, url: str, ready: str) -> float:
    """Navigation start to the view being drawn (timeline, network: no mark of their own)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        page.wait_for_selector(ready)
        value: float = page.evaluate("performance.now()")
        return value
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--spread", choices=("point", "town"), default="point")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from playwright.sync_api import sync_playwright

    from rasad.report import build_report
    from rasad.store import open_store

    with tempfile.TemporaryDirectory(prefix="rasad-bench-ui-") as tmp:
        folder = Path(tmp)
        db = build_db(folder, events=args.events, spread=args.spread)
        base, server = start_server(db)
        cold, _ = timed_get(base + "api/meta")
        warm_map, map_bytes = min(timed_get(base + "api/map") for _ in range(3))
        store = open_store(db, create=False)
        start = time.perf_counter()
        report = build_report(store)
        report_build = time.perf_counter() - start
        store.close()
        report_path = folder / "report.html"
        report_path.write_text(report, encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            render_ms(browser, base + "#/map", "rasad-map-rendered", '#view[data-ready="map"]')  # warm-up
            maps = [render_ms(browser, base + "#/map", "rasad-map-rendered", '#view[data-ready="map"]')
                    for _ in range(args.runs)]
            timelines = [page_ready_ms(browser, base + "#/timeline", '#view[data-ready="timeline"]')
                         for _ in range(args.runs)]
            networks = [page_ready_ms(browser, base + "#/network", '#view[data-ready="network"]')
                        for _ in range(args.runs)]
            reports = [render_ms(browser, report_path.as_uri(), "rasad-report-rendered", "#report[data-ready]")
                       for _ in range(args.runs)]
            version = browser.version
            browser.close()
        server.should_exit = True
    figures = {
        "events": args.events, "spread": args.spread, "runs": args.runs,
        "map_first_render_ms": round(statistics.median(maps)), "map_range_ms": [round(min(maps)), round(max(maps))],
        "timeline_ready_ms": round(statistics.median(timelines)),
        "network_ready_ms": round(statistics.median(networks)),
        "report_first_render_ms": round(statistics.median(reports)),
        "report_range_ms": [round(min(reports)), round(max(reports))],
        "report_bytes": len(report.encode("utf-8")), "report_build_s": round(report_build, 2),
        "server_snapshot_cold_s": round(cold, 2), "api_map_warm_s": round(warm_map, 3), "api_map_bytes": map_bytes,
        "chromium": version, "python": platform.python_version(), "machine": platform.machine(),
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
