// Three guards on every page, and links that unfold what they point at. A form (or its submit button) with data-confirm asks first, in a dialog
// that says what will happen; cancelling changes nothing. A form someone typed into says "belum
// disimpan" and leaving the page warns until it is saved (forms that save each change at once, with
// htmx, are left out). A form the server refused comes back with what was typed (#typed-input).
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  document.addEventListener("submit", function (event) {
    var form = event.target, asker = event.submitter && event.submitter.dataset.confirm ? event.submitter : form;
    if (!dialog || !asker.dataset.confirm || form.dataset.confirmed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    dialog.querySelector("[data-message]").textContent = asker.dataset.confirm;
    var ok = dialog.querySelector("[data-ok]");
    ok.textContent = asker.dataset.confirmOk || ok.dataset.default;
    ok.onclick = function (click) {  // in the click itself, so the navigation starts with it
      click.preventDefault();
      dialog.close("ok");
      form.dataset.confirmed = "1";
      form.requestSubmit(event.submitter || undefined);
      delete form.dataset.confirmed;
    };
    dialog.showModal();
  }, true);

  function mark(event) {
    var field = event.target, form = field.form;
    if (!form || form.method !== "post" || form.classList.contains("unsaved-form")) return;
    if (field.closest("[hx-post], [data-no-guard]") || field.hasAttribute("data-picker-search")) return;
    note(form);
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

  function pathOf(url) { return new URL(url, window.location.href).pathname; }
  function note(form) {
    if (form.classList.contains("unsaved-form")) return;
    form.classList.add("unsaved-form");
    var badge = document.createElement("span");
    badge.className = "badge warn unsaved-note";
    badge.setAttribute("role", "status");
    badge.textContent = document.body.dataset.unsaved;
    var button = form.querySelector("button:not([type=button]), input[type=submit]");
    (button ? button.parentNode : form).insertBefore(badge, button ? button.nextSibling : null);
  }
  var kept = document.getElementById("typed-input");
  if (kept) {
    kept = JSON.parse(kept.textContent);
    var target = pathOf(kept.action);
    var forms = Array.prototype.filter.call(document.forms, function (f) {
      if (f.method !== "post") return false;
      if (pathOf(f.action) === target) return true;
      return Array.prototype.some.call(f.querySelectorAll("[formaction]"), function (b) {
        return pathOf(b.formAction) === target;
      });
    });
    // Several forms may post to one address (review or withdraw): only the one whose hidden fields
    // sent these values was refused; a note meant for another action is never put into this one.
    var form = forms.filter(function (f) {
      return Array.prototype.every.call(f.querySelectorAll("input[type=hidden]"), function (field) {
        var values = kept.data[field.name];
        return field.name === "csrfmiddlewaretoken" || (values && values.indexOf(field.value) >= 0);
      });
    })[0];
    if (form) {
      var typed = false;
      Array.prototype.forEach.call(form.elements, function (field) {
        var values = kept.data[field.name];
        if (!field.name || /^(hidden|file|submit|button|password)$/.test(field.type) || field.tagName === "BUTTON") return;
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = !!values && values.indexOf(field.value) >= 0;
        } else if (values && field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
        } else if (values) {
          field.value = values.shift();
          typed = typed || field.value.trim() !== "";
        }
      });
      if (typed) {  // nothing typed (a bare button) is nothing to lose
        for (var box = form.closest("details"); box; box = box.parentElement.closest("details")) box.open = true;
        note(form);
        form.scrollIntoView({block: "center"});
      }
    }
  }

  // A link to a section folded inside <details> (#analysis on the cycle page) opens it.
  function unfold() {
    var target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (!target) return;
    if (target.tagName === "DETAILS") target.open = true;
    for (var box = target.closest("details"); box; box = box.parentElement.closest("details")) box.open = true;
    target.scrollIntoView();
  }
  unfold();
  window.addEventListener("hashchange", unfold);

  // The attendance code on the projector: the code box alone, full screen (the button is shown only
  // where the browser can do it).
  Array.prototype.forEach.call(document.querySelectorAll("[data-fullscreen]"), function (button) {
    var box = document.getElementById(button.dataset.fullscreen);
    if (!box || !box.requestFullscreen) return;
    button.hidden = false;
    button.addEventListener("click", function () { box.requestFullscreen(); });
  });

  // A copy button beside a value shown once (a new API token); without a secure context the text is
  // selected and copied the older way.
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { button.textContent = button.dataset.copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.textContent.trim()).then(done);
      } else {
        window.getSelection().selectAllChildren(source);
        if (document.execCommand("copy")) done();
      }
    });
  });

  // Pickers among many (core.forms.SearchSelect): typing asks the page again with the query and takes
  // its list; what was chosen stays chosen.
  Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), function (picker) {
    var search = picker.querySelector("[data-picker-search]"), select = picker.querySelector("select"), timer;
    picker.querySelector("[data-picker-button]").hidden = true;
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = new URL(window.location.href);
        url.hash = "";
        url.searchParams.set(search.name, search.value);
        fetch(url, {credentials: "same-origin"}).then(function (response) { return response.text(); }).then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(picker.id);
          if (!fresh) return;
          var kept = Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; });
          select.innerHTML = fresh.querySelector("select").innerHTML;
          kept.forEach(function (option) {
            var same = Array.prototype.filter.call(select.options, function (o) { return o.value === option.value; })[0];
            if (!same) same = select.insertBefore(option, select.options[select.multiple ? 0 : 1] || null);
            same.selected = true;
          });
          picker.querySelector("[data-picker-count]").textContent = fresh.querySelector("[data-picker-count]").textContent;
        });
      }, 250);
    });
  });

  // A refusal said at the top of a page that opens further down (#section): said there too.
  var errors = document.querySelectorAll("main > .msg-error");
  var landing = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (errors.length && landing) {
    Array.prototype.forEach.call(errors, function (error) {
      var copy = error.cloneNode(true);
      copy.setAttribute("role", "alert");
      landing.insertBefore(copy, landing.firstChild);
    });
  }
})();
