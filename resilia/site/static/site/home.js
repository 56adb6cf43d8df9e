// The home page's charts: a donut per share, drawn from the json_script block "home-charts".
// The same figures are listed as text under each chart, for readers without JavaScript.
(function () {
  "use strict";
  var source = document.getElementById("home-charts");
  if (!source || typeof echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var colours = {
    rto: ["#2fb344", "#d63939"],
    tests: ["#d63939", "#f76707", "#f59f00", "#2fb344"],
  };
  document.querySelectorAll(".home-chart[data-chart]").forEach(function (holder) {
    var data = charts[holder.dataset.chart];
    if (!data) return;
    var chart = echarts.init(holder);
    chart.setOption({
      animation: false,
      color: colours[holder.dataset.chart],
      // ECharts' default tooltip marks each line with an inline-styled span, which the
      // Content-Security-Policy refuses: plain text instead.
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + p.value + " (" + p.percent + "%)"; } },
      legend: { bottom: 0 },
      series: [{
        type: "pie", radius: ["45%", "70%"], center: ["50%", "45%"],
        label: { formatter: "{c}" },
        // An empty share keeps its legend entry but draws no label pointing at nothing.
        data: data.slices.map(function (s) {
          return s.value ? s : { name: s.name, value: 0, label: { show: false }, labelLine: { show: false } };
        }),
      }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
