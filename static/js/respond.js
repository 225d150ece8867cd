// Autosave feedback on the questionnaire: a save that failed (429, 5xx, no network) says so beside its
// question and is retried until it succeeds; a save the server refused for good (409, 404) shows why.
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form) return;
  var delays = [1000, 3000, 8000, 15000, 30000];
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var fieldset = event.detail.elt.closest && event.detail.elt.closest("fieldset.question");
    if (!fieldset) return;
    var status = fieldset.querySelector(".saved");
    var xhr = event.detail.xhr;
    if (event.detail.successful) {
      fieldset.classList.remove("unsaved");
      fieldset.dataset.tries = "0";
      return;
    }
    fieldset.classList.add("unsaved");
    if (xhr && (xhr.status === 409 || xhr.status === 404)) {
      status.textContent = xhr.responseText;
      return;
    }
    var tries = Number(fieldset.dataset.tries || 0);
    fieldset.dataset.tries = String(tries + 1);
    status.textContent = form.dataset.unsaved;
    window.clearTimeout(fieldset._retry);
    fieldset._retry = window.setTimeout(function () {
      status.textContent = form.dataset.retrying;
      htmx.trigger(fieldset, "change");
    }, delays[Math.min(tries, delays.length - 1)]);
  });
})();
