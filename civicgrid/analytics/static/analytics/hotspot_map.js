// The small map of a hotspot alert: the outline of its grid or area, its cases as points and
// the centre, drawn by ECharts from the JSON the page carries (no tiles, no inline script).
(function () {
  "use strict";
  var el = document.getElementById("hotspot-map");
  var src = document.getElementById("hotspot-map-data");
  if (!el || !src || typeof echarts === "undefined") return;
  var data = JSON.parse(src.textContent);
  var points = data.points || [];
  if (!points.length && !data.geojson.features.length) { el.hidden = true; return; }
  var geojson = data.geojson;
  if (!geojson.features.length) {
    var xs = points.map(function (p) { return p.value[0]; }), ys = points.map(function (p) { return p.value[1]; });
    var x0 = Math.min.apply(null, xs) - 0.002, x1 = Math.max.apply(null, xs) + 0.002;
    var y0 = Math.min.apply(null, ys) - 0.002, y1 = Math.max.apply(null, ys) + 0.002;
    geojson = { type: "FeatureCollection", features: [{ type: "Feature", properties: { name: "area" },
      geometry: { type: "Polygon", coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } }] };
  }
  echarts.registerMap("cg-hotspot", geojson);
  var chart = echarts.init(el, null, { renderer: "canvas" });
  var series = [{
    type: "scatter", coordinateSystem: "geo", symbolSize: 9, name: el.dataset.labelCase,
    itemStyle: { color: "#c8161d" }, data: points
  }];
  if (data.centroid) {
    series.push({ type: "effectScatter", coordinateSystem: "geo", symbolSize: 14, name: el.dataset.labelCentre,
      itemStyle: { color: "#faad14" }, data: [{ name: el.dataset.labelCentre, value: data.centroid }] });
  }
  chart.setOption({
    tooltip: { trigger: "item", formatter: function (p) { var d = document.createElement("div"); d.textContent = p.name; return d.innerHTML; } },
    geo: { map: "cg-hotspot", roam: true, itemStyle: { areaColor: "#fdf0ef", borderColor: "#8a1116" }, emphasis: { disabled: true } },
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.ready = "1";
})();
