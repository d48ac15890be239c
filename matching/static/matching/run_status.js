/*
 * Matching page: while a run is queued or running, poll its JSON status every 2 s, show the
 * progress, and reload the page when the run has finished.
 *
 *   <div data-run-status-url="/o/…/matching/runs/7/status/">
 *     <span data-run-note></span> <span data-run-percent></span> <progress></progress>
 *   </div>
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-run-status-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-run-status-url");
  var bar = box.querySelector("progress");
  var note = box.querySelector("[data-run-note]");
  var percent = box.querySelector("[data-run-percent]");
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
    if (note && status.note) {
      note.textContent = status.note;
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
