// Suggestions of communes while typing a name or a postal code. The
// server resolves what was typed anyway; this only saves keystrokes.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-commune-search]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || !window.fetch) {
      return;
    }
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q.length < 2 || q === last) {
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch("/communes?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (communes) {
            list.innerHTML = "";
            communes.forEach(function (c) {
              var o = document.createElement("option");
              o.value = c.label;
              list.appendChild(o);
            });
          })
          .catch(function () { /* suggestions are a convenience */ });
      }, 150);
    });
  });
});
