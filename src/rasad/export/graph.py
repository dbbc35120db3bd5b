"""Graph exports: GraphML and node-link JSON.

Nodes are the actors, persons, places and facilities that take part in a
relation or an event.  Edges are directed and parallel edges are kept
(a multigraph):

- one ``relation`` edge per relation, subject -> object, with ``predicate``,
  ``evidence`` (number of evidence sentences), ``corroboration``, ``contested``
  and ``sources``;
- one ``event`` edge per (actor1, actor2) pair of events, with ``predicate``
  "event", ``events`` (how many), ``evidence`` and ``event_types``.

``graph_from_export`` returns the node-link document networkx's
``node_link_graph(data, edges="links")`` reads; GraphML is written from it
with the standard library (no networkx at run time).
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import IO, Any

from rasad.export.json_export import build_export
from rasad.store.base import Store

Record = Mapping[str, Any]
NODE_TYPES = frozenset({"actor", "person", "place", "facility"})
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd"

# GraphML attribute types, per element kind, in key order.
NODE_ATTRIBUTES: dict[str, str] = {
    "type": "string", "name_en": "string", "name_ar": "string", "feature": "string", "affiliation": "string",
    "country": "string", "lat": "double", "lon": "double",
}
EDGE_ATTRIBUTES: dict[str, str] = {
    "kind": "string", "predicate": "string", "evidence": "int", "corroboration": "int", "contested": "boolean",
    "sources": "string", "events": "int", "event_types": "string",
}


# -- graph ---------------------------------------------------------------------


def _event_participants(event: Record) -> list[str]:
    ids = [event.get("actor1"), event.get("actor2"), event.get("location")]
    ids += [*event.get("assoc_actor_1", []), *event.get("assoc_actor_2", [])]
    return [str(i) for i in ids if i]


def _used_ids(export: Record) -> set[str]:
    used = {str(r[k]) for r in export.get("relations", []) for k in ("subject", "object") if r.get(k)}
    return used | {i for e in export.get("events", []) for i in _event_participants(e)}


def node_record(entity: Record) -> dict[str, Any]:
    return {"id": entity["id"], **{key: entity.get(key) for key in NODE_ATTRIBUTES}}


def graph_nodes(export: Record) -> list[dict[str, Any]]:
    """Entities of the node types that appear in a relation or event, sorted by id."""
    used = _used_ids(export)
    entities = [e for e in export.get("entities", []) if e["id"] in used and e.get("type") in NODE_TYPES]
    return [node_record(e) for e in sorted(entities, key=lambda e: str(e["id"]))]


def relation_edge(relation: Record) -> dict[str, Any]:
    evidence = list(relation.get("evidence", []))
    articles = {e.get("article_id") for e in evidence}
    return {
        "source": relation["subject"], "target": relation["object"], "key": relation["id"], "kind": "relation",
        "predicate": relation["predicate"], "evidence": len(evidence),
        "corroboration": int(relation.get("corroboration", len(articles))),
        "contested": bool(relation.get("contested", False)), "sources": sorted(set(relation.get("sources", []))),
    }


def event_edges(events: Iterable[Record]) -> list[dict[str, Any]]:
    """One edge per (actor1, actor2) pair, counting its events and evidence sentences."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        if not (event.get("actor1") and event.get("actor2")):
            continue
        pair = (str(event["actor1"]), str(event["actor2"]))
        edge = pairs.setdefault(pair, {"source": pair[0], "target": pair[1], "key": f"event/{pair[0]}/{pair[1]}",
                                       "kind": "event", "predicate": "event", "events": 0, "evidence": 0,
                                       "event_types": []})
        edge["events"] += 1
        edge["evidence"] += len(event.get("evidence", []))
        edge["event_types"] = sorted({*edge["event_types"], str(event.get("event_type"))})
    return list(pairs.values())


def graph_from_export(export: Record) -> dict[str, Any]:
    """Node-link document: {"directed", "multigraph", "graph", "nodes", "links"}, all sorted."""
    nodes = graph_nodes(export)
    ids = {n["id"] for n in nodes}
    edges = [relation_edge(r) for r in export.get("relations", [])] + event_edges(export.get("events", []))
    links = [e for e in edges if e["source"] in ids and e["target"] in ids]
    links.sort(key=lambda e: (str(e["source"]), str(e["target"]), str(e["key"])))
    return {"directed": True, "multigraph": True, "graph": {"name": "rasad", "schema": export.get("schema")},
            "nodes": nodes, "links": links}


def write_graph_json(store: Store, out: IO[str]) -> None:
    json.dump(graph_from_export(build_export(store)), out, ensure_ascii=False, indent=1)
    out.write("\n")


# -- GraphML -------------------------------------------------------------------


def graphml_value(value: Any, kind: str) -> str | None:
    """Text of a GraphML <data> value of type ``kind``; None when the value is absent."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if kind == "boolean":
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return repr(float(value)) if kind == "double" else str(value)


def _declare_keys(root: ET.Element, element: str, attributes: Mapping[str, str]) -> None:
    for name, kind in attributes.items():
        ET.SubElement(root, "key", {"id": f"{element[0]}_{name}", "for": element, "attr.name": name,
                                    "attr.type": kind})


def _add_data(parent: ET.Element, element: str, record: Record, attributes: Mapping[str, str]) -> None:
    for name, kind in attributes.items():
        text = graphml_value(record.get(name), kind)
        if text is not None:
            ET.SubElement(parent, "data", {"key": f"{element[0]}_{name}"}).text = text


def graphml_from_graph(graph: Record) -> ET.Element:
    """A <graphml> element for a node-link document, with a <key> for every attribute."""
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": SCHEMA_LOCATION})
    _declare_keys(root, "node", NODE_ATTRIBUTES)
    _declare_keys(root, "edge", EDGE_ATTRIBUTES)
    body = ET.SubElement(root, "graph", {"id": "rasad", "edgedefault": "directed"})
    for node in graph["nodes"]:
        _add_data(ET.SubElement(body, "node", {"id": str(node["id"])}), "node", node, NODE_ATTRIBUTES)
    for link in graph["links"]:
        attrs = {"id": str(link["key"]), "source": str(link["source"]), "target": str(link["target"])}
        _add_data(ET.SubElement(body, "edge", attrs), "edge", link, EDGE_ATTRIBUTES)
    return root


def graphml_from_export(export: Record) -> str:
    """The GraphML document (UTF-8 XML text) of the export's graph."""
    root = graphml_from_graph(graph_from_export(export))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_graphml(store: Store, out: IO[str]) -> None:
    out.write(graphml_from_export(build_export(store)))
