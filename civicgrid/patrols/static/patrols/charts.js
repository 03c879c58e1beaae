// Bar charts of the patrol coverage and of the party-organisation coverage (data in data-chart).
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  document.querySelectorAll(".patrol-chart[data-chart]").forEach(function (el) {
    var c = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var series;
    if (el.dataset.kind === "orgs") {
      series = [
        { name: c.org_label, type: "bar", data: c.org, itemStyle: { color: "#c8161d" } },
        { name: c.work_label, type: "bar", data: c.work, itemStyle: { color: "#f4a6a0" } }
      ];
    } else {
      series = [{ name: c.title, type: "bar", data: c.rates, itemStyle: { color: "#c8161d" },
                  label: { show: true, position: "top", formatter: "{c}%" } }];
    }
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 30, bottom: 60 },
      xAxis: { type: "category", data: c.labels, axisLabel: { interval: 0, rotate: c.labels.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", max: 100 },
      series: series
    });
    el.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
