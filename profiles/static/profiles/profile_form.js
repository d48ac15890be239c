/*
 * The profile edit page: "Add another" rows for the offers and needs formsets.
 *
 * <button data-formset-add="offers"> copies <template id="offers-empty"> (Django's empty_form,
 * with "__prefix__" in its names) into #offers-rows with the next free index, and raises the
 * management form's TOTAL_FORMS. Without JavaScript the page still works: it always renders one
 * empty row, and saving adds another.
 */
(function () {
  "use strict";

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
    var input = rows.lastElementChild && rows.lastElementChild.querySelector("input[type=text]");
    if (input) {
      input.focus();
    }
  });

  // A row marked "Remove" is dimmed, so it is clear what saving will drop.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !/-DELETE$/.test(box.name)) {
      return;
    }
    var row = box.closest("[data-formset-row]");
    if (row) {
      row.classList.toggle("opacity-50", box.checked);
    }
  });
})();
