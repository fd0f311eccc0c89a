// policykg graph views. Draws the data embedded in the page (the same as the page's .json twin)
// with cytoscape.js, laid out top-down (lineage) or left to right (responsibility) by dagre.
// Labels keep one size on screen whatever the size of the graph: the view starts at zoom 1, or
// fitted when the whole graph then shows with no label under READABLE px; labels that zooming out
// makes smaller than that are hidden (min-zoomed-font-size), and the user pans and zooms.
// A large responsibility view shows groups (agencies by kind, measures by task area) that open
// on a click. When a layout has run, window.policykg.cy is the graph, <body data-graph="ready">
// is set and <body data-layouts> counts the layouts run (a click on a group runs one more).
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

  var READABLE = 10;  // px on screen: no label is drawn smaller
  var WORDED_EDGES = 16;  // edges labelled in words (their relation or role), at most
  var PAD = 24;

  function smallestFont(cy) {
    var least = Infinity;
    cy.elements().forEach(function (ele) {
      var labelled = ele.style("label") || (ele.isEdge() && (ele.style("source-label") || ele.style("target-label")));
      if (labelled) { least = Math.min(least, parseFloat(ele.style("font-size"))); }
    });
    return least === Infinity ? 12 : least;
  }

  // The container as tall as the graph at zoom 1 (within limits), then the viewport: the whole
  // graph when it fits at a zoom that keeps every label readable (never above 1: a small graph
  // is not blown up), else zoom 1 around ``around`` (the focus), the rest a pan away.
  function place(cy, container, around) {
    var bb = cy.elements().boundingBox();
    var most = Math.max(480, Math.round(window.innerHeight * 0.8));
    container.style.height = Math.max(320, Math.min(most, Math.ceil(bb.h) + 2 * PAD)) + "px";
    cy.resize();
    var fit = Math.min((cy.width() - 2 * PAD) / Math.max(bb.w, 1), (cy.height() - 2 * PAD) / Math.max(bb.h, 1));
    var zoom = Math.min(1, fit);
    if (zoom * smallestFont(cy) >= READABLE) {
      cy.zoom(zoom);
      cy.center();
      return;
    }
    cy.zoom(1);
    if (around && around.length) {
      var box = around.boundingBox();
      // the focus in view, and the graph's first row or column at the edge when it can be
      cy.pan({x: Math.min(PAD - bb.x1, cy.width() / 2 - (box.x1 + box.x2) / 2),
              y: Math.min(PAD - bb.y1, cy.height() / 2 - (box.y1 + box.y2) / 2)});
    } else {
      cy.pan({x: PAD - bb.x1, y: PAD - bb.y1});
    }
  }

  function laidOut() {
    var body = document.body;
    body.dataset.layouts = String(parseInt(body.dataset.layouts || "0", 10) + 1);
    body.dataset.graph = "ready";
  }

  function draw(container, elements, style, layout, options) {
    var cy = cytoscape({container: container, elements: elements, style: style,
                        minZoom: 0.05, maxZoom: 3});
    window.policykg = {cy: cy};
    cy.on("tap", function (event) {
      var node = event.target;
      if (node === cy || !node.isNode()) { return; }
      if (options.tap && options.tap(node)) { return; }
      var view = node.data("view");
      if (view) { window.location.href = view; }
    });
    cy.on("mouseover", "node", function () { container.style.cursor = "pointer"; });
    cy.on("mouseout", "node", function () { container.style.cursor = ""; });
    var run = cy.layout(layout);
    run.promiseOn("layoutstop").then(function () {
      if (options.routed) { options.routed(cy); }
      place(cy, container, cy.nodes("[?focus]"));
      laidOut();
    });
    run.run();
    return cy;
  }

  // nodes a lineage view opens with, at most: a larger lineage shows its descendants in groups by
  // division (a province's, of the 纲要), closed until clicked
  var LINEAGE_BUDGET = {document: 30};

  function lineage(container, data) {
    var level = {};
    data.nodes.forEach(function (n) { level[n.id] = parseInt(n.level, 10); });
    var small = data.nodes.length <= LINEAGE_BUDGET.document;
    var groups = grouping(data, small ? [] : (data.groups || []), function () { return "document"; });
    var names = JSON.parse(container.dataset.relations);
    var l = lang();

    function elements() {
      var out = groups.nodes(l, function (g, text) { return {height: heightFor(text, 136, 13, 58)}; });
      data.nodes.forEach(function (n) {
        if (groups.shown(n.id) !== n.id) { return; }
        out.push({group: "nodes", data: {id: n.id, label: n.title, level_key: n.level_key, in_corpus: n.in_corpus,
                                         role: n.role, focus: n.role === "self", view: n.view, parent: groups.group[n.id]}});
      });
      var edges = groups.edges(data.edges, function (e) { return e.relation; }, function (e) {
        // as many ranks between parent and child as levels between them: 纲要 → province → city → district
        var gap = level[e.target] - level[e.source];
        return {group: "edges", data: {id: e.id, source: e.source, target: e.target, relation: e.relation,
                                       label: names[e.relation] || e.relation, minLen: gap > 0 ? gap : 1}};
      }, function (sum) {  // the edges between a group and another node: one, as wide as they are many
        var relations = Object.keys(sum.kinds).sort();
        return {group: "edges", classes: "sum", data: {id: "sum:" + sum.key, source: sum.source, target: sum.target, count: sum.count,
                                                       relation: relations.length === 1 ? relations[0] : "mixed", minLen: 1,
                                                       label: relations.map(function (r) { return (names[r] || r) + " " + sum.kinds[r]; }).join(" · ")}};
      });
      // the relation is in the line's style (the legend); a few edges also say it in words
      if (edges.length > WORDED_EDGES) { edges.forEach(function (x) { x.data.label = ""; }); }
      return out.concat(edges);
    }
    var style = [
      {selector: "node", style: {"shape": "round-rectangle", "width": 190, "height": 58, "label": "data(label)",
        "text-wrap": "wrap", "text-overflow-wrap": "anywhere", "text-max-width": 176, "text-valign": "center", "font-size": 13, "font-family": FONT,
        "min-zoomed-font-size": READABLE, "color": "#fff", "background-color": LEVEL_COLOURS.unknown, "border-width": 1, "border-color": "#333"}},
      {selector: "node[!in_corpus]", style: {"border-style": "dashed", "border-width": 2, "background-opacity": 0.78}},
      {selector: "node[role = 'self']", style: {"border-width": 4, "border-color": "#111", "font-weight": "bold"}},
      // a closed group of documents: its name and count on a pale box; an open one, the box around its members
      {selector: "node[kind = 'group']", style: {"width": 150, "height": "data(height)", "text-max-width": 136, "color": "#222",
        "background-color": "#eaecee", "border-width": 3, "border-style": "double", "border-color": "#566573", "font-weight": "bold"}},
      {selector: "node.latin", style: {"text-overflow-wrap": "whitespace"}},
      {selector: "node[kind = 'group-open']", style: {"shape": "round-rectangle", "background-color": "#fbfcfc", "background-opacity": 1,
        "border-style": "dashed", "border-width": 1.5, "border-color": "#7f8c8d", "padding": 12, "text-valign": "top", "text-halign": "center",
        "text-margin-y": -4, "text-max-width": 250, "font-weight": "bold", "color": "#444", "text-events": "yes"}},
      {selector: "edge", style: {"width": 2, "curve-style": "straight", "line-color": "#555", "source-arrow-shape": "triangle",
        "source-arrow-color": "#555", "label": "data(label)", "font-size": 11, "font-family": FONT, "color": "#333",
        "min-zoomed-font-size": READABLE, "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 2}},
      // an edge routed around the nodes of the levels it spans (route)
      {selector: "edge.routed", style: {"curve-style": "segments", "segment-weights": function (e) { return e.data("weights"); },
        "segment-distances": function (e) { return e.data("distances"); }, "edge-distances": "node-position"}},
      {selector: "edge[relation = 'implements']", style: {"line-style": "dashed", "line-color": "#1f618d",
        "source-arrow-color": "#1f618d"}},
      // the edges standing for several: grey, as wide as there are citations behind them
      {selector: "edge.sum", style: {"width": "mapData(count, 1, 60, 1.5, 9)", "line-color": "#aab7b8", "source-arrow-color": "#aab7b8",
        "line-style": "solid", "opacity": 0.8}}
    ];
    Object.keys(LEVEL_COLOURS).forEach(function (key) {
      style.splice(1, 0, {selector: "node[level_key = '" + key + "']", style: {"background-color": LEVEL_COLOURS[key]}});
    });
    var layout = {name: "dagre", rankDir: "TB", nodeSep: 40, edgeSep: 24, rankSep: 80, fit: false,
                  minLen: function (edge) { return edge.data("minLen"); }};
    groups.openWithin(LINEAGE_BUDGET);
    return drawGrouped(container, groups, elements, style, layout, route);
  }

  // Each lineage edge drawn as segments that keep out of the nodes of the levels it spans: down
  // from its upper end into the gap below that end's row, across the gap, then down through each
  // row between its ends in the free space between two nodes (the one nearest the straight line),
  // and up into its lower end from the gap above that end's row. dagre lays the rows out (one per
  // rank, rankSep apart); the bends are given as segment weights and distances relative to the
  // line between the two nodes' centres. An open group (a compound node) is in the way of the
  // edges of the rows it spans, but of those going in or out of it.
  var STUB = 14;  // px into the gap between two rows
  var CLEAR = 8;  // px at least between an edge and a node it passes
  function route(cy) {
    var rows = {};
    cy.nodes().forEach(function (n) {
      if (n.isParent()) { return; }
      var y = Math.round(n.position("y"));
      var b = n.boundingBox({includeLabels: false, includeOverlays: false});
      var row = rows[y] || (rows[y] = {y: y, top: Infinity, bottom: -Infinity, spans: []});
      row.top = Math.min(row.top, b.y1);
      row.bottom = Math.max(row.bottom, b.y2);
      row.spans.push([b.x1 - CLEAR, b.x2 + CLEAR, n.id()]);
    });
    var ordered = Object.keys(rows).map(function (k) { return rows[k]; }).sort(function (a, b) { return a.y - b.y; });
    cy.nodes().forEach(function (n) {
      if (!n.isParent()) { return; }
      var b = n.boundingBox({includeLabels: false, includeOverlays: false});
      ordered.forEach(function (row) {
        if (row.y > b.y1 && row.y < b.y2) { row.spans.push([b.x1 - CLEAR, b.x2 + CLEAR, n.id()]); }
      });
    });
    function free(row, x, skip) {  // the x nearest ``x`` that passes the row between its nodes (but ``skip``'s)
      var spans = [];
      row.spans.filter(function (s) { return !skip[s[2]]; }).sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
        var last = spans[spans.length - 1];
        if (last && s[0] <= last[1]) { last[1] = Math.max(last[1], s[1]); } else { spans.push([s[0], s[1]]); }
      });
      if (!spans.length || !spans.some(function (s) { return x > s[0] && x < s[1]; })) { return x; }
      var best = spans[0][0] - CLEAR;
      var last = spans[spans.length - 1][1] + CLEAR;
      if (Math.abs(last - x) < Math.abs(best - x)) { best = last; }
      for (var i = 0; i + 1 < spans.length; i++) {
        var mid = (spans[i][1] + spans[i + 1][0]) / 2;
        if (Math.abs(mid - x) < Math.abs(best - x)) { best = mid; }
      }
      return best;
    }
    cy.edges().forEach(function (edge) {
      var s = edge.source().position();
      var t = edge.target().position();
      var up = s.y <= t.y ? s : t;
      var down = s.y <= t.y ? t : s;
      var from = rows[Math.round(up.y)];
      var to = rows[Math.round(down.y)];
      if (!from || !to || from === to) { return; }
      var skip = {};  // the groups the edge goes in or out of
      edge.source().ancestors().union(edge.target().ancestors()).forEach(function (g) { skip[g.id()] = true; });
      var points = [{x: up.x, y: from.bottom + STUB}];
      ordered.forEach(function (row) {
        if (row.y <= from.y || row.y >= to.y) { return; }
        var x = free(row, up.x + (down.x - up.x) * (row.y - up.y) / (down.y - up.y), skip);
        points.push({x: x, y: row.top - STUB}, {x: x, y: row.bottom + STUB});
      });
      points.push({x: down.x, y: to.top - STUB});
      if (up !== s) { points.reverse(); }
      bend(edge, points, "routed");
    });
  }

  // An edge drawn as segments through ``points`` (model coordinates): its bends as segment
  // weights and distances relative to the line between its nodes' centres (edge-distances:
  // node-position), and its class ``cls`` (the style that draws it so).
  function bend(edge, points, cls) {
    function noZero(v) { return Math.abs(v) < 0.001 ? (v < 0 ? -0.001 : 0.001) : v; }
    var s = edge.source().position();
    var t = edge.target().position();
    var dx = t.x - s.x;
    var dy = t.y - s.y;
    var length = Math.sqrt(dx * dx + dy * dy);
    edge.data({weights: points.map(function (p) { return noZero(((p.x - s.x) * dx + (p.y - s.y) * dy) / (length * length)); }),
               distances: points.map(function (p) { return noZero(((p.x - s.x) * -dy + (p.y - s.y) * dx) / length); })});
    edge.addClass(cls);
  }

  // nodes a responsibility view opens with on each side, at most (the groups beyond it start
  // closed): of an agency, its duties; else as many as a column of the graph shows on screen, an
  // overview to open group by group
  var BUDGET = {agency: {agency: 0, measure: 40}, other: {agency: 11, measure: 11}};
  var ROLE_ORDER = ["lead", "joint-lead", "responsible", "cooperating", "assisting", "participating", "guiding", "implements"];
  var measurer = document.createElement("canvas").getContext("2d");

  // the height a node needs for its label wrapped at ``width`` px (greedy, by words, and inside a
  // word too long for a line, as text-overflow-wrap: anywhere does), at least ``least``
  function heightFor(text, width, size, least) {
    measurer.font = size + "px " + FONT;
    var lines = 0;
    String(text).split("\n").forEach(function (paragraph) {
      var line = 0;
      lines += 1;
      paragraph.split(/(\s+)/).forEach(function (word) {
        var w = measurer.measureText(word).width;
        if (line + w <= width) { line += w; return; }
        if (/^\s+$/.test(word)) { return; }
        if (line > 0) { lines += 1; line = 0; }
        Array.prototype.forEach.call(word, function (ch) {
          var c = measurer.measureText(ch).width;
          if (line + c > width) { lines += 1; line = 0; }
          line += c;
        });
      });
    });
    return Math.max(least, Math.ceil(lines * size * 1.25 + 14));
  }

  // The edges of one node with many (its "hub": the end with more edges) turn in a band of the gap
  // between two columns, the hubs of a gap, top to bottom, having their bands left to right, so
  // the edges of different hubs stay apart. Within its hub's band each edge has a turn of its own,
  // and it leaves and enters its nodes at points of its own, the edges on one side of a node in
  // the order of their other ends, top to bottom: none runs along another, and as the one going
  // farthest turns nearest the hub, the edges of a hub never cross one another.
  var TURNS = [15, 85];  // % of the gap the bands share
  var SPREAD = 8;  // px at most between two edges' points on a hub's side
  function trunks(cy) {
    var gaps = {};
    cy.edges().forEach(function (e) {
      var hub = e.source().degree() >= e.target().degree() ? e.source() : e.target();
      var gap = Math.round(Math.min(e.source().position("x"), e.target().position("x")));
      var g = gaps[gap] || (gaps[gap] = {hubs: [], edges: {}});
      if (!g.edges[hub.id()]) { g.hubs.push(hub); g.edges[hub.id()] = []; }
      g.edges[hub.id()].push(e);
    });
    Object.keys(gaps).forEach(function (key) {
      var g = gaps[key];
      var hubs = g.hubs.sort(function (a, b) { return a.position("y") - b.position("y"); });
      // a hub's band holds as many turns as it has edges on one side (above or below it): the
      // edges above and below it do not meet, so they share the turns
      var sides = hubs.map(function (hub) {
        var y = hub.position("y");
        var list = g.edges[hub.id()].map(function (e) {
          var other = e.source().same(hub) ? e.target() : e.source();
          return {e: e, y: other.position("y"), x: other.position("x")};
        }).sort(function (a, b) { return a.y - b.y || a.x - b.x; });
        var above = list.filter(function (d) { return d.y < y; });
        var below = list.filter(function (d) { return d.y >= y; }).reverse();
        return {hub: hub, list: list, above: above, below: below, turns: Math.max(above.length, below.length, 1)};
      });
      var slots = sides.reduce(function (n, s) { return n + s.turns; }, 0);
      var step = (TURNS[1] - TURNS[0]) / Math.max(slots, 1);
      var first = TURNS[0] + step / 2;
      sides.forEach(function (side) {
        var left = side.hub.position("x") < side.list[0].x;  // the hub is the edges' source
        [side.above, side.below].forEach(function (half) {
          half.forEach(function (d, i) {  // the farthest first: the turn nearest the hub
            var slot = left ? i : side.turns - 1 - i;
            d.e.data("turn", first + step * slot);
          });
        });
        first += step * side.turns;
      });
    });
    // each edge's points on its two nodes: on each side of a node, top to bottom as the edges' other ends
    var offset = {};  // edge → px below the centre of its source ("from") and of its target ("to")
    cy.nodes().forEach(function (n) {
      [["from", n.outgoers("edge")], ["to", n.incomers("edge")]].forEach(function (end) {
        var list = end[1].map(function (e) {
          var other = end[0] === "from" ? e.target() : e.source();
          return {e: e, y: other.position("y"), x: other.position("x")};
        }).sort(function (a, b) { return a.y - b.y || a.x - b.x; });
        var apart = Math.min(SPREAD, (n.height() * 0.8) / Math.max(list.length, 1));
        list.forEach(function (d, i) {
          (offset[d.e.id()] || (offset[d.e.id()] = {from: 0, to: 0}))[end[0]] = (i - (list.length - 1) / 2) * apart;
        });
      });
    });
    // then out of the source's right side at its point, across to its turn, up or down to the
    // height of its point on the target, and into the target's left side there
    cy.edges().forEach(function (e) {
      var source = e.source();
      var target = e.target();
      var o = offset[e.id()] || {from: 0, to: 0};
      e.data({from: "50% " + (o.from / source.height() * 100) + "%", to: "-50% " + (o.to / target.height() * 100) + "%"});
      var sx = source.position("x") + source.width() / 2;
      var tx = target.position("x") - target.width() / 2;
      var sy = source.position("y") + o.from;
      var ty = target.position("y") + o.to;
      e.removeClass("bent");
      if (tx <= sx || Math.abs(ty - sy) < 0.5) { return; }
      var x = sx + (tx - sx) * (e.data("turn") || 50) / 100;
      bend(e, [{x: x, y: sy}, {x: x, y: ty}], "bent");
    });
  }

  // a label in a Latin script wraps between words; Chinese, anywhere
  function latin(text) {
    return /[A-Za-z]{2,} [A-Za-z]{2,}/.test(text) ? "latin" : "";
  }

  // -- groups --------------------------------------------------------------------------------
  // What the views share to show a large graph as groups (the responsibility view's agencies by
  // kind and measures by task area, the lineage view's descendants by division): a closed group
  // is one node with its count, standing for its members; a click opens it (its members drawn
  // inside it, a compound node) and a click on an open group closes it. ``listed``: the view's
  // groups, parents first (id, parent, of: the side of the graph it is on, label, label_en,
  // count); a node's ``group`` is the innermost group holding it; ``side(n)``: a node's side.
  function grouping(data, listed, side) {
    var groups = {};
    var rank = {};
    listed.forEach(function (g, i) { groups[g.id] = {g: g, children: [], members: 0}; rank[g.id] = i; });
    listed.forEach(function (g) { if (g.parent && groups[g.parent]) { groups[g.parent].children.push(g.id); } });
    var group = {};
    data.nodes.forEach(function (n) {
      if (n.group && groups[n.group]) { group[n.id] = n.group; groups[n.group].members += 1; }
    });
    var open = {};

    function chain(gid) {  // the group and those holding it, outermost first
      var out = [];
      while (gid) { out.unshift(gid); gid = groups[gid].g.parent; }
      return out;
    }
    function shown(id) {  // what stands for a node in the graph: its outermost closed group, else itself
      var c = chain(group[id]);
      for (var i = 0; i < c.length; i++) { if (!open[c[i]]) { return c[i]; } }
      return id;
    }
    // the nodes drawn on each side, an open group's box counting as one
    function drawn() {
      var seen = {};
      var count = {};
      data.nodes.forEach(function (n) {
        var id = shown(n.id);
        if (!seen[id]) { seen[id] = true; count[side(n)] = (count[side(n)] || 0) + 1; }
      });
      Object.keys(groups).forEach(function (gid) { if (open[gid]) { count[groups[gid].g.of] = (count[groups[gid].g.of] || 0) + 1; } });
      return count;
    }
    // open the groups that add fewest nodes first, while each side keeps within its budget (what
    // the graph holds on screen)
    function openWithin(budget) {
      for (;;) {
        var count = drawn();
        var best = null;
        var cost = Infinity;
        Object.keys(groups).forEach(function (gid) {
          var g = groups[gid].g;
          if (open[gid] || (g.parent && !open[g.parent])) { return; }
          var c = groups[gid].children.length + groups[gid].members;  // its members, and its box for itself
          if ((count[g.of] || 0) + c - 1 <= (budget[g.of] || 0) && (c < cost || (c === cost && rank[gid] < rank[best]))) { best = gid; cost = c; }
        });
        if (best === null) { return; }
        open[best] = true;
      }
    }
    function close(gid) {
      open[gid] = false;
      groups[gid].children.forEach(close);
    }
    // the nodes of the groups drawn: a closed one with its count and "+", an open one (the box
    // around its members) with "−"; ``more(g, text)``: the view's own data of the node
    function nodes(l, more) {
      var out = [];
      listed.forEach(function (g) {
        var c = chain(g.id);
        for (var i = 0; i < c.length - 1; i++) { if (!open[c[i]]) { return; } }
        var text = ((l === "en" && g.label_en) || g.label) + (open[g.id] ? " (" + g.count + ") −" : "\n(" + g.count + ") +");
        var d = {id: g.id, label: text, kind: open[g.id] ? "group-open" : "group", of: g.of, count: g.count, parent: g.parent || undefined};
        var extra = more(g, text);
        Object.keys(extra).forEach(function (k) { d[k] = extra[k]; });
        out.push({group: "nodes", classes: latin(text), data: d});
      });
      return out;
    }
    // the edges between what is drawn: ``each(e)`` for an edge whose ends are both drawn as
    // themselves; for the others, one edge for each pair of drawn ends standing for them all,
    // ``summed(sum)`` (sum: key, source, target, kinds: kind(e) → count, count); none inside a
    // closed group
    function edges(list, kind, each, summed) {
      var out = [];
      var sums = {};
      list.forEach(function (e) {
        var source = shown(e.source);
        var target = shown(e.target);
        if (source === e.source && target === e.target) { out.push(each(e)); return; }
        if (source === target) { return; }
        var key = source + "\u001f" + target;
        var sum = sums[key] || (sums[key] = {key: key, source: source, target: target, kinds: {}, count: 0});
        var k = kind(e);
        sum.kinds[k] = (sum.kinds[k] || 0) + 1;
        sum.count += 1;
      });
      Object.keys(sums).forEach(function (key) { out.push(summed(sums[key])); });
      return out;
    }
    return {group: group, shown: shown, openWithin: openWithin, nodes: nodes, edges: edges, close: close,
            open: function (gid) { open[gid] = true; }};
  }

  // Draw a view with groups: a click on a closed group opens it, a click on an open one closes
  // it, and the graph is laid out again around it (``after(cy)`` once each layout has run);
  // window.policykg.open(gid) opens a group as a click does.
  function drawGrouped(container, groups, elements, style, layout, after) {
    var cy;
    function relayout(around) {
      cy.elements().remove();
      cy.add(elements());
      var run = cy.layout(layout);
      run.promiseOn("layoutstop").then(function () {
        after(cy);
        place(cy, container, cy.getElementById(around));
        laidOut();
      });
      run.run();
    }
    cy = draw(container, elements(), style, layout, {routed: after, tap: function (node) {
      var kind = node.data("kind");
      if (kind === "group") { groups.open(node.id()); relayout(node.id()); return true; }
      if (kind === "group-open") { groups.close(node.id()); relayout(node.id()); return true; }
      return false;
    }});
    window.policykg.open = function (gid) { groups.open(gid); relayout(gid); };
    return cy;
  }

  function responsibility(container, data) {
    var names = data.roles || {};
    var l = lang();
    var beside = (data.focus || {}).kind === "agency";
    var budget = beside ? BUDGET.agency : BUDGET.other;
    function side(n) { return n.kind === "measure" ? "measure" : "agency"; }
    // a view small enough to show whole is drawn without its groups
    var sides = {agency: 0, measure: 0};
    data.nodes.forEach(function (n) { sides[side(n)] += 1; });
    var small = sides.agency <= BUDGET.other.agency && sides.measure <= BUDGET.other.measure;
    var groups = grouping(data, small ? [] : (data.groups || []), side);
    var focus = (data.focus || {}).id;
    function roleName(role) {
      if (role === "implements") { return container.dataset.implements; }
      return names[role] ? names[role][l] : role;
    }

    function elements() {
      var out = groups.nodes(l, function (g, text) { return {height: heightFor(text, 200, 13, 46)}; });
      data.nodes.forEach(function (n) {
        if (groups.shown(n.id) !== n.id) { return; }
        var label = (l === "en" && n.label_en) || n.label;
        out.push({group: "nodes", classes: latin(label), data: {id: n.id, label: label, kind: n.kind, focus: n.focus, view: n.view,
                                          group: n.group || "", parent: groups.group[n.id], height: heightFor(label, 200, 13, 46)}});
      });
      var edges = groups.edges(data.edges, function (e) { return e.kind === "implements" ? "implements" : e.role; }, function (e) {
        // an agency's view: the bodies sharing its duties to the right of the measures (the
        // edge drawn from the measure, its arrow still at the measure)
        var back = beside && e.kind === "assignment" && e.source !== focus;
        return {group: "edges", classes: back ? "back" : "",
                data: {id: e.id, source: back ? e.target : e.source, target: back ? e.source : e.target, kind: e.kind,
                       role: e.role || "", label: roleName(e.kind === "implements" ? "implements" : e.role)}};
      }, function (sum) {
        var roles = Object.keys(sum.kinds).sort(function (a, b) { return ROLE_ORDER.indexOf(a) - ROLE_ORDER.indexOf(b); });
        var only = roles.length === 1 ? roles[0] : "mixed";
        var back = beside && only !== "implements" && sum.source !== focus;
        return {group: "edges", classes: "sum" + (back ? " back" : ""),
                data: {id: "sum:" + sum.key, source: back ? sum.target : sum.source, target: back ? sum.source : sum.target,
                       count: sum.count, kind: only === "implements" ? "implements" : "assignment", role: only === "implements" ? "" : only,
                       label: roles.map(function (r) { return roleName(r) + " " + sum.kinds[r]; }).join(" · ")}};
      });
      // the role of each edge is in its colour and dash (the legend); a few edges also say it in words
      if (edges.length > WORDED_EDGES) { edges.forEach(function (x) { x.data.label = ""; }); }
      return out.concat(edges);
    }

    var style = [
      {selector: "node", style: {"label": "data(label)", "text-wrap": "wrap", "text-overflow-wrap": "anywhere", "text-max-width": 200, "font-size": 13,
        "font-family": FONT, "min-zoomed-font-size": READABLE, "text-valign": "center", "color": "#222", "width": 214, "height": "data(height)",
        "shape": "round-rectangle", "background-color": "#fdebd0", "border-width": 1, "border-color": "#a04000"}},
      {selector: "node.latin", style: {"text-overflow-wrap": "whitespace"}},
      {selector: "node[kind = 'collective']", style: {"background-color": "#eaf2f8", "border-color": "#1f618d",
        "border-style": "dashed"}},
      {selector: "node[kind = 'measure']", style: {"shape": "rectangle", "background-color": "#f4f6f6",
        "border-color": "#566573", "width": 240}},
      {selector: "node[kind = 'group']", style: {"border-width": 3, "border-style": "double", "font-weight": "bold",
        "background-color": "#f5cba7"}},
      {selector: "node[kind = 'group'][of = 'measure']", style: {"shape": "rectangle", "width": 240, "background-color": "#d5dbdb",
        "border-color": "#566573"}},
      {selector: "node[kind = 'group-open']", style: {"shape": "round-rectangle", "background-color": "#fbfcfc", "border-style": "dashed",
        "border-width": 1.5, "border-color": "#7f8c8d", "padding": 12, "text-valign": "top", "text-halign": "center",
        "text-margin-y": -4, "text-max-width": 250, "font-weight": "bold", "color": "#444", "text-events": "yes"}},
      {selector: "node[?focus]", style: {"border-width": 4, "border-color": "#111", "font-weight": "bold"}},
      // edges leave and enter the nodes sideways and turn in the gap between two columns, so none
      // crosses the other nodes of its column
      {selector: "edge", style: {"width": 2, "curve-style": "straight",
        "source-endpoint": function (e) { return e.data("from") || "outside-to-node"; },
        "target-endpoint": function (e) { return e.data("to") || "outside-to-node"; },
        "line-color": "#7f8c8d", "target-arrow-shape": "triangle",
        "target-arrow-color": "#7f8c8d", "source-arrow-color": "#7f8c8d", "font-size": 11, "font-family": FONT, "color": "#333",
        // the role beside the agency, on the edge's first stretch (apart from the labels of the edges sharing its trunk)
        "source-label": "data(label)", "source-text-offset": 44, "source-text-margin-y": -8,
        "min-zoomed-font-size": READABLE, "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1}},
      {selector: "edge[role = 'lead'], edge[role = 'joint-lead']", style: {"width": 4, "line-color": "#c0392b",
        "target-arrow-color": "#c0392b", "source-arrow-color": "#c0392b"}},
      {selector: "edge[role = 'responsible']", style: {"width": 2.5, "line-color": "#2874a6", "target-arrow-color": "#2874a6", "source-arrow-color": "#2874a6"}},
      {selector: "edge[role = 'cooperating'], edge[role = 'assisting'], edge[role = 'participating']",
        style: {"line-style": "dashed"}},
      {selector: "edge[role = 'guiding']", style: {"line-style": "dotted", "line-color": "#7d3c98", "target-arrow-color": "#7d3c98", "source-arrow-color": "#7d3c98"}},
      {selector: "edge[kind = 'implements']", style: {"line-style": "dotted", "line-color": "#117a65",
        "target-arrow-color": "#117a65", "source-arrow-color": "#117a65"}},
      // the edges standing for several: grey, as wide as there are assignments behind them
      {selector: "edge.sum", style: {"width": "mapData(count, 1, 60, 1.5, 9)", "line-color": "#aab7b8",
        "target-arrow-color": "#aab7b8", "source-arrow-color": "#aab7b8", "line-style": "solid", "opacity": 0.8}},
      {selector: "edge.back", style: {"target-arrow-shape": "none", "source-arrow-shape": "triangle", "source-label": "",
        "target-label": "data(label)", "target-text-offset": 44, "target-text-margin-y": -8}},
      // an edge with its own lane to its own turn (trunks)
      {selector: "edge.bent", style: {"curve-style": "segments", "segment-weights": function (e) { return e.data("weights"); },
        "segment-distances": function (e) { return e.data("distances"); }, "edge-distances": "node-position"}}
    ];
    var layout = {name: "dagre", rankDir: "LR", nodeSep: 14, rankSep: 160, fit: false};
    groups.openWithin(budget);
    return drawGrouped(container, groups, elements, style, layout, trunks);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-view]");
    if (!container) { return; }
    var data = viewData();
    if (!data.ok || !data.nodes || !data.nodes.length) { return; }
    ({lineage: lineage, responsibility: responsibility})[container.dataset.view](container, data);
  });
})();
