// Charts of the staff number pages (assessment ranking and trend, the home page's queues and
// daily counts), drawn by ECharts from JSON the page carries (json_script; no inline script:
// CSP). An element .cg-chart[data-chart] names its data with data-source (the id of the JSON
// script element) and data-key (a dotted path inside it, e.g. "rankings.0"). The data:
//   { x: [labels], series: [{ name, values, color? }], percent: bool, horizontal: bool }
// data-chart="bars" draws bars (horizontal ones for rankings), "lines" draws lines.
// The numbers are also in the page's tables and lists; the chart is for the eye.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var COLORS = ["#c8161d", "#f0b400", "#2f7fc1", "#3a9a5b", "#7a5cc4", "#8c8c8c"];

  function pick(data, key) {
    return (key || "").split(".").reduce(function (node, part) {
      return node == null ? node : node[part];
    }, data);
  }

  function fmt(percent) {
    return function (v) { return v == null ? "—" : (percent ? v + "%" : String(v)); };
  }

  function bars(el, d) {
    var horizontal = !!d.horizontal;
    if (horizontal) el.style.height = Math.max(160, 30 * d.x.length + 50) + "px";
    var names = { type: "category", data: d.x, inverse: horizontal,
      axisLabel: horizontal ? { width: 96, overflow: "truncate" } : { interval: 0, fontSize: 11 } };
    var values = { type: "value", minInterval: 1,
      axisLabel: { formatter: d.percent ? "{value}%" : "{value}" } };
    if (d.percent) { values.min = 0; values.max = 100; }
    return {
      grid: { left: 8, right: horizontal ? 44 : 8, top: horizontal ? 10 : 22, bottom: 4, containLabel: true },
      xAxis: horizontal ? values : names,
      yAxis: horizontal ? names : values,
      series: d.series.map(function (s, i) {
        return {
          name: s.name, type: "bar", barMaxWidth: horizontal ? 16 : 28,
          data: s.values.map(function (v, j) {
            var c = s.colors && s.colors[j];
            return c ? { value: v, itemStyle: { color: c } } : v;
          }),
          itemStyle: { color: s.color || COLORS[i % COLORS.length] },
          label: { show: true, position: horizontal ? "right" : "top", fontSize: 11,
            formatter: function (p) { return fmt(d.percent)(p.value); } }
        };
      })
    };
  }

  function lines(el, d) {
    var values = { type: "value", minInterval: 1,
      axisLabel: { formatter: d.percent ? "{value}%" : "{value}" } };
    if (d.percent) { values.min = 0; values.max = 100; }
    return {
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 32, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: d.x, boundaryGap: true, axisLabel: { fontSize: 11, hideOverlap: true } },
      yAxis: values,
      series: d.series.map(function (s, i) {
        return { name: s.name, type: "line", data: s.values, connectNulls: false, symbolSize: 7,
          itemStyle: { color: s.color || COLORS[i % COLORS.length] } };
      })
    };
  }

  var sources = {};
  var drawn = [];
  document.querySelectorAll(".cg-chart[data-chart]").forEach(function (el) {
    var id = el.getAttribute("data-source");
    var src = document.getElementById(id);
    if (!src) return;
    if (!(id in sources)) sources[id] = JSON.parse(src.textContent);
    var d = pick(sources[id], el.getAttribute("data-key"));
    if (!d || !d.x || !d.x.length || !d.series || !d.series.length) {
      el.classList.add("cg-chart-empty");
      return;
    }
    var kind = el.getAttribute("data-chart");
    var option = kind === "lines" ? lines(el, d) : bars(el, d);
    // richText tooltips: drawn on the canvas, no HTML with style attributes (CSP).
    option.tooltip = { trigger: "axis", renderMode: "richText", valueFormatter: fmt(d.percent) };
    option.animation = false;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.setAttribute("data-ready", "1");
    drawn.push(chart);
  });
  if (drawn.length) {
    window.addEventListener("resize", function () {
      drawn.forEach(function (c) { c.resize(); });
    });
  }
})();
