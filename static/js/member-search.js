/*
 * Member pickers that search on the server: a text field for a member's email address gets a
 * list of suggestions as the coordinator types, from the JSON search of the cohort's members
 * without a partner (at most 20 a time), so that a page never lists every member.
 *
 *   <input type="text" name="first" data-member-search="/o/…/cohorts/7/matching/members/">
 *
 * Choosing a suggestion fills in the member's email address, which the form accepts. Without
 * JavaScript the field still works: the coordinator types the email address (or member id).
 */
(function () {
  "use strict";

  var DELAY = 200;
  var MIN_LENGTH = 2;

  function attach(input, index) {
    var url = input.getAttribute("data-member-search");
    var list = document.createElement("datalist");
    list.id = "member-search-" + index;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);
    var timer = null;
    var latest = 0;

    function show(results) {
      list.replaceChildren();
      results.forEach(function (member) {
        var option = document.createElement("option");
        option.value = member.email;
        option.label = member.name === member.email ? member.email : member.name;
        option.textContent = option.label;
        list.appendChild(option);
      });
    }

    function search() {
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        show([]);
        return;
      }
      var ticket = ++latest;
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (ticket === latest) {
            show(data.results || []);
          }
        })
        .catch(function () {
          /* The field still takes a typed address. */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY);
    });
  }

  document.querySelectorAll("input[data-member-search]").forEach(attach);
})();
