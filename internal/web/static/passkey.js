// Passkeys (WebAuthn) for the second factor: adding one on the security
// page, proving one at sign-in. The server sends the ceremony's options as
// JSON and verifies the browser's answer; this script only converts
// between JSON (base64url) and the ArrayBuffers the browser's API takes.
// Without WebAuthn (or without this script), the sections stay hidden and
// codes do the same.
"use strict";
(function () {
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    return;
  }
  function toBuffer(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }
  function toBase64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept": "application/json" },
      body: body === undefined ? "" : JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          throw new Error(data.message || "La demande n'a pas abouti : rechargez la page et recommencez.");
        }
        return data;
      });
    });
  }
  function showError(box, message) {
    var p = box.querySelector("[data-passkey-error]");
    p.textContent = message;
    p.hidden = false;
  }
  // browserMessage says in French why the browser refused.
  function browserMessage(e) {
    if (e && e.name === "NotAllowedError") {
      return "L'opération a été annulée ou a expiré : recommencez.";
    }
    if (e && e.name === "InvalidStateError") {
      return "Cette clé est déjà enregistrée pour votre compte.";
    }
    return (e && e.message) || "La clé d'accès n'a pas répondu : recommencez.";
  }

  // Adding a passkey, on the security page.
  var add = document.querySelector("[data-passkey-register]");
  if (add) {
    add.hidden = false;
    var form = add.querySelector("[data-passkey-form]");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var url = add.getAttribute("data-passkey-register");
      var csrf = add.getAttribute("data-csrf");
      var label = form.querySelector("input[name=label]").value;
      post(url + "/options", csrf).then(function (options) {
        var pk = options.publicKey;
        pk.challenge = toBuffer(pk.challenge);
        pk.user.id = toBuffer(pk.user.id);
        (pk.excludeCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
        return navigator.credentials.create({ publicKey: pk });
      }).then(function (cred) {
        return post(url + "?nom=" + encodeURIComponent(label), csrf, {
          id: cred.id,
          rawId: toBase64url(cred.rawId),
          type: cred.type,
          response: {
            attestationObject: toBase64url(cred.response.attestationObject),
            clientDataJSON: toBase64url(cred.response.clientDataJSON),
            transports: cred.response.getTransports ? cred.response.getTransports() : [],
          },
        });
      }).then(function (answer) {
        if (!answer.recovery_codes) {
          window.location.assign(answer.next);
          return;
        }
        // The first factor of the account: its recovery codes, shown
        // once, in place of the form.
        var main = document.querySelector("main");
        main.textContent = "";
        var h1 = document.createElement("h1");
        h1.textContent = "Vos codes de secours";
        h1.tabIndex = -1;
        var warn = document.createElement("p");
        warn.className = "notice notice-warning";
        warn.textContent = answer.message + " Notez ou imprimez ces codes maintenant : ils ne seront plus jamais affichés. Chacun remplace une fois votre second facteur.";
        var list = document.createElement("ol");
        list.className = "recovery-codes";
        answer.recovery_codes.forEach(function (c) {
          var li = document.createElement("li");
          var code = document.createElement("code");
          code.textContent = c;
          li.appendChild(code);
          list.appendChild(li);
        });
        var next = document.createElement("a");
        next.className = "button";
        next.href = answer.next;
        next.textContent = "J'ai noté mes codes, continuer";
        main.append(h1, warn, list, next);
        h1.focus();
      }).catch(function (e) { showError(add, browserMessage(e)); });
    });
  }

  // Proving a passkey, at the sign-in step.
  var step = document.querySelector("[data-passkey-login]");
  if (step) {
    step.hidden = false;
    step.querySelector("[data-passkey-start]").addEventListener("click", function () {
      var url = step.getAttribute("data-passkey-login");
      var csrf = step.getAttribute("data-csrf");
      var base = url.split("?")[0];
      post(base + "/options", csrf).then(function (options) {
        var pk = options.publicKey;
        pk.challenge = toBuffer(pk.challenge);
        (pk.allowCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
        return navigator.credentials.get({ publicKey: pk });
      }).then(function (cred) {
        return post(url, csrf, {
          id: cred.id,
          rawId: toBase64url(cred.rawId),
          type: cred.type,
          response: {
            authenticatorData: toBase64url(cred.response.authenticatorData),
            clientDataJSON: toBase64url(cred.response.clientDataJSON),
            signature: toBase64url(cred.response.signature),
            userHandle: cred.response.userHandle ? toBase64url(cred.response.userHandle) : "",
          },
        });
      }).then(function (answer) {
        window.location.assign(answer.next);
      }).catch(function (e) { showError(step, browserMessage(e)); });
    });
  }
})();
