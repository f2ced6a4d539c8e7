/* The live pages (deskside.live): the queue's "3 new tickets" and the ticket page's
   "Ana added a note · show" and "Ben is replying". The pollers are htmx elements
   ([data-live-queue], [data-live-ticket], every 10 s); this file only
   - adds the queue's current filters (the address bar: filters change without a reload) and
     the ticket page's presence state (viewing, or replying while the reply or note box has
     the focus or holds text) to each poll;
   - skips polls while the tab is hidden, and polls at once when it shows again or when the
     agent starts or stops replying;
   - keeps what the agent typed when "show" (or an action) swaps the ticket in;
   - tells the server when the ticket page closes (sendBeacon), so the agent stops showing as
     present at once instead of 30 s later. */
(function () {
  "use strict";

  var POLLERS = "[data-live-ticket], [data-live-queue]";
  var REPLY_BOXES = "#reply-body, #note-body";
  var NOT_FILTERS = { after: true, shown: true, page: true };
  var lastState = null;
  var drafts = null;

  function isPoller(elt) {
    return elt && elt.hasAttribute && (elt.hasAttribute("data-live-ticket") || elt.hasAttribute("data-live-queue"));
  }

  function replying() {
    var boxes = document.querySelectorAll(REPLY_BOXES);
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i] === document.activeElement || boxes[i].value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  function poll(selector) {
    if (!window.htmx) {
      return;
    }
    document.querySelectorAll(selector).forEach(function (elt) {
      window.htmx.trigger(elt, "live-poll");
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!isPoller(elt)) {
      return;
    }
    if (elt.hasAttribute("data-live-ticket")) {
      lastState = replying() ? "replying" : "viewing";
      event.detail.parameters.state = lastState;
    } else {
      new URLSearchParams(window.location.search).forEach(function (value, key) {
        if (!NOT_FILTERS[key]) {
          event.detail.parameters[key] = value;
        }
      });
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && isPoller(event.detail.elt)) {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      poll(POLLERS);
    }
  });

  function stateMaybeChanged() {
    if (lastState !== null && (replying() ? "replying" : "viewing") !== lastState) {
      poll("[data-live-ticket]");
    }
  }
  document.addEventListener("focusin", stateMaybeChanged);
  document.addEventListener("focusout", function () {
    window.setTimeout(stateMaybeChanged, 0);
  });
  document.addEventListener("input", stateMaybeChanged);

  // Any swap of the whole ticket ("show", an action of the page) keeps what the agent was
  // typing in the other boxes: the form that was sent shows its own answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "ticket") {
      return;
    }
    var config = event.detail.requestConfig || {};
    var sent = config.elt && config.elt.closest ? config.elt.closest("form") : null;
    drafts = {};
    target.querySelectorAll("textarea[id]").forEach(function (field) {
      if (field.value && !(sent && sent.contains(field))) {
        drafts[field.id] = field.value;
      }
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!drafts) {
      return;
    }
    Object.keys(drafts).forEach(function (id) {
      var field = document.getElementById(id);
      if (field && !field.value) {
        field.value = drafts[id];
      }
    });
    drafts = null;
  });

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  window.addEventListener("pagehide", function () {
    var elt = document.querySelector("[data-live-ticket]");
    if (!elt || !navigator.sendBeacon) {
      return;
    }
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    navigator.sendBeacon(elt.getAttribute("data-leave-url"), data);
  });
})();
