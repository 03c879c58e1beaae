// The test page: a countdown to the stored deadline (the server enforces it), each answer
// saved as it is chosen, and the paper handed in when the time is up.
(function () {
  var form = document.getElementById("paper-form");
  var clock = document.getElementById("countdown");
  if (!form || !clock) return;
  var skew = Date.now() - Date.parse(clock.dataset.now);
  var deadline = Date.parse(clock.dataset.deadline);
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  function tick() {
    var left = Math.max(0, Math.round((deadline - (Date.now() - skew)) / 1000));
    clock.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    clock.classList.toggle("urgent", left < 60);
    if (left === 0) { clock.textContent = clock.dataset.over; form.requestSubmit(); return; }
    setTimeout(tick, 1000);
  }
  form.addEventListener("change", function (e) {
    var box = e.target.closest("fieldset[data-item]");
    if (!box) return;
    var body = new URLSearchParams();
    body.append("item", box.dataset.item);
    box.querySelectorAll("input:checked").forEach(function (i) { body.append("chosen", i.value); });
    fetch(form.dataset.save, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token } });
  });
  tick();
})();
