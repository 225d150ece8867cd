// The service worker of the pages used without signal (mutu/core/offline.py), registered for /r/ and
// for /hadir/. It keeps the static files, and answers a page from the network while there is signal;
// without it, or after PATIENCE of a connection that does not answer, from what the phone kept:
// - /r/<code>/...: the whole questionnaire of that code in one document (?page=all, kept by
//   static/js/respond.js at the first visit; respond.js shows the page asked for). The page saying
//   the answers were sent (or the round closed) clears it.
// - /hadir/ and /hadir/<day code>/: the check-in page as last opened with signal (the form only);
//   a check-in posted that does not get through is kept on the phone (static/js/checkin.js sends it).
// The answers and check-ins themselves live in IndexedDB (static/js/device.js).
"use strict";
var STATIC = "mutu-static-{{ version }}", ASSETS = {{ assets|safe }}, WHOLE = "?page={{ whole }}";
var PATIENCE = 5000, CHECK_IN = /^\/hadir\/([A-Za-z0-9-]+\/)?$/;
importScripts("{{ device }}");

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("mutu-static-") === 0 && key !== STATIC;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && CHECK_IN.test(url.pathname)) {
    event.respondWith(checkIn(request, url));
    return;
  }
  if (request.method !== "GET") return;
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(request).then(function (kept) { return kept || fetch(request); }));
    return;
  }
  if (request.mode !== "navigate") return;
  var code = url.pathname.match(/^\/r\/([A-Za-z0-9]+)\/$/);
  if (code) {
    var upper = code[1].toUpperCase();
    event.respondWith(page(request, "mutu-r-" + upper, ["/r/" + upper + "/" + WHOLE]));
  } else if (CHECK_IN.test(url.pathname)) {
    event.respondWith(page(request, "mutu-hadir", [url.pathname, "/hadir/"]));
  }
});

// From the network, keeping what the server marks to keep; else the first of `keys` kept in the
// cache `name`.
function page(request, name, keys) {
  var network = fetch(request).then(function (response) {
    var kind = response.headers.get("X-Mutu-Offline");
    if (kind === "forget") {
      caches.delete(name);
    } else if (kind === "keep") {
      var copy = response.clone();
      caches.open(name).then(function (cache) { return cache.put(new URL(request.url).pathname, copy); });
    }
    return response;
  });
  var kept = caches.open(name).then(function (cache) {
    return keys.reduce(function (found, key) {
      return found.then(function (hit) { return hit || cache.match(key); });
    }, Promise.resolve(undefined));
  });
  return new Promise(function (resolve, reject) {
    var done = false;
    function fallBack() {
      kept.then(function (hit) {
        if (hit && !done) { done = true; resolve(hit); }
        else if (!hit) network.then(resolve, reject);  // nothing kept: wait for the network as it is
      });
    }
    var timer = setTimeout(fallBack, PATIENCE);
    network.then(function (response) {
      clearTimeout(timer);
      if (!done) { done = true; resolve(response); }
    }, function () { clearTimeout(timer); fallBack(); });
  });
}

// A check-in form posted: to the server while it answers; when the post does not get through, kept
// on the phone (with the time the page put in it) and the check-in page opened again from the phone.
function checkIn(request, url) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.formData().then(function (form) {
      var record = {key: MutuDevice.key(), day_code: String(form.get("day_code") || "").trim(),
        participant_code: String(form.get("participant_code") || "").trim(),
        client_time: String(form.get("client_time") || new Date().toISOString()), state: "pending"};
      return MutuDevice.checkIns.run(["checkins"], "readwrite", function (s) { s.checkins.put(record); });
    }).then(function () { return Response.redirect(url.pathname, 303); });
  });
}
