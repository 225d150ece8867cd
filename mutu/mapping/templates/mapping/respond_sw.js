// The service worker of the respondent's pages (served by mapping.respond.worker, scope /r/). The
// questionnaire's pages come from the network while there is signal and are kept per code on the
// device; without signal (or after 5 s of a connection that does not answer) the kept page opens.
// The answers themselves live in IndexedDB (static/js/respond.js), which also clears both after
// the answers are sent.
"use strict";
var STATIC = "mutu-static-{{ version }}", ASSETS = {{ assets|safe }}, PAGES = "mutu-r-", PATIENCE = 5000;

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
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(request).then(function (kept) { return kept || fetch(request); }));
    return;
  }
  var code = url.pathname.match(/^\/r\/([A-Za-z0-9]+)\/$/);
  if (code && request.mode === "navigate") event.respondWith(page(request, url, code[1].toUpperCase()));
});

// The address a page is kept under: its own, or the first page for the bare code (respond.js then
// moves on to the first unanswered question).
function keyOf(url) {
  var number = url.searchParams.get("page");
  return url.pathname + (number ? "?page=" + number : "");
}

function page(request, url, code) {
  var key = keyOf(url);
  var network = fetch(request).then(function (response) {
    var kind = response.headers.get("X-Mutu-Offline");
    if (kind === "page") {
      var copy = response.clone();
      caches.open(PAGES + code).then(function (cache) { return cache.put(key, copy); });
    } else if (kind === "sent") {
      caches.delete(PAGES + code);
    }
    return response;
  });
  var kept = caches.open(PAGES + code).then(function (cache) {
    return cache.match(key).then(function (hit) { return hit || cache.match(url.pathname + "?page=1"); });
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
