// The BIA heat map: activities × time points, coloured by the highest impact rating (ECharts).
(function () {
  "use strict";
  var node = document.getElementById("bia-heatmap");
  var dataNode = document.getElementById("bia-heatmap-data");
  if (!node || !dataNode || typeof echarts === "undefined") return;
  var d = JSON.parse(dataNode.textContent);
  if (!d.y.length) {
    node.classList.add("d-none");
    return;
  }
  node.style.height = Math.max(220, 28 * d.y.length + 90) + "px";
  var chart = echarts.init(node);
  chart.setOption({
    tooltip: { position: "top" },
    grid: { left: 110, right: 20, top: 10, bottom: 60 },
    xAxis: { type: "category", data: d.x, splitArea: { show: true } },
    yAxis: { type: "category", data: d.y, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 1, max: d.max, calculable: false, orient: "horizontal", left: "center", bottom: 0,
      inRange: { color: ["#e8f5e9", "#fff3bf", "#ffd8a8", "#ff8787", "#c92a2a"] },
      text: [String(d.max), "1"]
    },
    series: [{ name: d.label, type: "heatmap", data: d.data, label: { show: true } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
