/* rasad one-file report: draws the embedded data (map, timeline, network, top tables) with the web UI's
   own pieces. No request leaves the page: the data is in <script type="application/json" id="rasad-data">. */
"use strict";
(function () {
  const R = (window.Rasad = window.Rasad || {});
  R.linkEntities = false;
  const data = JSON.parse(document.getElementById("rasad-data").textContent);
  const root = document.getElementById("report");
  const state = {from: "", to: ""};
  let made = null;

  function inRange(ev) {
    if (!state.from && !state.to) return true;
    const day = (ev.date || "").slice(0, 10);
    if (!day) return false;
    return (!state.from || day >= state.from) && (!state.to || day <= state.to);
  }

  function eventsTable(events) {
    const shown = events.slice(0, 300);
    const pair = function (p) { return p ? (R.lang === "ar" ? p[1] || p[0] : p[0] || p[1]) || "" : ""; };
    return R.el("div", null, R.table([
      {label: "col.date", cell: function (e) { return e.date || ""; }},
      {label: "ev.type", cell: function (e) { return [R.swatch(R.typeColour(e.type)), R.term(e.type)]; }},
      {label: "ev.place", cell: function (e) { return R.auto("span", pair(e.place)); }},
      {label: "ev.actors", cell: function (e) {
        return R.auto("span", [pair(e.actor1), pair(e.actor2)].filter(Boolean).join(" " + R.t("ev.vs") + " "));
      }},
      {label: "col.sources", cls: "num", cell: function (e) { return String(e.n); }},
    ], shown, "report-events"), events.length > shown.length ? R.el("p", {class: "muted"}, "+" + (events.length - shown.length)) : null);
  }

  function timelineSection() {
    const events = data.events.filter(inRange);
    const from = R.el("input", {type: "date", id: "report-from", value: state.from});
    const to = R.el("input", {type: "date", id: "report-to", value: state.to});
    const apply = R.el("button", {type: "submit", id: "report-apply"}, R.t("filter.apply"));
    const reset = R.el("button", {type: "button", class: "secondary", id: "report-reset"}, R.t("filter.reset"));
    const form = R.el("form", {class: "range"},
      R.el("label", null, R.t("filter.from"), from), R.el("label", null, R.t("filter.to"), to), apply, reset);
    R.on(form, "submit", function (e) { e.preventDefault(); state.from = from.value; state.to = to.value; draw(); });
    R.on(reset, "click", function () { state.from = ""; state.to = ""; draw(); });
    const pick = function (start, end) { state.from = start; state.to = end; draw(); };
    return R.el("section", {id: "timeline"}, R.el("h2", null, R.t("nav.timeline")), form,
      R.el("p", {class: "summary", id: "report-count"}, R.t("timeline.summary", {n: R.fmtNumber(events.length)})),
      R.el("div", {class: "histogram-wrap"}, R.renderHistogram(R.binEvents(events), pick)),
      R.el("p", {class: "hint"}, R.t("timeline.hint")),
      eventsTable(events));
  }

  function networkSection() {
    const panel = R.el("div", {class: "node-panel", id: "node-panel"}, R.el("p", {class: "hint"}, R.t("network.select")));
    const names = new Map(data.network.nodes.map(function (n) { return [n.id, n]; }));
    const onSelect = function (node, links) {
      R.clear(panel);
      panel.appendChild(R.el("h3", null, R.name(node)));
      panel.appendChild(R.el("p", {dir: "rtl", lang: "ar", class: "arabic"}, node.name_ar || ""));
      panel.appendChild(R.el("p", null, R.term(node.bloc)));
      panel.appendChild(R.el("ul", {class: "node-links"}, links.map(function (l) {
        return R.el("li", null, R.entityLink(names.get(l.source)), " ", R.term(l.predicate), " ",
                    R.entityLink(names.get(l.target)), " (" + R.t("ev.corroboration", {n: l.corroboration}) + ")");
      })));
    };
    return R.el("section", {id: "network-section"}, R.el("h2", null, R.t("nav.network")),
      R.el("div", {class: "network-panel"},
        R.el("div", {class: "network-wrap", id: "network"}, R.renderNetwork(data.network, onSelect)),
        R.el("div", null, panel, R.networkLegend(data.network))));
  }

  function topSection() {
    const top = data.top;
    return R.el("section", {id: "tables"}, R.el("div", {class: "grid"},
      R.el("div", null, R.el("h2", null, R.t("report.top_actors")), R.table([
        {label: "col.name", cell: function (a) { return R.entityLink(a); }},
        {label: "entity.bloc", cell: function (a) { return [R.swatch(R.blocColour(a.bloc)), R.term(a.bloc)]; }},
        {label: "col.events", cls: "num", cell: function (a) { return String(a.events); }},
      ], top.actors)),
      R.el("div", null, R.el("h2", null, R.t("report.top_places")), R.table([
        {label: "col.name", cell: function (a) { return R.entityLink(a); }},
        {label: "col.events", cls: "num", cell: function (a) { return String(a.events); }},
      ], top.places)),
      R.el("div", null, R.el("h2", null, R.t("report.top_outlets")), R.table([
        {label: "col.outlet", cell: function (o) { return R.auto("span", o.outlet); }},
        {label: "col.articles", cls: "num", cell: function (o) { return String(o.articles); }},
      ], top.outlets)),
      R.el("div", null, R.el("h2", null, R.t("report.top_relations")), R.table([
        {label: "col.relation", cell: function (r) {
          return [R.entityLink(r.subject), " ", R.el("span", {class: "predicate"}, R.term(r.predicate)), " ", R.entityLink(r.object)];
        }},
        {label: "col.sources", cls: "num", cell: function (r) { return String(r.corroboration); }},
      ], top.relations))));
  }

  /** Left-to-right text kept whole inside a right-to-left line (Unicode isolates). */
  function isolate(text) { return "\u2066" + text + "\u2069"; }

  function generatedText() {
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(data.generated || "");
    return m ? m[1] + " " + m[2] + " UTC" : String(data.generated || "");
  }

  function draw() {
    if (made) { made.remove(); made = null; }
    R.clear(root);
    R.titleKey = "report.title";
    R.applyLang();
    if (data.title) document.title = data.title;
    const toggle = R.el("button", {type: "button", id: "lang-switch"}, R.t("lang.switch"));
    R.on(toggle, "click", function () { R.setLang(R.lang === "ar" ? "en" : "ar"); draw(); });
    const c = data.counts;
    root.appendChild(R.el("header", {class: "report-head"},
      R.el("div", null, R.el("h1", null, data.title || R.t("report.title")),
           R.el("p", {class: "muted"}, R.t("report.generated", {when: isolate(generatedText())}), " · ",
                R.t("report.counts", {articles: c.articles, events: c.events, relations: c.relations, entities: c.entities}))),
      toggle));
    const located = data.events.filter(function (e) { return e.lat !== null && inRange(e); });
    const mapNode = R.el("div", {class: "map", id: "map"});
    root.appendChild(R.el("section", {id: "map-section"}, R.el("h2", null, R.t("nav.map")),
      R.el("p", {class: "summary", id: "map-summary"},
           R.t("map.summary", {n: R.fmtNumber(data.events.filter(inRange).length), m: R.fmtNumber(located.length)})),
      mapNode, R.mapLegend()));
    root.appendChild(timelineSection());
    root.appendChild(networkSection());
    root.appendChild(topSection());
    made = R.createMap(mapNode, {boundaries: data.boundaries});
    made.setPresence(data.presence);
    made.setEvents(located);
    made.fit(located);
    root.dataset.ready = "1";
    R.markAfterPaint("rasad-report-rendered");
  }

  draw();
})();
