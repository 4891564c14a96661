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

// Wide tables and the menu: the box of a table takes the focus (so that
// the arrow keys scroll it) only while the table is wider than the box;
// without this script every box takes it. The desk menu's "Plus" closes
// with Escape, giving the focus back to it, or with a click elsewhere.
document.addEventListener("DOMContentLoaded", function () {
  var boxes = document.querySelectorAll(".table-wrap[role=region]");
  function sync() {
    boxes.forEach(function (b) {
      if (b.scrollWidth > b.clientWidth + 1) {
        b.setAttribute("tabindex", "0");
      } else if (b !== document.activeElement) {
        b.removeAttribute("tabindex");
      }
    });
  }
  sync();
  window.addEventListener("resize", sync);
  window.addEventListener("load", sync);
  var more = document.querySelectorAll(".nav-more details");
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") {
      return;
    }
    more.forEach(function (d) {
      if (d.open) {
        d.open = false;
        d.querySelector("summary").focus();
      }
    });
  });
  document.addEventListener("click", function (e) {
    more.forEach(function (d) {
      if (d.open && !d.contains(e.target)) {
        d.open = false;
      }
    });
  });
});
