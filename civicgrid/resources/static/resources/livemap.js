// The living resource map (活地图): the outline of the chosen area with four point layers
// (shared resources, skilled people, open cases, hotspot alerts) that can be switched on and
// off; clicking a point shows its details below the map. Data from the scoped JSON endpoint.
(function () {
  "use strict";
  var el = document.getElementById("livemap");
  if (!el || typeof echarts === "undefined") return;
  var d = el.dataset;
  var detail = document.getElementById("map-detail");
  var chart = echarts.init(el, null, { renderer: "canvas" });
  var COLORS = { resources: "#1d5fbf", skills: "#1a7f37", risks: "#c8161d", hotspots: "#f0b400" };
  var LABELS = { resources: d.labelResources, skills: d.labelSkills, risks: d.labelRisks, hotspots: d.labelHotspots };
  var payload = null;

  function text(tag, value, cls) {
    var n = document.createElement(tag);
    n.textContent = value;
    if (cls) n.className = cls;
    return n;
  }

  function show(layer, item) {
    detail.textContent = "";
    detail.appendChild(text("h3", item.name));
    var p = document.createElement("p");
    if (layer === "resources") {
      p.textContent = item.kind + " · " + item.owner + " · " + d.labelCapacity + " " + item.capacity;
    } else if (layer === "skills") {
      p.textContent = item.count + " " + d.labelPeople + " · " + d.labelWilling + " " + item.willing + " · " + item.tags.join("、");
    } else if (layer === "risks") {
      p.textContent = item.status + (item.address ? " · " + item.address : "");
    } else {
      p.textContent = item.count + " " + d.labelCases;
    }
    p.className = "small";
    detail.appendChild(p);
    if (item.people && item.people.length) {
      var ul = document.createElement("ul");
      item.people.forEach(function (x) { ul.appendChild(text("li", x)); });
      detail.appendChild(ul);
    }
    if (item.url) {
      var a = text("a", d.labelOpen + " ›", "button small");
      a.href = item.url;
      detail.appendChild(a);
    }
    detail.dataset.layer = layer;
  }

  function enabled() {
    var on = {};
    document.querySelectorAll("#layers input[type=checkbox]").forEach(function (c) { on[c.value] = c.checked; });
    return on;
  }

  function bounds(points, geojson) {
    if (geojson.features.length || !points.length) return geojson;
    var xs = points.map(function (p) { return p[0]; }), ys = points.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs) - 0.003, x1 = Math.max.apply(null, xs) + 0.003;
    var y0 = Math.min.apply(null, ys) - 0.003, y1 = Math.max.apply(null, ys) + 0.003;
    return { type: "FeatureCollection", features: [{ type: "Feature", properties: { name: "area" },
      geometry: { type: "Polygon", coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } }] };
  }

  function draw() {
    if (!payload) return;
    var on = enabled();
    var series = [];
    ["resources", "skills", "risks", "hotspots"].forEach(function (layer) {
      var counter = document.querySelector('[data-count="' + layer + '"]');
      if (counter) counter.textContent = "(" + payload[layer].length + ")";
      if (!on[layer]) return;
      series.push({
        name: layer, type: layer === "hotspots" ? "effectScatter" : "scatter", coordinateSystem: "geo",
        symbol: layer === "resources" ? "pin" : "circle",
        symbolSize: layer === "skills" ? function (v) { return Math.min(28, 8 + 2 * (v[2] || 1)); }
          : layer === "resources" ? 20 : layer === "hotspots" ? 16 : 9,
        itemStyle: { color: COLORS[layer], opacity: 0.9 },
        data: payload[layer].map(function (x) { return { name: x.name, value: x.value, item: x }; })
      });
    });
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        var n = document.createElement("div"); n.textContent = (LABELS[p.seriesName] || "") + " · " + (p.name || ""); return n.innerHTML; } },
      geo: { map: "cg-live", roam: true, itemStyle: { areaColor: "#fdf6f5", borderColor: "#8a1116" },
             emphasis: { disabled: true }, label: { show: false } },
      series: series
    }, { replaceMerge: ["series"] });
    el.dataset.ready = "1";
  }

  fetch(d.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      payload = data;
      var points = [];
      ["resources", "skills", "risks", "hotspots"].forEach(function (l) { data[l].forEach(function (x) { points.push(x.value); }); });
      echarts.registerMap("cg-live", bounds(points, data.geojson));
      draw();
    })
    .catch(function () { detail.textContent = d.labelError; });

  document.querySelectorAll("#layers input[type=checkbox]").forEach(function (c) { c.addEventListener("change", draw); });
  chart.on("click", function (p) { if (p.data && p.data.item) show(p.seriesName, p.data.item); });
  window.addEventListener("resize", function () { chart.resize(); });
})();
