/*
 * Drawn signatures, for any page: the mailed sign-off link (/field/sign/...) and the
 * technician's day (/field/day/, whose cards htmx swaps in). The only canvas script.
 *
 * Markup (no inline script or style; the CSP forbids them):
 *
 *   <input type="hidden" name="signature" id="id_signature">
 *   <canvas data-signature-for="id_signature" aria-label="Sign here" role="img"></canvas>
 *   <button type="button" data-signature-clear="id_signature">Clear</button>
 *
 * Each <canvas data-signature-for="ID"> becomes a pad drawn with a finger, a pen or a mouse
 * (pointer events). After every stroke the drawing is written into the element #ID as a PNG
 * data URL ("data:image/png;base64,..."), which the form posts; "Clear" (any button with
 * data-signature-clear="ID") wipes the pad and empties #ID. An empty pad leaves #ID empty, so
 * the server can say "draw the signature". The canvas's drawing size follows its CSS size (at
 * the screen's pixel ratio, capped at 2 to keep the PNG small). Works with several pads on one
 * page, and with pads that htmx swaps in later (htmx:load).
 */
(function () {
  "use strict";

  function setUp(canvas) {
    if (canvas.dataset.signatureReady) return;
    var input = document.getElementById(canvas.dataset.signatureFor);
    if (!input) return;
    canvas.dataset.signatureReady = "1";
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var inked = false;

    function size() {
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var box = canvas.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(box.width * ratio));
      canvas.height = Math.max(1, Math.round(box.height * ratio));
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.2;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      inked = false;
      input.value = "";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      try {
        canvas.setPointerCapture(event.pointerId); // keep the stroke when the finger slips out
      } catch (ignored) {
        // a pointer the browser no longer tracks (or a synthetic one): draw without capture
      }
      drawing = true;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.1, p.y + 0.1);
      ctx.stroke();
      inked = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    function finish() {
      if (!drawing) return;
      drawing = false;
      if (inked) input.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("pointerleave", finish);

    document.querySelectorAll('[data-signature-clear="' + canvas.dataset.signatureFor + '"]')
      .forEach(function (button) {
        button.addEventListener("click", function () {
          ctx.clearRect(0, 0, canvas.width, canvas.height);
          inked = false;
          input.value = "";
        });
      });
    size();
  }

  function scan(root) {
    (root || document).querySelectorAll("canvas[data-signature-for]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
