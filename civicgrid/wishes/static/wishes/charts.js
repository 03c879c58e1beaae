// Completion-rate charts, drawn by ECharts from the JSON the page carries (json_script; no
// inline script). An element [data-chart="rates"] names its data with data-source and data-key.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var RED = "#c8161d", GOLD = "#f0b400";
  document.querySelectorAll('[data-chart="rates"]').forEach(function (el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    if (!src) return;
    var all = JSON.parse(src.textContent), d = all[el.getAttribute("data-key")];
    if (!d || !d.names.length) { el.classList.add("empty"); return; }
    el.style.height = Math.max(220, 36 * d.names.length + 60) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { top: 0 },
      grid: { left: 10, right: 30, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: d.names, inverse: true },
      series: [
        { name: all.labels[0], type: "bar", data: d.items, itemStyle: { color: RED }, barMaxWidth: 14 },
        { name: all.labels[1], type: "bar", data: d.claims, itemStyle: { color: GOLD }, barMaxWidth: 14 }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
