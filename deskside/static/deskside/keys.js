/* Keyboard shortcuts of the agent pages (issue 14, item 9; docs/workspace/keyboard-and-phones.md).

   In a list of tickets (the queue, search, the portal's list): j / k move a visible selection
   through the rows (it is the focus of the row's first link, so Enter opens it too), o opens.
   On a ticket page: r the public reply, n the internal note, a assign, e escalate.
   Everywhere: / the search box, ? the list of keys (a <dialog>; Escape closes it).

   A key does nothing while the person types (an input, textarea, select or editable element
   has the focus) or holds Ctrl, Alt or Meta, so the browser's and the screen reader's own keys
   keep working. Targets are found at the moment of the key press (htmx swaps parts of the
   pages): first an element marked data-key="<key>", then the page's own ids (the ticket page's
   <details id="action-reply"> ...). Every target is also reachable by Tab (focus rings in
   small.css). No inline script, no eval: the Content-Security-Policy forbids both. */
(function () {
  "use strict";

  // What the dialog lists, in this order: [key, what it does, where].
  var KEYS = [
    ["j", "Select the next ticket", "Ticket lists"],
    ["k", "Select the previous ticket", "Ticket lists"],
    ["o or Enter", "Open the selected ticket", "Ticket lists"],
    ["r", "Write a public reply", "Ticket page"],
    ["n", "Write an internal note", "Ticket page"],
    ["a", "Assign the ticket", "Ticket page"],
    ["e", "Escalate the ticket", "Ticket page"],
    ["/", "Search tickets", "Everywhere"],
    ["?", "Show these keys", "Everywhere"],
    ["Escape", "Close this list", "Everywhere"],
  ];

  // A ticket page's own elements for its keys, when no element says data-key="...".
  var TICKET_TARGETS = { r: "#action-reply", n: "#action-note", a: "#action-assign", e: "#action-escalate" };

  var ROWS = "table.tickets tbody tr, table.portal-list tbody tr, [data-key-rows] tbody tr";
  var SELECTED = "key-selected";
  var FIELDS = "textarea, select, input:not([type=hidden]):not([type=submit]):not([type=button]), button";

  function typing(element) {
    if (!element || element === document.body) {
      return false;
    }
    if (element.isContentEditable) {
      return true;
    }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    if (tag === "INPUT") {
      var type = (element.getAttribute("type") || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset", "image", "file"].indexOf(type) < 0;
    }
    return false;
  }

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  // -- lists of tickets ------------------------------------------------------------------------

  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll(ROWS), function (row) {
      return visible(row) && row.querySelector("a[href]");
    });
  }

  function move(step) {
    var all = rows();
    if (!all.length) {
      return false;
    }
    var current = all.findIndex(function (row) { return row.classList.contains(SELECTED); });
    var next = current < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(current + step, 0), all.length - 1);
    all.forEach(function (row) { row.classList.remove(SELECTED); });
    var row = all[next];
    row.classList.add(SELECTED);
    var link = row.querySelector("a[href]");
    link.focus();
    row.scrollIntoView({ block: "nearest" });
    return true;
  }

  function openSelected() {
    var row = document.querySelector("tr." + SELECTED);
    var link = row && row.querySelector("a[href]");
    if (!link) {
      var focused = document.activeElement;
      link = focused && focused.closest && focused.closest(ROWS) ? focused : null;
    }
    if (link) {
      link.click();
      return true;
    }
    return false;
  }

  // -- the ticket page, the search box ---------------------------------------------------------

  function target(key) {
    var marked = document.querySelector('[data-key="' + key + '"]');
    if (marked) {
      return marked;
    }
    return TICKET_TARGETS[key] ? document.querySelector(TICKET_TARGETS[key]) : null;
  }

  function focusIn(element, prefer) {
    if (element.tagName === "DETAILS") {
      element.open = true;
    }
    // An element inside a closed <details> (or the collapsed phone menu) is opened first.
    var outer = element.parentElement && element.parentElement.closest("details:not([open])");
    while (outer) {
      outer.open = true;
      outer = outer.parentElement && outer.parentElement.closest("details:not([open])");
    }
    document.dispatchEvent(new CustomEvent("deskside:reveal", { detail: { element: element } }));
    var field = element.matches(FIELDS) ? element
      : (prefer && element.querySelector(prefer)) || element.querySelector(FIELDS);
    var focusable = field || element;
    if (!field && !focusable.hasAttribute("tabindex")) {
      focusable.setAttribute("tabindex", "-1");
    }
    focusable.focus();
    focusable.scrollIntoView({ block: "center" });
    return true;
  }

  function search() {
    var box = document.querySelector('[data-key="/"]') ||
      document.querySelector(".mainnav .search input[name=q]") ||
      document.querySelector("main input[type=search]");
    if (!box) {
      return false;
    }
    focusIn(box);
    if (box.select) {
      box.select();
    }
    return true;
  }

  // -- the list of keys ------------------------------------------------------------------------

  var dialog = null;

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "keys-dialog";
    dialog.setAttribute("aria-labelledby", "keys-dialog-title");
    var title = document.createElement("h2");
    title.id = "keys-dialog-title";
    title.textContent = "Keyboard shortcuts";
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    ["Key", "What it does", "Where"].forEach(function (text) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.appendChild(th);
    });
    var body = table.createTBody();
    KEYS.forEach(function (entry) {
      var row = body.insertRow();
      var key = row.insertCell();
      entry[0].split(" or ").forEach(function (name, i) {
        if (i) {
          key.appendChild(document.createTextNode(" or "));
        }
        var kbd = document.createElement("kbd");
        kbd.textContent = name;
        key.appendChild(kbd);
      });
      row.insertCell().textContent = entry[1];
      row.insertCell().textContent = entry[2];
    });
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = "Keys do nothing while you type in a field. Everything is also reachable with Tab.";
    var form = document.createElement("form");
    form.method = "dialog";
    var close = document.createElement("button");
    close.type = "submit";
    close.textContent = "Close";
    form.appendChild(close);
    dialog.append(title, table, note, form);
    document.body.appendChild(dialog);
    if (window.DesksideLabelTables) {
      window.DesksideLabelTables(dialog);
    }
  }

  function showKeys() {
    if (!dialog) {
      buildDialog();
    }
    if (!dialog.open) {
      dialog.showModal();
    }
    return true;
  }

  // -- dispatch --------------------------------------------------------------------------------

  var ACTIONS = {
    j: function () { return move(1); },
    k: function () { return move(-1); },
    o: openSelected,
    // The reply and note boxes: their text area, even when a control comes before it.
    r: function () { var t = target("r"); return t ? focusIn(t, "textarea") : false; },
    n: function () { var t = target("n"); return t ? focusIn(t, "textarea") : false; },
    a: function () { var t = target("a"); return t ? focusIn(t) : false; },
    e: function () { var t = target("e"); return t ? focusIn(t) : false; },
    "/": search,
    "?": showKeys,
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) {
      return;
    }
    if (dialog && dialog.open) {
      return; // the dialog is modal: Escape (the browser's own) closes it, Tab stays inside
    }
    if (typing(event.target)) {
      return;
    }
    var action = ACTIONS[event.key];
    if (event.key === "Enter" && event.target.closest && !event.target.closest("a, button, summary, input, [tabindex]")) {
      action = openSelected;
    }
    if (action && action()) {
      event.preventDefault();
    }
  });
})();
