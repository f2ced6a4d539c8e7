/* Notifications: the navigation's unread count and mentions in the timeline.
 *
 * The count (#notif-count) is polled by htmx (hx-trigger "every 15s"); a poll is skipped while
 * the tab is hidden, and the count is refreshed at once when the tab is shown again.
 * Mentions (@ + the part of an agent's email before the @) in internal notes are wrapped in
 * <mark class="mention">, the viewer's own in "mention mention-me". Text nodes only: no HTML
 * is parsed, so a note's text can never become markup.
 */
(function () {
  "use strict";
  var MENTION = /(^|[^\w@.+-])@([a-z0-9](?:[a-z0-9._+-]*[a-z0-9_])?)/gi;

  function me() {
    var link = document.querySelector(".notif-link[data-me]");
    var email = link ? link.getAttribute("data-me") || "" : "";
    return email.split("@")[0].toLowerCase();
  }

  function highlight(body, mine) {
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      if (text.indexOf("@") < 0 || (node.parentNode && node.parentNode.closest("mark.mention"))) return;
      var out = document.createDocumentFragment();
      var last = 0;
      var match;
      MENTION.lastIndex = 0;
      while ((match = MENTION.exec(text)) !== null) {
        var start = match.index + match[1].length;
        out.appendChild(document.createTextNode(text.slice(last, start)));
        var mark = document.createElement("mark");
        mark.className = match[2].toLowerCase() === mine ? "mention mention-me" : "mention";
        mark.textContent = "@" + match[2];
        out.appendChild(mark);
        last = start + 1 + match[2].length;
      }
      if (last === 0) return;
      out.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(out, node);
    });
  }

  function scan(root) {
    var mine = me();
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll(".event.kind-note .body").forEach(function (body) {
      if (body.getAttribute("data-mentions") === "done") return;
      body.setAttribute("data-mentions", "done");
      highlight(body, mine);
    });
  }

  document.addEventListener("htmx:beforeRequest", function (e) {
    if (document.hidden && e.detail.elt && e.detail.elt.id === "notif-count") e.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && window.htmx) window.htmx.trigger(document.body, "notif-refresh");
  });
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:load", function (e) { scan(e.target); });
})();
