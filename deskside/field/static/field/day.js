/* The technician's day (/field/day/): the signature pad, and htmx swapping a refused action's
   card (status 422, the card with its error) like a successful one.

   A signature pad is any <canvas data-signature-pad> inside a <form>: drawing with a finger,
   a pen or the mouse (pointer events) leaves a PNG data URL in the form's hidden input named
   "signature" (or ending in "-signature", a form prefix); a [data-signature-clear] button
   in the same form wipes it. Generic on purpose: the mailed sign-off page can use it too. */
(function () {
  "use strict";

  function hiddenInput(form) {
    return form.querySelector('input[type="hidden"][name="signature"], input[type="hidden"][name$="-signature"]');
  }

  function setUp(canvas) {
    if (canvas.dataset.ready) {
      return;
    }
    canvas.dataset.ready = "1";
    var form = canvas.closest("form");
    var input = form ? hiddenInput(form) : null;
    var ratio = window.devicePixelRatio || 1;
    var box = canvas.getBoundingClientRect();
    canvas.width = Math.max(1, Math.round(box.width * ratio));
    canvas.height = Math.max(1, Math.round(box.height * ratio));
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    var drawing = false;
    var drawn = false;

    function at(event) {
      var r = canvas.getBoundingClientRect();
      return { x: event.clientX - r.left, y: event.clientY - r.top };
    }
    function save() {
      if (input && drawn) {
        input.value = canvas.toDataURL("image/png");
      }
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      try {
        canvas.setPointerCapture(event.pointerId); // keep the stroke when the finger slips out
      } catch (ignored) {
        // a pointer the browser no longer tracks (or a synthetic one): draw without capture
      }
      var p = at(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.1, p.y + 0.1);
      ctx.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) {
        return;
      }
      event.preventDefault();
      var p = at(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    function stop() {
      if (drawing) {
        drawing = false;
        save();
      }
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    var clear = form ? form.querySelector("[data-signature-clear]") : null;
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        if (input) {
          input.value = "";
        }
      });
    }
  }

  function setUpAll(root) {
    (root || document).querySelectorAll("canvas[data-signature-pad]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  // A card swapped in by htmx brings a new canvas.
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.target);
  });
  // A refused action answers 422 with the card showing the error: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 422 && target && target.closest && target.closest(".field-day")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
