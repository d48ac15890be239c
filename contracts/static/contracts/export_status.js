/*
 * Contracts export page: while the ZIP is being built, poll its JSON status every 2 s, show the
 * progress, and reload the page (which then shows the download link or the error) when done.
 *
 *   <div data-export-status-url="/o/…/exports/7/status/">
 *     <span data-export-label></span> <span data-export-percent></span> <progress></progress>
 *   </div>
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-export-status-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-export-status-url");
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-export-label]");
  var percent = box.querySelector("[data-export-percent]");
  var INTERVAL = 2000;
  var RETRY_AFTER_ERROR = 5000;

  function show(status) {
    if (bar) {
      bar.value = status.progress;
      bar.textContent = status.progress + " %";
    }
    if (percent) {
      percent.textContent = status.progress + " %";
    }
    if (label && status.status_label) {
      label.textContent = status.status_label;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, INTERVAL);
        }
      })
      .catch(function () {
        window.setTimeout(poll, RETRY_AFTER_ERROR);
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
