"""GeoJSON export (RFC 7946): events and mentioned places as Point features.

Works from the ``rasad.export/1`` document.  Coordinates are ``[lon, lat]`` in
WGS 84 with at most 6 decimals; there is no ``crs`` member.  Events without
valid coordinates are left out (RFC 7946 features are written only with a
geometry) and counted in the top-level foreign member ``rasad``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import IO, Any

from rasad.export.json_export import build_export
from rasad.store.base import Store

Record = Mapping[str, Any]
SCHEMA = "rasad.geojson/1"
PLACE_TYPES = frozenset({"place", "facility"})
PLACE_FIELDS = ("type", "feature", "name_en", "name_ar", "country", "admin1", "wikidata", "pcode", "geonames")
EVENT_FIELDS = (
    "event_type", "sub_event_type", "event_date", "time_precision", "geo_precision", "fatalities",
    "civilian_targeting", "tags", "notes", "sources", "corroboration", "evidence",
)
DECIMALS = 6


def point(lat: Any, lon: Any) -> dict[str, Any] | None:
    """A GeoJSON Point ``[lon, lat]`` rounded to 6 decimals, or None when not a valid WGS 84 position."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        return None
    return {"type": "Point", "coordinates": [round(x, DECIMALS), round(y, DECIMALS)]}


def _name(entities: Mapping[str, Record], entity_id: str | None) -> str | None:
    entity = entities.get(entity_id) if entity_id else None
    if entity is None:
        return entity_id
    return str(entity.get("name_en") or entity.get("name_ar") or entity_id)


def _names(entities: Mapping[str, Record], ids: Iterable[str]) -> list[str | None]:
    return [_name(entities, i) for i in ids]


def event_properties(event: Record, entities: Mapping[str, Record]) -> dict[str, Any]:
    """The event's fields with actor and place names resolved; ids kept under ``*_id(s)``."""
    props: dict[str, Any] = {"kind": "event", "id": event["id"]}
    props |= {key: event.get(key) for key in EVENT_FIELDS}
    for key in ("actor1", "actor2", "location"):
        props[key], props[f"{key}_id"] = _name(entities, event.get(key)), event.get(key)
    for key in ("assoc_actor_1", "assoc_actor_2"):
        ids = list(event.get(key, []))
        props[key], props[f"{key}_ids"] = _names(entities, ids), ids
    return props


def event_feature(event: Record, entities: Mapping[str, Record]) -> dict[str, Any] | None:
    geometry = point(event.get("latitude"), event.get("longitude"))
    if geometry is None:
        return None
    return {"type": "Feature", "id": f"event/{event['id']}", "geometry": geometry,
            "properties": event_properties(event, entities)}


def place_feature(entity: Record, *, mentions: int, articles: int, events: int) -> dict[str, Any] | None:
    geometry = point(entity.get("lat"), entity.get("lon"))
    if geometry is None:
        return None
    props: dict[str, Any] = {"kind": "place", "id": entity["id"]}
    props |= {key: entity.get(key) for key in PLACE_FIELDS}
    props |= {"mentions": mentions, "articles": articles, "events": events}
    return {"type": "Feature", "id": f"place/{entity['id']}", "geometry": geometry, "properties": props}


def _place_features(export: Record) -> list[dict[str, Any]]:
    """Places and facilities with coordinates and at least one mention, by id."""
    mentions = Counter(m["entity_id"] for m in export.get("mentions", []))
    articles = Counter(e for e, _ in {(m["entity_id"], m["article_id"]) for m in export.get("mentions", [])})
    events = Counter(e.get("location") for e in export.get("events", []))
    features = []
    for entity in sorted(export.get("entities", []), key=lambda e: str(e["id"])):
        if entity.get("type") in PLACE_TYPES and mentions[entity["id"]]:
            feature = place_feature(entity, mentions=mentions[entity["id"]], articles=articles[entity["id"]],
                                    events=events[entity["id"]])
            if feature is not None:
                features.append(feature)
    return features


def geojson_from_export(export: Record) -> dict[str, Any]:
    """A FeatureCollection: events (sorted by date, id) then places (by id)."""
    entities = {e["id"]: e for e in export.get("entities", [])}
    events = sorted(export.get("events", []), key=lambda e: (str(e.get("event_date") or ""), str(e["id"])))
    located = [f for f in (event_feature(e, entities) for e in events) if f is not None]
    return {
        "type": "FeatureCollection",
        "features": located + _place_features(export),
        "rasad": {"schema": SCHEMA, "events_without_coordinates": len(events) - len(located)},
    }


def write_geojson(store: Store, out: IO[str]) -> None:
    json.dump(geojson_from_export(build_export(store)), out, ensure_ascii=False, indent=1)
    out.write("\n")
