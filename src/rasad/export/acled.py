"""ACLED CSV export: one row per event, ACLED's columns in ACLED's order.

Works from the ``rasad.export/1`` document (``build_export``), so it does not
depend on the storage.  Every ACLED convention the exporter applies (inter codes
by actor feature/affiliation, disorder type, country codes and regions, admin
levels, source scale, generic actors) is a table in ``data/acled.yaml``.

Entities the export lacks (parents of a place, outlets that are never
mentioned) are looked up in an optional ``reference`` mapping of entity
records; ``write_acled_csv`` passes the default knowledge base.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

import yaml

from rasad.export.json_export import build_export, entity_record
from rasad.kb import load_kb
from rasad.store.base import Store

Record = Mapping[str, Any]
Row = dict[str, str | int]


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    iso: int
    name: str
    region: str


@dataclass(frozen=True, slots=True)
class GenericActor:
    name: str
    inter: int


@dataclass(frozen=True, slots=True)
class InterRules:
    no_actor: int
    default: int
    external_code: int
    external_features: frozenset[str]
    external_affiliations: frozenset[str]
    stateless: frozenset[str]
    by_feature_affiliation: Mapping[str, int]
    by_feature: Mapping[str, int]
    by_affiliation: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class AcledTables:
    columns: tuple[str, ...]
    disorder_type: Mapping[str, str]
    inter: InterRules
    generic_actor1: Mapping[str, GenericActor]
    civilians: GenericActor
    civilian_event_types: frozenset[str]
    admin_levels: Mapping[str, int]
    source_scale: Mapping[str, Any]
    fatalities_unknown_tag: str
    unknown_country_prefix: str
    countries: Mapping[str, Country]


def _inter_rules(data: Mapping[str, Any]) -> InterRules:
    external = data["external"]
    return InterRules(
        no_actor=int(data["no_actor"]), default=int(data["default"]), external_code=int(external["code"]),
        external_features=frozenset(external["features"]), external_affiliations=frozenset(external["affiliations"]),
        stateless=frozenset(external["stateless"]), by_feature_affiliation=dict(data["by_feature_affiliation"]),
        by_feature=dict(data["by_feature"]), by_affiliation=dict(data["by_affiliation"]),
    )


def tables_from_data(data: Mapping[str, Any]) -> AcledTables:
    generic = data["generic_actors"]
    return AcledTables(
        columns=tuple(data["columns"]),
        disorder_type=dict(data["disorder_type"]),
        inter=_inter_rules(data["inter"]),
        generic_actor1={k: GenericActor(**v) for k, v in generic["actor1"].items()},
        civilians=GenericActor(**generic["civilians"]),
        civilian_event_types=frozenset(generic["civilian_event_types"]),
        admin_levels=dict(data["admin_levels"]),
        source_scale=dict(data["source_scale"]),
        fatalities_unknown_tag=str(data["fatalities_unknown_tag"]),
        unknown_country_prefix=str(data["unknown_country_prefix"]),
        countries={k: Country(**v) for k, v in data["countries"].items()},
    )


@cache
def load_tables() -> AcledTables:
    """The ACLED convention tables of ``data/acled.yaml`` (cached)."""
    path = Path(str(resources.files("rasad.export").joinpath("data"))) / "acled.yaml"
    return tables_from_data(yaml.safe_load(path.read_text(encoding="utf-8")))


def acled_columns() -> tuple[str, ...]:
    """ACLED's column names in ACLED's order."""
    return load_tables().columns


# -- context -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What a row needs besides its event: entities by id, outlets by name, tables, timestamp."""

    entities: Mapping[str, Record]
    outlets: Mapping[str, Record]
    tables: AcledTables
    timestamp: int

    def entity(self, entity_id: str | None) -> Record | None:
        return self.entities.get(entity_id) if entity_id else None


def _entity_index(export: Record, reference: Mapping[str, Record] | None) -> dict[str, Record]:
    index: dict[str, Record] = dict(reference or {})
    index.update({e["id"]: e for e in export.get("entities", [])})
    return index


def _outlet_index(entities: Mapping[str, Record]) -> dict[str, Record]:
    """Source entities by every casefolded name and alias; the lowest id wins a shared name."""
    index: dict[str, Record] = {}
    for entity_id in sorted(entities):
        entity = entities[entity_id]
        if entity.get("type") == "source":
            for name in (entity.get("name_en"), entity.get("name_ar"), *entity.get("aliases", [])):
                if name:
                    index.setdefault(str(name).casefold(), entity)
    return index


def export_timestamp(export: Record) -> int:
    """Unix time of the newest article's publication day (UTC midnight): reproducible, unlike 'now'."""
    days = [d for d in (_parse_day(a.get("published")) for a in export.get("articles", [])) if d]
    return calendar.timegm(max(days).timetuple()) if days else 0


