"""One-file HTML report (``rasad report``): map, timeline, actor network and top tables in a page that
can be emailed and opened anywhere, with no network.

Everything is inside the file: the web UI's scripts, styles and the Arabic font as ``data:`` URIs, the
data as JSON in a ``<script type="application/json">`` element (escaped so no text in it can close the
element), and a content security policy that allows nothing but ``data:`` resources — the page can
make no request at all.  The drawing code is the web UI's own (``web/static/js/views.js``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import IO, Any

from rasad.errors import KnowledgeBaseError
from rasad.kb import load_kb
from rasad.model import Entity
from rasad.store.base import Store
from rasad.web.snapshot import Snapshot, build_snapshot
from rasad.web.views import network, presence, slim_event, top_tables

SCHEMA = "rasad.report/1"
SCRIPTS = ("vendor/leaflet/leaflet.js", "js/i18n.js", "js/dom.js", "js/views.js", "js/report.js")
FONT_CSS = "vendor/fonts/fonts.css"
STYLES = ("vendor/leaflet/leaflet.css", FONT_CSS, "app.css")
BOUNDARIES = "vendor/boundaries/region.geojson"
CSP = ("default-src 'none'; script-src data:; style-src data:; img-src data:; font-src data:; connect-src 'none'; "
       "base-uri 'none'; form-action 'none'")
MEDIA_TYPES = {".png": "image/png", ".woff2": "font/woff2", ".css": "text/css", ".js": "text/javascript"}
_CSS_URL = re.compile(r"url\((['\"]?)(\./)?(?P<path>[A-Za-z0-9_./-]+\.(?:png|woff2))\1\)")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _static(path: str) -> bytes:
    return resources.files("rasad.web").joinpath("static", *path.split("/")).read_bytes()


def data_uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _media_type(path: str) -> str:
    return MEDIA_TYPES[path[path.rfind(".") :]]


def inline_css(path: str) -> str:
    """A stylesheet with the images and fonts it points to (relative to it) turned into data: URIs."""
    folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    text = _static(path).decode("utf-8")

    def inline(match: re.Match[str]) -> str:
        target = folder + match.group("path")
        return f"url({data_uri(_static(target), _media_type(target))})"

    return _CSS_URL.sub(inline, text)


def json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element: no "<", ">" or "&" that could end it or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def report_data(snap: Snapshot, *, title: str | None = None, generated: str | None = None) -> dict[str, Any]:
    """Everything the report page draws, as plain JSON-ready data."""
    stats: Mapping[str, Any] = snap.stats.get("counts", {})
    return {
        "schema": SCHEMA,
        "title": title,
        "generated": generated or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "counts": {"articles": len(snap.articles), "events": len(snap.events), "relations": len(snap.relations),
                   "entities": len(snap.entities), "stories": stats.get("stories", len(snap.stories))},
        "events": [slim_event(snap, e) for e in snap.events],
        "presence": presence(snap, snap.relations),
        "network": network(snap),
        "top": top_tables(snap),
        "boundaries": json.loads(_static(BOUNDARIES)),
    }


def render_report(data: Mapping[str, Any]) -> str:
    """The self-contained HTML page for :func:`report_data`'s output."""
    page_title = html.escape(str(data.get("title") or "rasad report"))
    styles = "\n".join(f'<link rel="stylesheet" href="{data_uri(inline_css(p).encode("utf-8"), "text/css")}">'
                       for p in STYLES)
    scripts = "\n".join(f'<script src="{data_uri(_static(p), "text/javascript")}"></script>' for p in SCRIPTS)
    return (
        '<!doctype html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{page_title}</title>\n{styles}\n"
        f'<script type="application/json" id="rasad-data">{json_for_script(data)}</script>\n'
        f"</head>\n<body>\n<main id=\"report\" class=\"report\"></main>\n{scripts}\n</body>\n</html>\n"
    )


def build_report(store: Store, *, title: str | None = None, kb: str | None = "default") -> str:
    """The report of ``store``; the knowledge base ``kb`` (when it loads) completes affiliation blocs."""
    entities: list[Entity] = []
    if kb:
        try:
            entities = list(load_kb(kb).entities.values())
        except KnowledgeBaseError:
            entities = []
    return render_report(report_data(build_snapshot(store, kb_entities=entities), title=title))


def write_report(store: Store, out: IO[str], *, title: str | None = None, kb: str | None = "default") -> None:
    out.write(build_report(store, title=title, kb=kb))
