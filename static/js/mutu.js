// Two guards on every page. A form with data-confirm asks first, in a dialog that says what will
// happen; cancelling changes nothing. A form someone typed into says "belum disimpan" and leaving the
// page warns until it is saved (forms that save each change at once, with htmx, are left out).
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!dialog || !form.dataset.confirm || form.dataset.confirmed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    dialog.querySelector("[data-message]").textContent = form.dataset.confirm;
    var ok = dialog.querySelector("[data-ok]");
    ok.textContent = form.dataset.confirmOk || ok.dataset.default;
    dialog.onclose = function () {
      if (dialog.returnValue !== "ok") return;
      form.dataset.confirmed = "1";
      form.requestSubmit(event.submitter || undefined);
      delete form.dataset.confirmed;
    };
    dialog.returnValue = "";
    dialog.showModal();
  }, true);

  function mark(event) {
    var field = event.target, form = field.form;
    if (!form || form.method !== "post" || form.classList.contains("unsaved-form")) return;
    if (field.closest("[hx-post], [data-no-guard]")) return;
    form.classList.add("unsaved-form");
    var note = document.createElement("span");
    note.className = "badge warn unsaved-note";
    note.setAttribute("role", "status");
    note.textContent = document.body.dataset.unsaved;
    var button = form.querySelector("button:not([type=button]), input[type=submit]");
    (button ? button.parentNode : form).insertBefore(note, button ? button.nextSibling : null);
  }
  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    event.target.classList.remove("unsaved-form");
  });
  window.addEventListener("beforeunload", function (event) {
    var dirty = document.querySelector("form.unsaved-form");
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
