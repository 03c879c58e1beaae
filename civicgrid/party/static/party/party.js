// Bar charts of points: the member's months and the top of a ranking (data from json_script).
(function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-party-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.partyChart);
    if (!source) return;
    var rows = JSON.parse(source.textContent);
    if (!rows.length) { el.hidden = true; return; }
    var horizontal = el.dataset.horizontal === "1";
    var names = rows.map(function (r) { return r.name || r.month; });
    var values = rows.map(function (r) { return r.value !== undefined ? r.value : r.points; });
    var chart = echarts.init(el, null, { renderer: "svg" });
    var cat = { type: "category", data: horizontal ? names.slice().reverse() : names,
                axisLabel: { fontSize: 11 } };
    var val = { type: "value", minInterval: 1 };
    chart.setOption({
      animation: false,
      grid: { left: horizontal ? 90 : 36, right: 16, top: 12, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: [{ type: "bar", data: horizontal ? values.slice().reverse() : values,
                 itemStyle: { color: "#c8161d" }, label: { show: true, position: horizontal ? "right" : "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
  var print = document.getElementById("print-receipt");
  if (print) print.addEventListener("click", function () { window.print(); });
})();
