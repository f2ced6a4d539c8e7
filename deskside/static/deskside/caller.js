/* Log a call: the caller look-up's listbox (the ARIA combobox pattern) and picking a caller.

   The search box (#caller-q) asks the server for matches as the agent types (htmx: hx-get on
   the input, the listbox swapped into #caller-results). Up and Down move through the matches
   (aria-activedescendant: the focus stays in the box), Enter or a click picks one, Escape
   closes the list. Picking a caller chooses their client and them as the requester, and
   swaps in their open tickets beside the form (GET /tickets/new/contacts/?requester=...).
   Changing the requester by hand does the same. Without JavaScript the page offers links
   and a Find button instead. A static file: the Content-Security-Policy allows no inline
   script. */
(function () {
  "use strict";

  function box() {
    return document.getElementById("caller-q");
  }

  function options() {
    return Array.prototype.slice.call(
      document.querySelectorAll("#caller-listbox [role=option]")
    );
  }

  function setActive(option) {
    var input = box();
    options().forEach(function (o) {
      var on = o === option;
      o.setAttribute("aria-selected", on ? "true" : "false");
      o.classList.toggle("active", on);
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function active() {
    return document.querySelector("#caller-listbox [role=option].active");
  }

  function close() {
    var results = document.getElementById("caller-results");
    if (results) {
      results.replaceChildren();
    }
    var input = box();
    if (input) {
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
  }

  function loadContacts(organization, requester, focusId) {
    var input = box();
    if (!input || !window.htmx) {
      return;
    }
    var url = input.getAttribute("data-contacts-url") +
      "?organization=" + encodeURIComponent(organization) +
      "&requester=" + encodeURIComponent(requester);
    window.htmx.ajax("GET", url, {target: "#contact-fields", swap: "outerHTML"}).then(function () {
      var next = document.getElementById(focusId);
      if (next) {
        next.focus();
      }
    });
  }

  function choose(option) {
    var input = box();
    var organization = option.getAttribute("data-organization");
    input.value = option.getAttribute("data-name");
    close();
    var client = document.querySelector("#intake-form select[name=organization]");
    if (client) {
      client.value = organization;
    }
    var fresh = document.getElementById("new-contact");
    if (fresh) {
      fresh.open = false;
    }
    loadContacts(organization, option.getAttribute("data-caller"), "id_subject");
  }

  document.addEventListener("keydown", function (event) {
    var input = box();
    if (!input || event.target !== input) {
      return;
    }
    var list = options();
    var current = active();
    var at = list.indexOf(current);
    if (event.key === "ArrowDown" && list.length) {
      event.preventDefault();
      setActive(list[Math.min(at + 1, list.length - 1)]);
    } else if (event.key === "ArrowUp" && list.length) {
      event.preventDefault();
      setActive(list[Math.max(at - 1, 0)]);
    } else if (event.key === "Enter") {
      // Enter in the look-up never submits the ticket form.
      event.preventDefault();
      if (current || list.length === 1) {
        choose(current || list[0]);
      } else if (window.htmx) {
        window.htmx.trigger(input, "search");
      }
    } else if (event.key === "Escape" && list.length) {
      event.preventDefault();
      close();
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest("#caller-listbox [role=option]");
    if (option) {
      event.preventDefault();
      choose(option);
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("#intake-form select[name=requester]") && select.value) {
      var client = document.querySelector("#intake-form select[name=organization]");
      loadContacts(client ? client.value : "", select.value, select.id);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "caller-results") {
      var input = box();
      if (input) {
        input.setAttribute("aria-expanded", options().length ? "true" : "false");
        input.removeAttribute("aria-activedescendant");
      }
    }
  });
})();
