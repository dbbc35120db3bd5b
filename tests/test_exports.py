"""Exports beside JSON: ACLED CSV, GeoJSON (RFC 7946), GraphML and node-link JSON.

Unit tests build ``rasad.export/1`` documents by hand; one test runs the CLI on
the bundled examples for every format.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import io
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rasad.cli import app
from rasad.export import EXPORTERS
from rasad.export.acled import acled_columns, acled_from_export, interaction, write_acled_rows
from rasad.export.geojson import geojson_from_export
from rasad.export.graph import graph_from_export, graphml_from_export

from .conftest import EXAMPLES

pd = pytest.importorskip("pandas")
nx = pytest.importorskip("networkx")

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]


# -- a hand-made export ------------------------------------------------------------


def entity(entity_id: str, etype: str, name_en: str, name_ar: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": entity_id, "type": etype, "name_en": name_en, "name_ar": name_ar, "aliases": [], "lat": None,
        "lon": None, "country": None, "admin1": None, "wikidata": None, "discovered": False, "feature": None,
        "parent": None, "affiliation": None, "kb_version": "test", "evidence": [], "pcode": None, "geonames": None,
    }
    return record | fields


def evidence(article: str, text: str, outlet: str) -> dict[str, Any]:
    return {"article_id": article, "start": 0, "end": len(text), "text": text, "attributed_to": outlet,
            "certainty": "reported", "outlet": outlet}


def event(event_id: str, event_type: str, sub: str, date: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": event_id, "event_type": event_type, "sub_event_type": sub, "event_date": date, "time_precision": 1,
        "location": None, "latitude": None, "longitude": None, "geo_precision": None, "actor1": None,
        "assoc_actor_1": [], "actor2": None, "assoc_actor_2": [], "fatalities": None, "civilian_targeting": False,
        "tags": [], "notes": "", "evidence": [evidence("art1", "نص الخبر", "SY24")], "sources": ["SY24"],
        "corroboration": 1,
    }
    return record | fields


DZ = {"country": "SY", "admin1": "Deir ez-Zor"}
ENTITIES = [
    entity("syrian_regime", "actor", "Syrian regime forces", "قوات النظام السوري", country="SY", feature="state",
           affiliation="syria_gov"),
    entity("irgc", "actor", "Islamic Revolutionary Guard Corps", "الحرس الثوري الإيراني", country="IR",
           feature="formation", affiliation="iran"),
    entity("fatemiyoun", "actor", "Liwa Fatemiyoun", "لواء فاطميون", country="AF", feature="militia",
           affiliation="iran"),
    entity("liwa_al_baqir", "actor", "Liwa al-Baqir", "لواء الباقر", country="SY", feature="militia",
           affiliation="iran", discovered=True),
    entity("isis", "actor", "Islamic State", "تنظيم الدولة", feature="jihadist_group", affiliation="isis"),
    entity("coalition", "actor", "International Coalition", "التحالف الدولي", feature="coalition",
           affiliation="us_coalition"),
    entity("hajj_askar", "person", "Hajj Askar", "حاج عسكر", country="IR", feature="commander", affiliation="iran",
           parent="irgc"),
    entity("sy-deir-ez-zor", "place", "Deir ez-Zor", "دير الزور", lat=35.16667, lon=40.28333, feature="governorate",
           **DZ),
    entity("sy-deir-ez-zor-abu-kamal", "place", "Abu Kamal", "البوكمال", lat=34.54076, lon=40.51966,
           feature="district", parent="sy-deir-ez-zor", **DZ),
    entity("sy-deir-ez-zor-abu-kamal-abu-kamal", "place", "Abu Kamal", "مركز البوكمال", lat=34.43776, lon=40.4286,
           feature="subdistrict", parent="sy-deir-ez-zor-abu-kamal", **DZ),
    entity("abu_kamal", "place", "Al-Bukamal", "البوكمال", lat=34.4534791, lon=40.9186468, feature="town",
           parent="sy-deir-ez-zor-abu-kamal-abu-kamal", **DZ),
    entity("al_mayadin", "place", "Al-Mayadin", "الميادين", lat=35.01944, lon=40.45167, feature="town",
           parent="sy-deir-ez-zor-al-mayadin", **DZ),
    entity("baghdad", "place", "Baghdad", "بغداد", lat=33.34058, lon=44.40088, feature="town", country="IQ",
           admin1="Baghdad"),
    entity("al_qaim_crossing", "facility", "Al-Qaim border crossing", "معبر القائم", country="SY",
           feature="crossing"),
    entity("sy24", "source", "SY24", "SY24", country="SY", feature="outlet"),
    entity("deir_ez_zor_24", "source", "Deir ez-Zor 24", "دير الزور 24", country="SY", feature="network",
           aliases=["DeirEzzor24"]),
    entity("sohr", "source", "Syrian Observatory for Human Rights", "المرصد السوري لحقوق الإنسان", country="GB",
           feature="monitor"),
]
EVENTS = [
    event("ev-e", "Explosions/Remote violence", "Air/drone strike", "2021-03-09", location="abu_kamal",
          latitude=34.4534791, longitude=40.9186468, geo_precision=1, actor2="fatemiyoun",
          tags=["airstrike by unknown aircraft"], sources=["SY24", "Deir ez-Zor 24", "SY24"],
          notes="Unidentified aircraft struck Liwa Fatemiyoun positions in Al-Bukamal."),
    event("ev-b", "Battles", "Armed clash", "2021-03-08", location="abu_kamal", latitude=34.4534791,
          longitude=40.9186468, geo_precision=2, actor1="syrian_regime", assoc_actor_1=["liwa_al_baqir"],
          actor2="isis", fatalities=4, evidence=[evidence("art1", "اشتباكات", "SY24"),
                                                  evidence("art2", "اشتباكات عنيفة", "Deir ez-Zor 24")]),
    event("ev-a", "Strategic developments", "Headquarters or base established", "2021-03-08",
          location="al_qaim_crossing", actor1="irgc", assoc_actor_1=["fatemiyoun", "hajj_askar"], fatalities=0,
          time_precision=2, sources=["Deir ez-Zor 24"]),
    event("ev-c", "Violence against civilians", "Attack", "2021-03-10", location="baghdad", latitude=33.34058,
          longitude=44.40088, geo_precision=1, actor1="isis", fatalities=2, civilian_targeting=True,
          sources=["Syrian Observatory for Human Rights", "SY24"]),
    event("ev-d", "Protests", "Peaceful protest", "2021-03-10", location="sy-deir-ez-zor", latitude=35.16667,
          longitude=40.28333, geo_precision=3, fatalities=0, time_precision=3, sources=["صفحة محلية"]),
]
RELATIONS: list[dict[str, Any]] = [
    {"id": "rel-1", "subject": "fatemiyoun", "predicate": "backed_by", "object": "irgc",
     "evidence": [evidence("art1", "المدعوم من الحرس الثوري", "SY24"),
                  evidence("art2", "التابع للحرس الثوري", "Deir ez-Zor 24")],
     "sources": ["SY24", "Deir ez-Zor 24"], "corroboration": 2, "contested": False},
    {"id": "rel-2", "subject": "fatemiyoun", "predicate": "present_in", "object": "irgc",
     "evidence": [evidence("art1", "نص", "SY24")], "sources": ["SY24"], "corroboration": 1, "contested": False},
    {"id": "rel-3", "subject": "irgc", "predicate": "controls", "object": "abu_kamal",
     "evidence": [evidence("art1", "يسيطر الحرس الثوري على البوكمال", "SY24")], "sources": ["SY24"],
     "corroboration": 1, "contested": True},
    {"id": "rel-4", "subject": "hajj_askar", "predicate": "leads", "object": "fatemiyoun",
     "evidence": [evidence("art2", "قائد ميليشيا فاطميون", "Deir ez-Zor 24")], "sources": ["Deir ez-Zor 24"],
     "corroboration": 1, "contested": False},
    {"id": "rel-5", "subject": "irgc", "predicate": "present_in", "object": "not_in_export",
     "evidence": [], "sources": [], "corroboration": 0, "contested": False},
]
MENTIONS = [
    {"article_id": art, "entity_id": ent, "start": 0, "end": 5, "text": "x", "method": "kb", "sentence": 0}
    for art, ent in [("art1", "abu_kamal"), ("art2", "abu_kamal"), ("art1", "abu_kamal"), ("art1", "baghdad"),
                     ("art2", "sy-deir-ez-zor"), ("art1", "al_qaim_crossing"), ("art1", "irgc")]
]
ARTICLES: list[dict[str, Any]] = [
    {"id": "art1", "file": "a.txt", "source": "a.txt", "sources": ["a.txt"], "outlet": "SY24",
     "published": "2021-03-10", "title": "في البوكمال", "url": None, "byline": None, "story_id": "s1",
     "kb_version": "test", "metadata": {}},
    {"id": "art2", "file": "b.txt", "source": "b.txt", "sources": ["b.txt"], "outlet": "Deir ez-Zor 24",
     "published": "2021-03-11T08:30:00+03:00", "title": "الميليشيات", "url": None, "byline": None,
     "story_id": "s1", "kb_version": "test", "metadata": {}},
]


@pytest.fixture
def export() -> dict[str, Any]:
    return copy.deepcopy({"schema": "rasad.export/1", "articles": ARTICLES, "entities": ENTITIES,
                          "mentions": MENTIONS, "relations": RELATIONS, "events": EVENTS,
                          "stories": [{"id": "s1", "article_ids": ["art1", "art2"]}]})


# -- ACLED CSV -----------------------------------------------------------------------


def acled_frame(export: dict[str, Any], **kwargs: Any) -> Any:
    buffer = io.StringIO()
    write_acled_rows(acled_from_export(export, **kwargs), buffer)
    return pd.read_csv(io.StringIO(buffer.getvalue()), keep_default_na=False, na_values=[""])


def test_acled_columns_rows_and_types(export: dict[str, Any]) -> None:
    frame = acled_frame(export)
    assert list(frame.columns) == ACLED_COLUMNS == list(acled_columns())
    assert len(frame) == len(EVENTS)
    for column in ("year", "time_precision", "inter1", "inter2", "interaction", "iso", "fatalities", "timestamp"):
        assert frame[column].dtype.kind == "i", column
    for column in ("latitude", "longitude"):
        assert frame[column].dtype.kind == "f", column


def test_acled_ids_sorted_by_date_then_id_per_country(export: dict[str, Any]) -> None:
    frame = acled_frame(export).set_index("event_id_cnty")
    assert list(frame.index) == ["SYR1", "SYR2", "SYR3", "IRQ1", "SYR4"]
    assert frame.loc["SYR1", "sub_event_type"] == "Headquarters or base established"  # ev-a before ev-b
    assert frame.loc["SYR2", "event_type"] == "Battles"
    export["events"].reverse()
    assert acled_frame(export)["event_id_cnty"].tolist() == ["SYR1", "SYR2", "SYR3", "IRQ1", "SYR4"]


def test_acled_actors_and_inter_codes(export: dict[str, Any]) -> None:
    rows = {r["event_id_cnty"]: r for r in acled_from_export(export)}
    battle, strike, base, attack, protest = rows["SYR2"], rows["SYR3"], rows["SYR1"], rows["IRQ1"], rows["SYR4"]
    assert (battle["actor1"], battle["inter1"], battle["actor2"], battle["inter2"]) == (
        "Syrian regime forces", 1, "Islamic State", 2)
    assert battle["assoc_actor_1"] == "Liwa al-Baqir" and battle["interaction"] == 12
    # No actor1: ACLED's generic unidentified armed group; a foreign militia stays a political militia.
    assert (strike["actor1"], strike["inter1"], strike["inter2"], strike["interaction"]) == (
        "Unidentified Armed Group (Syria)", 3, 3, 33)
    # Iranian state forces in Syria are external forces; a single actor gives interaction 80.
    assert (base["actor1"], base["inter1"], base["actor2"], base["inter2"], base["interaction"]) == (
        "Islamic Revolutionary Guard Corps", 8, "", 0, 80)
    assert base["assoc_actor_1"] == "Liwa Fatemiyoun; Hajj Askar"
    assert (attack["actor2"], attack["inter2"], attack["interaction"]) == ("Civilians (Iraq)", 7, 27)
    assert attack["civilian_targeting"] == "Civilian targeting" and battle["civilian_targeting"] == ""
    assert (protest["actor1"], protest["inter1"], protest["interaction"]) == ("Protesters (Syria)", 6, 60)


@pytest.mark.parametrize(
    ("fields", "event_country", "expected"),
    [
        ({"type": "actor", "feature": "state", "affiliation": "russia", "country": "RU"}, "SY", 8),
        ({"type": "actor", "feature": "state", "affiliation": "russia", "country": "RU"}, "RU", 1),
        ({"type": "actor", "feature": "armed_forces", "affiliation": "turkey", "country": "TR"}, "SY", 8),
        ({"type": "actor", "feature": "state", "affiliation": "israel", "country": "IL"}, "SY", 8),
        ({"type": "actor", "feature": "coalition", "affiliation": "us_coalition", "country": None}, "SY", 8),
        ({"type": "actor", "feature": "armed_forces", "affiliation": "iraq_gov", "country": "IQ"}, "SY", 8),
        ({"type": "actor", "feature": "armed_forces", "affiliation": "iraq_gov", "country": "IQ"}, "IQ", 1),
        ({"type": "actor", "feature": "state", "affiliation": "syria_gov", "country": "SY"}, None, 1),
        ({"type": "actor", "feature": "militia", "affiliation": "pmf", "country": "IQ"}, "SY", 3),
        ({"type": "actor", "feature": "militia", "affiliation": "russia", "country": "RU"}, "SY", 8),
        ({"type": "actor", "feature": "rebel_group", "affiliation": "sna", "country": "SY"}, "SY", 2),
        ({"type": "actor", "feature": "formation", "affiliation": "sdf", "country": "SY"}, "SY", 2),
        ({"type": "actor", "feature": "armed_forces", "affiliation": "un", "country": "LB"}, "LB", 8),
        ({"type": "actor", "feature": None, "affiliation": None, "country": None}, "SY", 3),
        ({"type": "person", "feature": "commander", "affiliation": "iran", "country": "SY"}, "SY", 3),
        ({"type": "person", "feature": "commander", "affiliation": "iran", "country": "IR"}, "SY", 8),
        ({"type": "person", "feature": "commander", "affiliation": "iran", "country": None}, "SY", 3),
        ({"type": "person", "feature": "commander", "affiliation": "isis", "country": "IQ"}, "SY", 2),
        ({"type": "person", "feature": "journalist", "affiliation": None, "country": "SY"}, "SY", 7),
    ],
)
def test_inter_code_table(fields: dict[str, Any], event_country: str | None, expected: int) -> None:
    from rasad.export.acled import build_context, inter_code

    ctx = build_context({"entities": ENTITIES, "articles": []})
    assert inter_code({"id": "x", **fields}, event_country=event_country, ctx=ctx) == expected


def test_interaction() -> None:
    assert interaction(1, 3) == 13 == interaction(3, 1)
    assert interaction(1, 0) == 10
    assert interaction(8, 8) == 88


def test_acled_place_fields(export: dict[str, Any]) -> None:
    rows = {r["event_id_cnty"]: r for r in acled_from_export(export)}
    strike = rows["SYR3"]
    assert (strike["iso"], strike["region"], strike["country"]) == (760, "Middle East", "Syria")
    assert (strike["admin1"], strike["admin2"], strike["admin3"]) == ("Deir ez-Zor", "Abu Kamal", "Abu Kamal")
    assert (strike["location"], strike["latitude"], strike["longitude"]) == ("Al-Bukamal", "34.4535", "40.9186")
    assert strike["geo_precision"] == 1
    assert (rows["IRQ1"]["iso"], rows["IRQ1"]["country"], rows["IRQ1"]["admin1"]) == (368, "Iraq", "Baghdad")
    protest = rows["SYR4"]
    assert (protest["admin1"], protest["admin2"], protest["location"]) == ("Deir ez-Zor", "", "Deir ez-Zor")
    base = rows["SYR1"]  # a facility without coordinates
    assert (base["location"], base["latitude"], base["geo_precision"], base["admin2"]) == (
        "Al-Qaim border crossing", "", "", "")


def test_acled_admin_levels_from_reference(export: dict[str, Any]) -> None:
    export["events"][0]["location"] = "al_mayadin"
    reference = {"sy-deir-ez-zor-al-mayadin": entity("sy-deir-ez-zor-al-mayadin", "place", "Al-Mayadin District",
                                                      "الميادين", feature="district", parent="sy-deir-ez-zor", **DZ)}
    without = {r["event_id_cnty"]: r for r in acled_from_export(export)}["SYR3"]
    assert (without["admin1"], without["admin2"]) == ("Deir ez-Zor", "")
    with_ref = {r["event_id_cnty"]: r for r in acled_from_export(export, reference=reference)}["SYR3"]
    assert (with_ref["admin2"], with_ref["admin3"], with_ref["location"]) == ("Al-Mayadin District", "", "Al-Mayadin")


def test_acled_sources_fatalities_tags_timestamp(export: dict[str, Any]) -> None:
    rows = {r["event_id_cnty"]: r for r in acled_from_export(export)}
    strike, attack, protest, battle = rows["SYR3"], rows["IRQ1"], rows["SYR4"], rows["SYR2"]
    assert strike["source"] == "Deir ez-Zor 24; SY24"
    assert strike["source_scale"] == "Subnational-National"
    assert battle["source_scale"] == "National"
    assert attack["source_scale"] == "Regional-Other"  # a Syrian outlet on Iraq; a monitor
    assert protest["source_scale"] == "Other"  # an outlet the knowledge base does not know
    assert strike["fatalities"] == 0 and strike["tags"] == "airstrike by unknown aircraft; fatalities unknown"
    assert battle["fatalities"] == 4 and battle["tags"] == ""
    newest = calendar.timegm(dt.date(2021, 3, 11).timetuple())
    assert {r["timestamp"] for r in rows.values()} == {newest}
    assert (strike["disorder_type"], protest["disorder_type"], rows["SYR1"]["disorder_type"]) == (
        "Political violence", "Demonstrations", "Strategic developments")
    assert attack["disorder_type"] == "Political violence"
    assert (strike["year"], strike["event_date"], rows["SYR1"]["time_precision"]) == (2021, "2021-03-09", 2)


def test_acled_event_without_location(export: dict[str, Any]) -> None:
    export["events"].append(event("ev-z", "Strategic developments", "Other", "2021-03-01", actor1="coalition"))
    row = acled_from_export(export)[0]
    assert row["event_id_cnty"] == "XXX1"
    assert (row["iso"], row["country"], row["location"], row["actor1"], row["inter1"]) == (
        "", "", "", "International Coalition", 8)


def test_acled_deterministic_and_utf8(export: dict[str, Any]) -> None:
    first, second = io.StringIO(), io.StringIO()
    write_acled_rows(acled_from_export(export), first)
    write_acled_rows(acled_from_export(copy.deepcopy(export)), second)
    assert first.getvalue() == second.getvalue()
    assert first.getvalue().splitlines()[0] == ",".join(ACLED_COLUMNS)
    assert "صفحة محلية" in first.getvalue()


# -- GeoJSON ---------------------------------------------------------------------------

GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "GeometryCollection"}


def check_position(position: Any) -> None:
    assert isinstance(position, list) and len(position) in (2, 3), position
    assert all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in position)
    lon, lat = position[0], position[1]
    assert -180 <= lon <= 180 and -90 <= lat <= 90, position
    assert all(len(repr(float(v)).split(".")[-1]) <= 6 for v in position[:2]), position


def check_geometry(geometry: Any) -> None:
    assert isinstance(geometry, dict) and geometry["type"] in GEOMETRY_TYPES
    assert "crs" not in geometry
    if geometry["type"] == "Point":
        check_position(geometry["coordinates"])


def check_feature(feature: Any) -> None:
    assert isinstance(feature, dict) and feature["type"] == "Feature"
    assert {"geometry", "properties"} <= feature.keys() and "crs" not in feature
    assert feature["properties"] is None or isinstance(feature["properties"], dict)
    assert "id" not in feature or isinstance(feature["id"], str | int | float)
    assert feature["geometry"] is not None  # rasad writes no feature without a geometry
    check_geometry(feature["geometry"])


def check_rfc7946(document: Any) -> None:
    """A small RFC 7946 validator for FeatureCollections of Points."""
    assert isinstance(document, dict) and document["type"] == "FeatureCollection"
    assert "crs" not in document and isinstance(document["features"], list)
    for feature in document["features"]:
        check_feature(feature)
    ids = [f["id"] for f in document["features"] if "id" in f]
    assert len(ids) == len(set(ids))


def test_geojson_valid_rfc7946(export: dict[str, Any]) -> None:
    document = json.loads(json.dumps(geojson_from_export(export), allow_nan=False))
    check_rfc7946(document)
    geojson = pytest.importorskip("geojson")
    assert geojson.loads(json.dumps(document)).is_valid


def test_geojson_events_and_places(export: dict[str, Any]) -> None:
    document = geojson_from_export(export)
    kinds = [(f["properties"]["kind"], f["properties"]["id"]) for f in document["features"]]
    assert kinds == [("event", "ev-b"), ("event", "ev-e"), ("event", "ev-c"), ("event", "ev-d"),
                     ("place", "abu_kamal"), ("place", "baghdad"), ("place", "sy-deir-ez-zor")]
    assert document["rasad"]["events_without_coordinates"] == 1  # ev-a at a facility without coordinates
    battle = document["features"][0]
    assert battle["geometry"]["coordinates"] == [40.918647, 34.453479]  # [lon, lat], 6 decimals
    props = battle["properties"]
    assert (props["actor1"], props["actor1_id"], props["actor2"], props["location"]) == (
        "Syrian regime forces", "syrian_regime", "Islamic State", "Al-Bukamal")
    assert props["assoc_actor_1"] == ["Liwa al-Baqir"] and props["assoc_actor_1_ids"] == ["liwa_al_baqir"]
    place = document["features"][4]["properties"]
    assert (place["mentions"], place["articles"], place["events"], place["name_ar"]) == (3, 2, 2, "البوكمال")


def test_geojson_drops_invalid_coordinates(export: dict[str, Any]) -> None:
    export["events"][0]["latitude"] = 95.0
    assert geojson_from_export(export)["rasad"]["events_without_coordinates"] == 2


# -- graphs ----------------------------------------------------------------------------

NODES = {"abu_kamal", "al_qaim_crossing", "baghdad", "fatemiyoun", "hajj_askar", "irgc", "isis", "liwa_al_baqir",
         "sy-deir-ez-zor", "syrian_regime"}


def test_graph_json_loads_in_networkx(export: dict[str, Any]) -> None:
    data = json.loads(json.dumps(graph_from_export(export)))
    graph = nx.node_link_graph(data, edges="links")
    assert isinstance(graph, nx.MultiDiGraph)
    assert set(graph.nodes) == NODES
    assert graph.nodes["fatemiyoun"]["name_ar"] == "لواء فاطميون"
    assert graph.nodes["abu_kamal"]["lat"] == pytest.approx(34.4534791)
    edge = graph.edges["fatemiyoun", "irgc", "rel-1"]
    assert (edge["predicate"], edge["evidence"], edge["corroboration"], edge["contested"]) == ("backed_by", 2, 2, False)
    assert edge["sources"] == ["Deir ez-Zor 24", "SY24"]
    assert graph.number_of_edges("fatemiyoun", "irgc") == 2  # parallel predicates kept
    assert graph.edges["irgc", "abu_kamal", "rel-3"]["contested"] is True
    clash = graph.edges["syrian_regime", "isis", "event/syrian_regime/isis"]
    assert (clash["kind"], clash["events"], clash["evidence"]) == ("event", 1, 2)
    assert graph.number_of_edges() == 5  # rel-5 points at an entity outside the export


def test_graphml_loads_in_networkx(export: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "graph.graphml"
    path.write_text(graphml_from_export(export), encoding="utf-8")
    graph = nx.read_graphml(path, force_multigraph=True, edge_key_type=str)
    assert graph.is_directed() and set(graph.nodes) == NODES
    node = graph.nodes["irgc"]
    assert (node["type"], node["name_en"], node["affiliation"], node["feature"]) == (
        "actor", "Islamic Revolutionary Guard Corps", "iran", "formation")
    assert "lat" not in node and isinstance(graph.nodes["baghdad"]["lon"], float)
    edge = graph.edges["fatemiyoun", "irgc", "rel-1"]
    assert (edge["predicate"], edge["evidence"], edge["corroboration"], edge["contested"]) == ("backed_by", 2, 2, False)
    assert edge["sources"] == "Deir ez-Zor 24; SY24"
    assert graph.edges["irgc", "abu_kamal", "rel-3"]["contested"] is True
    assert graph.edges["syrian_regime", "isis", "event/syrian_regime/isis"]["events"] == 1
    assert graph.number_of_edges() == 5


def test_graphml_declares_typed_keys(export: dict[str, Any]) -> None:
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.fromstring(graphml_from_export(export).encode("utf-8"))
    keys = {k.get("id"): k for k in root.findall("g:key", ns)}
    assert {k.get("attr.type") for k in keys.values()} <= {"string", "int", "double", "boolean"}
    used = {d.get("key") for d in root.iter("{http://graphml.graphdrawing.org/xmlns}data")}
    assert used <= keys.keys()
    assert graphml_from_export(export) == graphml_from_export(copy.deepcopy(export))


# -- through the CLI on a real store -------------------------------------------------


@pytest.mark.parametrize("fmt", ["acled-csv", "geojson", "graphml", "graph-json"])
def test_cli_exports(fmt: str, tmp_path: Path) -> None:
    assert fmt in EXPORTERS
    runner = CliRunner()
    db, out = tmp_path / "kb.db", tmp_path / f"out.{fmt}"
    assert runner.invoke(app, ["run", str(EXAMPLES), "--db", str(db), "--quiet"]).exit_code == 0
    result = runner.invoke(app, ["export", "--db", str(db), "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "acled-csv":
        assert list(pd.read_csv(out).columns) == ACLED_COLUMNS
    elif fmt == "geojson":
        check_rfc7946(json.loads(out.read_text(encoding="utf-8")))
    elif fmt == "graphml":
        nx.read_graphml(out)
    else:
        nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="links")
