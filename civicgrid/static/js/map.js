// The grid map: ECharts with GeoJSON from the scoped map/data endpoint, no tiles.
// Areas drill down in place (county -> street -> community); a grid opens its page.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof echarts === "undefined") return;
  var d = el.dataset;
  var chart = echarts.init(el, null, { renderer: "canvas" });
  var crumbs = document.getElementById("map-crumbs");
  var tbody = document.querySelector("#map-list tbody");

  function link(text, href, onClick) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    if (onClick) a.addEventListener("click", function (e) { e.preventDefault(); onClick(); });
    return a;
  }

  function open(item) {
    if (item.kind === "grid") { window.location.href = item.url; return; }
    load(String(item.id), true);
  }

  function render(payload, areaId) {
    var mapName = "cg-" + (areaId || "top");
    echarts.registerMap(mapName, payload.geojson);
    var values = payload.data.map(function (x) { return x.value; });
    var max = Math.max(1, Math.max.apply(null, values.concat([0])));
    var byKey = {};
    payload.data.forEach(function (x) { byKey[x.name] = x; });
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var x = byKey[p.name];
          if (!x) return "";
          var div = document.createElement("div");
          div.textContent = x.label;
          return "<strong>" + div.innerHTML + "</strong><br>" + d.labelResidents + " " + x.value +
            " · " + d.labelHouseholds + " " + x.households + " · " + d.labelMembers + " " + x.party_members;
        }
      },
      visualMap: {
        min: 0, max: max, left: 8, bottom: 8, calculable: false, itemHeight: 90, itemWidth: 12,
        text: [String(max), "0"], inRange: { color: ["#fdf0ef", "#f4a6a0", "#c8161d"] }
      },
      series: [{
        type: "map", map: mapName, nameProperty: "key", roam: true, selectedMode: false,
        label: { show: true, fontSize: 11, color: "#1f2329", formatter: function (p) { var x = byKey[p.name]; return x ? x.short : ""; } },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffd666" } },
        itemStyle: { borderColor: "#8a1116", borderWidth: 1 },
        data: payload.data
      }]
    }, true);
    drawCrumbs(payload);
    drawList(payload);
    el.dataset.ready = "1";
  }

  function drawCrumbs(payload) {
    crumbs.textContent = "";
    crumbs.appendChild(link(d.labelTop, d.page, function () { load("", true); }));
    payload.breadcrumbs.forEach(function (c) {
      crumbs.appendChild(document.createTextNode(" / "));
      crumbs.appendChild(link(c.name, d.page + "?area=" + c.id, function () { load(String(c.id), true); }));
    });
  }

  function drawList(payload) {
    tbody.textContent = "";
    if (!payload.data.length) {
      var tr = tbody.insertRow(); var td = tr.insertCell(); td.colSpan = 4; td.className = "muted";
      td.textContent = d.labelEmpty;
      return;
    }
    payload.data.forEach(function (x) {
      var tr = tbody.insertRow();
      tr.insertCell().appendChild(link(x.label, x.url, x.kind === "grid" ? null : function () { open(x); }));
      [x.households, x.value, x.party_members].forEach(function (v) {
        var td = tr.insertCell(); td.className = "num"; td.textContent = v;
      });
    });
  }

  function load(areaId, push) {
    var url = d.url + (areaId ? "?area=" + encodeURIComponent(areaId) : "");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (payload) {
        render(payload, areaId);
        if (push) history.pushState({ area: areaId }, "", d.page + (areaId ? "?area=" + areaId : ""));
      })
      .catch(function () { crumbs.textContent = d.labelError; });
  }

  chart.on("click", function (p) { if (p.data) open(p.data); });
  window.addEventListener("resize", function () { chart.resize(); });
  window.addEventListener("popstate", function (e) { load((e.state && e.state.area) || "", false); });
  load(d.area || "", false);
})();
