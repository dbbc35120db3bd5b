/* rasad web UI: the pieces both the served UI and the one-file report draw — map, timeline histogram,
   actor network, event cards and the article reader. They take plain data and build DOM with R.el /
   R.svg (text only). */
"use strict";
(function () {
  const R = (window.Rasad = window.Rasad || {});
  const SY_IQ_BOUNDS = [[29.0, 35.5], [37.6, 48.8]];
  const SVG_MARKER_LIMIT = 3000;  // more markers than this are drawn on a canvas

  // -- events: cards, evidence ------------------------------------------------------------------------

  function swatch(colour) {
    const node = R.el("span", {class: "swatch", "aria-hidden": "true"});
    node.style.backgroundColor = colour;  // CSSOM, not a style attribute: allowed by the CSP
    return node;
  }
  R.swatch = swatch;

  R.evidenceList = function (evidence) {
    return R.el("ul", {class: "evidence-list"}, (evidence || []).map(function (e) {
      const meta = [R.el("span", {class: "certainty certainty-" + e.certainty}, R.term(e.certainty))];
      if (e.attributed_to) meta.push(" · ", R.auto("span", R.t("evidence.by", {who: e.attributed_to})));
      if (e.outlet && e.outlet !== e.attributed_to) meta.push(" · ", R.auto("span", e.outlet));
      if (e.published) meta.push(" · ", R.el("span", null, e.published));
      meta.push(" · ", R.el("a", {href: "#/article/" + e.article_id + "?at=" + e.start, class: "evidence-open"},
                            R.t("evidence.open")));
      return R.el("li", null, R.el("blockquote", {dir: "rtl", lang: "ar", class: "arabic"}, e.text || ""),
                  R.el("div", {class: "meta"}, meta));
    }));
  };

  function actorsLine(ev) {
    const side = function (main, assoc) {
      const refs = [main].concat(assoc || []).filter(Boolean);
      const out = [];
      refs.forEach(function (ref, i) { if (i) out.push(", "); out.push(R.entityLink(ref)); });
      return out;
    };
    const parts = side(ev.actor1, ev.assoc_actor_1);
    if (ev.actor2 || (ev.assoc_actor_2 || []).length) parts.push(" " + R.t("ev.vs") + " ", side(ev.actor2, ev.assoc_actor_2));
    return parts;
  }

  R.eventCard = function (ev, opts) {
    const head = R.el("div", {class: "event-head"}, swatch(R.typeColour(ev.event_type)),
      R.el("span", {class: "event-date"}, ev.event_date || "?"), " · ",
      R.el("a", {href: "#/event/" + encodeURIComponent(ev.id), class: "event-type"}, R.term(ev.event_type)),
      " / ", R.el("span", {class: "event-sub"}, ev.sub_event_type || ""),
      ev.location ? [" · ", R.entityLink(ev.location)] : null);
    const facts = [R.el("span", {class: "corroboration"}, R.t("ev.corroboration", {n: ev.corroboration})),
                   ": ", R.sourceList(ev.sources)];
    if (ev.fatalities !== null && ev.fatalities !== undefined) facts.push(" · ", R.t("ev.fatalities") + ": " + ev.fatalities);
    if (ev.civilian_targeting) facts.push(" · ", R.t("ev.civilians"));
    if ((ev.tags || []).length) facts.push(" · ", R.el("span", {class: "tags"}, ev.tags.join(", ")));
    const evidence = ev.evidence || [];
    const details = R.el("details", {open: opts && opts.open ? true : null},
      R.el("summary", null, R.t("ev.evidence") + " (" + evidence.length + ")"), R.evidenceList(evidence));
    return R.el("article", {class: "event-card", "data-id": ev.id, "data-date": ev.event_date || ""}, head,
      R.el("div", {class: "event-actors"}, actorsLine(ev)),
      R.el("div", {class: "event-facts"}, facts),
      ev.notes ? R.el("p", {class: "event-notes", lang: "en", dir: "ltr"}, ev.notes) : null,
      details);
  };

  R.relationRow = function (rel) {
    return {rel: rel, cells: [R.entityLink(rel.subject), R.term(rel.predicate), R.entityLink(rel.object)]};
  };

  // -- map ------------------------------------------------------------------------------------------------

  function displayName(pair) {
    if (!pair) return "";
    return (R.lang === "ar" ? pair[1] || pair[0] : pair[0] || pair[1]) || "";
  }

  function locationPopup(group) {
    const events = group.events;
    const shown = events.slice(0, 15);
    return R.el("div", {class: "popup"},
      R.auto("strong", displayName(events[0].place)),
      R.el("div", {class: "popup-count"}, R.t("timeline.summary", {n: events.length})),
      R.el("ul", null, shown.map(function (ev) {
        const actors = [displayName(ev.actor1), displayName(ev.actor2)].filter(Boolean).join(" " + R.t("ev.vs") + " ");
        return R.el("li", null, swatch(R.typeColour(ev.type)), (ev.date || "?") + " · ",
          R.linkEntities ? R.el("a", {href: "#/event/" + encodeURIComponent(ev.id)}, R.term(ev.type))
                         : R.el("span", null, R.term(ev.type)),
          actors ? [" · ", R.auto("span", actors)] : null);
      })),
      events.length > shown.length ? R.el("div", null, "+" + (events.length - shown.length)) : null);
  }

  function presencePopup(entry) {
    return R.el("div", {class: "popup"}, R.el("strong", null, R.entityLink(entry.place)),
      R.el("ul", null, entry.actors.map(function (a) {
        return R.el("li", null, swatch(R.blocColour(a.bloc)), R.entityLink(a), " · ", R.term(a.predicate),
                    " · ", R.t("ev.corroboration", {n: a.corroboration}));
      })));
  }

  function groupByPlace(events) {
    const groups = new Map();
    for (const ev of events) {
      const key = ev.lat + "," + ev.lon;
      let group = groups.get(key);
      if (!group) { group = {lat: ev.lat, lon: ev.lon, events: [], types: {}}; groups.set(key, group); }
      group.events.push(ev);
      group.types[ev.type] = (group.types[ev.type] || 0) + 1;
    }
    return Array.from(groups.values());
  }

  function mainType(group) {
    let best = null, n = -1;
    for (const type of Object.keys(group.types)) if (group.types[type] > n) { best = type; n = group.types[type]; }
    return best;
  }

  /** A Leaflet map with the offline boundaries; returns {map, setEvents(events), setPresence(entries)}. */
  R.createMap = function (container, options) {
    const opts = options || {};
    let tilesOn = false;  // with online tiles shown, the boundaries are outlines only
    const boundaryStyle = function (f) {
      if (f.properties.kind === "admin1") return {color: "#8d7b5a", weight: 0.8, dashArray: "3 3", fill: false};
      const home = f.properties.iso === "SY" || f.properties.iso === "IQ";
      return {color: "#78909c", weight: home ? 1.6 : 0.8, fillColor: home ? "#fffdf5" : "#eef1f3",
              fillOpacity: tilesOn ? 0 : 1};
    };
    container.setAttribute("dir", "ltr");
    const map = L.map(container, {center: [34.8, 40.5], zoom: 6, minZoom: 3, maxZoom: 14, zoomSnap: 0.5});
    map.attributionControl.setPrefix("Leaflet");
    map.createPane("boundaries").style.zIndex = 250;  // under the overlay pane (400), over tiles (200)
    map.createPane("presence").style.zIndex = 390;
    const boundaries = L.geoJSON(opts.boundaries || {type: "FeatureCollection", features: []}, {
      attribution: "Boundaries: Natural Earth", pane: "boundaries",
      onEachFeature: function (f, layer) {
        const props = f.properties;
        const name = props.kind === "country" ? (R.lang === "ar" ? props.name_ar || props.name : props.name)
                                              : (R.lang === "ar" ? null : props.name);
        if (name) {
          layer.bindTooltip(R.el("span", null, name), {permanent: true, direction: "center",
                                                        className: "map-label map-label-" + props.kind});
        }
      },
      style: boundaryStyle,
      interactive: false,
    }).addTo(map);
    const overlays = {};
    overlays[R.t("map.boundaries")] = boundaries;
    let tiles = null;
    if (opts.tiles) {
      // Leaflet writes attributions as HTML: the operator's text goes in escaped, shown as typed.
      const escaped = String(opts.tilesAttribution || "").replace(/[&<>"']/g, function (c) {
        return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
      });
      tiles = L.tileLayer(opts.tiles, {attribution: escaped, maxZoom: 18});
      overlays[R.t("map.tiles")] = tiles;
    }
    const eventsLayer = L.featureGroup().addTo(map);
    const presenceLayer = L.featureGroup().addTo(map);
    overlays[R.t("map.events")] = eventsLayer;
    overlays[R.t("map.presence")] = presenceLayer;
    L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
    if (tiles) {
      map.on("overlayadd overlayremove", function (e) {
        if (e.layer === tiles) { tilesOn = e.type === "overlayadd"; boundaries.setStyle(boundaryStyle); }
      });
    }

    function setEvents(events) {
      eventsLayer.clearLayers();
      const groups = groupByPlace(events);
      const renderer = events.length > SVG_MARKER_LIMIT ? L.canvas({padding: 0.2}) : L.svg();
      for (const group of groups) {
        const marker = L.circleMarker([group.lat, group.lon], {
          renderer: renderer, radius: Math.min(18, 4 + 2.2 * Math.sqrt(group.events.length)), color: "#ffffff",
          weight: 1.2, fillColor: R.typeColour(mainType(group)), fillOpacity: 0.85, className: "rasad-event",
        });
        marker.bindPopup(function () { return locationPopup(group); }, {maxWidth: 360});
        eventsLayer.addLayer(marker);
      }
      return groups.length;
    }

    function setPresence(entries) {
      presenceLayer.clearLayers();
      for (const entry of entries) {
        const first = entry.actors[0] || {};
        const ring = L.circleMarker([entry.lat, entry.lon], {
          radius: 13, color: R.blocColour(first.bloc), weight: 3, dashArray: "4 3", fill: true, fillOpacity: 0,
          className: "rasad-presence", pane: "presence",
        });
        ring.bindPopup(function () { return presencePopup(entry); }, {maxWidth: 360});
        presenceLayer.addLayer(ring);
      }
    }

    function fit(events) {
      const points = events.map(function (e) { return [e.lat, e.lon]; });
      if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.25), {maxZoom: 9, animate: false});
      else map.fitBounds(SY_IQ_BOUNDS, {animate: false});
    }

    /** Stop animations first: removing a map in the middle of one throws inside Leaflet. */
    function remove() {
      map.stop();
      map.closePopup();
      map.remove();
    }

    return {map: map, setEvents: setEvents, setPresence: setPresence, fit: fit, remove: remove};
  };

  /** Set a performance mark once the next frame has been painted (Leaflet draws canvases in a frame callback). */
  R.markAfterPaint = function (name) {
    window.requestAnimationFrame(function () { window.setTimeout(function () { performance.mark(name); }, 0); });
  };

  R.mapLegend = function () {
    return R.el("div", {class: "legend"},
      R.el("ul", null, Object.keys(R.TYPE_COLOURS).map(function (type) {
        return R.el("li", null, swatch(R.TYPE_COLOURS[type]), R.term(type));
      })),
      R.el("p", {class: "hint"}, R.t("map.presence_note")));
  };

  // -- timeline -------------------------------------------------------------------------------------------

  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function parseDay(s) { return new Date(s + "T00:00:00Z"); }
  function addDays(s, n) { const d = parseDay(s); d.setUTCDate(d.getUTCDate() + n); return isoDay(d); }

  function binStart(day, unit) {
    const d = parseDay(day);
    if (unit === "week") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    if (unit === "month") d.setUTCDate(1);
    return isoDay(d);
  }

  R.binEnd = function (start, unit) {
    if (unit === "week") return addDays(start, 6);
    if (unit === "month") {
      const d = parseDay(start);
      return isoDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)));
    }
    return start;
  };

  /** Events ({date, type}) per day, week or month — the same rule as the API's /api/timeline. */
  R.binEvents = function (events) {
    const dated = events.filter(function (e) { return /^\d{4}-\d{2}-\d{2}/.test(e.date || ""); });
    if (!dated.length) return {unit: "day", bins: [], undated: events.length};
    let first = dated[0].date.slice(0, 10), last = first;
    for (const e of dated) { const d = e.date.slice(0, 10); if (d < first) first = d; if (d > last) last = d; }
    const span = (parseDay(last) - parseDay(first)) / 86400000;
    const unit = span <= 120 ? "day" : span <= 3 * 366 ? "week" : "month";
    const bins = new Map();
    for (const e of dated) {
      const start = binStart(e.date.slice(0, 10), unit);
      let bin = bins.get(start);
      if (!bin) { bin = {start: start, count: 0, by_type: {}}; bins.set(start, bin); }
      bin.count += 1;
      bin.by_type[e.type] = (bin.by_type[e.type] || 0) + 1;
    }
    const sorted = Array.from(bins.values()).sort(function (a, b) { return a.start < b.start ? -1 : 1; });
    return {unit: unit, first: first, last: last, bins: sorted, undated: events.length - dated.length};
  };

  /** An SVG histogram of timeline bins, stacked by event type; onPick(start, end) when a bar is clicked. */
  R.renderHistogram = function (timeline, onPick) {
    const W = 1000, H = 170, left = 36, bottom = 22, top = 8;
    const bins = timeline.bins || [];
    const svg = R.svg("svg", {viewBox: "0 0 " + W + " " + H, class: "histogram", role: "img", dir: "ltr",
                              preserveAspectRatio: "none"});
    if (!bins.length) return svg;
    const first = parseDay(bins[0].start), last = parseDay(R.binEnd(bins[bins.length - 1].start, timeline.unit));
    const spanDays = Math.max(1, (last - first) / 86400000 + 1);
    const plotW = W - left - 6, plotH = H - top - bottom;
    const max = Math.max.apply(null, bins.map(function (b) { return b.count; }));
    const x = function (day) { return left + plotW * ((parseDay(day) - first) / 86400000) / spanDays; };
    svg.appendChild(R.svg("line", {x1: left, x2: W - 6, y1: top + plotH, y2: top + plotH, class: "axis"}));
    svg.appendChild(R.svg("text", {x: left - 4, y: top + 10, class: "tick", "text-anchor": "end"}, String(max)));
    for (const bin of bins) {
      const end = R.binEnd(bin.start, timeline.unit);
      const x0 = x(bin.start), width = Math.max(2, x(addDays(end, 1)) - x0 - 1);
      const group = R.svg("g", {class: "bin", "data-start": bin.start, "data-end": end, tabindex: "0"},
                          R.svg("title", null, bin.start + (end !== bin.start ? " – " + end : "") + ": " + bin.count));
      let y = top + plotH;
      for (const type of Object.keys(bin.by_type).sort()) {
        const h = plotH * bin.by_type[type] / max;
        y -= h;
        group.appendChild(R.svg("rect", {x: x0, y: y, width: width, height: Math.max(h, 0.5), fill: R.typeColour(type)}));
      }
      if (onPick) {
        R.on(group, "click", function () { onPick(bin.start, end); });
        R.on(group, "keydown", function (e) { if (e.key === "Enter") onPick(bin.start, end); });
      }
      svg.appendChild(group);
    }
    const ticks = Math.min(6, Math.max(2, bins.length));
    for (let i = 0; i < ticks; i++) {
      const day = isoDay(new Date(first.getTime() + (last - first) * i / (ticks - 1)));
      const label = timeline.unit === "month" ? day.slice(0, 7) : day;
      svg.appendChild(R.svg("line", {x1: x(day), x2: x(day), y1: top + plotH, y2: top + plotH + 4, class: "axis"}));
      svg.appendChild(R.svg("text", {x: x(day), y: H - 5, class: "tick",
                                     "text-anchor": i === 0 ? "start" : i === ticks - 1 ? "end" : "middle"}, label));
    }
    return svg;
  };

  // -- network --------------------------------------------------------------------------------------------

  /** Force-directed layout (Fruchterman–Reingold with gravity), deterministic: nodes start on a circle in
      id order; the result is scaled to fill width × height less a margin. */
  R.layoutGraph = function (nodes, links, width, height) {
    const n = nodes.length;
    const index = new Map(nodes.map(function (node, i) { return [node.id, i]; }));
    const px = new Float64Array(n), py = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      px[i] = 100 * Math.cos(2 * Math.PI * i / Math.max(1, n));
      py[i] = 100 * Math.sin(2 * Math.PI * i / Math.max(1, n));
    }
    const edges = links.map(function (l) { return [index.get(l.source), index.get(l.target)]; })
      .filter(function (e) { return e[0] !== undefined && e[1] !== undefined && e[0] !== e[1]; });
    const k = 30;  // ideal edge length in layout units; the final drawing is rescaled anyway
    const gravity = 0.06;
    const iterations = n > 400 ? 120 : 400;
    let temperature = 60;
    const dx = new Float64Array(n), dy = new Float64Array(n);
    for (let it = 0; it < iterations; it++) {
      dx.fill(0); dy.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let ddx = px[i] - px[j], ddy = py[i] - py[j];
          let dist2 = ddx * ddx + ddy * ddy;
          if (dist2 < 0.01) { ddx = 0.1 * (i - j); ddy = 0.1; dist2 = ddx * ddx + ddy * ddy; }
          const force = k * k / dist2;
          dx[i] += ddx * force; dy[i] += ddy * force; dx[j] -= ddx * force; dy[j] -= ddy * force;
        }
      }
      for (const e of edges) {
        const ddx = px[e[0]] - px[e[1]], ddy = py[e[0]] - py[e[1]];
        const dist = Math.sqrt(ddx * ddx + ddy * ddy) || 0.01;
        const force = dist / k;
        dx[e[0]] -= ddx * force; dy[e[0]] -= ddy * force; dx[e[1]] += ddx * force; dy[e[1]] += ddy * force;
      }
      for (let i = 0; i < n; i++) {
        dx[i] -= px[i] * gravity * k / 10; dy[i] -= py[i] * gravity * k / 10;
        const len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) || 1;
        px[i] += dx[i] / len * Math.min(len, temperature);
        py[i] += dy[i] / len * Math.min(len, temperature);
      }
      temperature = Math.max(0.5, temperature * 0.985);
    }
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, px[i]); maxX = Math.max(maxX, px[i]); minY = Math.min(minY, py[i]); maxY = Math.max(maxY, py[i]);
    }
    const margin = 40, spanX = Math.max(1, maxX - minX), spanY = Math.max(1, maxY - minY);
    const out = nodes.map(function (node, i) {
      return {x: margin + (px[i] - minX) / spanX * (width - 2 * margin - 110),
              y: margin + (py[i] - minY) / spanY * (height - 2 * margin)};
    });
    separate(out, width, height);
    return out;
  };

  /** Push apart drawn nodes closer than a label's height (wider apart sideways, where labels run). */
  function separate(points, width, height) {
    const minDy = 22, minDx = 120;
    for (let round = 0; round < 60; round++) {
      let moved = false;
      for (let i = 0; i < points.length; i++) {
        for (let j = i + 1; j < points.length; j++) {
          const a = points[i], b = points[j];
          const dx = b.x - a.x, dy = b.y - a.y;
          if (Math.abs(dx) >= minDx || Math.abs(dy) >= minDy) continue;
          const push = (minDy - Math.abs(dy)) / 2 + 0.5;
          const dir = dy > 0 || (dy === 0 && j > i) ? 1 : -1;
          a.y -= dir * push; b.y += dir * push;
          moved = true;
        }
      }
      for (const p of points) { p.y = Math.max(15, Math.min(height - 15, p.y)); p.x = Math.max(15, Math.min(width - 15, p.x)); }
      if (!moved) break;
    }
  }

  /** The actor network as SVG: nodes coloured by bloc, edges by the subject's bloc, dashed by predicate. */
  R.renderNetwork = function (graph, onSelect) {
    const W = 1000, H = 700;
    const nodes = graph.nodes || [], links = graph.links || [];
    const pos = R.layoutGraph(nodes, links, W, H);
    const where = new Map(nodes.map(function (n, i) { return [n.id, pos[i]]; }));
    const byId = new Map(nodes.map(function (n) { return [n.id, n]; }));
    const svg = R.svg("svg", {viewBox: "0 0 " + W + " " + H, class: "network", role: "img", dir: "ltr"});
    const defs = R.svg("defs");
    const colours = new Set(nodes.map(function (n) { return R.blocColour(n.bloc); }));
    const markerId = new Map();
    Array.from(colours).forEach(function (colour, i) {
      const id = "arrow-" + i;
      markerId.set(colour, id);
      defs.appendChild(R.svg("marker", {id: id, viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7",
                                        markerHeight: "7", orient: "auto-start-reverse"},
                             R.svg("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: colour})));
    });
    svg.appendChild(defs);
    const viewport = R.svg("g", {class: "viewport"});
    svg.appendChild(viewport);
    const edgeLayer = R.svg("g", {class: "edges"}), nodeLayer = R.svg("g", {class: "nodes"});
    viewport.appendChild(edgeLayer); viewport.appendChild(nodeLayer);
    const radius = function (n) { return 6 + Math.min(10, Math.sqrt(n.mentions || 0)); };
    for (const link of links) {
      const a = where.get(link.source), b = where.get(link.target);
      if (!a || !b) continue;
      const colour = R.blocColour((byId.get(link.source) || {}).bloc);
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1, r = radius(byId.get(link.target)) + 2;
      const line = R.svg("line", {x1: a.x, y1: a.y, x2: b.x - (b.x - a.x) * r / len, y2: b.y - (b.y - a.y) * r / len,
        stroke: colour, "stroke-width": 1 + Math.min(3, link.corroboration || 1) * 0.7,
        "stroke-dasharray": R.PREDICATE_DASH[link.predicate] || null,
        "marker-end": "url(#" + markerId.get(colour) + ")", class: "edge predicate-" + link.predicate,
        "data-source": link.source, "data-target": link.target},
        R.svg("title", null, R.name(byId.get(link.source)) + " — " + R.term(link.predicate) + " — " +
              R.name(byId.get(link.target)) + " (" + R.t("ev.corroboration", {n: link.corroboration}) + ")"));
      edgeLayer.appendChild(line);
    }
    for (const node of nodes) {
      const p = where.get(node.id);
      const g = R.svg("g", {class: "node type-" + node.type, "data-id": node.id, tabindex: "0",
                            transform: "translate(" + p.x.toFixed(1) + "," + p.y.toFixed(1) + ")"},
        R.svg("circle", {r: radius(node), fill: R.blocColour(node.bloc)}),
        R.svg("text", {x: radius(node) + 3, y: 4, class: "label"}, R.name(node)),
        R.svg("title", null, R.name(node) + " · " + R.term(node.bloc)));
      const pick = function () {
        nodeLayer.querySelectorAll(".node.selected").forEach(function (x) { x.classList.remove("selected"); });
        g.classList.add("selected");
        edgeLayer.querySelectorAll(".edge").forEach(function (edge) {
          const on = edge.getAttribute("data-source") === node.id || edge.getAttribute("data-target") === node.id;
          edge.classList.toggle("dim", !on);
        });
        if (onSelect) onSelect(node, links.filter(function (l) { return l.source === node.id || l.target === node.id; }));
      };
      R.on(g, "click", pick);
      R.on(g, "keydown", function (e) { if (e.key === "Enter") pick(); });
      nodeLayer.appendChild(g);
    }
    enablePanZoom(svg, viewport);
    return svg;
  };

  function enablePanZoom(svg, viewport) {
    let scale = 1, tx = 0, ty = 0, drag = null;
    const apply = function () { viewport.setAttribute("transform", "translate(" + tx + "," + ty + ") scale(" + scale + ")"); };
    const toSvg = function (e) {
      const box = svg.getBoundingClientRect();
      const vb = svg.viewBox.baseVal;
      return [(e.clientX - box.left) * vb.width / box.width, (e.clientY - box.top) * vb.height / box.height];
    };
    R.on(svg, "wheel", function (e) {
      e.preventDefault();
      const [mx, my] = toSvg(e);
      const factor = e.deltaY < 0 ? 1.15 : 1 / 1.15;
      const next = Math.max(0.3, Math.min(6, scale * factor));
      tx = mx - (mx - tx) * next / scale; ty = my - (my - ty) * next / scale; scale = next;
      apply();
    });
    R.on(svg, "pointerdown", function (e) {
      if (e.target.closest && e.target.closest(".node")) return;
      drag = {start: toSvg(e), tx: tx, ty: ty};
    });
    R.on(svg, "pointermove", function (e) {
      if (!drag) return;
      const [mx, my] = toSvg(e);
      tx = drag.tx + mx - drag.start[0]; ty = drag.ty + my - drag.start[1];
      apply();
    });
    R.on(window, "pointerup", function () { drag = null; });
  }

  R.networkLegend = function (graph) {
    const blocs = Array.from(new Set((graph.nodes || []).map(function (n) { return n.bloc || ""; }))).sort();
    const predicates = graph.predicates || Object.keys(R.PREDICATE_DASH);
    return R.el("div", {class: "legend"},
      R.el("h3", null, R.t("network.blocs")),
      R.el("ul", {class: "legend-blocs"}, blocs.map(function (b) {
        return R.el("li", null, swatch(R.blocColour(b || null)), R.term(b || null));
      })),
      R.el("h3", null, R.t("network.edges")),
      R.el("ul", {class: "legend-edges"}, predicates.map(function (p) {
        const sample = R.svg("svg", {width: "36", height: "10", "aria-hidden": "true"},
          R.svg("line", {x1: "0", y1: "5", x2: "36", y2: "5", stroke: "#455a64", "stroke-width": "2",
                         "stroke-dasharray": R.PREDICATE_DASH[p] || null}));
        return R.el("li", null, sample, " ", R.term(p));
      })));
  };

  // -- article reader -------------------------------------------------------------------------------------

  function covering(spans, a, b) {
    for (const s of spans) if (s.start <= a && s.end >= b) return s;
    return null;
  }

  /** The article's clean text, paragraph by paragraph, mentions as links and evidence sentences marked. */
  R.readerBody = function (article, focus) {
    const text = article.text || "";
    const mentions = article.mentions || [], evidence = article.evidence || [];
    const root = R.el("div", {class: "reader arabic", dir: "rtl", lang: "ar"});
    for (const para of article.paragraphs || [[0, text.length]]) {
      const [ps, pe] = para;
      const cuts = new Set([ps, pe]);
      for (const s of mentions.concat(evidence)) {
        if (s.end <= ps || s.start >= pe) continue;
        cuts.add(Math.max(ps, s.start)); cuts.add(Math.min(pe, s.end));
      }
      const points = Array.from(cuts).sort(function (a, b) { return a - b; });
      const p = R.el("p");
      for (let i = 0; i + 1 < points.length; i++) {
        const a = points[i], b = points[i + 1];
        if (b <= a) continue;
        let node = document.createTextNode(text.slice(a, b));
        const m = covering(mentions, a, b);
        if (m && m.entity) {
          const link = R.el("a", {href: "#/entity/" + encodeURIComponent(m.entity.id),
                                  class: "mention type-" + (m.entity.type || "x"), title: R.name(m.entity),
                                  "data-entity": m.entity.id});
          link.appendChild(node);
          node = link;
        }
        const ev = covering(evidence, a, b);
        if (ev) {
          const mark = R.el("mark", {class: "evidence certainty-" + ev.certainty, title: ev.label + " · " +
                                     R.term(ev.certainty), "data-kind": ev.kind, "data-id": ev.id,
                                     "data-start": ev.start});
          if (focus !== null && focus !== undefined && Number(focus) === ev.start) mark.classList.add("focus");
          mark.appendChild(node);
          node = mark;
        }
        p.appendChild(node);
      }
      root.appendChild(p);
    }
    return root;
  };

  R.articleHeader = function (article) {
    const items = [];
    if (article.outlet) items.push([R.t("article.outlet") + ": ", R.auto("strong", article.outlet)]);
    if (article.published) items.push(R.t("article.published") + ": " + article.published);
    if (article.byline) items.push([R.t("article.byline") + ": ", R.auto("span", article.byline)]);
    const href = R.safeHref(article.url);
    if (href !== "#") items.push(R.el("a", {href: href, rel: "noopener noreferrer nofollow", target: "_blank"}, R.t("article.link")));
    if (article.story_id && R.linkEntities) {
      items.push(R.el("a", {href: "#/story/" + encodeURIComponent(article.story_id)}, R.t("article.story")));
    }
    const meta = [];
    items.forEach(function (item, i) { if (i) meta.push(" · "); meta.push(item); });
    return R.el("header", {class: "article-head"}, R.el("h1", {dir: "auto", class: "arabic article-title"},
                                                        article.title || article.id),
                R.el("div", {class: "meta"}, meta));
  };
})();
