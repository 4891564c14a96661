// passnum: small improvements for every page; everything works without.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A form sent back with errors: bring the person to the list of what
  // to correct, and let screen readers announce it.
  var errors = document.getElementById("errors");
  if (errors) {
    errors.focus();
  }
  // The message an action leaves on the page it leads to (a redemption
  // voided, a form saved): start from it, so that keyboard users go on
  // from there and screen readers read it, unless the page puts the focus
  // on a field for the next entry.
  var flash = document.getElementById("flash");
  if (flash && !errors && !document.querySelector("[autofocus]")) {
    flash.focus();
  }
  // Print buttons (the receipt).
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  // Buttons that ask for a confirmation first.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) {
        e.preventDefault();
      }
    });
  });
});
