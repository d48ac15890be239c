/*
 * PeerMentor's own front-end behaviour. Loaded with `defer` on every page.
 *
 * The Content-Security-Policy forbids inline scripts and event-handler attributes, so
 * templates declare behaviour with data attributes and this file wires it up:
 *
 *   <form data-confirm="Remove this member?">            asks before the form is submitted
 *   <button data-confirm="Delete the cohort?">           asks before this button submits
 *   <a href="…" data-confirm="Leave without saving?">    asks before following the link
 *   <select data-autosubmit>                             submits its form when changed
 *   class="js-hidden"                                    hidden when JavaScript runs (e.g. the
 *                                                        "Apply" button next to an
 *                                                        auto-submitting select)
 *   class="no-js-hidden"                                 hidden unless JavaScript runs
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // Submitting a form: a data-confirm on the button that submitted it wins over one on the
  // form itself. A form already confirmed once (e.g. re-submitted by requestSubmit) is not
  // asked again.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var submitter = event.submitter;
      var message =
        (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // Links that ask first.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-confirm]") : null;
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // <select data-autosubmit> submits its form on change. requestSubmit() fires the submit
  // event, so a data-confirm on the form still applies.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-autosubmit")) {
      return;
    }
    var form = select.form;
    if (!form) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });

  // Forms are submitted once: a double click does not send a second POST. The button is
  // disabled only after the submit event has gone through (not cancelled by data-confirm
  // or by the browser's own validation), and forms can opt out with data-allow-resubmit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (
      !(form instanceof HTMLFormElement) ||
      event.defaultPrevented ||
      form.method.toLowerCase() !== "post" ||
      form.hasAttribute("data-allow-resubmit")
    ) {
      return;
    }
    // The form data set is built right after this event, so the submitting button's
    // name/value is still sent: disable the buttons only on the next tick.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
      // Re-enable after a while, in case the response was a download or the user came back.
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
          button.disabled = false;
        });
      }, 5000);
    }, 0);
  });

  // Pages shown again from the back/forward cache keep disabled buttons; re-enable them.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("button[type=submit][disabled], input[type=submit][disabled]").forEach(
        function (button) {
          button.disabled = false;
        }
      );
    }
  });
})();
