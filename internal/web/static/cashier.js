// The venue's redemption screen, with a queue of people: each pass typed
// or scanned (a handheld scanner types the code and presses Enter) is
// checked at once without reloading the page, and the focus stays in the
// code field. The server renders the list; this script only swaps it in.
// Camera scanning is offered where the browser has BarcodeDetector.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("cashier");
  if (!form || !window.fetch || !window.DOMParser) {
    return;
  }
  var input = document.getElementById("code");
  var live = document.getElementById("last-verdict");
  var busy = false;
  var queue = [];

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    ["pass-area", "errors-area", "done-area"].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var old = document.getElementById(id);
      if (fresh && old) {
        old.replaceWith(fresh);
      }
    });
    var freshLive = doc.getElementById("last-verdict");
    if (freshLive && live) {
      live.textContent = freshLive.textContent;
    }
  }

  function send(extra) {
    var data = new FormData(form);
    Object.keys(extra).forEach(function (k) { data.set(k, extra[k]); });
    busy = true;
    return fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(data), headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.text(); })
      .then(function (html) { swap(html); })
      .catch(function () { if (live) { live.textContent = "Connexion perdue : vérifiez le réseau, puis scannez de nouveau."; } })
      .finally(function () {
        busy = false;
        if (queue.length) {
          var code = queue.shift();
          input.value = code;
          add();
        }
      });
  }

  function add() {
    if (busy) {
      // A scanner can be faster than the network: keep the codes in order.
      queue.push(input.value);
      input.value = "";
      return;
    }
    var code = input.value;
    input.value = "";
    send({ action: "add", code: code }).then(function () { input.focus(); });
  }

  form.addEventListener("submit", function (e) {
    var button = e.submitter;
    var action = button ? button.getAttribute("name") + "=" + button.value : "action=add";
    if (action === "action=add") {
      e.preventDefault();
      add();
      return;
    }
    if (button && button.name === "remove") {
      e.preventDefault();
      send({ action: "remove", remove: button.value, code: "" }).then(function () { input.focus(); });
    }
    // Redeem and clear are sent as ordinary forms.
  });

  // Camera scanning.
  var camButton = document.getElementById("camera");
  if (camButton && "BarcodeDetector" in window && navigator.mediaDevices) {
    camButton.hidden = false;
    var video = document.getElementById("scanner");
    var stream = null;
    var detector = new window.BarcodeDetector({ formats: ["qr_code", "code_128"] });
    function stop() {
      if (stream) {
        stream.getTracks().forEach(function (t) { t.stop(); });
      }
      stream = null;
      video.hidden = true;
      camButton.textContent = "Scanner avec la caméra";
      camButton.setAttribute("aria-pressed", "false");
    }
    function scan() {
      if (!stream) {
        return;
      }
      detector.detect(video).then(function (codes) {
        if (codes.length) {
          input.value = codes[0].rawValue;
          add();
          setTimeout(scan, 1500); // one pass at a time
          return;
        }
        requestAnimationFrame(scan);
      }).catch(function () { requestAnimationFrame(scan); });
    }
    camButton.addEventListener("click", function () {
      if (stream) {
        stop();
        input.focus();
        return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        video.play();
        camButton.textContent = "Arrêter la caméra";
        camButton.setAttribute("aria-pressed", "true");
        scan();
      }).catch(function () {
        if (live) { live.textContent = "La caméra n'est pas disponible : tapez le code du pass."; }
      });
    });
  }
});
