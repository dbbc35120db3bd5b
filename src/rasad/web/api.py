"""HTTP API routes (``/api/...``): lists with pagination and filters, details, search, map, timeline,
network, exports as downloads, and ingest (only when the server allows it, with a bearer token).

Every input is validated (types, ranges, lengths, id patterns): a bad one gets a 4xx answer whose
``detail`` says what is wrong.  Ids in paths are restricted to the characters ids are made of, so no
parameter can name a file.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator

from rasad.export import EXPORTERS
from rasad.search import SearchOptions, search
from rasad.store.base import Store
from rasad.web.access import StoreAccess
from rasad.web.ingest import MAX_TEXT, IngestInput, ingest
from rasad.web.options import WebOptions
from rasad.web.queries import (
    ArticleQuery,
    EntityQuery,
    EventFilter,
    RelationFilter,
    find_article_id,
    page,
    select_articles,
    select_entities,
    select_events,
    select_relations,
)
from rasad.web.queries import facets as facet_values
from rasad.web.snapshot import Record, Snapshot
from rasad.web.views import (
    NETWORK_PREDICATES,
    article_detail,
    article_summary,
    entity_detail,
    entity_summary,
    event_view,
    map_events,
    network,
    presence,
    relation_view,
    timeline,
)

Certainty = Literal["asserted", "reported", "believed", "denied"]
Predicate = Literal[
    "backed_by", "allied_with", "opposes", "part_of", "leads", "member_of", "controls", "present_in", "located_in",
]
EntityKind = Literal["actor", "person", "place", "facility", "source"]
ExportFormat = Literal["json", "acled-csv", "geojson", "graphml", "graph-json"]
EXPORT_TYPES: dict[str, tuple[str, str]] = {
    "json": ("application/json", "rasad.json"),
    "acled-csv": ("text/csv; charset=utf-8", "rasad-acled.csv"),
    "geojson": ("application/geo+json", "rasad.geojson"),
    "graphml": ("application/graphml+xml", "rasad.graphml"),
    "graph-json": ("application/json", "rasad-graph.json"),
}
assert set(get_args(ExportFormat)) == set(EXPORTERS) == set(EXPORT_TYPES), "export formats out of step"

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,199}$"
ARTICLE_ID_PATTERN = r"^[0-9a-f]{6,64}$"
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
NAME_LENGTH = 200

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Records to skip.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Records to return (at most 500).")]
DateFrom = Annotated[dt.date | None, Query(description="On or after this day (YYYY-MM-DD).")]
DateTo = Annotated[dt.date | None, Query(description="On or before this day (YYYY-MM-DD).")]
Name = Annotated[str | None, Query(min_length=1, max_length=NAME_LENGTH)]
EntityKey = Annotated[str | None, Query(min_length=1, max_length=NAME_LENGTH,
                                        description="An entity id, or a name in English or Arabic, or an alias.")]
MinCorroboration = Annotated[int, Query(ge=1, le=10_000, description="At least this many distinct outlets.")]
CertaintyParam = Annotated[Certainty | None, Query(description="Some evidence with this certainty.")]
EntityId = Annotated[str, Path(pattern=ID_PATTERN, max_length=200)]
ArticleId = Annotated[str, Path(pattern=ARTICLE_ID_PATTERN, description="An article id or a prefix of 6+ digits.")]


@dataclass(frozen=True, slots=True)
class WebState:
    options: WebOptions
    access: StoreAccess


def state(request: Request) -> WebState:
    found: WebState = request.app.state.rasad
    return found


def snapshot(request: Request) -> Snapshot:
    return state(request).access.snapshot()


Snap = Annotated[Snapshot, Depends(snapshot)]
State = Annotated[WebState, Depends(state)]


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _check_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise HTTPException(422, f"date_from {date_from} is after date_to {date_to}")


def event_filter(
    date_from: DateFrom = None, date_to: DateTo = None,
    event_type: Annotated[str | None, Query(min_length=1, max_length=100,
                                            description="ACLED event type or sub-event type.")] = None,
    actor: EntityKey = None, place: EntityKey = None, outlet: Name = None,
    min_corroboration: MinCorroboration = 1, certainty: CertaintyParam = None,
) -> EventFilter:
    _check_range(date_from, date_to)
    return EventFilter(date_from=_day(date_from), date_to=_day(date_to), event_type=event_type, actor=actor,
                       place=place, outlet=outlet, min_corroboration=min_corroboration, certainty=certainty)


Events = Annotated[EventFilter, Depends(event_filter)]
router = APIRouter(prefix="/api")


def _page(items: list[Record], offset: int, limit: int) -> Record:
    total, items = page(items, offset=offset, limit=limit)
    return {"total": total, "offset": offset, "limit": limit, "items": items}


def _not_found(kind: str, key: str) -> HTTPException:
    return HTTPException(404, f"no {kind} with id {key!r}")


@router.get("/meta", summary="Figures, date ranges and the values filters can take")
def meta(snap: Snap, st: State) -> Record:
    return {"stats": snap.stats, "facets": facet_values(snap), "ingest": st.options.allow_ingest,
            "tiles": st.options.tiles, "tiles_attribution": st.options.tiles_attribution,
            "exports": list(EXPORTERS), "network_predicates": list(NETWORK_PREDICATES)}


# -- articles -------------------------------------------------------------------------------------------


@router.get("/articles", summary="Articles, newest first")
def list_articles(snap: Snap, date_from: DateFrom = None, date_to: DateTo = None, outlet: Name = None,
                  entity: EntityKey = None, story: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
                  offset: Offset = 0, limit: Limit = 50) -> Record:
    _check_range(date_from, date_to)
    query = ArticleQuery(date_from=_day(date_from), date_to=_day(date_to), outlet=outlet, entity=entity, story=story)
    return _page([article_summary(snap, a) for a in select_articles(snap, query)], offset, limit)


@router.get("/articles/{article_id}", summary="One article: clean text, mentions and evidence sentences")
def get_article(article_id: ArticleId, snap: Snap, st: State) -> Record:
    found = find_article_id(snap, article_id)
    article = st.access.call(lambda store: store.find_article(found)) if found else None
    if article is None:
        raise _not_found("article", article_id)
    return article_detail(snap, article)


# -- entities -------------------------------------------------------------------------------------------


@router.get("/entities", summary="Entities, most mentioned first")
def list_entities(snap: Snap, type: Annotated[EntityKind | None, Query()] = None,
                  bloc: Annotated[str | None, Query(max_length=50, pattern=r"^[a-z_]+$")] = None,
                  name: Name = None, discovered: bool | None = None, offset: Offset = 0, limit: Limit = 50) -> Record:
    query = EntityQuery(type=type, bloc=bloc, name=name, discovered=discovered)
    return _page([entity_summary(snap, e) for e in select_entities(snap, query)], offset, limit)


@router.get("/entities/{entity_id}", summary="One entity: names, aliases, relations and events with evidence")
def get_entity(entity_id: EntityId, snap: Snap) -> Record:
    if entity_id not in snap.entities:
        raise _not_found("entity", entity_id)
    return entity_detail(snap, entity_id)


# -- relations and events -----------------------------------------------------------------------------------


@router.get("/relations", summary="Relations, best corroborated first")
def list_relations(snap: Snap, predicate: Annotated[Predicate | None, Query()] = None, entity: EntityKey = None,
                   outlet: Name = None, min_corroboration: MinCorroboration = 1, certainty: CertaintyParam = None,
                   date_from: DateFrom = None, date_to: DateTo = None, offset: Offset = 0,
                   limit: Limit = 50) -> Record:
    _check_range(date_from, date_to)
    wanted = RelationFilter(predicate=predicate, entity=entity, outlet=outlet, min_corroboration=min_corroboration,
                            certainty=certainty, date_from=_day(date_from), date_to=_day(date_to))
    return _page([relation_view(snap, r) for r in select_relations(snap, wanted)], offset, limit)


@router.get("/relations/{relation_id}", summary="One relation with its evidence")
def get_relation(relation_id: EntityId, snap: Snap) -> Record:
    relation = snap.relations_by_id.get(relation_id)
    if relation is None:
        raise _not_found("relation", relation_id)
    return relation_view(snap, relation)


@router.get("/events", summary="Events by date")
def list_events(snap: Snap, wanted: Events, offset: Offset = 0, limit: Limit = 50) -> Record:
    selected = select_events(snap, wanted)
    total, items = page(selected, offset=offset, limit=limit)
    return {"total": total, "offset": offset, "limit": limit, "items": [event_view(snap, e) for e in items]}


@router.get("/events/{event_id}", summary="One event with its evidence")
def get_event(event_id: EntityId, snap: Snap) -> Record:
    event = snap.events_by_id.get(event_id)
    if event is None:
        raise _not_found("event", event_id)
    return event_view(snap, event)


# -- stories ------------------------------------------------------------------------------------------------


@router.get("/stories", summary="Stories: articles that report the same development")
def list_stories(snap: Snap, offset: Offset = 0, limit: Limit = 50) -> Record:
    items = [_story_summary(snap, s) for s in sorted(snap.stories, key=lambda s: (-len(s["article_ids"]), s["id"]))]
    return _page(items, offset, limit)


def _story_summary(snap: Snapshot, story: Record) -> Record:
    articles = [article_summary(snap, snap.articles[a]) for a in story.get("article_ids", []) if a in snap.articles]
    return {"id": story["id"], "size": len(story.get("article_ids", [])), "articles": articles,
            "duplicates": story.get("duplicates", {})}


@router.get("/stories/{story_id}", summary="One story with the full text of each of its articles")
def get_story(story_id: EntityId, snap: Snap, st: State) -> Record:
    story = snap.stories_by_id.get(story_id)
    if story is None:
        raise _not_found("story", story_id)
    ids = [a for a in story.get("article_ids", []) if a in snap.articles]
    stored = st.access.call(lambda store: [store.find_article(a) for a in ids])
    return {**_story_summary(snap, story), "articles": [article_detail(snap, a) for a in stored if a is not None]}


# -- search, map, timeline, network -----------------------------------------------------------------------


@router.get("/search", summary="Articles and entities matching every word (Arabic-aware)")
def search_route(st: State, q: Annotated[str, Query(min_length=1, max_length=500)],
                 date_from: DateFrom = None, date_to: DateTo = None, outlet: Name = None, entity: EntityKey = None,
                 limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Record:
    _check_range(date_from, date_to)
    options = SearchOptions(date_from=_day(date_from), date_to=_day(date_to), outlet=outlet, entity=entity,
                            limit=limit)
    result = st.access.call(lambda store: search(store, q, options=options))
    return {
        "query": q,
        "articles": [{"id": h.id, "published": h.published, "outlet": h.outlet, "title": h.title,
                      "snippet": None if h.snippet is None else {
                          "text": h.snippet.text, "highlights": [[s.start, s.end] for s in h.snippet.highlights],
                          "clipped_start": h.snippet.clipped_start, "clipped_end": h.snippet.clipped_end}}
                     for h in result.articles],
        "entities": [{"id": e.id, "type": e.type, "name_en": e.name_en, "name_ar": e.name_ar}
                     for e in result.entities],
    }


@router.get("/map", summary="Events with coordinates and actor presence, for the map")
def map_route(snap: Snap, wanted: Events) -> Record:
    events = select_events(snap, wanted)
    located = map_events(snap, events)
    return {"total": len(events), "located": len(located), "events": located,
            "presence": presence(snap, snap.relations)}


@router.get("/timeline", summary="Events per day, week or month")
def timeline_route(snap: Snap, wanted: Events) -> Record:
    return timeline(select_events(snap, wanted))


@router.get("/network", summary="The actor network: relations between actors and persons, with blocs")
def network_route(snap: Snap, predicate: Annotated[list[Predicate] | None, Query()] = None) -> Record:
    return network(snap, tuple(dict.fromkeys(predicate)) if predicate else NETWORK_PREDICATES)


# -- exports --------------------------------------------------------------------------------------------------


@router.get("/export/{fmt}", summary="The whole database as a download", response_class=Response)
def export_route(fmt: Annotated[ExportFormat, Path()], st: State) -> Response:
    def render(store: Store) -> str:
        buffer = io.StringIO()
        EXPORTERS[fmt](store, buffer)
        return buffer.getvalue()

    media_type, filename = EXPORT_TYPES[fmt]
    return Response(st.access.call(render).encode("utf-8"), media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# -- ingest ---------------------------------------------------------------------------------------------------


class IngestRequest(BaseModel):
    """One article: its text and what is known about it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT, description="The article body (plain text).")
    title: str | None = Field(None, max_length=1000)
    outlet: str | None = Field(None, max_length=NAME_LENGTH)
    published: dt.date | None = Field(None, description="Publication day (YYYY-MM-DD).")
    url: str | None = Field(None, max_length=2000, pattern=r"^https?://[^\s<>\"']+$",
                            description="The article's address (http or https only).")
    byline: str | None = Field(None, max_length=500)
    language: str | None = Field(None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

    @field_validator("text")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank")
        return value


bearer = HTTPBearer(auto_error=False, description="The token given to `rasad serve --allow-ingest`.")


def _authorise(options: WebOptions, credentials: HTTPAuthorizationCredentials | None) -> None:
    if not options.allow_ingest or not options.token:
        raise HTTPException(403, "ingest is disabled: start the server with `rasad serve --allow-ingest --token …`")
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode("utf-8"), options.token.encode("utf-8")):
        raise HTTPException(401, "a valid bearer token is needed to ingest", headers={"WWW-Authenticate": "Bearer"})


@router.post("/ingest", status_code=201, summary="Process one article and store it (needs --allow-ingest, a token)",
             responses={200: {"description": "Already stored"}, 401: {"description": "No or wrong token"},
                        403: {"description": "Ingest is disabled"}})
def ingest_route(body: IngestRequest, st: State, response: Response,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None) -> dict[str, Any]:
    _authorise(st.options, credentials)
    item = IngestInput(text=body.text, title=body.title, outlet=body.outlet, published=body.published, url=body.url,
                       byline=body.byline, language=body.language)
    result = ingest(st.access, item)
    if not result.added:
        response.status_code = 200
    return result.as_dict()
