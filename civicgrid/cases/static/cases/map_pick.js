// Pick the location of a case on a map of the user's grids (no tile server).
(function () {
  var box = document.getElementById("pick-map-box");
  var el = document.getElementById("pick-map");
  if (!box || !el || typeof echarts === "undefined") return;
  var chart = null;
  function setPoint(lon, lat) {
    document.querySelector("input[name=lon]").value = lon.toFixed(6);
    document.querySelector("input[name=lat]").value = lat.toFixed(6);
    var status = document.getElementById("locate-status");
    if (status) {
      status.textContent = (status.dataset.picked || "{point}").replace(
        "{point}", lon.toFixed(5) + ", " + lat.toFixed(5));
    }
    chart.setOption({ series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 14,
      itemStyle: { color: "#c8161d" }, data: [[lon, lat]] }] });
  }
  box.addEventListener("toggle", function () {
    if (!box.open || chart) return;
    fetch(el.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("pick", geo);
      chart = echarts.init(el);
      chart.setOption({
        geo: { map: "pick", roam: true, label: { show: true, fontSize: 10 },
               itemStyle: { areaColor: "#fdf3f3", borderColor: "#c8161d" },
               emphasis: { itemStyle: { areaColor: "#f7d4d5" } } },
        series: []
      });
      chart.getZr().on("click", function (e) {
        var pt = chart.convertFromPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY]);
        if (pt) setPoint(pt[0], pt[1]);
      });
    });
  });
})();
