// What the pages used without signal (the questionnaire, the check-in) keep on the phone: a small
// promise wrapper over IndexedDB and its two databases, random keys, and the service worker
// (mutu/core/offline.py), which loads this file too.
(function () {
  "use strict";
  // One IndexedDB database with the given stores ({name: keyPath}); run(names, mode, work) is one
  // transaction, resolving with what work returned (a request's result, once it is complete).
  function database(name, stores) {
    function open() {
      return new Promise(function (resolve, reject) {
        var request = indexedDB.open(name, 1);
        request.onupgradeneeded = function () {
          Object.keys(stores).forEach(function (store) {
            request.result.createObjectStore(store, {keyPath: stores[store]});
          });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return {
      run: function (names, mode, work) {
        return open().then(function (db) {
          return new Promise(function (resolve, reject) {
            var tx = db.transaction(names, mode), found = {};
            names.forEach(function (store) { found[store] = tx.objectStore(store); });
            var out = work(found);
            tx.oncomplete = function () { db.close(); resolve(out && "result" in out ? out.result : out); };
            tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
          });
        });
      }
    };
  }
  function key() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  // Register the worker for `scope`; resolves once it answers for this page.
  function worker(url, scope) {
    if (!navigator.serviceWorker) return Promise.reject(new Error("no service worker"));
    return navigator.serviceWorker.register(url, {scope: scope}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      if (navigator.serviceWorker.controller) return null;
      return new Promise(function (resolve) { navigator.serviceWorker.addEventListener("controllerchange", resolve); });
    });
  }
  // Keep `url` in the cache `name` once (when the server marks it with X-Mutu-Offline: `kind`).
  function keep(name, url, kind) {
    return caches.open(name).then(function (cache) {
      return cache.match(url).then(function (hit) {
        if (hit) return null;
        return fetch(url, {credentials: "same-origin"}).then(function (response) {
          if (response.headers.get("X-Mutu-Offline") === kind) return cache.put(url, response);
          throw new Error(response.status);
        });
      });
    });
  }
  // `work` (a function returning a promise) sent one run at a time: asked for while it runs, it runs
  // once more after; failed, it is tried again after a growing wait. `run()` starts it now, `again()`
  // too with the wait reset (the signal is back).
  function sender(work) {
    var DELAYS = [2000, 5000, 15000, 30000, 60000], tries = 0, timer = null, busy = false, asked = false;
    function run() {
      if (busy) { asked = true; return Promise.resolve(); }
      busy = true;
      asked = false;
      clearTimeout(timer);
      return Promise.resolve().then(work).then(function () { tries = 0; }, function () {
        timer = setTimeout(run, DELAYS[Math.min(tries++, DELAYS.length - 1)]);
      }).then(function () {
        busy = false;
        if (asked) return run();
      });
    }
    return {run: run, again: function () { tries = 0; return run(); }};
  }
  self.MutuDevice = {
    answers: database("mutu-respond", {answers: ["code", "question"], notes: "code"}),
    checkIns: database("mutu-hadir", {checkins: "key"}),
    key: key, worker: worker, keep: keep, sender: sender
  };
})();
