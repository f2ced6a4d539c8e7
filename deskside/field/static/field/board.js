// The dispatch board's drag and drop (deskside/field/templates/field/board.html): drop a visit
// (from the queue or a technician's day) on a technician's row (the day view: the time under
// the pointer, to a quarter of an hour) or day (the week view: the visit's own time of day),
// and this script fills the schedule form and submits it. The form is the same one a person
// fills by hand, so the board works without JavaScript and the server checks everything.
(function () {
  "use strict";
  var QUARTER = 15;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function startFor(target, event, item) {
    var day = target.getAttribute("data-day");
    var from = parseInt(target.getAttribute("data-from") || "", 10);
    var to = parseInt(target.getAttribute("data-to") || "", 10);
    if (!isNaN(from) && !isNaN(to) && target.classList.contains("fb-track")) {
      var box = target.getBoundingClientRect();
      var share = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      var minutes = Math.round((from * 60 + share * (to - from) * 60) / QUARTER) * QUARTER;
      return day + "T" + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
    }
    return day + "T" + (item.time || "09:00");
  }

  function setField(form, name, value) {
    var field = form.elements[name];
    if (!field) { return; }
    if (field.tagName === "SELECT" && value && !field.querySelector('option[value="' + value + '"]')) {
      // The menu offers the queue's visits; a moved card's visit is added to send it.
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      field.appendChild(option);
    }
    if (field.type === "checkbox") { field.checked = !!value; } else { field.value = value; }
  }

  document.addEventListener("dragstart", function (event) {
    var el = event.target.closest && event.target.closest("[data-visit]");
    if (!el) { return; }
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", JSON.stringify({
      visit: el.getAttribute("data-visit"),
      time: el.getAttribute("data-time"),
      second: el.getAttribute("data-second") || "",
      shadowing: el.getAttribute("data-shadowing") || ""
    }));
  });

  function dropTarget(event) {
    return event.target.closest && event.target.closest("[data-technician][data-day]");
  }

  document.addEventListener("dragover", function (event) {
    var target = dropTarget(event);
    if (!target) { return; }
    event.preventDefault();
    target.classList.add("fb-drop");
  });

  document.addEventListener("dragleave", function (event) {
    var target = dropTarget(event);
    if (target) { target.classList.remove("fb-drop"); }
  });

  document.addEventListener("drop", function (event) {
    var target = dropTarget(event);
    var form = document.getElementById("fb-schedule-form");
    if (!target || !form) { return; }
    event.preventDefault();
    target.classList.remove("fb-drop");
    var item;
    try { item = JSON.parse(event.dataTransfer.getData("text/plain")); } catch (e) { return; }
    if (!item || !item.visit) { return; }
    setField(form, "visit", item.visit);
    setField(form, "technician", target.getAttribute("data-technician"));
    setField(form, "start", startFor(target, event, item));
    setField(form, "second", item.second);
    setField(form, "shadowing", item.shadowing);
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
