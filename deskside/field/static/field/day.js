/* The technician's day (/field/day/): htmx swaps a refused action's card (status 422, the card
   with its error) like a successful one. The signature pad is field/signature.js (the same
   script as the mailed sign-off page's). */
(function () {
  "use strict";

  // A refused action answers 422 with the card showing the error: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 422 && target && target.closest && target.closest(".field-day")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
