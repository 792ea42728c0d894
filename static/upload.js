// Progressive enhancement of the upload forms: the same POST, sent with XMLHttpRequest so a
// progress bar can show how far the upload is. Without JavaScript the forms post normally.
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest) { return; }
  var forms = document.querySelectorAll("form.upload-form");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var bar = form.querySelector("progress");
      var error = form.querySelector(".error");
      error.textContent = "";
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
        error.textContent = answer.message || form.getAttribute("data-generic-error") || "Error";
        error.focus && error.setAttribute("tabindex", "-1");
      });
      request.addEventListener("error", function () {
        bar.hidden = true;
        button.disabled = false;
        error.textContent = form.getAttribute("data-generic-error") || "Error";
      });
      request.send(new FormData(form));
    });
  });
})();
