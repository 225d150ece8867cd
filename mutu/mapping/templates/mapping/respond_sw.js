// The service worker of the respondent's pages (served by mapping.respond.worker, scope /r/): the
// static files, and for each code the whole questionnaire in one document (?page=all, stored by
// static/js/respond.js at the first visit). The answers themselves live in IndexedDB; respond.js
// clears both once the answers are sent.
"use strict";
var STATIC = "mutu-static-{{ version }}", ASSETS = {{ assets|safe }}, PAGES = "mutu-r-", WHOLE = "?page={{ whole }}";
var PATIENCE = 5000;

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
  if (code && request.mode === "navigate") event.respondWith(page(request, code[1].toUpperCase()));
});

// A page of the questionnaire from the network; without signal, or after PATIENCE of a connection
// that does not answer, the whole questionnaire kept on the device (respond.js shows the page asked
// for). The page that says the answers were sent clears what was kept.
function page(request, code) {
  var network = fetch(request).then(function (response) {
    if (response.headers.get("X-Mutu-Offline") === "sent") caches.delete(PAGES + code);
    return response;
  });
  var kept = caches.open(PAGES + code).then(function (cache) {
    return cache.match("/r/" + code + "/" + WHOLE);
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
