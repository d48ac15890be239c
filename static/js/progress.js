/*
 * Pages with background work in progress (a matching run, a contracts export): poll the JSON
 * status every 2 s, show the progress, and reload the page when the work has finished (the page
 * then shows the result, the download link or the error).
 *
 *   <div data-progress-url="/o/…/status/">
 *     <span data-progress-note></span> <span data-progress-percent></span> <progress></progress>
 *   </div>
 *
 * The status JSON has `progress` (0–100), `finished`, and a label in `note` or `status_label`.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-progress-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var note = box.querySelector("[data-progress-note]");
  var percent = box.querySelector("[data-progress-percent]");
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
    var label = status.note || status.status_label;
    if (note && label) {
      note.textContent = label;
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
