// One bar chart per question of the results page (data from the json_script block).
(function () {
  function draw() {
    var data = document.getElementById("survey-charts");
    if (!data || typeof echarts === "undefined") return;
    JSON.parse(data.textContent).forEach(function (c) {
      var el = document.getElementById("chart-" + c.id);
      if (!el) return;
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: c.labels, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
        tooltip: { trigger: "axis" },
        series: [{ type: "bar", data: c.values, itemStyle: { color: "#c8161d" }, label: { show: true, position: "right" } }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
