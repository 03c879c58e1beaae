// The duplicate panel of the intake forms: as the person fills in the category, the text and
// the place, ask the server for open cases that are probably the same problem (a scoped
// partial) and offer to join one of them instead of reporting again.
(function () {
  "use strict";
  var panel = document.getElementById("dup-panel");
  if (!panel) return;
  var form = panel.closest("form") || document.querySelector(panel.dataset.form || "form");
  if (!form) return;
  var fields = ["item", "text", "address", "lon", "lat", "grid", "community"];
  var last = "", timer = null, busy = false;

  function value(name) {
    // Not form.elements[name]: form.elements["item"] is the collection's item() method.
    var el = form.querySelector("[name=" + name + "]");
    return el && el.value ? String(el.value).trim() : "";
  }

  function query() {
    var p = new URLSearchParams();
    fields.forEach(function (f) { var v = value(f); if (v) p.set(f, v.slice(0, 4000)); });
    return p.toString();
  }

  function refresh() {
    var q = query();
    if (q === last || busy) return;
    last = q;
    if (!value("item")) { panel.textContent = ""; return; }
    busy = true;
    fetch(panel.dataset.src + "?" + q, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { panel.innerHTML = html; })
      .catch(function () { /* the panel is a help, never a blocker */ })
      .then(function () { busy = false; });
  }

  function later() { clearTimeout(timer); timer = setTimeout(refresh, 600); }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  // GPS and the map pick fill hidden inputs without events: look at them now and then.
  setInterval(refresh, 2500);

  panel.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-join-url]");
    if (!btn) return;
    var post = document.createElement("form");
    post.method = "post";
    post.action = btn.dataset.joinUrl;
    var add = function (name, v) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = name; i.value = v; post.appendChild(i);
    };
    add("csrfmiddlewaretoken", value("csrfmiddlewaretoken"));
    if (btn.dataset.onBehalf) {  // a hotline call or a visit: the caller joins, not the clerk
      add("name", value("reporter_name"));
      add("phone", value("reporter_phone"));
    }
    document.body.appendChild(post);
    post.submit();
  });
})();
