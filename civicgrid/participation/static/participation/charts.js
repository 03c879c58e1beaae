// Charts of the participation pages, drawn by ECharts from the JSON the page carries
// (json_script; no inline script). An element [data-chart] names its data with data-source.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var RED = "#c8161d", GOLD = "#f0b400", GREEN = "#1a7f37", GREY = "#8c8c8c";
  var draw = {
    // Meetings: per area, solved on the spot / committed and done / committed and open.
    outcomes: function (d) {
      return {
        tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 40, right: 10, top: 40, bottom: 60 },
        xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 4 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: d.labels[0], type: "bar", stack: "x", data: d.solved, itemStyle: { color: GREEN } },
          { name: d.labels[1], type: "bar", stack: "x", data: d.committed_done, itemStyle: { color: RED } },
          { name: d.labels[2], type: "bar", stack: "x", data: d.committed_open, itemStyle: { color: GOLD } }
        ]
      };
    },
    // A property company's months: composite and inspection (0-100), complaints (right axis).
    trend: function (d) {
      return {
        tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 40, right: 40, top: 40, bottom: 30 },
        xAxis: { type: "category", data: d.months },
        yAxis: [{ type: "value", min: 0, max: 100 }, { type: "value", minInterval: 1, splitLine: { show: false } }],
        series: [
          { name: d.labels[0], type: "line", data: d.composite, connectNulls: true, itemStyle: { color: RED } },
          { name: d.labels[1], type: "line", data: d.inspection, connectNulls: true, itemStyle: { color: GREY } },
          { name: d.labels[2], type: "bar", yAxisIndex: 1, data: d.complaints, itemStyle: { color: GOLD }, barMaxWidth: 16 }
        ]
      };
    },
    // A vote's result: votes per project.
    votes: function (d) {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 10, right: 20, top: 10, bottom: 20, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: d.names.slice().reverse(), axisLabel: { width: 140, overflow: "truncate" } },
        series: [{ type: "bar", data: d.votes.slice().reverse(), itemStyle: { color: RED } }]
      };
    }
  };
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var src = document.getElementById(el.dataset.source);
    var fn = draw[el.dataset.chart];
    if (!src || !fn) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(fn(JSON.parse(src.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
