/* rasad web UI: DOM helpers. Every piece of data is inserted as text (textContent, text nodes, attribute
   values); no HTML string built from data is ever parsed. Links only go to this page's routes, this
   server's API, or http(s) addresses. */
"use strict";
(function () {
  const R = (window.Rasad = window.Rasad || {});
  const SVG_NS = "http://www.w3.org/2000/svg";
  const SAFE_URL = /^https?:\/\/[^\s<>"']+$/i;

  /** An href that cannot run script: a route (#/…), an API path (/api/…), or an http(s) URL; else "#". */
  R.safeHref = function (value) {
    const text = String(value == null ? "" : value).trim();
    if (text.startsWith("#/") || text.startsWith("/api/")) return text;
    if (SAFE_URL.test(text)) return text;
    return "#";
  };

  function setAttrs(node, attrs) {
    for (const name of Object.keys(attrs || {})) {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) continue;
      if (/^on/i.test(name) || name === "src" || name === "srcdoc" || name === "style") {
        throw new Error("refusing attribute " + name);
      }
      if (name === "class") node.setAttribute("class", String(value));
      else if (name === "text") node.textContent = String(value);
      else if (name === "href" || name === "xlink:href") node.setAttribute("href", R.safeHref(value));
      else node.setAttribute(name, value === true ? "" : String(value));
    }
  }

  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) append(node, child);
      else if (child instanceof Node) node.appendChild(child);
      else node.appendChild(document.createTextNode(String(child)));
    }
  }

  /** R.el("a", {href: "#/x", class: "y"}, "text", otherNode) — children as text nodes or nodes. */
  R.el = function (tag, attrs) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, Array.prototype.slice.call(arguments, 2));
    return node;
  };

  R.svg = function (tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    append(node, Array.prototype.slice.call(arguments, 2));
    return node;
  };

  R.on = function (node, type, handler) { node.addEventListener(type, handler); return node; };

  R.clear = function (node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  };

  /** Text that may be Arabic or Latin: its own direction, so mixed lines read right. */
  R.auto = function (tag, text, cls) {
    return R.el(tag, {dir: "auto", class: cls || null}, text == null ? "" : text);
  };

  /** The entity's name in the interface language (the other script when that one is missing). */
  R.name = function (ref) {
    if (!ref) return "";
    const en = ref.name_en || "", ar = ref.name_ar || "";
    return (R.lang === "ar" ? ar || en : en || ar) || ref.id || "";
  };

  /** A link to an entity page, coloured by its type. */
  R.linkEntities = true;  // the one-file report has no entity pages: names are plain text there
  R.entityLink = function (ref) {
    if (!ref) return null;
    if (!R.linkEntities) {
      return R.el("span", {class: "entity-link type-" + (ref.type || "x"), dir: "auto", "data-entity": ref.id}, R.name(ref));
    }
    return R.el("a", {href: "#/entity/" + encodeURIComponent(ref.id), class: "entity-link type-" + (ref.type || "x"),
                      dir: "auto", "data-entity": ref.id}, R.name(ref));
  };

  R.fmtNumber = function (n) {
    return new Intl.NumberFormat(R.lang === "ar" ? "ar" : "en").format(n);
  };

  /** A table: columns [{key, label, cell(row) -> node|text}], rows. */
  R.table = function (columns, rows, cls) {
    const head = R.el("tr", null, columns.map(function (c) { return R.el("th", {scope: "col"}, R.t(c.label)); }));
    const body = rows.map(function (row) {
      return R.el("tr", null, columns.map(function (c) {
        const value = c.cell ? c.cell(row) : row[c.key];
        return R.el("td", {class: c.cls || null}, value === null || value === undefined ? "" : value);
      }));
    });
    return R.el("table", {class: "table " + (cls || "")}, R.el("thead", null, head), R.el("tbody", null, body));
  };

  // Colours: affiliation blocs and ACLED event types (colour-blind-aware where it matters most).
  R.BLOC_COLOURS = {
    iran: "#2e7d32", syria_gov: "#c62828", pmf: "#7b1fa2", sdf: "#f9a825", kurdish: "#ef6c00",
    us_coalition: "#1565c0", iraq_gov: "#00838f", isis: "#212121", al_qaeda: "#4e342e", hts: "#6d4c41",
    israel: "#0288d1", russia: "#ad1457", turkey: "#d84315", sna: "#8d6e63", rebels: "#9e9d24",
    jordan: "#4527a0", lebanon_gov: "#00695c", un: "#78909c", other: "#9e9e9e",
  };
  R.NO_BLOC = "#b0bec5";
  R.blocColour = function (bloc) {
    return Object.prototype.hasOwnProperty.call(R.BLOC_COLOURS, bloc) ? R.BLOC_COLOURS[bloc] : R.NO_BLOC;
  };
  R.TYPE_COLOURS = {
    "Battles": "#d32f2f", "Explosions/Remote violence": "#f57c00", "Violence against civilians": "#6a1b9a",
    "Protests": "#1976d2", "Riots": "#5d4037", "Strategic developments": "#00897b",
  };
  R.typeColour = function (type) {
    return Object.prototype.hasOwnProperty.call(R.TYPE_COLOURS, type) ? R.TYPE_COLOURS[type] : "#546e7a";
  };
  R.PREDICATE_DASH = {backed_by: null, allied_with: "1 3", opposes: "10 5", leads: "7 2 1.5 2 1.5 2", part_of: "4 2",
                      member_of: "2 1"};

  /** A source as shown: an outlet's name, or (for an article without one) a link to the article. */
  R.sourceNode = function (source) {
    const text = String(source == null ? "" : source);
    if (/^[0-9a-f]{64}$/.test(text)) {
      return R.linkEntities ? R.el("a", {href: "#/article/" + text, class: "source-article"}, "#" + text.slice(0, 8))
                            : R.el("span", {class: "source-article"}, "#" + text.slice(0, 8));
    }
    return R.auto("span", text, "source");
  };
  R.sourceList = function (sources) {
    const out = [];
    (sources || []).forEach(function (s, i) { if (i) out.push(", "); out.push(R.sourceNode(s)); });
    return out;
  };
})();
