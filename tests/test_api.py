"""HTTP API: lists, filters, details, search, exports, ingest, validation, security headers, path traversal,
and schema-driven requests (schemathesis) that must never get a 5xx answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("httpx", reason="httpx (FastAPI's test client) is not installed")

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rasad.errors import RasadError
from rasad.kb import load_kb
from rasad.runner import run_paths
from rasad.store import open_store
from rasad.web.app import create_app
from rasad.web.options import WebOptions
from rasad.web.security import content_security_policy
from rasad.web.views import timeline

from .conftest import EXAMPLES, SEEDS

TOKEN = "test-token-for-ingest-0123456789"
LIST_PATHS = ("/api/articles", "/api/entities", "/api/relations", "/api/events", "/api/stories")


def build_web_db(folder: Path) -> str:
    """A SQLite database of the example corpus (and the shared seeds when present), merged as `rasad run` does."""
    url = str(folder / "web.db")
    kb = load_kb("default")
    store = open_store(url)
    try:
        inputs = [str(EXAMPLES)] + ([str(SEEDS)] if SEEDS.is_dir() else [])
        run_paths(inputs, store=store, kb=kb)
        try:
            from rasad.merge.apply import merge_store
        except ImportError:  # an older tree without the merge stage: the raw layer is served
            pass
        else:
            merge_store(store, kb)
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_web_db(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def app(web_db: str) -> FastAPI:
    return create_app(WebOptions(db=web_db, allow_ingest=True, token=TOKEN, refresh_s=0))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def readonly(web_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(WebOptions(db=web_db))) as c:
        yield c


def _items(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# -- schema, lists, pagination ----------------------------------------------------------------------------


def test_openapi_schema_lists_every_endpoint(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    for path in LIST_PATHS:
        assert path in paths
    for detail in ("/api/articles/{article_id}", "/api/entities/{entity_id}", "/api/relations/{relation_id}",
                   "/api/events/{event_id}", "/api/stories/{story_id}", "/api/export/{fmt}"):
        assert detail in paths
    assert {"/api/search", "/api/map", "/api/timeline", "/api/network", "/api/ingest", "/api/meta"} <= paths
    assert client.get("/docs").status_code == 404  # no page that would load scripts from a CDN


@pytest.mark.parametrize("path", LIST_PATHS)
def test_lists_are_paginated(client: TestClient, path: str) -> None:
    whole = client.get(path, params={"limit": 500}).json()
    assert whole["total"] == len(whole["items"]) or whole["total"] > 500
    if whole["total"] >= 3:
        page = client.get(path, params={"offset": 1, "limit": 2}).json()
        assert page["offset"] == 1 and page["limit"] == 2 and page["total"] == whole["total"]
        assert [i["id"] for i in page["items"]] == [i["id"] for i in whole["items"][1:3]]
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}):
        response = client.get(path, params=bad)
        assert response.status_code == 422, (path, bad)
        assert response.json()["detail"][0]["loc"][-1] in ("limit", "offset")


def test_meta_has_figures_and_facets(client: TestClient) -> None:
    meta = client.get("/api/meta").json()
    assert meta["stats"]["counts"]["articles"] >= 14
    assert meta["facets"]["event_types"] and meta["facets"]["outlets"]
    assert meta["ingest"] is True


# -- filters ----------------------------------------------------------------------------------------------


def test_event_filters(client: TestClient) -> None:
    events = _items(client, "/api/events")
    assert len(events) >= 20
    dated = sorted(e["event_date"] for e in events if e["event_date"])
    middle = dated[len(dated) // 2]
    later = _items(client, "/api/events", date_from=middle)
    assert later and all(e["event_date"] >= middle for e in later) and len(later) < len(events)
    window = _items(client, "/api/events", date_from="2024-01-01", date_to="2024-12-31")
    assert window and all("2024-01-01" <= e["event_date"] <= "2024-12-31" for e in window)
    battles = _items(client, "/api/events", event_type="Battles")
    assert battles and all(e["event_type"] == "Battles" for e in battles)
    two = _items(client, "/api/events", min_corroboration=2)
    assert all(e["corroboration"] >= 2 for e in two)
    believed = _items(client, "/api/events", certainty="believed")
    assert all("believed" in e["certainty"] for e in believed)


def test_actor_and_place_filters_take_ids_and_names(client: TestClient) -> None:
    by_id = _items(client, "/api/events", actor="irgc")
    assert by_id
    assert all("irgc" in _actor_ids(e) for e in by_id)
    arabic = client.get("/api/entities/irgc").json()["name_ar"]
    assert [e["id"] for e in _items(client, "/api/events", actor=arabic)] == [e["id"] for e in by_id]
    governorate = _items(client, "/api/events", place="sy-deir-ez-zor")
    towns = {e["location"]["id"] for e in governorate if e["location"]}
    assert len(towns) > 1, "events in towns of the governorate count too"
    outlet = _items(client, "/api/events", outlet="SY24")
    assert outlet and all("sy24" in [s.lower() for s in e["sources"]] for e in outlet)


def _actor_ids(event: dict[str, Any]) -> set[str]:
    refs = [event["actor1"], event["actor2"], *event["assoc_actor_1"], *event["assoc_actor_2"]]
    return {r["id"] for r in refs if r}


def test_relation_and_article_filters(client: TestClient) -> None:
    backed = _items(client, "/api/relations", predicate="backed_by")
    assert backed and all(r["predicate"] == "backed_by" for r in backed)
    irgc = _items(client, "/api/relations", entity="irgc")
    assert irgc and all("irgc" in {r["subject"]["id"], r["object"]["id"]} | {c["id"] for c in r["co_subjects"]}
                        for r in irgc)
    sy24 = _items(client, "/api/articles", outlet="sy24")
    assert sy24 and all(a["outlet"] == "SY24" for a in sy24)
    recent = _items(client, "/api/articles", date_from="2024-01-01")
    assert recent and all(a["published"] >= "2024-01-01" for a in recent)
    actors = _items(client, "/api/entities", type="actor")
    assert actors and all(e["type"] == "actor" for e in actors)


@pytest.mark.parametrize(("params", "needle"), [
    ({"date_from": "2024-13-01"}, "date"),
    ({"date_from": "yesterday"}, "date"),
    ({"date_from": "2024-05-01", "date_to": "2024-01-01"}, "after"),
    ({"certainty": "rumoured"}, "certainty"),
    ({"min_corroboration": 0}, "min_corroboration"),
    ({"event_type": "x" * 101}, "event_type"),
])
def test_bad_filters_are_clear_422s(client: TestClient, params: dict[str, Any], needle: str) -> None:
    response = client.get("/api/events", params=params)
    assert response.status_code == 422
    assert needle in json.dumps(response.json())


def test_unknown_entity_in_a_filter_is_a_400_naming_it(client: TestClient) -> None:
    response = client.get("/api/events", params={"actor": "No Such Militia"})
    assert response.status_code == 400
    assert "No Such Militia" in response.json()["detail"]


# -- details ------------------------------------------------------------------------------------------------


def test_details_and_404s(client: TestClient) -> None:
    for path in LIST_PATHS:
        items = _items(client, path)
        if not items:
            continue
        key = items[0]["id"]
        detail = client.get(f"{path}/{key}")
        assert detail.status_code == 200, path
        assert detail.json()["id"] == key
    for path in ("/api/entities/no_such_entity", "/api/events/e-0000", "/api/relations/r-0000",
                 "/api/stories/s-0000", "/api/articles/abcdef0123"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no " in response.json()["detail"]


def test_article_detail_offsets_point_into_the_text(client: TestClient) -> None:
    article_id = _items(client, "/api/articles", outlet="SY24")[0]["id"]
    article = client.get(f"/api/articles/{article_id[:12]}").json()  # a prefix names it too
    assert article["id"] == article_id
    text = article["text"]
    assert article["mentions"] and article["evidence"]
    for mention in article["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    for mark in article["evidence"]:
        assert 0 <= mark["start"] < mark["end"] <= len(text) and mark["kind"] in ("event", "relation")


def test_entity_detail_has_both_scripts_relations_and_evidence(client: TestClient) -> None:
    entity = client.get("/api/entities/irgc").json()
    assert entity["name_en"] and entity["name_ar"] and entity["aliases"]
    assert entity["relations"] and entity["events"]
    evidence = entity["relations"][0]["evidence"][0]
    assert evidence["text"] and evidence["article_id"] and "certainty" in evidence
    assert entity["bloc"] == "iran"


def test_story_detail_has_its_articles_with_text(client: TestClient) -> None:
    stories = _items(client, "/api/stories")
    if not stories:
        pytest.skip("no merged stories in this tree (the merge stage is absent)")
    story = client.get(f"/api/stories/{stories[0]['id']}").json()
    assert story["articles"] and all(a["text"] for a in story["articles"])


def test_map_timeline_network(client: TestClient) -> None:
    data = client.get("/api/map").json()
    assert data["located"] == len(data["events"]) > 10
    assert all(-90 <= e["lat"] <= 90 and -180 <= e["lon"] <= 180 for e in data["events"])
    assert data["presence"] and all(p["actors"] for p in data["presence"])
    bins = client.get("/api/timeline", params={"date_from": "2024-01-01"}).json()
    assert bins["bins"] and bins["first"] >= "2024-01-01"
    graph = client.get("/api/network").json()
    predicates = {link["predicate"] for link in graph["links"]}
    assert predicates and predicates <= {"backed_by", "allied_with", "opposes", "leads", "part_of"}
    assert {n["type"] for n in graph["nodes"]} <= {"actor", "person"}
    assert any(n["bloc"] for n in graph["nodes"])
    only = client.get("/api/network", params={"predicate": "opposes"}).json()
    assert {link["predicate"] for link in only["links"]} == {"opposes"}
    assert client.get("/api/network", params={"predicate": "hates"}).status_code == 422


def test_timeline_bins_by_day_week_or_month() -> None:
    days = timeline([{"event_date": "2024-01-01", "event_type": "Battles"},
                     {"event_date": "2024-01-03", "event_type": "Battles"}, {"event_date": None}])
    assert days["unit"] == "day" and days["undated"] == 1 and len(days["bins"]) == 2
    months = timeline([{"event_date": "2019-01-05", "event_type": "Riots"},
                       {"event_date": "2024-06-30", "event_type": "Riots"}])
    assert months["unit"] == "month" and months["bins"][0]["start"] == "2019-01-01"


# -- search and exports -------------------------------------------------------------------------------------


def test_search(client: TestClient) -> None:
    result = client.get("/api/search", params={"q": "البوكمال"}).json()
    assert result["articles"] and result["entities"]
    snippet = result["articles"][0]["snippet"]
    assert snippet["highlights"]
    start, end = snippet["highlights"][0]
    assert snippet["text"][start:end]
    empty = client.get("/api/search", params={"q": "!!!"})
    assert empty.status_code == 400 and "no words" in empty.json()["detail"]
    assert client.get("/api/search").status_code == 422


@pytest.mark.parametrize("fmt", ["json", "acled-csv", "geojson", "graphml", "graph-json"])
def test_exports_are_downloads(client: TestClient, fmt: str) -> None:
    response = client.get(f"/api/export/{fmt}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    body = response.content.decode("utf-8")
    if fmt == "json":
        assert json.loads(body)["schema"] == "rasad.export/1"
    elif fmt == "acled-csv":
        assert body.startswith("event_id_cnty,")
    elif fmt == "graphml":
        assert "<graphml" in body
    else:
        assert json.loads(body)


def test_unknown_export_format_is_refused(client: TestClient) -> None:
    assert client.get("/api/export/pdf").status_code == 422
    assert client.get("/api/export/..%2F..%2Fetc%2Fpasswd").status_code in (404, 422)


# -- ingest --------------------------------------------------------------------------------------------------

ARTICLE = {
    "text": "أفادت مصادر محلية بأن ميليشيا لواء فاطميون المدعومة من الحرس الثوري الإيراني نقلت عناصرها إلى مدينة "
            "الميادين شرق دير الزور يوم أمس.\n\nوقال ناشطون إن التعزيزات وصلت من البوكمال.",
    "title": "فاطميون تنقل عناصرها إلى الميادين",
    "outlet": "Test Outlet",
    "published": "2024-05-02",
    "url": "https://example.org/a/1",
}


def test_read_only_by_default(readonly: TestClient) -> None:
    response = readonly.post("/api/ingest", json=ARTICLE, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    assert "--allow-ingest" in response.json()["detail"]
    assert readonly.put("/api/articles").status_code == 405
    assert readonly.delete("/api/events").status_code == 405


def test_ingest_needs_the_token(client: TestClient) -> None:
    assert client.post("/api/ingest", json=ARTICLE).status_code == 401
    wrong = client.post("/api/ingest", json=ARTICLE, headers={"Authorization": "Bearer wrong-token-0000000000"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"


def test_ingest_stores_and_serves_the_article(client: TestClient) -> None:
    before = client.get("/api/articles", params={"limit": 1}).json()["total"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = client.post("/api/ingest", json=ARTICLE, headers=auth)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["added"] is True and made["mentions"] > 3
    article = client.get(f"/api/articles/{made['id']}").json()
    assert article["title"] == ARTICLE["title"] and article["outlet"] == "Test Outlet"
    assert article["published"] == "2024-05-02"
    assert any(m["entity"]["id"] == "fatemiyoun" for m in article["mentions"])
    assert client.get("/api/articles", params={"limit": 1}).json()["total"] == before + 1
    again = client.post("/api/ingest", json=ARTICLE, headers=auth)
    assert again.status_code == 200 and again.json()["added"] is False


@pytest.mark.parametrize("body", [
    {},
    {"text": "   \n "},
    {"text": "نص", "url": "javascript:alert(1)"},
    {"text": "نص", "url": "https://example.org/\"><script>"},
    {"text": "نص", "published": "31/13/2024"},
    {"text": "نص", "unknown_field": 1},
    {"text": "نص", "title": "x" * 1001},
    {"text": 5},
])
def test_ingest_validates_the_body(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/api/ingest", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_ingest_refuses_text_that_cleans_to_nothing(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = client.post("/api/ingest", json={"text": "شارك على فيسبوك"}, headers=auth)
    assert response.status_code == 422
    assert response.json()["detail"] == "no article text left after cleaning"


# -- options, headers, traversal --------------------------------------------------------------------------------


def test_options_are_checked() -> None:
    with pytest.raises(RasadError, match="token"):
        WebOptions(db="x.db", allow_ingest=True).check()
    with pytest.raises(RasadError, match="16"):
        WebOptions(db="x.db", allow_ingest=True, token="short").check()
    with pytest.raises(RasadError, match="https"):
        WebOptions(db="x.db", tiles="http://tiles.example/{z}/{x}/{y}.png").check()
    tiles = WebOptions(db="x.db", tiles="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    tiles.check()
    assert "https://*.tile.example.org" in content_security_policy(tiles_origin=tiles.tiles_origin)


@pytest.mark.parametrize("path", ["/", "/api/meta", "/static/js/app.js", "/api/articles/zz"])
def test_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def _asgi_get(app: FastAPI, raw_path: str) -> tuple[int, bytes]:
    """Send a request with exactly this path (no client-side normalisation of ../)."""
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    path = raw_path.split("?", 1)[0]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": raw_path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body


@pytest.mark.parametrize("raw", [
    "/static/../../../pyproject.toml", "/static/../app.py", "/static/js/../../app.py", "/static/..%2f..%2fapp.py",
    "/static/%2e%2e/%2e%2e/app.py", "/static/vendor/..\\..\\app.py", "/static//etc/passwd",
    "/static/%2fetc%2fpasswd", "/api/entities/..%2f..%2fetc%2fpasswd", "/api/articles/../../etc/passwd",
])
def test_no_path_traversal(app: FastAPI, raw: str) -> None:
    status, body = _asgi_get(app, raw)
    assert status in (404, 405, 422), (raw, status)
    assert b"create_app" not in body and b"[project]" not in body and b"root:" not in body


# -- schema-driven requests ---------------------------------------------------------------------------------------

EXAMPLES_PER_OPERATION = 15


def test_generated_requests_never_get_a_server_error(web_db: str) -> None:
    """schemathesis generates requests for every operation of the OpenAPI schema; none may get a 5xx."""
    schemathesis = pytest.importorskip("schemathesis", reason="schemathesis (dev extra) is not installed")
    from hypothesis import HealthCheck, given, settings

    app = create_app(WebOptions(db=web_db))  # read-only: generated ingest bodies never reach the store
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        def check(case: Any) -> None:
            case.call_and_validate(checks=[schemathesis.checks.not_a_server_error])

        check()
