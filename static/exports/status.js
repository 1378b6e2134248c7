// Live status of export jobs: polls each [data-export-status-url] while the job is in flight,
// updates its label and progress bar, and reloads the page once when it finishes (so the
// download link and file details appear). A static file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var INTERVAL = 2000;

  function poll(el) {
    var url = el.getAttribute("data-export-status-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var label = el.querySelector(".status-label");
        var bar = el.querySelector("progress");
        var pct = el.querySelector(".status-percent");
        if (label) { label.textContent = data.status_label; label.className = "badge status-label status-" + data.status; }
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
        if (pct) { pct.textContent = data.progress + "%"; }
        if (data.in_flight) { window.setTimeout(function () { poll(el); }, INTERVAL); }
        else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(function () { poll(el); }, INTERVAL * 3); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-export-status-url]").forEach(function (el) {
      window.setTimeout(function () { poll(el); }, INTERVAL);
    });
  });
})();
