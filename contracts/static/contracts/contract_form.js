/*
 * The contract's editing pages (section, goal, shared terms).
 *
 * - <button data-formset-add="strategies"> copies <template id="strategies-empty"> (Django's
 *   empty_form, with "__prefix__" in its names) into #strategies-rows with the next free
 *   index and raises the management form's TOTAL_FORMS. Without JavaScript the page still
 *   works: it always renders one empty row.
 * - In an indicator row ([data-indicator-row]), the target and unit ([data-number-only]) are
 *   hidden while the indicator is measured as yes/no.
 * - A <form data-track-changes> with unsaved edits asks before the page is left, so that no
 *   typed work is lost by following a link.
 */
(function () {
  "use strict";

  function syncIndicator(row) {
    var kind = row.querySelector("select[data-indicator-kind]");
    if (!kind) {
      return;
    }
    var yesNo = kind.value === "yes_no";
    row.querySelectorAll("[data-number-only]").forEach(function (cell) {
      cell.classList.toggle("d-none", yesNo);
    });
  }

  document.querySelectorAll("[data-indicator-row]").forEach(syncIndicator);

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-indicator-kind")) {
      var row = target.closest("[data-indicator-row]");
      if (row) {
        syncIndicator(row);
      }
    }
    // A row marked "Remove" is dimmed, so it is clear what saving will drop.
    if (target instanceof HTMLInputElement && /-DELETE$/.test(target.name)) {
      var removed = target.closest("[data-formset-row]");
      if (removed) {
        removed.classList.toggle("opacity-50", target.checked);
      }
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-formset-add]") : null;
    if (!button) {
      return;
    }
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) {
      return;
    }
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) {
      button.disabled = true;
      return;
    }
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    if (added) {
      if (added.hasAttribute("data-indicator-row")) {
        syncIndicator(added);
      }
      var input = added.querySelector("textarea, input[type=text]");
      if (input) {
        input.focus();
      }
    }
  });

  // Unsaved changes.
  var dirty = false;
  var tracked = document.querySelectorAll("form[data-track-changes]");
  tracked.forEach(function (form) {
    form.addEventListener("input", function () {
      dirty = true;
    });
    form.addEventListener("change", function () {
      dirty = true;
    });
    form.addEventListener("submit", function () {
      dirty = false;
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
