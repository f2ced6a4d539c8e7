/* Phone-sized pages (issue 14, item 10; small.css, docs/workspace/keyboard-and-phones.md).

   1. Every table cell gets its column's header text as data-label, so that on a narrow screen
      small.css can show the table as stacked rows, each cell on its own line under its
      label. Headers spanning several columns (colspan) and several header rows (the SLA
      report) are followed. Cells that already carry a data-label keep it. Run on load and
      after every htmx swap, so no template needs to say anything.
   2. The top bar's navigation collapses behind a "Menu" button (a disclosure: aria-expanded,
      aria-controls) that small.css shows on narrow screens only. Without JavaScript the
      navigation simply wraps, as before.
   3. A table or <pre> that scrolls sideways in its own box gets tabindex="0", so that the
      keyboard can reach and scroll it too. */
(function () {
  "use strict";

  function text(cell) {
    return (cell.textContent || "").replace(/\s+/g, " ").trim();
  }

  // The header text of each column: a grid of the header rows, colspans and rowspans spread.
  function headerLabels(table) {
    var headRows = table.tHead ? Array.prototype.slice.call(table.tHead.rows) : [];
    if (!headRows.length) {
      var first = table.rows[0];
      if (first && first.cells.length && Array.prototype.every.call(first.cells, function (c) { return c.tagName === "TH"; })) {
        headRows = [first];
      }
    }
    var grid = [];
    headRows.forEach(function (row, r) {
      grid[r] = grid[r] || [];
      var col = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        while (grid[r][col] !== undefined) {
          col += 1;
        }
        var label = cell.getAttribute("data-label") || text(cell);
        for (var dr = 0; dr < (cell.rowSpan || 1); dr++) {
          grid[r + dr] = grid[r + dr] || [];
          for (var dc = 0; dc < (cell.colSpan || 1); dc++) {
            grid[r + dr][col + dc] = label;
          }
        }
        col += cell.colSpan || 1;
      });
    });
    var labels = [];
    grid.forEach(function (row) {
      row.forEach(function (label, col) {
        var parts = labels[col] || [];
        if (label && parts.indexOf(label) < 0) {
          parts.push(label);
        }
        labels[col] = parts;
      });
    });
    return { rows: headRows, labels: labels.map(function (parts) { return (parts || []).join(" · "); }) };
  }

  function labelTable(table) {
    var head = headerLabels(table);
    if (!head.labels.length) {
      return;
    }
    table.classList.add("labelled");
    Array.prototype.forEach.call(table.rows, function (row) {
      if (head.rows.indexOf(row) >= 0) {
        return;
      }
      var col = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.hasAttribute("data-label")) {
          var label = head.labels[col] || "";
          // A row's own header cell (<th> in the body) is its title: no label before it.
          if (label && !(cell.tagName === "TH" && col === 0)) {
            cell.setAttribute("data-label", label);
          }
        }
        col += cell.colSpan || 1;
      });
    });
  }

  function labelTables(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var tables = scope.tagName === "TABLE" ? [scope] : scope.querySelectorAll("table");
    Array.prototype.forEach.call(tables, labelTable);
  }
  window.DesksideLabelTables = labelTables;

  // -- boxes that scroll sideways --------------------------------------------------------------
  // A wide table (between phone and laptop widths) or a code snippet scrolls inside its own
  // box; a keyboard can scroll it only when it can take the focus.
  function focusableScrollers() {
    Array.prototype.forEach.call(document.querySelectorAll("main table, main pre"), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible";
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  }

  // -- the top bar's menu ----------------------------------------------------------------------

  function menu() {
    var bar = document.querySelector(".topbar");
    var nav = bar && bar.querySelector(".mainnav");
    if (!nav || bar.querySelector(".menu-toggle")) {
      return;
    }
    nav.id = nav.id || "mainnav";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "menu-toggle";
    button.textContent = "Menu";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", nav.id);
    var brand = bar.querySelector(".brand");
    bar.insertBefore(button, brand ? brand.nextSibling : bar.firstChild);
    bar.classList.add("has-menu");
    function set(open) {
      bar.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      set(!bar.classList.contains("menu-open"));
    });
    // keys.js asks for the search box: open the menu when it is in there.
    document.addEventListener("deskside:reveal", function (event) {
      if (bar.contains(event.detail.element)) {
        set(true);
      }
    });
    bar.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("menu-open")) {
        set(false);
        button.focus();
      }
    });
  }

  var resizing = null;

  function ready() {
    menu();
    labelTables(document);
    focusableScrollers();
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(focusableScrollers, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    labelTables(event.target && event.target.isConnected ? event.target : document);
    focusableScrollers();
  });
})();
