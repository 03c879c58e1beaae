// Patrol recording on a phone: location fixes from the Geolocation API are queued in
// localStorage with a sequence number each, and sent in batches (every 10 s or 10 fixes).
// The server stores each (patrol, seq) once and answers with the seqs it acknowledges; only
// those leave the queue, so a dropped connection loses nothing and a resend duplicates nothing.
// Any patrol page sends what is still queued (for any patrol) when the phone is back online.
(function () {
  "use strict";
  var PREFIX = "cg-patrol-";
  var EVERY_MS = 10000;
  var EVERY_POINTS = 10;
  var MAX_SEND = 100;
  var inflight = {};
  var lastFailed = false;
  var root = document.getElementById("patrol");
  var sync = document.getElementById("patrol-sync");
  var statusEl = document.getElementById("sync-status");
  var d = root ? root.dataset : {};

  function empty() { return { next: 0, pending: [], sent: 0, end: false }; }
  function load(id) {
    try { return JSON.parse(localStorage.getItem(PREFIX + id)) || empty(); } catch (e) { return empty(); }
  }
  function save(id, q) {
    if (!q.pending.length && !q.end && !q.keep) { localStorage.removeItem(PREFIX + id); return; }
    localStorage.setItem(PREFIX + id, JSON.stringify(q));
  }
  function queuedIds() {
    var ids = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && k.indexOf(PREFIX) === 0) ids.push(k.slice(PREFIX.length));
    }
    return ids;
  }
  function csrf() {
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  function urlFor(id, kind) {
    if (root && d.patrol === String(id)) return kind === "end" ? d.endUrl : d.pointsUrl;
    if (!sync) return null;
    var u = sync.dataset.pointsUrl.replace("/0/", "/" + id + "/");
    return kind === "end" ? u.replace(/points\/$/, "end/") : u;
  }
  function text(tpl, n) { return (tpl || "").replace("%n", String(n)); }

  function showStatus() {
    if (!statusEl) return;
    var pending = 0;
    queuedIds().forEach(function (id) { pending += load(id).pending.length; });
    var current = root ? load(d.patrol) : null;
    if (lastFailed || !navigator.onLine) statusEl.textContent = text(d.msgOffline || "%n", pending);
    else if (pending) statusEl.textContent = text(d.msgPending || "%n", pending);
    else if (current) statusEl.textContent = text(d.msgSynced || "%n", document.getElementById("points-count") ? document.getElementById("points-count").textContent : current.sent);
    else statusEl.textContent = "";
    statusEl.dataset.pending = String(pending);
    statusEl.dataset.offline = lastFailed || !navigator.onLine ? "1" : "0";
  }

  function showFigures(id, body) {
    if (!root || d.patrol !== String(id)) return;
    var pc = document.getElementById("points-count");
    var dist = document.getElementById("distance");
    if (pc) pc.textContent = String(body.points_count);
    if (dist) dist.textContent = String(Math.round(body.distance_m));
  }

  function post(url, body, json) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": json ? "application/json" : "application/x-www-form-urlencoded",
                 "Accept": "application/json", "X-CSRFToken": csrf() },
      body: body
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { ok: r.ok, status: r.status, body: b }; });
    });
  }

  function maybeEnd(id) {
    var q = load(id);
    if (!q.end || q.pending.length) return Promise.resolve();
    return post(urlFor(id, "end"), "", false).then(function (res) {
      lastFailed = false;
      if (res.ok || res.status === 404 || res.status === 403) {
        q = load(id); q.end = false; q.keep = false; save(id, q);
        if (root && d.patrol === String(id) && res.body.url) window.location.href = res.body.url;
      }
      showStatus();
    }).catch(function () { lastFailed = true; showStatus(); });
  }

  function flush(id) {
    if (inflight[id]) return Promise.resolve();
    var q = load(id);
    if (!q.pending.length) return maybeEnd(id);
    var url = urlFor(id, "points");
    if (!url) return Promise.resolve();
    var send = q.pending.slice(0, MAX_SEND);
    var batch = id + "-" + send[0].seq + "-" + send[send.length - 1].seq;
    inflight[id] = true;
    return post(url, JSON.stringify({ batch: batch, points: send }), true).then(function (res) {
      inflight[id] = false;
      lastFailed = false;
      var q2 = load(id);
      var drop = {};
      if (res.ok) {
        res.body.acked.forEach(function (s) { drop[s] = 1; });
        q2.sent = (q2.sent || 0) + res.body.stored;
        showFigures(id, res.body);
      } else if (res.status === 400 && res.body.error && res.body.error.details) {
        // Refused points will never be taken: drop only those, resend the rest.
        Object.keys(res.body.error.details.points || {}).forEach(function (i) { drop[send[+i].seq] = 1; });
      } else if (res.status === 404 || res.status === 403) {
        send.forEach(function (p) { drop[p.seq] = 1; });
      }
      q2.pending = q2.pending.filter(function (p) { return !drop[p.seq]; });
      save(id, q2);
      showStatus();
      if (Object.keys(drop).length && q2.pending.length) return flush(id);
      return maybeEnd(id);
    }).catch(function () { inflight[id] = false; lastFailed = true; showStatus(); });
  }

  function flushAll() { queuedIds().forEach(flush); showStatus(); }

  // ---------------------------------------------------------------- recording
  var recording = root && d.open === "1" && d.own === "1";
  var line = document.getElementById("route-line");
  var endDot = document.getElementById("route-end");

  function draw(lon, lat) {
    if (!line || !d.kx) return;
    var x = ((lon - parseFloat(d.minX)) * parseFloat(d.kx)).toFixed(1);
    var y = ((parseFloat(d.maxY) - lat) * parseFloat(d.ky)).toFixed(1);
    var pts = line.getAttribute("points") || "";
    line.setAttribute("points", (pts ? pts + " " : "") + x + "," + y);
    if (endDot) { endDot.setAttribute("cx", x); endDot.setAttribute("cy", y); }
  }

  function record(pos) {
    var id = d.patrol;
    var q = load(id);
    var c = pos.coords;
    var last = q.last;
    if (last && last.lat === c.latitude && last.lon === c.longitude && pos.timestamp - last.t < 5000) return;
    var seq = Math.max(q.next || 0, parseInt(d.nextSeq || "0", 10));
    var p = { seq: seq, lat: c.latitude, lon: c.longitude, t: Math.round(pos.timestamp), acc: c.accuracy };
    q.next = seq + 1;
    q.last = { lat: p.lat, lon: p.lon, t: p.t };
    q.keep = true;
    q.pending.push(p);
    save(id, q);
    draw(p.lon, p.lat);
    showStatus();
    if (q.pending.length >= EVERY_POINTS) flush(id);
  }

  var watch = null;
  if (recording && navigator.geolocation) {
    watch = navigator.geolocation.watchPosition(record, function () {
      if (statusEl) statusEl.textContent = d.msgNogps;
    }, { enableHighAccuracy: true, maximumAge: 3000, timeout: 30000 });
  }

  var form = document.getElementById("end-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (watch !== null) { navigator.geolocation.clearWatch(watch); watch = null; }
      var q = load(d.patrol);
      q.end = true; q.keep = false;
      save(d.patrol, q);
      var btn = document.getElementById("end-patrol");
      if (btn) btn.disabled = true;
      if (statusEl) statusEl.textContent = d.msgEnding;
      flush(d.patrol).then(function () {
        if (load(d.patrol).end && statusEl) statusEl.textContent = d.msgEndQueued;
      });
    });
  }

  window.addEventListener("online", function () { lastFailed = false; flushAll(); });
  window.addEventListener("offline", showStatus);
  setInterval(flushAll, EVERY_MS);
  if (root && d.open === "0" && !load(d.patrol).pending.length && !load(d.patrol).end) {
    localStorage.removeItem(PREFIX + d.patrol);
  }
  flushAll();
})();
