// Bulk actions on the queue and search pages (tickets/_bulk_form.html): "select all on this
// page", the count of ticked rows, and only the fields the chosen action uses. Without this
// file every field shows and each row is ticked by hand; the form works the same.
(function () {
  "use strict";

  function rows() { return document.querySelectorAll("input.bulk-row"); }

  function showCount() {
    var form = document.getElementById("bulk");
    if (!form) return;
    var count = form.querySelector(".bulk-count");
    var matching = document.getElementById("bulk-all-matching");
    var n = 0;
    rows().forEach(function (box) { if (box.checked) n += 1; });
    if (count) count.textContent = matching && matching.checked ? "(all matching)" : "(" + n + " ticked)";
  }

  function showArgs() {
    var form = document.getElementById("bulk");
    if (!form) return;
    var action = form.querySelector("select[name=action]");
    var chosen = action ? action.value : "";
    form.querySelectorAll("[data-bulk-for]").forEach(function (label) {
      label.hidden = label.getAttribute("data-bulk-for").split(" ").indexOf(chosen) === -1;
    });
  }

  function refresh() { showArgs(); showCount(); }

  // One delegated listener: the table and the form are swapped by htmx when filters change.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.classList) return;
    if (target.classList.contains("bulk-all")) {
      rows().forEach(function (box) { box.checked = target.checked; });
      showCount();
    } else if (target.classList.contains("bulk-row") || target.id === "bulk-all-matching") {
      showCount();
    } else if (target.name === "action" && target.form && target.form.id === "bulk") {
      showArgs();
    }
  });
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
})();
