/* Deskside's page behaviour, kept in a static file: the Content-Security-Policy allows no
   inline script and no on*= handlers (docs/security.md, "Headers").

   data-confirm="Question?" on a form asks before it is submitted; on a submit button, asks
   before that button submits its form. Cancelling leaves the page as it was. */
(function () {
  "use strict";

  function ask(element, event) {
    var question = element.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return false;
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (button) {
      ask(button, event);
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      ask(form, event);
    }
  }, true);
})();
