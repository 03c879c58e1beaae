// The mobile observer's report: fill the hidden lon/lat from the phone's position.
(function () {
  "use strict";
  var btn = document.getElementById("gig-locate");
  var status = document.getElementById("gig-locate-status");
  var form = document.getElementById("gig-form");
  if (!btn || !form) return;
  function locate() {
    if (!navigator.geolocation) { status.textContent = btn.dataset.msgFail; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("input[name=lon]").value = pos.coords.longitude.toFixed(6);
      form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
      status.textContent = btn.dataset.msgOk + " " + pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
    }, function () { status.textContent = btn.dataset.msgFail; }, { enableHighAccuracy: true, timeout: 15000 });
  }
  btn.addEventListener("click", locate);
  locate();
})();
