// The questionnaire with and without signal (issue #25). Every answer is written to the device at
// once (IndexedDB, one record per question) and sent through the sync endpoint with a key of its
// own, so a retry or a second tab never counts it twice; the server keeps the later answer by the
// time it was given. The service worker (core/offline_sw.js) keeps the whole questionnaire of this
// code, so next, previous and the return to the first unanswered question work offline. "Kirim jawaban"
// offline waits on the device and is done on reconnect; what the server says against it stays
// shown until it was read. Once sent, nothing of the answers stays on the device.
(function () {
  "use strict";
  var MISSING_SHOWN = 5;
  if (!window.indexedDB || !window.MutuDevice) return;  // without IndexedDB the page posts as plain HTML
  var inStores = MutuDevice.answers.run;
  function range(code) { return IDBKeyRange.bound([code, -Infinity], [code, Infinity]); }
  function forget(code) {
    var done = [inStores(["answers", "notes"], "readwrite", function (s) {
      s.answers.delete(range(code));
      s.notes.delete(code);
    })];
    if (window.caches) done.push(caches.delete("mutu-r-" + code));
    return Promise.all(done);
  }

  var sent = document.querySelector("script[data-forget]");
  if (sent) forget(sent.dataset.forget);
  var form = document.getElementById("answers"), map = document.getElementById("offline-map");
  if (!form || !map) return;
  map = JSON.parse(map.textContent);
  var code = map.code;
  var note = document.getElementById("device-note");
  // The page shown: the one asked for; of the whole questionnaire (opened offline), the page of the
  // address, the others hidden.
  var asked = Number(new URLSearchParams(window.location.search).get("page")) || 0, shown = map.page;
  function showPage(number) {
    shown = number;
    Array.prototype.forEach.call(form.querySelectorAll(".page[data-page]"), function (section) {
      section.hidden = Number(section.dataset.page) !== number;
    });
  }
  if (map.is_whole && asked) showPage(Math.min(asked, map.pages.length));

  function fieldsetOf(question) { return document.getElementById("q-" + question); }
  function valuesOf(fieldset) {
    return Array.prototype.filter.call(fieldset.querySelectorAll("input, textarea"), function (field) {
      return (field.type !== "radio" && field.type !== "checkbox") || field.checked;
    }).map(function (field) { return field.value; }).filter(function (value) { return value.trim() !== ""; });
  }
  function show(fieldset, values) {
    Array.prototype.forEach.call(fieldset.querySelectorAll("input, textarea"), function (field) {
      if (field.type === "radio" || field.type === "checkbox") field.checked = values.indexOf(field.value) >= 0;
      else field.value = values[0] || "";
    });
  }
  function say(fieldset, record) {
    var text = {pending: navigator.onLine ? form.dataset.onDevice : form.dataset.waiting, sent: form.dataset.sent,
      superseded: form.dataset.superseded, refused: record.message}[record.state];
    fieldset.querySelector(".saved").textContent = text || "";
    fieldset.classList.toggle("waiting", record.state === "pending");
    fieldset.classList.toggle("unsaved", record.state === "refused");
  }
  // What this phone holds for the code; an answer it sent that the server has since replaced by a
  // later one (given on another phone) gives way to what the page shows, and is forgotten here.
  function overtaken(record) {
    var stored = map.stored[record.question];
    return record.state !== "pending" && !!stored && stored[1] !== record.key && stored[0] >= Date.parse(record.time);
  }
  function records() {
    return inStores(["answers"], "readwrite", function (s) {
      var all = s.answers.getAll(range(code));
      all.onsuccess = function () {
        all.result.filter(overtaken).forEach(function (record) { s.answers.delete([code, record.question]); });
      };
      return all;
    }).then(function (list) {
      return list.filter(function (record) { return !overtaken(record); });
    });
  }
  function noteOf() {
    return inStores(["notes"], "readonly", function (s) { return s.notes.get(code); });
  }
  function setNote(value) {
    return inStores(["notes"], "readwrite", function (s) { return value ? s.notes.put(value) : s.notes.delete(code); });
  }

  // Answered on the server when the page was made, as changed on this device since.
  function answeredIn(list) {
    var answered = {};
    map.answered.forEach(function (q) { answered[q] = true; });
    list.forEach(function (r) { answered[r.question] = r.values.length > 0; });
    return answered;
  }
  function refresh(list) {
    var answered = answeredIn(list);
    document.getElementById("answered").textContent = Object.keys(answered).filter(function (q) {
      return answered[q];
    }).length;
    list.forEach(function (record) {
      var fieldset = fieldsetOf(record.question);
      if (fieldset) { show(fieldset, record.values); say(fieldset, record); }
    });
  }
  // The server's word on "Kirim jawaban": its message, and links to the first questions it named
  // that are still open here.
  function showNote(kept, list) {
    if (!kept || !kept.message) { note.hidden = true; return; }
    note.querySelector("[data-text]").textContent = kept.message;
    var answered = answeredIn(list || []), open = (kept.missing || []).filter(function (item) {
      return !answered[item.url.split("#q-")[1]];
    });
    var missing = note.querySelector("[data-missing]"), links = missing.querySelector("ul");
    links.textContent = "";
    missing.hidden = !open.length;
    open.slice(0, MISSING_SHOWN).forEach(function (item) {
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.number + ". " + item.text;
      links.appendChild(document.createElement("li")).appendChild(link);
    });
    if (open.length > MISSING_SHOWN) {
      links.appendChild(document.createElement("li")).textContent = note.dataset.more.replace(
        "{n}", open.length - MISSING_SHOWN);
    }
    note.hidden = false;
  }

  function save(fieldset) {
    var record = {code: code, question: Number(fieldset.dataset.question), values: valuesOf(fieldset),
      key: MutuDevice.key(), time: new Date().toISOString(), state: "pending"};
    return inStores(["answers"], "readwrite", function (s) { s.answers.put(record); }).then(function () {
      say(fieldset, record);
      return records();
    }).then(function (list) {
      refresh(list);
      if (!note.hidden) noteOf().then(function (kept) { showNote(kept, list); });  // one open question less
      sync();
    });
  }

  // Send what waits (and the queued "Kirim jawaban"); each answer's outcome is kept only if the
  // record still holds the answer that was sent (not one given meanwhile).
  var sending = MutuDevice.sender(function () {
    return Promise.all([records(), noteOf()]).then(function (both) {
      var waiting = both[0].filter(function (r) { return r.state === "pending"; }), kept = both[1];
      var submit = !!(kept && kept.submit);
      if (!waiting.length && !submit) return null;
      var body = {submit: submit, answers: waiting.map(function (r) {
        return {key: r.key, question: r.question, values: r.values, client_time: r.time};
      })};
      return fetch(form.dataset.sync, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: {"Content-Type": "application/json"}}).then(function (response) {
        if (response.status === 429 || response.status >= 500) throw new Error(response.status);
        return response.json().then(function (answer) {
          return response.ok ? settle(answer, submit) : refuse(waiting, answer.error);
        }, function () { return refuse(waiting, note.dataset.failed); });
      });
    });
  });
  var sync = sending.run;
  // The whole request was refused (a code no longer known, a malformed answer): said beside each
  // answer it carried; sending it again would change nothing.
  function refuse(waiting, message) {
    return inStores(["answers"], "readwrite", function (s) {
      waiting.forEach(function (record) {
        s.answers.put(Object.assign(record, {state: "refused", message: message || note.dataset.failed}));
      });
    }).then(records).then(refresh);
  }
  function settle(answer, submitted) {
    if (answer.sent) {  // sent (here or from another device): nothing of it stays here
      return forget(code).then(function () { window.location.replace(map.address); });
    }
    return inStores(["answers", "notes"], "readwrite", function (s) {
      answer.results.forEach(function (result) {
        var read = s.answers.get([code, result.question]);
        read.onsuccess = function () {
          var record = read.result;
          if (!record || record.key !== result.key) return;
          record.state = {saved: "sent", duplicate: "sent"}[result.status] || result.status;
          record.message = result.message || "";
          if (result.status === "superseded") {
            var value = result.value;
            record.values = value === null || value === undefined ? [] : [].concat(value).map(String);
          }
          s.answers.put(record);
        };
      });
      if (submitted) {
        var error = answer.submit_error || {};
        s.notes.put({code: code, submit: false, message: error.message || "", missing: error.missing || []});
      }
    }).then(function () {
      return Promise.all([records(), noteOf()]);
    }).then(function (both) {
      refresh(both[0]);
      showNote(both[1], both[0]);
      if (submitted && !note.hidden) note.scrollIntoView({block: "start"});
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) save(fieldset);
  });
  // Next page and "Kirim jawaban" without a round trip: the answers are on the device already. (A
  // confirmation asked by mutu.js comes first: it stops the event until it was answered.)
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    event.preventDefault();
    if (event.submitter && event.submitter.formAction.indexOf(form.dataset.submit) >= 0) {
      setNote({code: code, submit: true, message: form.dataset.queued, missing: []}).then(function () {
        return noteOf();
      }).then(function (kept) { showNote(kept); return sync(); });
    } else if (map.pages[shown]) {
      window.location.href = map.pages[shown];
    } else {  // "Simpan" on the last page: every answer is on the phone already; say whether sent
      sync().then(records).then(function (list) {
        var waiting = list.some(function (r) { return r.state === "pending"; });
        var status = form.querySelector(".page:not([hidden]) [data-saved-all]");
        if (status) status.textContent = waiting ? form.dataset.waiting : form.dataset.sentAll;
      });
    }
  });
  note.querySelector("[data-seen]").addEventListener("click", function () {
    noteOf().then(function (kept) {
      return setNote(kept && kept.submit ? {code: code, submit: true, message: "", missing: []} : null);
    }).then(function () { note.hidden = true; });
  });
  window.addEventListener("online", sending.again);

  // The whole questionnaire kept on the device while there is signal (the service worker serves it
  // for every page without); then what was answered here, the way back to the first unanswered
  // question, and whatever still waits to be sent.
  MutuDevice.worker(form.dataset.worker, "/r/").then(function () {
    return MutuDevice.keep("mutu-r-" + code, map.whole, "whole");
  }).then(function () { form.dataset.offline = "ready"; }, function () { form.dataset.offline = "failed"; });
  Promise.all([records(), noteOf()]).then(function (both) {
    var list = both[0];
    refresh(list);
    showNote(both[1], list);
    if (!asked) {
      var answered = answeredIn(list), first = map.questions.findIndex(function (ids) {
        return ids.some(function (q) { return !answered[q]; });
      });
      if (first >= 0 && map.is_whole) {
        history.replaceState(null, "", map.pages[first]);
        showPage(first + 1);
      } else if (first >= 0 && first + 1 !== shown) {
        window.location.replace(map.pages[first]);
        return;
      }
    }
    sync();
  });
})();