def _parse_day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def build_context(export: Record, *, reference: Mapping[str, Record] | None = None,
                  tables: AcledTables | None = None) -> Context:
    entities = _entity_index(export, reference)
    return Context(entities=entities, outlets=_outlet_index(entities), tables=tables or load_tables(),
                   timestamp=export_timestamp(export))


# -- inter codes ---------------------------------------------------------------


def _is_external(entity: Record, event_country: str | None, rules: InterRules) -> bool:
    bloc, country = entity.get("affiliation"), entity.get("country")
    if not event_country or entity.get("feature") not in rules.external_features:
        return False
    if bloc not in rules.external_affiliations:
        return False
    return country != event_country if country else bloc in rules.stateless


def inter_code(entity: Record, *, event_country: str | None, ctx: Context, depth: int = 0) -> int:
    """ACLED inter code of an actor entity (see ``inter`` in data/acled.yaml for the order of rules)."""
    rules = ctx.tables.inter
    parent = ctx.entity(entity.get("parent"))
    if entity.get("type") == "person" and parent and parent.get("type") == "actor" and depth < 8:
        return inter_code(parent, event_country=event_country, ctx=ctx, depth=depth + 1)
    if _is_external(entity, event_country, rules):
        return rules.external_code
    feature, bloc = str(entity.get("feature")), str(entity.get("affiliation"))
    for key, table in ((f"{feature}/{bloc}", rules.by_feature_affiliation), (feature, rules.by_feature),
                       (bloc, rules.by_affiliation)):
        if key in table:
            return table[key]
    return rules.default


def interaction(inter1: int, inter2: int) -> int:
    """ACLED interaction: the two inter codes, lower first (13); a single actor gives e.g. 10."""
    if not inter2:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high


# -- fields --------------------------------------------------------------------


def _name(entity: Record | None, fallback: str = "") -> str:
    if entity is None:
        return fallback
    return str(entity.get("name_en") or entity.get("name_ar") or entity.get("id") or fallback)


def _generic(actor: GenericActor, country: Country | None) -> tuple[str, int]:
    return (f"{actor.name} ({country.name})" if country else actor.name), actor.inter


def _actor(actor_id: str | None, iso2: str | None, ctx: Context) -> tuple[str, int] | None:
    entity = ctx.entity(actor_id)
    if entity is None:
        return (actor_id, ctx.tables.inter.default) if actor_id else None
    return _name(entity), inter_code(entity, event_country=iso2, ctx=ctx)


def _assoc(ids: Iterable[str], ctx: Context) -> str:
    return "; ".join(dict.fromkeys(_name(ctx.entity(i), i) for i in ids))


def _actors(event: Record, country: Country | None, iso2: str | None, ctx: Context) -> Row:
    tables = ctx.tables
    first = _actor(event.get("actor1"), iso2, ctx) or _generic(
        tables.generic_actor1.get(event.get("event_type", ""), tables.generic_actor1["default"]), country)
    second = _actor(event.get("actor2"), iso2, ctx)
    if second is None and (event.get("civilian_targeting") or event.get("event_type") in tables.civilian_event_types):
        second = _generic(tables.civilians, country)
    name2, inter2 = second or ("", tables.inter.no_actor)
    return {
        "actor1": first[0], "assoc_actor_1": _assoc(event.get("assoc_actor_1", []), ctx), "inter1": first[1],
        "actor2": name2, "assoc_actor_2": _assoc(event.get("assoc_actor_2", []), ctx), "inter2": inter2,
        "interaction": interaction(first[1], inter2),
    }


def admin_names(place: Record | None, ctx: Context) -> dict[int, str]:
    """Admin level -> name along the place and its parent chain of place entities."""
    names: dict[int, str] = {}
    seen: set[str] = set()
    while place is not None and place.get("type") == "place" and place["id"] not in seen:
        seen.add(place["id"])
        level = ctx.tables.admin_levels.get(str(place.get("feature")))
        if level is not None:
            names.setdefault(level, _name(place))
        place = ctx.entity(place.get("parent"))
    return names


def _coordinate(value: Any) -> str:
    if value is None or not math.isfinite(float(value)):
        return ""
    return f"{float(value):.4f}"


def _place(event: Record, place: Record | None, country: Country | None, ctx: Context) -> Row:
    admin = admin_names(place, ctx)
    precision = event.get("geo_precision")
    return {
        "iso": country.iso if country else "", "region": country.region if country else "",
        "country": country.name if country else "",
        "admin1": str((place or {}).get("admin1") or admin.get(1, "")),
        "admin2": admin.get(2, ""), "admin3": admin.get(3, ""), "location": _name(place),
        "latitude": _coordinate(event.get("latitude")), "longitude": _coordinate(event.get("longitude")),
        "geo_precision": int(precision) if precision is not None else "",
    }


