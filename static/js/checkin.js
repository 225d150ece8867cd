// The check-in without signal (issue #25 §2). Once /hadir/ was opened with signal, the service worker
// (core/offline_sw.js) opens it again without; a check-in made then is kept on the phone (IndexedDB)
// with the phone's time and its own key, and sent to /hadir/sync/ when the signal is back, where the
// day code's rules hold at that time. What the server answered stays listed until it was read; the
// personal code is not kept once it was sent.
(function () {
  "use strict";
  var box = document.getElementById("device-check-ins");
  if (!box || !window.indexedDB || !window.MutuDevice) return;
  var form = document.getElementById("check-in"), list = box.querySelector("ul");
  var device = MutuDevice.database("mutu-hadir", {checkins: "key"});
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]");
  var DELAYS = [2000, 5000, 15000, 30000, 60000], tries = 0, timer = null, busy = false;

  function all() { return device.run(["checkins"], "readonly", function (s) { return s.checkins.getAll(); }); }
  function put(record) { return device.run(["checkins"], "readwrite", function (s) { s.checkins.put(record); }); }
  function drop(key) { return device.run(["checkins"], "readwrite", function (s) { s.checkins.delete(key); }); }
  function when(record) {
    return new Date(record.client_time).toLocaleString("id-ID", {dateStyle: "short", timeStyle: "short"});
  }
  function show(records) {
    list.textContent = "";
    records.sort(function (a, b) { return a.client_time < b.client_time ? -1 : 1; }).forEach(function (record) {
      var item = list.appendChild(document.createElement("li"));
      item.dataset.state = record.state;
      if (record.state === "pending") {
        item.textContent = box.dataset.waiting.replace("{time}", when(record));
        return;
      }
      item.textContent = record.state === "saved" ? box.dataset.saved.replace("{name}", record.name)
        : box.dataset.refused.replace("{time}", when(record)) + " " + record.message;
      var seen = item.appendChild(document.createElement("button"));
      seen.type = "button";
      seen.className = "btn secondary";
      seen.textContent = box.dataset.seen;
      seen.addEventListener("click", function () { drop(record.key).then(all).then(show); });
    });
    box.hidden = !records.length;
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(sync, DELAYS[Math.min(tries++, DELAYS.length - 1)]);
  }
  // One check-in after the other (each is its own transaction on the server).
  function sync() {
    if (busy) return;
    busy = true;
    clearTimeout(timer);
    all().then(function (records) {
      return records.filter(function (r) { return r.state === "pending"; }).reduce(function (done, record) {
        return done.then(function () { return send(record); });
      }, Promise.resolve());
    }).then(function () { tries = 0; }, later).then(function () {
      busy = false;
      return all().then(show);
    });
  }
  function send(record) {
    var body = {key: record.key, day_code: record.day_code, participant_code: record.participant_code,
      client_time: record.client_time};
    return fetch(box.dataset.sync, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : ""}}).then(function (response) {
      if (response.status >= 500 || response.status === 429) throw new Error(response.status);
      return response.json();
    }).then(function (answer) {
      if (!answer.status) throw new Error(answer.error);
      record.state = answer.status === "refused" ? "refused" : "saved";
      record.name = answer.name || "";
      record.message = answer.message || "";
      delete record.participant_code;  // sent: the personal code has nothing more to do on this phone
      return put(record);
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;  // with signal: the form as always
      event.preventDefault();
      var record = {key: MutuDevice.key(), day_code: form.elements.day_code.value.trim(),
        participant_code: form.elements.participant_code.value.trim(), client_time: new Date().toISOString(),
        state: "pending"};
      put(record).then(all).then(show).then(function () { form.elements.participant_code.value = ""; });
    });
  }
  window.addEventListener("online", function () { tries = 0; sync(); });
  // This page and the bare form kept for next time (the first visit came before the worker).
  MutuDevice.worker(box.dataset.worker, "/hadir/").then(function () {
    return Promise.all([MutuDevice.keep("mutu-hadir", window.location.pathname, "keep"),
      MutuDevice.keep("mutu-hadir", "/hadir/", "keep")]);
  }).then(function () { box.dataset.offline = "ready"; }, function () { box.dataset.offline = "failed"; });
  all().then(show);
  sync();
})();
