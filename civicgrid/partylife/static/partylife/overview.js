/* Star distribution and warning kinds on the party-life overview (data from json_script). */
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("partylife-chart-data");
    if (!node || !window.echarts) { return; }
    var data = JSON.parse(node.textContent);
    var colours = { stars: ["#c9cdd4", "#f0b400", "#e58a00", "#d4551a", "#c8161d"], warnings: ["#c8161d"] };
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var key = el.getAttribute("data-chart");
      var d = data[key];
      var chart = window.echarts.init(el);
      chart.setOption({
        grid: { left: 8, right: 8, top: 20, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: key === "warnings" ? 20 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{
          type: "bar", data: d.values.map(function (v, i) {
            var c = colours[key]; return { value: v, itemStyle: { color: c[i % c.length] } };
          }), label: { show: true, position: "top" }
        }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
