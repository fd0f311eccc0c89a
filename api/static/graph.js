// policykg graph views. Draws the data embedded in the page (the same as the page's .json twin)
// with cytoscape.js, laid out top-down (lineage) or left to right (responsibility) by dagre.
// When the layout has run, window.policykg.cy is the graph and <body data-graph="ready"> is set.
(function () {
  "use strict";

  var LEVEL_COLOURS = {national: "#b03a2e", provincial: "#d35400", prefectural: "#1e8449",
                       county: "#2874a6", township: "#7d3c98", unknown: "#7f8c8d"};
  var FONT = 'system-ui, "Noto Sans CJK SC", "PingFang SC", "WenQuanYi Micro Hei", sans-serif';

  function viewData() {
    return JSON.parse(document.getElementById("view-data").textContent);
  }

  function lang() {
    return document.documentElement.lang === "en" ? "en" : "zh";
  }

  function draw(container, elements, style, layout) {
    var cy = cytoscape({container: container, elements: elements, style: style,
                        minZoom: 0.2, maxZoom: 3});
    window.policykg = {cy: cy};
    cy.on("tap", "node", function (event) {
      var view = event.target.data("view");
      if (view) { window.location.href = view; }
    });
    cy.on("mouseover", "node", function () { container.style.cursor = "pointer"; });
    cy.on("mouseout", "node", function () { container.style.cursor = ""; });
    var run = cy.layout(layout);
    run.one("layoutstop", function () {
      cy.fit(undefined, 24);
      document.body.dataset.graph = "ready";
    });
    run.run();
    return cy;
  }

  function lineage(container, data) {
    var level = {};
    var elements = data.nodes.map(function (n) {
      level[n.id] = parseInt(n.level, 10);
      return {group: "nodes", data: {id: n.id, label: n.title, level_key: n.level_key, in_corpus: n.in_corpus,
                                     role: n.role, view: n.view}};
    });
    var names = JSON.parse(container.dataset.relations);
    data.edges.forEach(function (e) {
      // as many ranks between parent and child as levels between them: 纲要 → province → city → district
      var gap = level[e.target] - level[e.source];
      elements.push({group: "edges", data: {id: e.id, source: e.source, target: e.target, relation: e.relation,
                                            label: names[e.relation] || e.relation, minLen: gap > 0 ? gap : 1}});
    });
    var style = [
      {selector: "node", style: {"shape": "round-rectangle", "width": 190, "height": 58, "label": "data(label)",
        "text-wrap": "wrap", "text-overflow-wrap": "anywhere", "text-max-width": 176, "text-valign": "center", "font-size": 13, "font-family": FONT,
        "color": "#fff", "background-color": LEVEL_COLOURS.unknown, "border-width": 1, "border-color": "#333"}},
      {selector: "node[!in_corpus]", style: {"border-style": "dashed", "border-width": 2, "background-opacity": 0.78}},
      {selector: "node[role = 'self']", style: {"border-width": 4, "border-color": "#111", "font-weight": "bold"}},
      {selector: "edge", style: {"width": 2, "curve-style": "bezier", "line-color": "#555", "source-arrow-shape": "triangle",
        "source-arrow-color": "#555", "label": "data(label)", "font-size": 11, "font-family": FONT, "color": "#333",
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 2}},
      {selector: "edge[relation = 'implements']", style: {"line-style": "dashed", "line-color": "#1f618d",
        "source-arrow-color": "#1f618d"}}
    ];
    Object.keys(LEVEL_COLOURS).forEach(function (key) {
      style.splice(1, 0, {selector: "node[level_key = '" + key + "']", style: {"background-color": LEVEL_COLOURS[key]}});
    });
    return draw(container, elements, style, {name: "dagre", rankDir: "TB", nodeSep: 30, rankSep: 70,
                                              minLen: function (edge) { return edge.data("minLen"); }});
  }

  function responsibility(container, data) {
    var names = data.roles || {};
    var l = lang();
    var measures = data.nodes.filter(function (n) { return n.kind === "measure"; }).length;
    var bodies = data.nodes.length - measures;
    container.style.height = Math.max(480, Math.min(4000, 46 * Math.max(measures, bodies))) + "px";
    var elements = data.nodes.map(function (n) {
      return {group: "nodes", data: {id: n.id, label: (l === "en" && n.label_en) || n.label, kind: n.kind, focus: n.focus, view: n.view}};
    });
    data.edges.forEach(function (e) {
      var label = e.kind === "implements" ? container.dataset.implements : (names[e.role] ? names[e.role][l] : e.role);
      elements.push({group: "edges", data: {id: e.id, source: e.source, target: e.target, kind: e.kind,
                                            role: e.role || "", label: label}});
    });
    var style = [
      {selector: "node", style: {"label": "data(label)", "text-wrap": "wrap", "text-overflow-wrap": "anywhere", "text-max-width": 200, "font-size": 12,
        "font-family": FONT, "text-valign": "center", "color": "#222", "width": 214, "height": 46,
        "shape": "round-rectangle", "background-color": "#fdebd0", "border-width": 1, "border-color": "#a04000"}},
      {selector: "node[kind = 'collective']", style: {"background-color": "#eaf2f8", "border-color": "#1f618d",
        "border-style": "dashed"}},
      {selector: "node[kind = 'measure']", style: {"shape": "rectangle", "background-color": "#f4f6f6",
        "border-color": "#566573", "width": 240}},
      {selector: "node[?focus]", style: {"border-width": 4, "border-color": "#111", "font-weight": "bold"}},
      {selector: "edge", style: {"width": 2, "curve-style": "bezier", "line-color": "#7f8c8d", "target-arrow-shape": "triangle",
        "target-arrow-color": "#7f8c8d", "label": "data(label)", "font-size": 10, "font-family": FONT, "color": "#333",
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1}},
      {selector: "edge[role = 'lead'], edge[role = 'joint-lead']", style: {"width": 4, "line-color": "#c0392b",
        "target-arrow-color": "#c0392b"}},
      {selector: "edge[role = 'responsible']", style: {"width": 2.5, "line-color": "#2874a6", "target-arrow-color": "#2874a6"}},
      {selector: "edge[role = 'cooperating'], edge[role = 'assisting'], edge[role = 'participating']",
        style: {"line-style": "dashed"}},
      {selector: "edge[role = 'guiding']", style: {"line-style": "dotted", "line-color": "#7d3c98", "target-arrow-color": "#7d3c98"}},
      {selector: "edge[kind = 'implements']", style: {"line-style": "dotted", "line-color": "#117a65",
        "target-arrow-color": "#117a65"}}
    ];
    return draw(container, elements, style, {name: "dagre", rankDir: "LR", nodeSep: 14, rankSep: 120});
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-view]");
    if (!container) { return; }
    var data = viewData();
    if (!data.ok || !data.nodes || !data.nodes.length) { return; }
    ({lineage: lineage, responsibility: responsibility})[container.dataset.view](container, data);
  });
})();
