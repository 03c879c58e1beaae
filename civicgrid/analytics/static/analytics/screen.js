// The big screen: figures and map from the scoped screen/data endpoint, refreshed every
// minute; a click on the map or a ranking row drills down (county -> street -> community ->
// grid) with the same layout. No inline scripts (CSP): labels come from data-* attributes.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root || typeof echarts === "undefined") return;
  var d = root.dataset;
  var charts = {
    map: echarts.init(document.getElementById("screen-map")),
    trend: echarts.init(document.getElementById("screen-trend")),
    categories: echarts.init(document.getElementById("screen-categories"))
  };
  var state = { area: d.area || "", grid: d.grid || "" };
  var timer = null;
  var axis = { axisLine: { lineStyle: { color: "#3b5b94" } }, axisLabel: { color: "#8fa8d6" },
    splitLine: { lineStyle: { color: "#14284f" } } };

  function text(id, value) { document.getElementById(id).textContent = value; }
  function pct(v) { return v === null || v === undefined ? "–" : v + "%"; }
  function query(s) {
    var q = [];
    if (s.grid) q.push("grid=" + encodeURIComponent(s.grid));
    else if (s.area) q.push("area=" + encodeURIComponent(s.area));
    return q.length ? "?" + q.join("&") : "";
  }
  function go(s, push) {
    state = s;
    if (push) history.pushState(s, "", d.page + query(s));
    load();
  }
  function childState(c) { return c.kind === "grid" ? { area: "", grid: String(c.id) } : { area: String(c.id), grid: "" }; }
  function link(label, onClick) {
    var a = document.createElement("a");
    a.href = "#"; a.textContent = label;
    a.addEventListener("click", function (e) { e.preventDefault(); onClick(); });
    return a;
  }

  function crumbs(p) {
    var nav = document.getElementById("screen-crumbs");
    nav.textContent = "";
    nav.appendChild(link(d.labelTop, function () { go({ area: "", grid: "" }, true); }));
    p.breadcrumbs.forEach(function (c) {
      nav.appendChild(document.createTextNode(" / "));
      nav.appendChild(link(c.name, function () { go({ area: String(c.id), grid: "" }, true); }));
    });
    if (p.level.kind === "grid") {
      nav.appendChild(document.createTextNode(" / " + p.level.name));
    }
  }

  function counters(c) {
    text("c-today", c.today);
    text("c-open", c.open);
    text("c-overdue", c.overdue);
    text("c-satisfaction", pct(c.satisfaction_rate));
    text("c-on-time", pct(c.on_time_rate));
  }

  function map(p) {
    var name = "cg-screen-" + p.level.kind + "-" + (p.level.id || "top");
    echarts.registerMap(name, p.map);
    var data = p.children.map(function (c) {
      return { name: c.kind + "-" + c.id, value: c.open, overdue: c.overdue, label: c.name, child: c };
    });
    var byKey = {};
    data.forEach(function (x) { byKey[x.name] = x; });
    var max = Math.max(1, Math.max.apply(null, data.map(function (x) { return x.value; }).concat([0])));
    charts.map.setOption({
      tooltip: { trigger: "item", formatter: function (q) {
        var x = byKey[q.name]; if (!x) return "";
        var div = document.createElement("div"); div.textContent = x.label;
        return "<strong>" + div.innerHTML + "</strong><br>" + d.labelOpen + " " + x.value + " · " + d.labelOverdue + " " + x.overdue;
      } },
      visualMap: { min: 0, max: max, left: 8, bottom: 8, itemHeight: 90, itemWidth: 12, calculable: false,
        text: [String(max), "0"], textStyle: { color: "#8fa8d6" }, inRange: { color: ["#12365f", "#2f7fc1", "#ffb547", "#ff4d4f"] } },
      series: [{ type: "map", map: name, nameProperty: "key", roam: true, selectedMode: false,
        label: { show: true, color: "#e6f0ff", fontSize: 12, formatter: function (q) {
          var x = byKey[q.name]; return x ? x.label + "\n" + x.value + "/" + x.overdue : ""; } },
        itemStyle: { borderColor: "#4fd1ff", borderWidth: 1 },
        emphasis: { itemStyle: { areaColor: "#ffd666" }, label: { color: "#07122b" } },
        data: data }]
    }, true);
    root.dataset.mapValues = JSON.stringify(data.map(function (x) { return [x.label, x.value, x.overdue]; }));
  }

  function trend(p) {
    charts.trend.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [d.labelReceived, d.labelResolved], textStyle: { color: "#8fa8d6" }, top: 0 },
      grid: { left: 40, right: 12, top: 28, bottom: 24 },
      xAxis: Object.assign({ type: "category", data: p.trend.map(function (x) { return x.day.slice(5); }) }, axis),
      yAxis: Object.assign({ type: "value", minInterval: 1 }, axis),
      series: [
        { name: d.labelReceived, type: "line", smooth: true, data: p.trend.map(function (x) { return x.received; }), itemStyle: { color: "#4fd1ff" } },
        { name: d.labelResolved, type: "line", smooth: true, data: p.trend.map(function (x) { return x.resolved; }), itemStyle: { color: "#52c41a" } }
      ]
    }, true);
  }

  function categories(p) {
    var items = p.categories.slice().reverse();
    charts.categories.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 110, right: 24, top: 8, bottom: 20 },
      xAxis: Object.assign({ type: "value", minInterval: 1 }, axis),
      yAxis: Object.assign({ type: "category", data: items.map(function (x) { return x.name; }) }, axis),
      series: [{ type: "bar", data: items.map(function (x) { return x.received; }), itemStyle: { color: "#ffb547" },
        label: { show: true, position: "right", color: "#d8e6ff" } }]
    }, true);
  }

  function table(id, rows, drill) {
    var tbody = document.querySelector("#" + id + " tbody");
    tbody.textContent = "";
    rows.forEach(function (r) {
      var tr = tbody.insertRow();
      tr.insertCell().textContent = r.rank;
      var name = tr.insertCell();
      if (drill) name.appendChild(link(r.name, function () { go(childState(r), true); }));
      else name.textContent = r.name;
      [r.received, r.open, r.overdue, pct(r.on_time_rate), pct(r.satisfaction_rate)].forEach(function (v) {
        var td = tr.insertCell(); td.className = "num"; td.textContent = v;
      });
    });
  }

  function party(f) {
    text("p-members", f.members); text("p-units", f.units); text("p-wishes", f.wishes_open);
    text("p-claims", f.claims_confirmed); text("p-hours", Math.round(f.volunteer_hours)); text("p-points", f.points);
  }

  function alerts(rows) {
    var ul = document.getElementById("screen-alerts");
    ul.textContent = "";
    if (!rows.length) { var li = document.createElement("li"); li.textContent = ul.dataset.none; ul.appendChild(li); return; }
    rows.forEach(function (r) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = ul.dataset.url.replace("/0/", "/" + r.id + "/");
      a.textContent = r.day.slice(5) + " " + r.where + " · " + r.what + " · " + r.kind + " " + r.count + d.labelCases;
      li.appendChild(a); ul.appendChild(li);
    });
  }

  function render(p) {
    crumbs(p);
    counters(p.counters);
    map(p);
    trend(p);
    categories(p);
    table("screen-ranking", p.children, p.level.kind !== "grid");
    table("screen-departments", p.departments, false);
    party(p.party);
    alerts(p.alerts);
    text("screen-updated", d.labelUpdated + " " + new Date().toLocaleTimeString());
    root.dataset.ready = "1";
  }

  function load() {
    fetch(d.url + query(state), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(render)
      .catch(function () { text("screen-updated", d.labelError); });
    if (timer) clearTimeout(timer);
    timer = setTimeout(load, (parseInt(d.refresh, 10) || 60) * 1000);
  }

  charts.map.on("click", function (q) {
    if (q.data && q.data.child && !state.grid) go(childState(q.data.child), true);
  });
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  window.addEventListener("popstate", function (e) { state = e.state || { area: "", grid: "" }; load(); });
  load();
})();
