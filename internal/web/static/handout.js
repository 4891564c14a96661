// Shows only the questions that apply: a person who already received a
// carnet is found by their reference, anyone else answers the questions
// of a first carnet. Without this script every field shows, and the
// server ignores the first-carnet answers for a repeat.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-handout]");
  var known = form && form.querySelector("#person-known");
  if (!known) {
    return;
  }
  function update() {
    var repeat = known.checked;
    form.querySelectorAll("[data-first-carnet]").forEach(function (el) { el.hidden = repeat; });
    form.querySelectorAll("[data-repeat]").forEach(function (el) { el.hidden = !repeat; });
  }
  form.querySelectorAll("input[name=person]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
});
