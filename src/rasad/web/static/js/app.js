/* rasad web UI: the single-page app served by `rasad serve` — hash routes, API calls, views. */
"use strict";
(function () {
  const R = (window.Rasad = window.Rasad || {});
  const view = document.getElementById("view");
  const FILTER_KEYS = ["from", "to", "type", "actor", "place", "outlet", "min", "certainty"];
  const API_FILTERS = {from: "date_from", to: "date_to", type: "event_type", actor: "actor", place: "place",
                       outlet: "outlet", min: "min_corroboration", certainty: "certainty"};
  let cleanup = null;
  let meta = null;
  let boundaries = null;
  let renderToken = 0;

  // -- API ------------------------------------------------------------------------------------------------

  R.api = async function (path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (Array.isArray(value)) value.forEach(function (v) { query.append(key, v); });
      else if (value !== null && value !== undefined && value !== "") query.append(key, value);
    }
    const qs = query.toString();
    const response = await fetch("/api" + path + (qs ? "?" + qs : ""), {headers: {Accept: "application/json"}});
    const body = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      let detail = body.detail;
      if (Array.isArray(detail)) detail = detail.map(function (d) { return (d.loc || []).slice(-1)[0] + ": " + d.msg; }).join("; ");
      const error = new Error(detail || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  };

  async function getMeta() { if (!meta) meta = await R.api("/meta"); return meta; }
  async function getBoundaries() {
    if (!boundaries) {
      const response = await fetch("/static/vendor/boundaries/region.geojson");
      boundaries = await response.json();
    }
    return boundaries;
  }

  // -- routing --------------------------------------------------------------------------------------------

  function parseHash() {
    const raw = (location.hash || "#/map").slice(1);
    const q = raw.indexOf("?");
    const path = (q >= 0 ? raw.slice(0, q) : raw).split("/").filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : "");
    return {name: path[0] || "map", arg: path[1] || null, params: params};
  }

  function go(name, params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== "") qs.set(k, v);
    const text = qs.toString();
    location.hash = "#/" + name + (text ? "?" + text : "");
  }

  const ROUTES = {map: mapView, timeline: timelineView, network: networkView, entity: entityView,
                  article: articleView, story: storyView, articles: articlesView, stories: storiesView,
                  entities: entitiesView, search: searchView, event: eventView};

  async function render() {
    const route = parseHash();
    const hash = location.hash || "#/map";
    const handler = ROUTES[route.name];
    const token = ++renderToken;
    if (cleanup) { try { cleanup(); } catch (e) { /* ignore */ } cleanup = null; }
    R.clear(view);
    delete view.dataset.ready;
    delete view.dataset.route;
    view.className = "view view-" + route.name;
    document.querySelectorAll("#nav a").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("href") === "#/" + route.name);
    });
    R.titleKey = "nav." + route.name;
    R.applyLang();
    if (!handler) { view.appendChild(R.el("p", {class: "error"}, R.t("notfound"))); return; }
    view.appendChild(R.el("p", {class: "loading"}, R.t("loading")));
    try {
      const node = await handler(route);
      if (token !== renderToken) return;
      R.clear(view);
      if (node) view.appendChild(node);
      if (route.onMount) route.onMount();
      view.dataset.route = hash;  // what was drawn (tests and tools wait for it)
      view.dataset.ready = route.name;
    } catch (error) {
      if (token !== renderToken) return;
      R.clear(view);
      view.appendChild(R.el("p", {class: "error"}, error.status === 404 ? R.t("notfound") : R.t("error", {msg: error.message})));
      view.dataset.route = hash;
      view.dataset.ready = "error";
    }
  }

  // -- filters --------------------------------------------------------------------------------------------

  function apiFilters(params) {
    const out = {};
    for (const key of FILTER_KEYS) if (params.get(key)) out[API_FILTERS[key]] = params.get(key);
    return out;
  }

  function select(name, label, options, current) {
    const node = R.el("select", {name: name, id: "filter-" + name},
      R.el("option", {value: ""}, R.t("filter.any")),
      options.map(function (o) { return R.el("option", {value: o[0], selected: o[0] === current ? true : null}, o[1]); }));
    return R.el("label", null, R.el("span", null, R.t(label)), node);
  }

  function input(name, label, type, current, extra) {
    return R.el("label", null, R.el("span", null, R.t(label)),
                R.el("input", Object.assign({name: name, id: "filter-" + name, type: type, value: current || ""}, extra || {})));
  }

  function filterForm(route, m) {
    const p = route.params;
    const facets = m.facets;
    const form = R.el("form", {class: "filters", id: "filters"},
      input("from", "filter.from", "date", p.get("from")),
      input("to", "filter.to", "date", p.get("to")),
      select("type", "filter.type", facets.event_types.map(function (t) { return [t[0], R.term(t[0]) + " (" + t[1] + ")"]; }), p.get("type")),
      input("actor", "filter.actor", "text", p.get("actor"), {maxlength: "200"}),
      input("place", "filter.place", "text", p.get("place"), {maxlength: "200"}),
      select("outlet", "filter.outlet", facets.outlets.map(function (o) { return [o[0], o[0] + " (" + o[1] + ")"]; }), p.get("outlet")),
      input("min", "filter.min", "number", p.get("min"), {min: "1", max: "100", step: "1"}),
      select("certainty", "filter.certainty", ["asserted", "reported", "believed", "denied"].map(function (c) { return [c, R.term(c)]; }), p.get("certainty")),
      R.el("div", {class: "buttons"},
        R.el("button", {type: "submit", id: "filter-apply"}, R.t("filter.apply")),
        R.el("button", {type: "button", id: "filter-reset", class: "secondary"}, R.t("filter.reset"))));
    R.on(form, "submit", function (e) {
      e.preventDefault();
      const params = {};
      for (const key of FILTER_KEYS) params[key] = form.elements[key].value.trim();
      go(route.name, params);
    });
    R.on(form.querySelector("#filter-reset"), "click", function () { go(route.name, {}); });
    return form;
  }

  // -- map ------------------------------------------------------------------------------------------------

  async function mapView(route) {
    const [m, shapes, data] = await Promise.all([getMeta(), getBoundaries(), R.api("/map", apiFilters(route.params))]);
    const summary = R.el("p", {id: "map-summary", class: "summary"},
                         R.t("map.summary", {n: R.fmtNumber(data.total), m: R.fmtNumber(data.located)}));
    const mapNode = R.el("div", {id: "map", class: "map"});
    const page = R.el("div", {class: "split"},
      R.el("aside", {class: "side"}, filterForm(route, m), summary, R.mapLegend()),
      mapNode);
    route.onMount = function () {
      const made = R.createMap(mapNode, {boundaries: shapes, tiles: m.tiles, tilesAttribution: m.tiles_attribution});
      made.setPresence(data.presence);
      made.setEvents(data.events);
      made.fit(data.events);
      cleanup = function () { made.remove(); };
      R.markAfterPaint("rasad-map-rendered");
    };
    return page;
  }

  // -- timeline -------------------------------------------------------------------------------------------

  async function timelineView(route) {
    const filters = apiFilters(route.params);
    const [m, bins, events] = await Promise.all([getMeta(), R.api("/timeline", filters),
                                                R.api("/events", Object.assign({limit: 100}, filters))]);
    const list = R.el("div", {class: "event-list", id: "event-list"}, events.items.map(function (e) { return R.eventCard(e); }));
    let offset = events.items.length;
    const more = R.el("button", {type: "button", class: "secondary", id: "more-events"}, R.t("timeline.more"));
    more.hidden = offset >= events.total;
    R.on(more, "click", async function () {
      const next = await R.api("/events", Object.assign({limit: 100, offset: offset}, filters));
      next.items.forEach(function (e) { list.appendChild(R.eventCard(e)); });
      offset += next.items.length;
      more.hidden = offset >= next.total;
    });
    const onPick = function (start, end) {
      const params = {};
      for (const key of FILTER_KEYS) params[key] = route.params.get(key);
      params.from = start; params.to = end;
      go("timeline", params);
    };
    return R.el("div", {class: "split"},
      R.el("aside", {class: "side"}, filterForm(route, m), R.mapLegend()),
      R.el("section", {class: "main"},
        R.el("p", {id: "timeline-count", class: "summary", "data-total": events.total},
             R.t("timeline.summary", {n: R.fmtNumber(events.total)}),
             bins.undated ? " · " + R.t("timeline.undated", {n: bins.undated}) : ""),
        R.el("div", {class: "histogram-wrap", id: "histogram"}, R.renderHistogram(bins, onPick)),
        R.el("p", {class: "hint"}, R.t("timeline.hint")),
        list, more));
  }

  // -- network --------------------------------------------------------------------------------------------

  async function networkView(route) {
    const m = await getMeta();
    const chosen = (route.params.get("p") || m.network_predicates.join(",")).split(",").filter(Boolean);
    const graph = await R.api("/network", {predicate: chosen});
    const panel = R.el("div", {class: "node-panel", id: "node-panel"}, R.el("p", {class: "hint"}, R.t("network.select")));
    const onSelect = function (node, links) {
      R.clear(panel);
      panel.appendChild(R.el("h2", {dir: "auto"}, R.name(node)));
      panel.appendChild(R.el("p", null, R.term(node.bloc), " · ", R.t("type." + node.type)));
      if (node.name_ar && R.lang !== "ar") panel.appendChild(R.el("p", {dir: "rtl", lang: "ar", class: "arabic"}, node.name_ar));
      panel.appendChild(R.el("a", {href: "#/entity/" + encodeURIComponent(node.id), id: "open-entity", class: "button"},
                             R.t("network.open")));
      const names = new Map(graph.nodes.map(function (n) { return [n.id, n]; }));
      panel.appendChild(R.el("ul", {class: "node-links"}, links.map(function (l) {
        return R.el("li", null, R.entityLink(names.get(l.source)), " ", R.term(l.predicate), " ",
                    R.entityLink(names.get(l.target)), " (" + R.t("ev.corroboration", {n: l.corroboration}) + ")");
      })));
    };
    const boxes = R.el("form", {class: "predicates", id: "predicates"},
      R.el("h3", null, R.t("network.predicates")),
      ["backed_by", "allied_with", "opposes", "leads", "part_of", "member_of"].map(function (p) {
        const box = R.el("input", {type: "checkbox", name: p, checked: chosen.includes(p) ? true : null});
        R.on(box, "change", function () {
          const on = Array.from(boxes.querySelectorAll("input:checked")).map(function (b) { return b.name; });
          go("network", {p: on.join(",")});
        });
        return R.el("label", null, box, " ", R.term(p));
      }));
    return R.el("div", {class: "split"},
      R.el("aside", {class: "side"}, boxes,
           R.el("p", {class: "summary", id: "network-summary"},
                R.t("network.summary", {n: graph.nodes.length, m: graph.links.length})),
           panel, R.networkLegend(graph)),
      R.el("section", {class: "main network-wrap", id: "network"}, R.renderNetwork(graph, onSelect)));
  }

  // -- entity ---------------------------------------------------------------------------------------------

  function detailRow(label, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
    return R.el("tr", null, R.el("th", {scope: "row"}, R.t(label)), R.el("td", null, value));
  }

  function relationsTable(relations) {
    if (!relations.length) return R.el("p", {class: "muted"}, R.t("entity.none"));
    return R.el("div", {class: "relations"}, relations.map(function (r) {
      return R.el("div", {class: "relation", "data-id": r.id},
        R.el("div", {class: "relation-line"}, R.entityLink(r.subject), " ",
             R.el("span", {class: "predicate"}, R.term(r.predicate)), " ", R.entityLink(r.object),
             " · ", R.el("span", {class: "corroboration"}, R.t("ev.corroboration", {n: r.corroboration})), ": ",
             R.sourceList(r.sources)),
        R.el("details", null, R.el("summary", null, R.t("ev.evidence") + " (" + r.evidence.length + ")"),
             R.evidenceList(r.evidence)));
    }));
  }

  async function entityView(route) {
    const e = await R.api("/entities/" + encodeURIComponent(route.arg));
    const coords = e.lat !== null && e.lat !== undefined ? e.lat.toFixed(4) + ", " + e.lon.toFixed(4) : null;
    const wikidata = /^Q\d+$/.test(e.wikidata || "") ?
      R.el("a", {href: "https://www.wikidata.org/wiki/" + e.wikidata, rel: "noopener noreferrer", target: "_blank"}, e.wikidata) : null;
    R.titleKey = null;
    document.title = (e.name_en || e.id) + " — rasad";
    return R.el("div", {class: "page entity-page", "data-id": e.id},
      R.el("header", {class: "entity-head"},
        R.el("h1", {class: "name-en", lang: "en", dir: "ltr"}, e.name_en || e.id),
        R.el("h2", {class: "name-ar arabic", lang: "ar", dir: "rtl"}, e.name_ar || ""),
        R.el("p", {class: "meta"}, swatch(e.bloc), R.term(e.bloc), " · ", R.t("type." + e.type),
             e.discovered ? " · " + R.t("entity.discovered") : "")),
      R.el("section", null, R.el("h3", null, R.t("entity.aliases")),
        (e.aliases || []).length ? R.el("ul", {class: "chips"}, e.aliases.map(function (a) { return R.el("li", {dir: "auto"}, a); }))
                                 : R.el("p", {class: "muted"}, R.t("entity.none"))),
      R.el("section", null, R.el("h3", null, R.t("entity.details")),
        R.el("table", {class: "details"}, R.el("tbody", null,
          detailRow("entity.type", R.t("type." + e.type)), detailRow("entity.feature", e.feature),
          detailRow("entity.bloc", e.bloc ? R.term(e.bloc) : null), detailRow("entity.country", e.country),
          detailRow("entity.admin1", e.admin1), detailRow("entity.coords", coords),
          detailRow("entity.parent", e.parent ? R.entityLink(e.parent) : null),
          detailRow("entity.wikidata", wikidata), detailRow("entity.mentions", String(e.mentions))))),
      R.el("section", null, R.el("h3", null, R.t("entity.relations") + " (" + e.relations_total + ")"),
           relationsTable(e.relations)),
      R.el("section", null, R.el("h3", null, R.t("entity.events") + " (" + e.events_total + ")"),
           e.events.length ? R.el("div", {class: "event-list"}, e.events.map(function (ev) { return R.eventCard(ev); }))
                           : R.el("p", {class: "muted"}, R.t("entity.none"))),
      R.el("section", null, R.el("h3", null, R.t("entity.articles") + " (" + e.articles_total + ")"),
           articleTable(e.articles)));
  }

  function swatch(bloc) { return R.swatch(R.blocColour(bloc)); }

  // -- articles, stories ----------------------------------------------------------------------------------

  function articleTable(articles) {
    if (!articles.length) return R.el("p", {class: "muted"}, R.t("entity.none"));
    return R.table([
      {label: "col.date", cell: function (a) { return a.published || ""; }},
      {label: "col.outlet", cell: function (a) { return R.auto("span", a.outlet || ""); }},
      {label: "col.title", cell: function (a) {
        return R.el("a", {href: "#/article/" + a.id, dir: "auto", class: "article-link arabic"}, a.title || a.id.slice(0, 12));
      }},
    ], articles, "articles");
  }

  async function articleView(route) {
    const a = await R.api("/articles/" + encodeURIComponent(route.arg));
    R.titleKey = null;
    document.title = (a.title || a.id) + " — rasad";
    const focus = route.params.get("at");
    route.onMount = function () {
      const mark = view.querySelector("mark.focus");
      if (mark) mark.scrollIntoView({block: "center"});
    };
    return R.el("div", {class: "page article-page", "data-id": a.id}, R.articleHeader(a),
      R.el("p", {class: "hint"}, R.t("article.legend"), " ",
           R.t("article.mentions", {n: a.mentions.length}), " · ", R.t("article.evidence", {n: a.evidence.length})),
      R.readerBody(a, focus));
  }

  function pager(route, page, name) {
    const offset = page.offset, n = page.total;
    const nav = R.el("div", {class: "pager"},
      R.el("span", null, R.t("list.range", {a: n ? offset + 1 : 0, b: offset + page.items.length, n: n})));
    const params = Object.fromEntries(route.params.entries());
    if (offset > 0) {
      nav.appendChild(R.el("a", {href: "#/" + name + "?" + new URLSearchParams(Object.assign({}, params,
        {offset: Math.max(0, offset - page.limit)})).toString()}, R.t("list.prev")));
    }
    if (offset + page.items.length < n) {
      nav.appendChild(R.el("a", {href: "#/" + name + "?" + new URLSearchParams(Object.assign({}, params,
        {offset: offset + page.limit})).toString(), id: "next-page"}, R.t("list.more")));
    }
    return nav;
  }

  async function articlesView(route) {
    const p = route.params;
    const page = await R.api("/articles", {outlet: p.get("outlet"), date_from: p.get("from"), date_to: p.get("to"),
                                           entity: p.get("entity"), offset: p.get("offset"), limit: 50});
    return R.el("div", {class: "page"}, R.el("h1", null, R.t("articles.title")), articleTable(page.items),
                pager(route, page, "articles"));
  }

  async function storiesView(route) {
    const page = await R.api("/stories", {offset: route.params.get("offset"), limit: 50});
    const body = page.items.length ? R.el("ul", {class: "story-list"}, page.items.map(function (s) {
      return R.el("li", null, R.el("a", {href: "#/story/" + encodeURIComponent(s.id), class: "story-link"},
                                   R.t("stories.size", {n: s.size})), " — ",
                  s.articles.slice(0, 3).map(function (a, i) {
                    return [i ? " · " : "", R.auto("span", (a.outlet ? a.outlet + ": " : "") + (a.title || ""), "arabic")];
                  }));
    })) : R.el("p", {class: "muted"}, R.t("stories.none"));
    return R.el("div", {class: "page"}, R.el("h1", null, R.t("stories.title")), body, pager(route, page, "stories"));
  }

  async function storyView(route) {
    const s = await R.api("/stories/" + encodeURIComponent(route.arg));
    return R.el("div", {class: "page story-page", "data-id": s.id},
      R.el("h1", null, R.t("story.title") + " · " + R.t("stories.size", {n: s.size})),
      R.el("div", {class: "side-by-side"}, s.articles.map(function (a) {
        return R.el("article", {class: "story-article"}, R.articleHeader(a), R.readerBody(a, null),
                    R.el("a", {href: "#/article/" + a.id}, "↗"));
      })));
  }

  async function entitiesView(route) {
    const p = route.params;
    const page = await R.api("/entities", {type: p.get("type"), name: p.get("name"), offset: p.get("offset"), limit: 100});
    const form = R.el("form", {class: "inline-filters"},
      R.el("label", null, R.el("span", null, R.t("filter.type_entity")),
           R.el("select", {name: "type"}, R.el("option", {value: ""}, R.t("filter.any")),
                ["actor", "person", "place", "facility", "source"].map(function (t) {
                  return R.el("option", {value: t, selected: p.get("type") === t ? true : null}, R.t("type." + t));
                }))),
      R.el("label", null, R.el("span", null, R.t("filter.name")),
           R.el("input", {name: "name", type: "search", value: p.get("name") || "", maxlength: "200"})),
      R.el("button", {type: "submit"}, R.t("filter.apply")));
    R.on(form, "submit", function (e) {
      e.preventDefault();
      go("entities", {type: form.elements.type.value, name: form.elements.name.value.trim()});
    });
    const table = R.table([
      {label: "col.name", cell: function (e) { return R.entityLink(e); }},
      {label: "col.name_ar", cell: function (e) { return R.el("span", {dir: "rtl", lang: "ar", class: "arabic"}, e.name_ar || ""); }},
      {label: "col.type", cell: function (e) { return R.t("type." + e.type); }},
      {label: "entity.bloc", cell: function (e) { return e.bloc ? [swatch(e.bloc), R.term(e.bloc)] : ""; }},
      {label: "col.mentions", cls: "num", cell: function (e) { return String(e.mentions); }},
      {label: "col.articles", cls: "num", cell: function (e) { return String(e.articles); }},
    ], page.items, "entities");
    return R.el("div", {class: "page"}, R.el("h1", null, R.t("entities.title")), form, table, pager(route, page, "entities"));
  }

  async function eventView(route) {
    const ev = await R.api("/events/" + encodeURIComponent(route.arg));
    return R.el("div", {class: "page"}, R.eventCard(ev, {open: true}));
  }

  // -- search ---------------------------------------------------------------------------------------------

  function snippet(s) {
    if (!s) return null;
    const out = R.el("p", {class: "snippet arabic", dir: "rtl", lang: "ar"}, s.clipped_start ? "… " : "");
    let pos = 0;
    for (const [a, b] of s.highlights) {
      out.appendChild(document.createTextNode(s.text.slice(pos, a)));
      out.appendChild(R.el("mark", {class: "hit"}, s.text.slice(a, b)));
      pos = b;
    }
    out.appendChild(document.createTextNode(s.text.slice(pos) + (s.clipped_end ? " …" : "")));
    return out;
  }

  async function searchView(route) {
    const q = route.params.get("q") || "";
    if (!q.trim()) return R.el("div", {class: "page"}, R.el("h1", null, R.t("search.title")));
    const result = await R.api("/search", {q: q, limit: 50});
    const input = document.getElementById("search-input");
    if (input) input.value = q;
    return R.el("div", {class: "page search-page"},
      R.el("h1", null, R.t("search.title"), ": ", R.auto("span", q)),
      result.entities.length ? R.el("ul", {class: "chips"}, result.entities.map(function (e) {
        return R.el("li", null, R.entityLink(e));
      })) : null,
      result.articles.length ? R.el("ol", {class: "hits"}, result.articles.map(function (h) {
        return R.el("li", null, R.el("a", {href: "#/article/" + h.id, dir: "auto", class: "arabic"}, h.title || h.id.slice(0, 12)),
                    R.el("div", {class: "meta"}, (h.published || "") + " · ", R.auto("span", h.outlet || "")), snippet(h.snippet));
      })) : R.el("p", {class: "muted"}, R.t("search.none")));
  }

  // -- start ----------------------------------------------------------------------------------------------

  function start() {
    const form = document.getElementById("search-form");
    R.on(form, "submit", function (e) {
      e.preventDefault();
      go("search", {q: document.getElementById("search-input").value.trim()});
    });
    const toggle = document.getElementById("lang-switch");
    R.on(toggle, "click", function () {
      R.setLang(R.lang === "ar" ? "en" : "ar");
      render();
    });
    window.addEventListener("hashchange", render);
    R.applyLang();
    render();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
