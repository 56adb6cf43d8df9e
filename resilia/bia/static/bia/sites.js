// The alternate work area chart: seats needed per site against its capacity, drawn from the
// json_script block of sites.html (the CSP forbids inline scripts). The tables stay readable
// without it.
(function () {
  var holder = document.getElementById("site-chart");
  var source = document.getElementById("site-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var series = [];
  data.sites.forEach(function (site) {
    series.push({ name: site.name, type: "line", step: "end", data: site.seats });
    series.push({
      name: site.name + " · " + data.labels.capacity, type: "line", lineStyle: { type: "dashed" },
      symbol: "none", data: data.days.map(function () { return site.capacity; })
    });
  });
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll" },
    xAxis: { type: "category", name: data.labels.day, data: data.days },
    yAxis: { type: "value", name: data.labels.seats, minInterval: 1 },
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
