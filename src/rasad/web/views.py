"""Records as the API, the web UI and the report show them: names resolved, evidence with its article.

Everything here is plain data (dicts and lists ready for JSON) computed from a :class:`Snapshot`;
no web framework is imported, so the one-file report uses the same shapes as the HTTP API.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rasad.export.geojson import point
from rasad.export.graph import graph_from_export
from rasad.model import Article
from rasad.web.queries import corroboration, event_actors, relation_entities
from rasad.web.snapshot import Record, Snapshot

# The actor network: relations between armed actors and the people who lead them.
NETWORK_PREDICATES: tuple[str, ...] = ("backed_by", "allied_with", "opposes", "leads", "part_of")
PRESENCE_PREDICATES: tuple[str, ...] = ("present_in", "controls")
NETWORK_NODE_TYPES = frozenset({"actor", "person"})
DAY_BINS_UP_TO = 120  # days in range: bin by day up to this, by week up to WEEK_BINS_UP_TO, else by month
WEEK_BINS_UP_TO = 3 * 366


def entity_ref(snap: Snapshot, entity_id: str | None) -> Record | None:
    """What a link to an entity needs: id, type, names, bloc (names None for an entity not stored)."""
    if not entity_id:
        return None
    entity = snap.entities.get(entity_id, {})
    return {"id": entity_id, "type": entity.get("type"), "name_en": entity.get("name_en"),
            "name_ar": entity.get("name_ar"), "bloc": snap.bloc(entity_id)}


def evidence_view(snap: Snapshot, evidence: Mapping[str, Any]) -> Record:
    article = snap.articles.get(str(evidence.get("article_id")), {})
    return {**evidence, "article_title": article.get("title"), "published": article.get("published"),
            "outlet": evidence.get("outlet") or article.get("outlet")}


def _certainties(record: Mapping[str, Any]) -> list[str]:
    return sorted({str(e.get("certainty")) for e in record.get("evidence", []) if e.get("certainty")})


def event_view(snap: Snapshot, event: Mapping[str, Any]) -> Record:
    """An event with its actors and place as entity references and its evidence with article titles."""
    view: Record = {key: value for key, value in event.items() if key != "evidence"}
    for key in ("actor1", "actor2", "location"):
        view[key] = entity_ref(snap, event.get(key))
    for key in ("assoc_actor_1", "assoc_actor_2"):
        view[key] = [entity_ref(snap, i) for i in event.get(key, [])]
    view["corroboration"] = corroboration(event)
    view["sources"] = list(event.get("sources", []))
    view["certainty"] = _certainties(event)
    view["evidence"] = [evidence_view(snap, e) for e in event.get("evidence", [])]
    return view


def relation_view(snap: Snapshot, relation: Mapping[str, Any]) -> Record:
    view: Record = {key: value for key, value in relation.items() if key != "evidence"}
    view["subject"] = entity_ref(snap, relation["subject"])
    view["object"] = entity_ref(snap, relation["object"])
    view["co_subjects"] = [entity_ref(snap, i) for i in relation.get("co_subjects", [])]
    view["corroboration"] = corroboration(relation)
    view["sources"] = list(relation.get("sources", []))
    view["certainty"] = _certainties(relation)
    view["evidence"] = [evidence_view(snap, e) for e in relation.get("evidence", [])]
    return view


def article_summary(snap: Snapshot, article: Mapping[str, Any]) -> Record:
    return {key: article.get(key) for key in ("id", "title", "outlet", "published", "url", "byline", "story_id",
                                               "file")}


def entity_summary(snap: Snapshot, entity: Mapping[str, Any]) -> Record:
    entity_id = str(entity["id"])
    return {**{key: entity.get(key) for key in ("id", "type", "name_en", "name_ar", "feature", "country",
                                                "discovered", "affiliation")},
            "bloc": snap.bloc(entity_id), "mentions": snap.mention_counts[entity_id],
            "articles": len(snap.entity_articles.get(entity_id, []))}


# -- details ----------------------------------------------------------------------------------------


def entity_detail(snap: Snapshot, entity_id: str, *, limit: int = 200) -> Record:
    """An entity with its names, aliases, place, relations, events (with evidence) and the articles naming it."""
    entity = snap.entities[entity_id]
    relations = [r for r in snap.relations if entity_id in relation_entities(r)]
    events = [e for e in snap.events if entity_id in event_actors(e) or e.get("location") == entity_id]
    articles = snap.entity_articles.get(entity_id, [])
    return {
        **entity,
        "bloc": snap.bloc(entity_id),
        "parent": entity_ref(snap, entity.get("parent")),
        "ancestors": [entity_ref(snap, i) for i in snap.ancestors(entity_id)],
        "mentions": snap.mention_counts[entity_id],
        "relations": [relation_view(snap, r) for r in relations[:limit]],
        "relations_total": len(relations),
        "events": [event_view(snap, e) for e in events[:limit]],
        "events_total": len(events),
        "articles": [article_summary(snap, snap.articles[a]) for a in articles[:limit] if a in snap.articles],
        "articles_total": len(articles),
    }


def _article_evidence(snap: Snapshot, article_id: str) -> list[Record]:
    """Evidence sentences in one article, each with what it supports (an event or a relation)."""
    marks: list[Record] = []
    for kind, records in (("event", snap.events), ("relation", snap.relations)):
        for record in records:
            for e in record.get("evidence", []):
                if e.get("article_id") == article_id:
                    marks.append({"kind": kind, "id": record["id"], "start": e["start"], "end": e["end"],
                                  "certainty": e.get("certainty"), "attributed_to": e.get("attributed_to"),
                                  "label": _label(snap, kind, record)})
    return sorted(marks, key=lambda m: (m["start"], m["end"], m["id"]))


def _name(snap: Snapshot, entity_id: Any) -> str:
    entity = snap.entities.get(str(entity_id), {})
    return str(entity.get("name_en") or entity.get("name_ar") or entity_id)


def _label(snap: Snapshot, kind: str, record: Mapping[str, Any]) -> str:
    if kind == "relation":
        return f"{_name(snap, record['subject'])} {record['predicate']} {_name(snap, record['object'])}"
    where = f" in {_name(snap, record['location'])}" if record.get("location") else ""
    return f"{record.get('event_type')}: {record.get('sub_event_type')}{where}"


def article_detail(snap: Snapshot, article: Article) -> Record:
    """The clean text with paragraphs, mentions (offsets and entity) and evidence sentences, for the reader."""
    record = snap.articles.get(article.id, {})
    return {
        **article_summary(snap, {**record, "id": article.id, "title": article.title, "outlet": article.outlet,
                                 "published": article.published, "url": article.url, "byline": article.byline,
                                 "story_id": article.story_id, "file": article.file}),
        "sources": record.get("sources", []),
        "text": article.text,
        "paragraphs": [[p.start, p.end] for p in article.paragraphs] or [[0, len(article.text)]],
        "mentions": [{"start": m.start, "end": m.end, "text": m.text, "entity": entity_ref(snap, m.entity_id)}
                     for m in sorted(article.mentions, key=lambda m: (m.start, m.end))],
        "evidence": _article_evidence(snap, article.id),
    }


# -- map, presence, timeline, network ----------------------------------------------------------------


def _display(snap: Snapshot, entity_id: Any) -> list[str | None]:
    entity = snap.entities.get(str(entity_id), {}) if entity_id else {}
    return [entity.get("name_en") or (str(entity_id) if entity_id else None), entity.get("name_ar")]


def slim_event(snap: Snapshot, event: Mapping[str, Any]) -> Record:
    """What a marker, its popup and a timeline row show; ``lat``/``lon`` None without valid coordinates."""
    geometry = point(event.get("latitude"), event.get("longitude"))
    lon, lat = geometry["coordinates"] if geometry else (None, None)
    return {
        "id": event["id"], "lat": lat, "lon": lon, "date": event.get("event_date"),
        "type": event.get("event_type"), "sub": event.get("sub_event_type"),
        "place": _display(snap, event.get("location")), "actor1": _display(snap, event.get("actor1")),
        "actor2": _display(snap, event.get("actor2")), "bloc": snap.bloc(event.get("actor1")),
        "n": corroboration(event), "fatalities": event.get("fatalities"),
    }


def map_events(snap: Snapshot, events: Iterable[Mapping[str, Any]]) -> list[Record]:
    """Slim records of the events that have coordinates."""
    return [slim for slim in (slim_event(snap, e) for e in events) if slim["lat"] is not None]


def presence(snap: Snapshot, relations: Iterable[Mapping[str, Any]]) -> list[Record]:
    """Places with coordinates where actors are reported present or in control, with who and how sure."""
    places: dict[str, Record] = {}
    for relation in relations:
        if relation.get("predicate") not in PRESENCE_PREDICATES:
            continue
        place = snap.entities.get(str(relation["object"]), {})
        geometry = point(place.get("lat"), place.get("lon"))
        if geometry is None:
            continue
        lon, lat = geometry["coordinates"]
        entry = places.setdefault(place["id"], {"place": entity_ref(snap, place["id"]), "lat": lat, "lon": lon,
                                                "actors": []})
        for actor in (relation["subject"], *relation.get("co_subjects", [])):
            entry["actors"].append({**(entity_ref(snap, str(actor)) or {}), "predicate": relation["predicate"],
                                    "corroboration": corroboration(relation), "relation": relation["id"]})
    return sorted(places.values(), key=lambda p: str(p["place"]["id"]))


def _bin_start(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def timeline(events: Sequence[Mapping[str, Any]]) -> Record:
    """Events per day, week or month (chosen from the range), by event type; undated events counted apart."""
    days = []
    for event in events:
        try:
            days.append((dt.date.fromisoformat(str(event.get("event_date"))[:10]), str(event.get("event_type"))))
        except ValueError:
            continue
    if not days:
        return {"unit": "day", "first": None, "last": None, "bins": [], "undated": len(events)}
    first, last = min(d for d, _ in days), max(d for d, _ in days)
    span = (last - first).days
    unit = "day" if span <= DAY_BINS_UP_TO else "week" if span <= WEEK_BINS_UP_TO else "month"
    counts: dict[dt.date, Counter[str]] = {}
    for day, kind in days:
        counts.setdefault(_bin_start(day, unit), Counter())[kind] += 1
    bins = [{"start": start.isoformat(), "count": sum(c.values()), "by_type": dict(sorted(c.items()))}
            for start, c in sorted(counts.items())]
    return {"unit": unit, "first": first.isoformat(), "last": last.isoformat(), "bins": bins,
            "undated": len(events) - len(days)}


def network(snap: Snapshot, predicates: Sequence[str] = NETWORK_PREDICATES) -> Record:
    """Actors and persons linked by the chosen relations (graph export's edges), each with its bloc."""
    graph = graph_from_export(snap.export)
    wanted = set(predicates)
    links = [link for link in graph["links"] if link["kind"] == "relation" and link["predicate"] in wanted]
    nodes = {n["id"]: n for n in graph["nodes"] if n.get("type") in NETWORK_NODE_TYPES}
    links = [link for link in links if link["source"] in nodes and link["target"] in nodes]
    used = {link["source"] for link in links} | {link["target"] for link in links}
    return {
        "nodes": [{**nodes[i], "bloc": snap.bloc(i), "mentions": snap.mention_counts[i]} for i in sorted(used)],
        "links": [{key: link[key] for key in ("source", "target", "key", "predicate", "corroboration", "evidence",
                                               "contested", "sources")} for link in links],
        "predicates": list(predicates),
    }


def top_tables(snap: Snapshot, *, limit: int = 15) -> Record:
    """The most active actors and places (by events), the outlets (by articles), the best-sourced relations."""
    actors: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for event in snap.events:
        actors.update(event_actors(event))
        if event.get("location"):
            places[str(event["location"])] += 1
    outlets = Counter(str(a.get("outlet") or "") for a in snap.articles.values())
    relations = sorted(snap.relations, key=lambda r: (-corroboration(r), -len(r.get("evidence", [])), str(r["id"])))
    return {
        "actors": [{**(entity_ref(snap, i) or {}), "events": n} for i, n in actors.most_common(limit)],
        "places": [{**(entity_ref(snap, i) or {}), "events": n} for i, n in places.most_common(limit)],
        "outlets": [{"outlet": o, "articles": n} for o, n in outlets.most_common(limit) if o],
        "relations": [relation_view(snap, r) for r in relations[:limit]],
    }
