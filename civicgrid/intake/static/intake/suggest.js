// Category suggestions as the person types: the text goes (debounced) to the intake endpoint,
// the top three come back as chips; tapping one selects it in the category list.
(function () {
  var box = document.querySelector(".intake-suggest");
  if (!box) return;
  var form = box.closest("form");
  var textarea = form && form.querySelector("textarea[name=text]");
  var select = form && form.querySelector("select[name=item]");
  if (!textarea || !select) return;
  var chips = box.querySelector(".intake-chips");
  var note = box.querySelector(".intake-suggest-note");
  var timer = null, lastText = null, seq = 0;

  function field(name) {
    var el = form.querySelector("[name=" + name + "]");
    return el ? el.value : "";
  }

  function mark() {
    Array.prototype.forEach.call(chips.children, function (chip) {
      chip.setAttribute("aria-pressed", chip.dataset.id === select.value ? "true" : "false");
    });
  }

  function render(data) {
    chips.textContent = "";
    note.textContent = "";
    if (data.error || !data.confident) {
      var msg = (data.error || data.notice || {}).message || "";
      if (!msg) { box.hidden = true; return; }
      box.hidden = false;
      note.textContent = msg;
      return;
    }
    data.items.forEach(function (item) {
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "intake-chip";
      chip.dataset.id = String(item.id);
      chip.textContent = item.name;
      var score = document.createElement("small");
      score.textContent = Math.round(item.score * 100) + "%";
      chip.appendChild(score);
      chip.addEventListener("click", function () {
        select.value = chip.dataset.id;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        mark();
      });
      chips.appendChild(chip);
    });
    var parts = [];
    if (data.mode) parts.push(box.dataset.modeLabel + ":" + data.mode.label + (data.handler ? "(" + data.handler + ")" : ""));
    if (data.drivers && data.drivers.length) parts.push(box.dataset.driversLabel + ":" + data.drivers.join("、"));
    note.textContent = parts.join(";");
    box.hidden = false;
    mark();
  }

  function ask() {
    var text = textarea.value.trim();
    if (text === lastText) return;
    lastText = text;
    if (text.length < 2) { box.hidden = true; return; }
    var body = new FormData();
    body.append("text", text);
    ["csrfmiddlewaretoken", "grid", "community"].forEach(function (n) { if (field(n)) body.append(n, field(n)); });
    var mine = ++seq;
    fetch(box.dataset.url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (mine === seq) render(data); })
      .catch(function () { /* suggestions are optional: the form works without them */ });
  }

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  });
  select.addEventListener("change", mark);
  if (textarea.value.trim()) ask();
})();
