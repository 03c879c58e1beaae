// Hours per month on the statistics page (ECharts, served locally).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var el = document.getElementById("hours-chart");
    if (!el || !window.echarts) return;
    var chart = window.echarts.init(el);
    fetch(el.dataset.feed, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var rows = data.by_month || [];
        chart.setOption({
          grid: { left: 48, right: 16, top: 24, bottom: 32 },
          tooltip: { trigger: "axis" },
          xAxis: { type: "category", data: rows.map(function (r) { return r.month; }) },
          yAxis: { type: "value", name: el.dataset.label },
          series: [{ type: "bar", name: el.dataset.label, barMaxWidth: 48, itemStyle: { color: "#c8161d" },
                     data: rows.map(function (r) { return r.hours; }) }]
        });
        el.dataset.ready = String(rows.length);
      });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
