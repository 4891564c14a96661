// "Autour de moi" on the directory of venues: once the person asks, the
// browser's position fills the hidden lat and lon fields and the search
// runs around it. Without JavaScript or geolocation the button stays
// hidden, and the commune field does the same job. The position is
// rounded to about a hundred metres: enough to find the nearest venues.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("directory-search");
  var button = document.getElementById("near-me");
  if (!form || !button || !navigator.geolocation) {
    return;
  }
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var commune = document.getElementById("commune");
  var status = document.getElementById("near-me-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "Recherche de votre position…";
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(3);
      lon.value = pos.coords.longitude.toFixed(3);
      if (commune) {
        commune.value = "";
      }
      form.querySelectorAll("input[name=commune_choice]").forEach(function (r) { r.checked = false; });
      status.textContent = "Position trouvée : recherche des lieux autour de vous…";
      form.submit();
    }, function (err) {
      button.disabled = false;
      status.textContent = err.code === 1
        ? "Votre navigateur n'a pas donné votre position : tapez votre commune ou votre code postal."
        : "Votre position n'a pas pu être trouvée : tapez votre commune ou votre code postal.";
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });
  if (commune) {
    // A commune typed replaces the position.
    commune.addEventListener("input", function () {
      lat.value = "";
      lon.value = "";
    });
  }
});
