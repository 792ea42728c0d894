// Progressive enhancement of the upload forms: the date and the file are checked before
// anything is sent (a 20 MB photo over mobile data is refused before it travels, not after),
// each message shows at its own field, and the same POST goes out with XMLHttpRequest so a
// progress bar can show how far the upload is. Without JavaScript the forms post normally and
// the server, which checks everything again, answers with the page.
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest) { return; }
  // The file's limits and their messages are the same for every form: the page says them once.
  var limits = document.getElementById("upload-limits");
  if (!limits) { return; }

  function errorOf(input) {
    return document.getElementById(input.id.replace(/^(date|file)-/, "$1-error-"));
  }

  function hintOf(input) {
    return document.getElementById(input.id.replace(/^(date|file)-/, "$1-hint-"));
  }

  function clear(form) {
    Array.prototype.forEach.call(form.querySelectorAll("input[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
      var hint = hintOf(input);
      if (hint) { input.setAttribute("aria-describedby", hint.id); } else { input.removeAttribute("aria-describedby"); }
    });
    Array.prototype.forEach.call(form.querySelectorAll(".error"), function (p) { p.textContent = ""; });
  }

  // Shows `message` at `input` (or, without one, at the form) and returns the element to focus.
  function show(form, input, message) {
    if (input) {
      var error = errorOf(input);
      error.textContent = message;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", error.id);
      return input;
    }
    var general = form.querySelector("p.error[role=alert]");
    general.textContent = message;
    general.setAttribute("tabindex", "-1");
    return general;
  }

  // The problems the browser can see, as [input, message] pairs, in the form's order.
  function problems(form) {
    var found = [];
    var date = form.querySelector("input[type=date]");
    var file = form.querySelector("input[name=file]");
    if (!date.value) {
      found.push([date, date.getAttribute("data-missing")]);
    } else if (date.min && date.value < date.min && date.getAttribute("data-too-old")) {
      // Before the type's maximum age, or for an identity document before today: expired.
      found.push([date, date.getAttribute("data-too-old")]);
    }
    // Several files (the pages, or front and back) go as one document: the limit holds for
    // them together.
    var chosen = Array.prototype.slice.call(file.files || []);
    var total = chosen.reduce(function (sum, f) { return sum + f.size; }, 0);
    if (chosen.length === 0) {
      found.push([file, limits.getAttribute("data-missing")]);
    } else if (chosen.length > Number(limits.getAttribute("data-max-files"))) {
      found.push([file, limits.getAttribute("data-too-many")]);
    } else if (total > Number(limits.getAttribute("data-max-bytes"))) {
      found.push([file, limits.getAttribute("data-too-large")]);
    }
    return found;
  }

  var forms = document.querySelectorAll("form.upload-form");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clear(form);
      var found = problems(form);
      if (found.length > 0) {
        var first = null;
        found.forEach(function (problem) {
          var shown = show(form, problem[0], problem[1]);
          first = first || shown;
        });
        first.focus();
        return;
      }
      var button = form.querySelector("button[type=submit]");
      var bar = form.querySelector("progress");
      bar.value = 0;
      bar.hidden = false;
      button.disabled = true;
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
      });
      request.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = {}; }
        if (request.status >= 200 && request.status < 300 && answer.redirect) {
          bar.value = 100;
          window.location.assign(answer.redirect);
          return;
        }
        bar.hidden = true;
        button.disabled = false;
        var input = answer.field ? form.querySelector("input[name=" + answer.field + "]") : null;
        var message = answer.message || limits.getAttribute("data-generic-error") || "Error";
        show(form, input, message).focus();
      });
      request.addEventListener("error", function () {
        bar.hidden = true;
        button.disabled = false;
        show(form, null, limits.getAttribute("data-generic-error") || "Error").focus();
      });
      request.send(new FormData(form));
    });
  });
})();
