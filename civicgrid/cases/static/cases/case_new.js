// Fill the hidden lon/lat fields from the phone's GPS.
(function () {
  var button = document.getElementById("locate-me");
  var status = document.getElementById("locate-status");
  if (!button) return;
  // Messages come translated from the template (data-* attributes of the status line).
  function say(key, values) {
    var text = status.dataset[key] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    status.textContent = text;
  }
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { say("unsupported"); return; }
    say("locating");
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.querySelector("input[name=lon]").value = pos.coords.longitude.toFixed(6);
      document.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
      say("located", {
        point: pos.coords.longitude.toFixed(5) + ", " + pos.coords.latitude.toFixed(5),
        metres: Math.round(pos.coords.accuracy)
      });
    }, function (err) {
      say("failed", { reason: err.message });
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
