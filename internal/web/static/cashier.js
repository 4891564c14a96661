// The venue's redemption screen, with a queue of people: each pass typed
// or scanned (a handheld scanner types the code or the whole QR payload
// and presses Enter) is checked at once without reloading the page, and
// the focus stays in the code field. The server renders the list; this
// script only swaps it in. Everything works without it.
//
// Camera scanning uses the browser's BarcodeDetector where there is one;
// elsewhere (Firefox, Chromium on a computer) it loads jsQR, vendored in
// /static/vendor/jsqr/, on the first press of the camera button only.
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

  // After a redemption the page comes back by a redirect: its outcome is
  // in a status region from the start, which screen readers do not read
  // on their own. Saying it again in the live region, once the page is
  // there, makes them announce it.
  var done = document.getElementById("done");
  if (done && live) {
    setTimeout(function () { live.textContent = done.getAttribute("data-announce"); }, 300);
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    ["pass-area", "errors-area", "done-area", "code-error-area"].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var old = document.getElementById(id);
      if (fresh && old) {
        old.replaceWith(fresh);
      }
    });
    // The field itself stays (it has the focus and maybe the next code
    // being typed): only its error state follows the server's answer.
    var freshInput = doc.getElementById("code");
    if (freshInput) {
      ["aria-invalid", "aria-describedby"].forEach(function (a) {
        if (freshInput.hasAttribute(a)) {
          input.setAttribute(a, freshInput.getAttribute(a));
        } else {
          input.removeAttribute(a);
        }
      });
    }
    var freshField = doc.getElementById("code-field");
    var field = document.getElementById("code-field");
    if (freshField && field) {
      field.className = freshField.className;
    }
    var freshLive = doc.getElementById("last-verdict");
    var error = document.getElementById("code-error");
    if (live) {
      live.textContent = error ? error.textContent : freshLive ? freshLive.textContent : "";
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
  var video = document.getElementById("scanner");
  if (!camButton || !video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  camButton.hidden = false;
  var stream = null;
  var read = null; // function (video) -> Promise of the text read, or ""
  var canvas = null;
  var lastText = "", lastAt = 0;

  // detectorReader reads with the browser's own BarcodeDetector.
  function detectorReader() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code", "code_128"] });
    return function () {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : ""; });
    };
  }

  // jsqrReader reads frames drawn on a canvas with jsQR. Frames are
  // scaled down to 640 pixels at most: a pass held before the camera
  // still has modules of several pixels, and decoding stays fast on a
  // small phone.
  function jsqrReader() {
    canvas = document.createElement("canvas");
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    return function () {
      var w = video.videoWidth, h = video.videoHeight;
      if (!w || !h) {
        return Promise.resolve("");
      }
      var scale = Math.min(1, 640 / Math.max(w, h));
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      return Promise.resolve(found ? found.data : "");
    };
  }

  // reader finds the way to read codes, loading jsQR the first time it
  // is needed.
  function reader() {
    if (read) {
      return Promise.resolve(read);
    }
    if ("BarcodeDetector" in window) {
      read = detectorReader();
      return Promise.resolve(read);
    }
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "/static/vendor/jsqr/jsQR.js";
      s.onload = function () {
        read = jsqrReader();
        resolve(read);
      };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

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
    read().then(function (text) {
      var now = Date.now();
      // The same pass still before the camera is not added twice.
      if (text && (text !== lastText || now - lastAt > 5000)) {
        lastText = text;
        lastAt = now;
        input.value = text;
        add();
        setTimeout(scan, 1000);
        return;
      }
      if (text) {
        lastAt = now;
      }
      setTimeout(scan, 150);
    }).catch(function () { setTimeout(scan, 300); });
  }

  camButton.addEventListener("click", function () {
    if (stream) {
      stop();
      input.focus();
      return;
    }
    var unavailable = function () {
      if (live) { live.textContent = "La caméra n'est pas disponible : tapez le code du pass."; }
    };
    reader().then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      video.play();
      camButton.textContent = "Arrêter la caméra";
      camButton.setAttribute("aria-pressed", "true");
      scan();
    }).catch(unavailable);
  });
});
