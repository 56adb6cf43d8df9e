// What-if page: pick failed nodes from the autocomplete, draw the timeline (ECharts).
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("whatif-labels").textContent);

  // Picking: a candidate button adds a chip with a hidden "fail" input; a chip's × removes it.
  var selected = document.getElementById("selected-nodes");
  var candidates = document.getElementById("candidates");
  var search = document.getElementById("node-search");
  if (candidates && selected) {
    candidates.addEventListener("click", function (event) {
      var button = event.target.closest("[data-spec]");
      if (!button) return;
      var spec = button.getAttribute("data-spec");
      if (!selected.querySelector('[data-spec="' + CSS.escape(spec) + '"]')) {
        var chip = document.createElement("span");
        chip.className = "badge bg-red-lt fs-5 py-2";
        chip.setAttribute("data-spec", spec);
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "fail";
        input.value = spec;
        var close = document.createElement("button");
        close.type = "button";
        close.className = "btn-close ms-1 remove-node";
        close.setAttribute("aria-label", labels.remove);
        chip.appendChild(input);
        chip.appendChild(document.createTextNode(button.getAttribute("data-label") + " "));
        chip.appendChild(close);
        selected.appendChild(chip);
      }
      candidates.innerHTML = "";
      search.value = "";
      search.focus();
    });
    selected.addEventListener("click", function (event) {
      if (event.target.classList.contains("remove-node")) {
        event.target.closest("[data-spec]").remove();
      }
    });
    // The search box only feeds the autocomplete: Enter must not submit it as a filter.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    search.form.addEventListener("submit", function () { search.disabled = true; });
  }

  // Timeline: one bar per activity from stop to back, markers at the RTO and MTPD breaches.
  var holder = document.getElementById("whatif-timeline");
  var source = document.getElementById("whatif-timeline-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  // The server sends one list per key (the keys once, not per row): rebuild the rows.
  var columns = JSON.parse(source.textContent);
  var rows = (columns.name || []).map(function (_n, i) {
    var row = {};
    Object.keys(columns).forEach(function (k) { row[k] = columns[k][i]; });
    return row;
  });
  var hours = function (m) { return m === null ? null : Math.round(m / 6) / 10; };
  var finite = [];
  rows.forEach(function (r) {
    [r.stop, r.back, r.rto, r.mtpd].forEach(function (v) { if (v !== null) finite.push(hours(v)); });
  });
  var axisEnd = Math.max.apply(null, finite.concat([1])) * 1.15;
  var names = rows.map(function (r) { return r.name || "—"; }).reverse();
  var ordered = rows.slice().reverse();
  // Sized here, not in a style attribute: the Content-Security-Policy refuses those.
  // Each activity gets a row tall enough for a label on two lines: readable at 5 activities
  // as at 200 (the page's most), the legend and the axis outside the rows.
  holder.style.height = Math.max(rows.length * 32 + 90, 200) + "px";
  var chart = echarts.init(holder);
  // ECharts' default tooltip marks each line with an inline-styled span, which the
  // Content-Security-Policy refuses: plain text instead.
  function point(p) { return ordered[p.value[1]].name + "<br>" + p.seriesName + ": " + p.value[0] + " h"; }
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 24, top: 30, bottom: 36, containLabel: true },
    legend: { top: 0, data: [labels.down, labels.rto, labels.mtpd] },
    tooltip: { trigger: "item" },
    xAxis: { type: "value", min: 0, max: Math.ceil(axisEnd), name: labels.hours,
             nameLocation: "middle", nameGap: 24 },
    // Every label shown (interval 0), wrapped rather than cut; a click opens the record.
    yAxis: { type: "category", data: names, triggerEvent: true,
             axisLabel: { interval: 0, width: 240, overflow: "break", lineHeight: 14 } },
    series: [
      { type: "bar", stack: "t", silent: true, itemStyle: { color: "transparent" },
        data: ordered.map(function (r) { return hours(r.stop); }) },
      { name: labels.down, type: "bar", stack: "t", barMaxWidth: 18,
        itemStyle: { color: "#d63939", opacity: 0.55 },
        tooltip: { formatter: function (p) {
          var r = ordered[p.dataIndex];
          return p.name + "<br>" + hours(r.stop) + " → " + (r.back === null ? labels.never : hours(r.back)) + " h";
        } },
        data: ordered.map(function (r) {
          var end = r.back === null ? axisEnd : hours(r.back);
          return Math.max(end - hours(r.stop), 0.05);
        }) },
      { name: labels.rto, type: "scatter", symbol: "diamond", symbolSize: 13,
        itemStyle: { color: "#f59f00" }, tooltip: { formatter: point },
        data: ordered.map(function (r, i) { return r.rto === null ? null : [hours(r.rto), i]; })
          .filter(function (d) { return d !== null; }) },
      { name: labels.mtpd, type: "scatter", symbol: "triangle", symbolSize: 14,
        itemStyle: { color: "#1d1d1d" }, tooltip: { formatter: point },
        data: ordered.map(function (r, i) { return r.mtpd === null ? null : [hours(r.mtpd), i]; })
          .filter(function (d) { return d !== null; }) }
    ]
  });
  chart.on("click", function (p) {
    var row = p.componentType === "yAxis" ? ordered[names.indexOf(p.value)] : ordered[p.dataIndex];
    if (p.componentType === "series" && p.seriesType === "scatter") row = ordered[p.value[1]];
    if (row && row.url) window.location.href = row.url;
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
