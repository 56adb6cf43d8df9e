/* The dependency graph page: fetches the neighbourhood of the chosen node (JSON, at most a
 * few hundred nodes, access-filtered on the server) and draws it with ECharts. Nodes are
 * coloured by the engine's verdict, OR links dashed and labelled with their group; a click
 * shows the node's details and the chain of links from the centre. Strings come translated
 * from the template (#graph-strings). */
(function () {
  "use strict";
  var S = JSON.parse(document.getElementById("graph-strings").textContent);
  var COLOURS = { gap: "#d63939", spof: "#f76707", ok: "#2fb344", unknown: "#868e96" };
  var form = document.getElementById("graph-form");
  var status = document.getElementById("graph-status");
  var panel = document.getElementById("graph-panel");
  var chartEl = document.getElementById("graph-chart");
  var chart = window.echarts.init(chartEl);
  var byId = {};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
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

  function showPanel(node) {
    panel.innerHTML = "";
    var body = el("div", "card-body");
    var title = el("h3", "card-title mb-1", node.code + " · " + node.name);
    body.appendChild(title);
    var badge = el("span", "badge text-white mb-3", S.verdicts[node.verdict]);
    badge.style.background = COLOURS[node.verdict];
    body.appendChild(badge);
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
      node.path.forEach(function (step) {
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

  function draw(data) {
    byId = {};
    var nodes = data.nodes.map(function (n) {
      byId[n.id] = n;
      return {
        id: n.id,
        name: n.code,
        value: n.name,
        symbol: n.type === "activity" ? "circle" : "rect",
        symbolSize: n.centre ? 34 : Math.max(14, 26 - 3 * n.distance),
        itemStyle: { color: COLOURS[n.verdict], borderColor: n.centre ? "#1d273b" : "#fff", borderWidth: n.centre ? 3 : 1 },
        label: { show: true, position: "right", formatter: n.code + " " + n.name }
      };
    });
    var links = data.links.map(function (l) {
      return {
        source: l.source,
        target: l.target,
        lineStyle: { type: l.group ? "dashed" : "solid", width: l.group ? 1.5 : 2, color: l.group ? "#ae3ec9" : "#66758c", curveness: 0.08 },
        label: { show: !!l.group, formatter: l.group ? fmt(S.or_group, { group: l.group }) : "", fontSize: 10, color: "#ae3ec9" }
      };
    });
    chart.setOption({
      tooltip: { formatter: function (p) { return p.dataType === "node" ? p.data.label.formatter + "<br>" + S.verdicts[byId[p.data.id].verdict] : ""; } },
      series: [{
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        force: { repulsion: 260, edgeLength: [60, 140], gravity: 0.08 },
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 7,
        data: nodes,
        links: links,
        emphasis: { focus: "adjacency" }
      }]
    }, true);
  }

  function load() {
    var params = new URLSearchParams(new FormData(form));
    if (!params.get("node")) {
      status.textContent = S.empty;
      chart.clear();
      return;
    }
    status.textContent = S.loading;
    history.replaceState(null, "", "?" + params.toString());
    fetch(form.getAttribute("data-url") + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (!data.nodes.length) { status.textContent = S.empty; chart.clear(); return; }
        status.textContent = data.truncated ? fmt(S.truncated, { max: S.max }) : "";
        draw(data);
        var centre = data.nodes.filter(function (n) { return n.centre; })[0];
        if (centre) { showPanel(centre); }
      })
      .catch(function () { status.textContent = S.failed; });
  }

  chart.on("click", function (p) {
    if (p.dataType === "node" && byId[p.data.id]) { showPanel(byId[p.data.id]); }
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  form.querySelectorAll("select").forEach(function (s) { s.addEventListener("change", load); });
  window.addEventListener("resize", function () { chart.resize(); });
  load();
})();