def outlet_scale(outlet: str, event_country: str | None, ctx: Context) -> str:
    """ACLED source scale of one outlet (rules in ``source_scale`` of data/acled.yaml)."""
    table = ctx.tables.source_scale
    source = ctx.outlets.get(outlet.casefold())
    if source is None:
        return str(table["unknown"])
    if source.get("feature") in table["by_feature"]:
        return str(table["by_feature"][source["feature"]])
    home = source.get("country")
    if home and home == event_country:
        return str(table["same_country"])
    return str(table["same_region" if _same_region(home, event_country, ctx) else "elsewhere"])


def _same_region(first: str | None, second: str | None, ctx: Context) -> bool:
    countries = ctx.tables.countries
    one, two = countries.get(first or ""), countries.get(second or "")
    return one is not None and two is not None and one.region == two.region


def source_scale(outlets: Sequence[str], event_country: str | None, ctx: Context) -> str:
    order = list(ctx.tables.source_scale["order"])
    scales = {outlet_scale(o, event_country, ctx) for o in outlets}
    return "-".join(sorted(scales, key=lambda s: order.index(s) if s in order else len(order)))


def _fatalities_and_tags(event: Record, ctx: Context) -> Row:
    tags = list(dict.fromkeys(event.get("tags", [])))
    fatalities = event.get("fatalities")
    if fatalities is None and ctx.tables.fatalities_unknown_tag not in tags:
        tags.append(ctx.tables.fatalities_unknown_tag)
    return {"fatalities": int(fatalities or 0), "tags": "; ".join(tags)}


# -- rows ----------------------------------------------------------------------


def event_sort_key(event: Record) -> tuple[str, str]:
    return str(event.get("event_date") or ""), str(event["id"])


def event_country(event: Record, ctx: Context) -> str | None:
    """ISO 3166 alpha-2 code of the event's location entity, if any."""
    place = ctx.entity(event.get("location"))
    return str(place["country"]) if place and place.get("country") else None


def acled_row(event: Record, ctx: Context) -> Row:
    """One ACLED row for one event (event_id_cnty is numbered by ``acled_from_export``)."""
    place = ctx.entity(event.get("location"))
    iso2 = event_country(event, ctx)
    country = ctx.tables.countries.get(iso2 or "")
    date = str(event.get("event_date") or "")
    outlets = sorted(set(event.get("sources", [])))
    return {
        "event_id_cnty": "", "event_date": date, "year": int(date[:4]) if date else "",
        "time_precision": int(event.get("time_precision") or 2),
        "disorder_type": ctx.tables.disorder_type.get(event.get("event_type", ""), ""),
        "event_type": event.get("event_type", ""), "sub_event_type": event.get("sub_event_type", ""),
        **_actors(event, country, iso2, ctx),
        "civilian_targeting": "Civilian targeting" if event.get("civilian_targeting") else "",
        **_place(event, place, country, ctx),
        "source": "; ".join(outlets), "source_scale": source_scale(outlets, iso2, ctx) if outlets else "",
        "notes": str(event.get("notes") or ""),
        **_fatalities_and_tags(event, ctx),
        "timestamp": ctx.timestamp,
    }


def _country_prefix(event: Record, ctx: Context) -> str:
    country = ctx.tables.countries.get(event_country(event, ctx) or "")
    return country.iso3 if country else ctx.tables.unknown_country_prefix


def acled_from_export(export: Record, *, reference: Mapping[str, Record] | None = None) -> list[Row]:
    """ACLED rows (column -> value) for every event, sorted by (event_date, id).

    event_id_cnty is ISO3 + a running number per country in that order (SYR1, SYR2 ...).
    """
    ctx = build_context(export, reference=reference)
    counters: Counter[str] = Counter()
    rows = []
    for event in sorted(export.get("events", []), key=event_sort_key):
        row = acled_row(event, ctx)
        prefix = _country_prefix(event, ctx)
        counters[prefix] += 1
        row["event_id_cnty"] = f"{prefix}{counters[prefix]}"
        rows.append(row)
    return rows


def write_acled_rows(rows: Iterable[Row], out: IO[str]) -> None:
    """Write ACLED rows as UTF-8 CSV with the header row (csv module)."""
    writer = csv.DictWriter(out, fieldnames=list(load_tables().columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def kb_reference(name: str = "default") -> dict[str, Record]:
    """Entity records of the knowledge base ``name``, for ids the export lacks."""
    return {entity_id: entity_record(e) for entity_id, e in load_kb(name).entities.items()}


def write_acled_csv(store: Store, out: IO[str]) -> None:
    write_acled_rows(acled_from_export(build_export(store), reference=kb_reference()), out)
