/* The dependency graph page: fetches the neighbourhood of the chosen node (JSON, at most a
 * few hundred nodes, access-filtered on the server), lets ELK (vendor/elkjs, the layered
 * algorithm, in a Web Worker when there is one) place it left to right — dependents before what they need, so activities come
 * first, then their resources, then what those need — and draws it as SVG. Nodes may be
 * grouped by unit or by kind (ELK compound nodes, drawn as labelled boxes). Nodes are coloured
 * by the engine's verdict, OR links dashed and labelled with their group; a click shows the
 * node's details and the chain of links from the centre. The drawing exports as SVG and PNG.
 * Everything is drawn with SVG attributes (no inline style: the CSP refuses it), which also
 * keeps an exported file self-contained. Strings come translated from the template
 * (#graph-strings). */
(function () {
  "use strict";
  var S = JSON.parse(document.getElementById("graph-strings").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";
  var COLOURS = { gap: "#d63939", spof: "#f76707", ok: "#2fb344", unknown: "#868e96" };
  var TINTS = { gap: "#fdecec", spof: "#fff0e3", ok: "#e7f6eb", unknown: "#f1f3f5" };
  var INK = "#1d273b", MUTED = "#66758c", OR_COLOUR = "#ae3ec9";
  var NODE_W = 196, NODE_H = 46, TEXT_X = 10, TEXT_W = NODE_W - 2 * TEXT_X, PAD = 16;
  var form = document.getElementById("graph-form");
  var status = document.getElementById("graph-status");
  var panel = document.getElementById("graph-panel");
  var chartEl = document.getElementById("graph-chart");
  var groupSelect = document.getElementById("graph-group");
  var pngButton = document.getElementById("graph-export-png");
  var svgButton = document.getElementById("graph-export-svg");
  var fitButton = document.getElementById("graph-fit");
  var engine = layoutEngine();
  var measure = document.createElement("canvas").getContext("2d");
  var data = null, byId = {}, drawn = null, run = 0, extra = {}, note = "";
  var view = { x: 0, y: 0, k: 1 };

  /* ELK, in a Web Worker when the browser can start one (vendor/elkjs/elk-worker.min.js, the
   * same version as elk.bundled.js): laying out a few hundred nodes takes a second or more,
   * which on the page's own thread freezes it (scrolling, typing in the pickers). Where there
   * is no Worker, or the worker cannot start (an old browser, a proxy that blocks the file),
   * the in-page engine of elk.bundled.js does the same layout, and a layout the broken worker
   * swallowed runs again there. chartEl's data-layout says which thread drew the picture. */
  function layoutEngine() {
    var url = chartEl.getAttribute("data-worker-url");
    if (typeof window.Worker === "function" && url) {
      try {
        var made = { elk: null, thread: "worker" };
        made.elk = new window.ELK({
          workerFactory: function () {
            var worker = new window.Worker(url);
            worker.addEventListener("error", function (e) {
              e.preventDefault();
              onPageThread(made);
            });
            return worker;
          }
        });
        return made;
      } catch (_e) {
        // Creating the worker threw (a policy or a browser refusing it): the page's thread.
      }
    }
    return { elk: new window.ELK(), thread: "page" };
  }
  function onPageThread(broken) {
    if (engine !== broken) { return; }
    try { broken.elk.terminateWorker(); } catch (_e) { /* already gone */ }
    engine = { elk: new window.ELK(), thread: "page" };
    if (data && chartEl.getAttribute("data-state") === "layout") { layout(); }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }
  /* The text cut to fit `width` pixels at the given font, with an ellipsis when cut. */
  function fit(text, width, bold) {
    measure.font = (bold ? "bold " : "") + "12px " + FONT;
    text = text || "";
    if (measure.measureText(text).width <= width) { return text; }
    var chars = Array.from(text), lo = 0, hi = chars.length;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      if (measure.measureText(chars.slice(0, mid).join("") + "…").width <= width) { lo = mid; } else { hi = mid - 1; }
    }
    return chars.slice(0, lo).join("") + "…";
  }

  function stepText(step) {
    var kind = step.group ? fmt(S.or_group, { group: step.group }) : S.and;
    var to = step.to + (step.alternatives.length ? " | " + step.alternatives.join(" | ") : "");
    var verb = step.direction === "needs" ? S.needs : S.needed_by;
    if (step.direction === "needs") {
      return { from: step.from, text: verb + " " + to + " (" + kind + ")" };
    }
    return { from: step.to, text: verb + " " + step.from + " (" + kind + ")" };
  }

  /* The chain of links from the centre to `node`: each node names the node it was reached
     from (`parent`) and the link it was reached over (`via`, a position in data.links); the
     OR alternatives of a step are the other kept links of the same dependent and group. */
  function pathOf(node) {
    var steps = [];
    var seen = {};
    while (node && node.parent && !seen[node.id]) {
      seen[node.id] = true;
      var link = data.links[node.via];
      var from = byId[link.source], to = byId[link.target];
      var alternatives = !link.group ? [] : data.links.filter(function (l) {
        return l.source === link.source && l.group === link.group && l.target !== link.target && byId[l.target];
      }).map(function (l) { return byId[l.target].name; });
      steps.unshift({
        from: from ? from.name : "",
        to: to ? to.name : "",
        direction: link.source === node.parent ? "needs" : "needed_by",
        group: link.group,
        alternatives: alternatives,
        tolerance: link.tolerance,
      });
      node = byId[node.parent];
    }
    return steps;
  }

  /* The server sends one list per key (resilia.dependencies.views_graph.pack): rebuild the
     objects, each node with its id, page, unit and kind names, parent id and centre flag;
     empty values are left out, as a missing key reads as empty. */
  function unpack(p) {
    function rows(columns) {
      var keys = Object.keys(columns || {});
      var count = keys.length ? columns[keys[0]].length : 0;
      var out = [];
      for (var i = 0; i < count; i++) {
        var row = {};
        keys.forEach(function (k) {
          var v = columns[k][i];
          if (v !== null && v !== undefined && v !== "") { row[k] = v; }
        });
        out.push(row);
      }
      return out;
    }
    var nodes = rows(p.nodes);
    nodes.forEach(function (n, i) {
      n.id = n.type + ":" + n.pk;
      n.url = p.urls[n.type].replace(/\/0\/$/, "/" + n.pk + "/");
      if (n.unit_key) { n.unit = p.units[n.unit_key]; }
      n.kind_label = p.kind_labels[n.kind];
      if (i === p.centre) { n.centre = true; }
    });
    nodes.forEach(function (n) { if (n.parent !== undefined) { n.parent = nodes[n.parent].id; } });
    var links = rows(p.links);
    links.forEach(function (l) { l.source = nodes[l.source].id; l.target = nodes[l.target].id; });
    return { nodes: nodes, links: links, truncated: p.truncated, revision: p.revision };
  }

  function showPanel(node) {
    panel.innerHTML = "";
    var body = el("div", "card-body");
    body.appendChild(el("h3", "card-title mb-1", node.code + " · " + node.name));
    body.appendChild(el("span", "badge text-white mb-3 verdict-" + node.verdict, S.verdicts[node.verdict]));
    var dl = el("dl", "row mb-3 small");
    var fields = ["kind", "unit", "rto", "mtpd", "rpo", "recovery_time", "recovery_point", "redundancy"];
    fields.forEach(function (f) {
      var value = f === "kind" ? node.kind_label : node[f];
      if (value === undefined || value === null || value === "") { return; }
      dl.appendChild(el("dt", "col-5", S.fields[f]));
      dl.appendChild(el("dd", "col-7", value));
    });
    body.appendChild(dl);
    body.appendChild(el("h4", "", S.path));
    if (node.centre) {
      body.appendChild(el("p", "text-secondary", S.centre));
    } else {
      var list = el("ol", "small ps-3");
      list.setAttribute("data-testid", "graph-path");
      pathOf(node).forEach(function (step) {
        var t = stepText(step);
        var li = el("li", "");
        li.appendChild(el("strong", "", t.from));
        li.appendChild(document.createTextNode(" " + t.text));
        if (step.tolerance) {
          li.appendChild(el("span", "text-secondary", " · " + S.tolerance + " " + step.tolerance));
        }
        list.appendChild(li);
      });
      body.appendChild(list);
    }
    var link = el("a", "btn btn-sm", S.open);
    link.href = node.url;
    body.appendChild(link);
    panel.appendChild(body);
  }

  /* The group a node falls in for the chosen grouping: [key, label]. */
  function groupOf(node, grouping) {
    if (grouping === "unit") { return [node.unit_key || "-", node.unit || S.no_unit]; }
    if (node.type === "activity") { return ["activity", S.activities]; }
    return ["kind-" + node.kind, node.kind_label];
  }

  /* The ELK graph: one box per node, one edge per link, nodes inside their group's box. */
  function elkGraph(grouping) {
    var root = {
      id: "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "RIGHT",
        "elk.hierarchyHandling": "INCLUDE_CHILDREN",
        "elk.json.shapeCoords": "ROOT",
        "elk.json.edgeCoords": "ROOT",
        "elk.edgeRouting": "ORTHOGONAL",
        "elk.spacing.nodeNode": "16",
        "elk.layered.spacing.nodeNodeBetweenLayers": "84",
        "elk.spacing.edgeNode": "12",
        // Fewer crossing-reduction passes as the neighbourhood grows (up to MAX_NODES): a
        // few hundred nodes still lay out in a second or two (in the worker, the page stays
        // responsive meanwhile; without one, it waits).
        "elk.layered.thoroughness": String(data.nodes.length > 100 ? 1 : data.nodes.length > 40 ? 3 : 7),
        "elk.padding": "[top=" + PAD + ",left=" + PAD + ",bottom=" + PAD + ",right=" + PAD + "]"
      },
      children: [],
      edges: []
    };
    var groups = {};
    extra = {};
    data.nodes.forEach(function (n) {
      var box = { id: n.id, width: NODE_W, height: NODE_H };
      if (!grouping) { root.children.push(box); return; }
      var g = groupOf(n, grouping);
      if (!groups[g[0]]) {
        groups[g[0]] = {
          id: "group:" + g[0],
          layoutOptions: { "elk.padding": "[top=30,left=12,bottom=12,right=12]" },
          children: []
        };
        root.children.push(groups[g[0]]);
        extra["group:" + g[0]] = g[1];
      }
      groups[g[0]].children.push(box);
    });
    data.links.forEach(function (l, i) {
      root.edges.push({ id: "e" + i, sources: [l.source], targets: [l.target] });
      extra["e" + i] = l;
    });
    return root;
  }

  function title(parent, text) { parent.appendChild(svgEl("title", {}, text)); }

  function drawNode(layer, box) {
    var n = byId[box.id];
    var centre = n.centre;
    var g = svgEl("g", {
      "class": "graph-node", "data-id": n.id, "data-type": n.type, "data-verdict": n.verdict,
      transform: "translate(" + box.x + "," + box.y + ")", tabindex: "0", role: "button",
      cursor: "pointer"
    });
    g.appendChild(svgEl("rect", {
      width: NODE_W, height: NODE_H, rx: n.type === "activity" ? 14 : 2,
      fill: TINTS[n.verdict], stroke: centre ? INK : COLOURS[n.verdict], "stroke-width": centre ? 3 : 1.5
    }));
    g.appendChild(svgEl("text", {
      x: TEXT_X, y: 19, "font-size": 12, "font-weight": "bold", fill: INK, "class": "graph-code"
    }, fit(n.code, TEXT_W, true)));
    g.appendChild(svgEl("text", {
      x: TEXT_X, y: 36, "font-size": 12, fill: INK, "class": "graph-name"
    }, fit(n.name, TEXT_W, false)));
    title(g, [n.code + " · " + n.name, n.kind_label + (n.unit ? " · " + n.unit : ""),
      S.fields.verdict + ": " + S.verdicts[n.verdict]].join("\n"));
    g.addEventListener("click", function () { showPanel(n); });
    g.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showPanel(n); } });
    layer.appendChild(g);
  }

  function drawEdge(layer, edge) {
    var l = extra[edge.id];
    (edge.sections || []).forEach(function (s) {
      var pts = [s.startPoint].concat(s.bendPoints || [], [s.endPoint]);
      var d = pts.map(function (p, i) { return (i ? "L" : "M") + p.x + "," + p.y; }).join(" ");
      var path = svgEl("path", {
        d: d, fill: "none", stroke: l.group ? OR_COLOUR : MUTED, "stroke-width": l.group ? 1.5 : 1.6,
        "marker-end": "url(#graph-arrow" + (l.group ? "-or" : "") + ")", "class": "graph-link"
      });
      if (l.group) { path.setAttribute("stroke-dasharray", "5 3"); }
      var label = byId[l.source].code + " → " + byId[l.target].code + " · " +
        (l.group ? fmt(S.or_group, { group: l.group }) : S.and) +
        (l.tolerance ? " · " + S.tolerance + " " + l.tolerance : "");
      title(path, label);
      layer.appendChild(path);
      if (l.group) {
        // The group's name above the longest horizontal stretch of the line, clear of boxes.
        var best = null;
        for (var i = 1; i < pts.length; i++) {
          var a = pts[i - 1], b = pts[i];
          if (a.y === b.y && (!best || Math.abs(b.x - a.x) > best.len)) {
            best = { len: Math.abs(b.x - a.x), x: (a.x + b.x) / 2, y: a.y };
          }
        }
        if (!best) { best = { x: s.endPoint.x - 30, y: s.endPoint.y }; }
        layer.appendChild(svgEl("text", {
          x: best.x, y: best.y - 4, "text-anchor": "middle", "font-size": 10, fill: OR_COLOUR,
          "class": "graph-link-label"
        }, fmt(S.or_group, { group: l.group })));
      }
    });
  }

  function marker(defs, id, colour) {
    var m = svgEl("marker", {
      id: id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse"
    });
    m.appendChild(svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
    defs.appendChild(m);
  }

  function draw(layout, grouping) {
    chartEl.innerHTML = "";
    var svg = svgEl("svg", {
      width: "100%", height: "100%", "font-family": FONT, role: "img",
      "aria-label": S.title, "data-testid": "graph-svg"
    });
    var defs = svgEl("defs");
    marker(defs, "graph-arrow", MUTED);
    marker(defs, "graph-arrow-or", OR_COLOUR);
    svg.appendChild(defs);
    var viewport = svgEl("g", { "class": "graph-viewport" });
    var groups = svgEl("g", { "class": "graph-groups" });
    var edges = svgEl("g", { "class": "graph-links" });
    var nodes = svgEl("g", { "class": "graph-nodes" });
    viewport.appendChild(groups);
    viewport.appendChild(edges);
    viewport.appendChild(nodes);
    svg.appendChild(viewport);
    layout.children.forEach(function (child) {
      if (!child.children) { drawNode(nodes, child); return; }
      var box = svgEl("g", { "class": "graph-group", "data-group": child.id.slice(6) });
      box.appendChild(svgEl("rect", {
        x: child.x, y: child.y, width: child.width, height: child.height, rx: 6,
        fill: "#f8fafc", stroke: "#94a3b8", "stroke-dasharray": "4 3"
      }));
      box.appendChild(svgEl("text", {
        x: child.x + 10, y: child.y + 20, "font-size": 12, "font-weight": "bold", fill: MUTED, "class": "graph-group-label"
      }, fit(extra[child.id], Math.max(child.width - 20, 40), true)));
      title(box, extra[child.id]);
      groups.appendChild(box);
      child.children.forEach(function (inner) { drawNode(nodes, inner); });
    });
    (layout.edges || []).forEach(function (edge) { drawEdge(edges, edge); });
    chartEl.appendChild(svg);
    drawn = { svg: svg, viewport: viewport, width: layout.width, height: layout.height, centre: centreBox(layout) };
    chartEl.setAttribute("data-grouping", grouping || "none");
    openView();
  }

  function centreBox(layout) {
    var found = null;
    layout.children.forEach(function (child) {
      (child.children || [child]).forEach(function (box) { if (byId[box.id] && byId[box.id].centre) { found = box; } });
    });
    return found;
  }

  function apply() {
    if (drawn) { drawn.viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")"); }
  }
  // Whether the reader has zoomed or moved the picture since it was last fitted: a resized
  // window then keeps their view instead of fitting the picture again.
  var moved = false;
  function fitView() {
    if (!drawn) { return; }
    moved = false;
    var w = chartEl.clientWidth || 800, h = chartEl.clientHeight || 600;
    view.k = Math.min(w / drawn.width, h / drawn.height, 1.25);
    view.x = (w - drawn.width * view.k) / 2;
    view.y = Math.max((h - drawn.height * view.k) / 2, 0);
    apply();
  }

  /* The first view: the whole picture when it stays readable, else the centre node at a
   * readable size (the reader zooms out, or uses "Fit to view", for the rest). */
  function openView() {
    // A wide, shallow picture gets a shorter chart rather than a band of empty space.
    var wide = Math.min((chartEl.clientWidth || 800) / drawn.width, 1.25);
    chartEl.style.height = Math.round(Math.min(Math.max(drawn.height * wide + 40, 360), 620)) + "px";
    fitView();
    if (view.k >= 0.55 || !drawn.centre) { return; }
    var w = chartEl.clientWidth || 800, h = chartEl.clientHeight || 600, c = drawn.centre;
    view.k = 0.85;
    view.x = Math.min(PAD, w / 2 - (c.x + NODE_W / 2) * view.k);
    view.y = h / 2 - (c.y + NODE_H / 2) * view.k;
    apply();
  }

  /* Scroll zooms around the pointer; dragging the background moves the picture. */
  chartEl.addEventListener("wheel", function (e) {
    if (!drawn) { return; }
    e.preventDefault();
    var r = chartEl.getBoundingClientRect(), px = e.clientX - r.left, py = e.clientY - r.top;
    var k = Math.min(Math.max(view.k * Math.exp(-e.deltaY / 400), 0.1), 4);
    view.x = px - (px - view.x) * k / view.k;
    view.y = py - (py - view.y) * k / view.k;
    view.k = k;
    moved = true;
    apply();
  }, { passive: false });
  var drag = null;
  chartEl.addEventListener("pointerdown", function (e) {
    if (!drawn || e.target.closest(".graph-node")) { return; }
    drag = { x: e.clientX - view.x, y: e.clientY - view.y };
    chartEl.setPointerCapture(e.pointerId);
  });
  chartEl.addEventListener("pointermove", function (e) {
    if (!drag) { return; }
    view.x = e.clientX - drag.x;
    view.y = e.clientY - drag.y;
    moved = true;
    apply();
  });
  chartEl.addEventListener("pointerup", function () { drag = null; });

  function layout() {
    var mine = ++run;
    var grouping = groupSelect.value;
    // The note under way (the node limit) comes back after the layout; a layout started while
    // another runs (a new grouping, or again on the page's thread) keeps the first one's.
    if (chartEl.getAttribute("data-state") !== "layout") { note = status.textContent; }
    chartEl.setAttribute("data-state", "layout");
    status.textContent = S.laying_out;
    pngButton.disabled = svgButton.disabled = true;
    var used = engine;
    return used.elk.layout(elkGraph(grouping)).then(function (result) {
      if (mine !== run) { return; }
      status.textContent = note;
      draw(result, grouping);
      chartEl.setAttribute("data-layout", used.thread);
      chartEl.setAttribute("data-state", "ready");
      pngButton.disabled = svgButton.disabled = false;
    }).catch(function () {
      if (mine !== run) { return; }
      chartEl.setAttribute("data-state", "failed");
      status.textContent = S.failed;
    });
  }

  function clear(message) {
    run++;
    data = null;
    drawn = null;
    chartEl.innerHTML = "";
    chartEl.setAttribute("data-state", "empty");
    pngButton.disabled = svgButton.disabled = true;
    status.textContent = message;
  }

  function remember() {
    history.replaceState(null, "", "?" + new URLSearchParams(new FormData(form)).toString());
  }

  function load() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("group");
    if (!params.get("node")) { clear(S.empty); return; }
    status.textContent = S.loading;
    chartEl.setAttribute("data-state", "loading");
    remember();
    var mine = ++run;
    fetch(form.getAttribute("data-url") + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (packed) {
        if (mine !== run) { return; }
        var payload = unpack(packed);
        if (!payload.nodes.length) { clear(S.empty); return; }
        data = payload;
        byId = {};
        data.nodes.forEach(function (n) { byId[n.id] = n; });
        status.textContent = payload.truncated ? fmt(S.truncated, { max: S.max }) : "";
        var centre = data.nodes.filter(function (n) { return n.centre; })[0];
        if (centre) { showPanel(centre); }
        return layout();
      })
      .catch(function () {
        if (mine !== run) { return; }
        chartEl.setAttribute("data-state", "failed");
        status.textContent = S.failed;
      });
  }

  /* Exports: the drawing at its natural size, whatever the zoom, as a standalone SVG. */
  function standalone() {
    var copy = drawn.svg.cloneNode(true);
    var w = Math.ceil(drawn.width), h = Math.ceil(drawn.height);
    copy.setAttribute("width", w);
    copy.setAttribute("height", h);
    copy.setAttribute("viewBox", "0 0 " + w + " " + h);
    copy.querySelector(".graph-viewport").removeAttribute("transform");
    copy.insertBefore(svgEl("rect", { x: 0, y: 0, width: w, height: h, fill: "#ffffff" }), copy.firstChild.nextSibling);
    copy.querySelectorAll("[tabindex]").forEach(function (n) { n.removeAttribute("tabindex"); n.removeAttribute("role"); n.removeAttribute("cursor"); });
    var text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
    return { text: text, width: w, height: h };
  }
  function fileName(ext) {
    var centre = data.nodes.filter(function (n) { return n.centre; })[0];
    var code = centre ? centre.code.replace(/[^A-Za-z0-9_-]+/g, "_") : "";
    return "dependency-graph" + (code ? "-" + code : "") + "." + ext;
  }
  function save(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }
  svgButton.addEventListener("click", function () {
    if (!drawn) { return; }
    save(new Blob([standalone().text], { type: "image/svg+xml" }), fileName("svg"));
  });
  pngButton.addEventListener("click", function () {
    if (!drawn) { return; }
    var picture = standalone();
    // Twice the size for sharp print, within what a canvas can hold.
    var scale = Math.min(2, 8000 / Math.max(picture.width, picture.height));
    var img = new Image();
    img.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(picture.width * scale);
      canvas.height = Math.round(picture.height * scale);
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0);
      canvas.toBlob(function (blob) {
        if (blob) { save(blob, fileName("png")); } else { status.textContent = S.export_failed; }
      }, "image/png");
    };
    img.onerror = function () { status.textContent = S.export_failed; };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(picture.text);
  });

  fitButton.addEventListener("click", fitView);
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  // The kit's pickers (node, unit) announce a choice with a change event on their box.
  form.addEventListener("change", function (e) {
    if (e.target.closest(".picker") && e.target.getAttribute("role") === "combobox") { load(); }
  });
  form.querySelectorAll("select").forEach(function (s) {
    if (s === groupSelect) {
      s.addEventListener("change", function () { remember(); if (data) { layout(); } });
    } else {
      s.addEventListener("change", load);
    }
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { if (!moved) { fitView(); } }, 150);
  });
  load();
})();
