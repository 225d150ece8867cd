// The check-in without signal (issue #25 §2). Once /hadir/ was opened with signal, the service worker
// (core/offline_sw.js) opens it again without. "Saya hadir" posts the form as always; when the post
// does not get through (no signal, or a connection that is up but carries nothing), the worker keeps
// the check-in on the phone (IndexedDB) with the time it was pressed (the field added here) and its
// own key, and this page sends it to /hadir/sync/ once the signal is back, where the day code's
// rules hold at that time. What the server answered stays listed until it was read; the personal
// code is not kept once it was sent.
(function () {
  "use strict";
  var box = document.getElementById("device-check-ins");
  if (!box || !window.indexedDB || !window.MutuDevice) return;
  var form = document.getElementById("check-in"), list = box.querySelector("ul");
  var run = MutuDevice.checkIns.run;

  function all() { return run(["checkins"], "readonly", function (s) { return s.checkins.getAll(); }); }
  function put(record) { return run(["checkins"], "readwrite", function (s) { s.checkins.put(record); }); }
  function drop(key) { return run(["checkins"], "readwrite", function (s) { s.checkins.delete(key); }); }
  function fill(text, record) {
    var time = new Date(record.client_time).toLocaleString("id-ID", {dateStyle: "medium", timeStyle: "short"});
    return text.replace("{time}", time).replace("{code}", record.day_code).replace("{name}", record.name || "");
  }
  function show(records) {
    list.textContent = "";
    records.sort(function (a, b) { return a.client_time < b.client_time ? -1 : 1; }).forEach(function (record) {
      var item = list.appendChild(document.createElement("li"));
      item.dataset.state = record.state;
      if (record.state === "pending") {
        item.textContent = fill(box.dataset.waiting, record);
        return;
      }
      item.textContent = record.state === "saved" ? fill(box.dataset.saved, record)
        : fill(box.dataset.refused, record) + " " + record.message;
      var seen = item.appendChild(document.createElement("button"));
      seen.type = "button";
      seen.className = "btn secondary";
      seen.textContent = box.dataset.seen;
      seen.addEventListener("click", function () { drop(record.key).then(all).then(show); });
    });
    box.hidden = !records.length;
  }
  // One check-in after the other (each is its own transaction on the server); the list shows what
  // came of them, also when the connection failed again.
  var sending = MutuDevice.sender(function () {
    return all().then(function (records) {
      return records.filter(function (r) { return r.state === "pending"; }).reduce(function (done, record) {
        return done.then(function () { return send(record); });
      }, Promise.resolve());
    }).then(function () { return all().then(show); }, function (error) {
      return all().then(show).then(function () { throw error; });
    });
  });
  // Sent once; the answer (recorded, or refused and why) is kept. Only a busy server or a lost
  // connection is tried again.
  function send(record) {
    var body = {key: record.key, day_code: record.day_code, participant_code: record.participant_code,
      client_time: record.client_time};
    return fetch(box.dataset.sync, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json"}}).then(function (response) {
      if (response.status >= 500 || response.status === 429) throw new Error(response.status);
      return response.json();
    }).then(function (answer) {
      record.state = answer.status === "saved" || answer.status === "duplicate" ? "saved" : "refused";
      record.name = answer.name || "";
      record.message = answer.message || answer.error || "";
      delete record.participant_code;  // sent: the personal code has nothing more to do on this phone
      return put(record);
    });
  }

  if (form) {
    form.addEventListener("submit", function () {  // the phone's time, for the worker to keep with it
      var when = form.elements.client_time || form.appendChild(document.createElement("input"));
      when.type = "hidden";
      when.name = "client_time";
      when.value = new Date().toISOString();
    });
  }
  window.addEventListener("online", sending.again);
  // This page and the bare form kept for next time (the first visit came before the worker).
  MutuDevice.worker(box.dataset.worker, "/hadir/").then(function () {
    return Promise.all([MutuDevice.keep("mutu-hadir", window.location.pathname, "keep"),
      MutuDevice.keep("mutu-hadir", "/hadir/", "keep")]);
  }).then(function () { box.dataset.offline = "ready"; }, function () { box.dataset.offline = "failed"; });
  all().then(show);
  sending.run();
})();
