// Fill the hidden lon/lat fields from the phone's GPS.
(function () {
  var button = document.getElementById("locate-me");
  var status = document.getElementById("locate-status");
  if (!button) return;
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "此设备不支持定位,请选择网格。"; return; }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.querySelector("input[name=lon]").value = pos.coords.longitude.toFixed(6);
      document.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
      status.textContent = "已定位:" + pos.coords.longitude.toFixed(5) + ", " + pos.coords.latitude.toFixed(5) +
        "(精度约 " + Math.round(pos.coords.accuracy) + " 米)";
    }, function (err) {
      status.textContent = "定位失败(" + err.message + "),请选择网格。";
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
