// passnum: small improvements for every page; everything works without.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A form sent back with errors: bring the person to the list of what
  // to correct, and let screen readers announce it.
  var errors = document.getElementById("errors");
  if (errors) {
    errors.focus();
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
