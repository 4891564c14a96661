// The second factor in a browser: an operator administrator, whom the
// installation requires a second factor of, is taken at first sign-in to
// add an authenticator application (the code is computed here, in Node,
// from the key the page shows), keeps the recovery codes, signs out, signs
// in with a recovery code, then with a code of the application; a passkey
// is added and used with Chromium's virtual authenticator. Each page is
// checked with axe-core on a computer and on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startPassnum, launchBrowser, newPage, check, login, logout } from "./lib.mjs";

const operator = { email: "olivia.martin@example.fr", password: "une phrase de passe solide" };

// base32 decodes RFC 4648 base32 (the key authenticator applications take).
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// totp is the RFC 6238 code of key at the time step of ms (30 s, 6 digits,
// HMAC-SHA-1), as an authenticator application computes it.
function totp(key, ms = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 30000)));
  const mac = createHmac("sha1", base32(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, "0");
}

// nextStep waits for the next 30-second step: a code is accepted once.
async function nextStep() {
  const left = 30000 - (Date.now() % 30000) + 200;
  await new Promise((r) => setTimeout(r, left));
}

let app, browser;
// codes are the recovery codes the first test received.
let codes = [];
before(async () => {
  // WebAuthn binds a passkey to a domain: the server is reached by name.
  app = await startPassnum({ operatorEmail: operator.email, operatorPassword: operator.password, secondFactor: "admins", host: "localhost" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("second factor: enrol an application, sign in with a recovery code and with a code", async () => {
  const base = app.base;
  const page = await newPage(browser);

  // The password is right: the administrator is taken to add a second
  // factor, and nothing else opens before.
  await login(page, base, operator.email, operator.password);
  await page.waitForURL(/\/compte\/second-facteur\/application/);
  await page.getByRole("heading", { level: 1, name: "Ajouter une application d'authentification" }).waitFor();
  await page.getByRole("img", { name: "QR code à scanner avec votre application d'authentification" }).waitFor();
  await check(page, "second-facteur-ajout");
  await page.goto(base + "/operateur");
  await page.waitForURL(/\/compte\/second-facteur\/application/);

  const key = (await page.locator(".totp-secret code").innerText()).replace(/\s/g, "");
  assert.match(key, /^[A-Z2-7]{32}$/);
  // A wrong code is told, with the same key still shown.
  await page.getByLabel(/^Code à 6 chiffres/).fill("000000");
  await page.getByRole("button", { name: "Ajouter l'application" }).click();
  await page.getByText("Ce code ne correspond pas", { exact: false }).first().waitFor();
  assert.equal((await page.locator(".totp-secret code").innerText()).replace(/\s/g, ""), key);
  await check(page, "second-facteur-ajout-erreur");

  await page.getByLabel(/^Code à 6 chiffres/).fill(totp(key));
  await page.getByRole("button", { name: "Ajouter l'application" }).click();
  await page.getByRole("heading", { level: 1, name: "Vos codes de secours" }).waitFor();
  codes = await page.locator(".recovery-codes code").allInnerTexts();
  assert.equal(codes.length, 10);
  await check(page, "second-facteur-codes-de-secours");
  await page.getByRole("link", { name: "J'ai noté mes codes, continuer" }).click();
  await page.waitForURL(/\/operateur$/);

  // The security page lists the application, never its key again.
  await page.getByRole("link", { name: "Second facteur" }).first().click();
  await page.waitForURL(/\/compte\/second-facteur$/);
  await page.getByRole("rowheader", { name: "Application d'authentification" }).waitFor();
  assert.equal((await page.content()).includes(key), false, "the key is shown again");
  await check(page, "second-facteur-compte");
  await logout(page);

  // A recovery code, once.
  await login(page, base, operator.email, operator.password);
  await page.waitForURL(/\/connexion\/second-facteur/);
  await page.getByRole("heading", { level: 1, name: "Second facteur" }).waitFor();
  await check(page, "second-facteur-etape");
  await page.getByLabel("Code à 6 chiffres ou code de secours").fill(codes[0].toUpperCase());
  await page.getByRole("button", { name: "Valider" }).click();
  await page.waitForURL(/\/operateur$/);
  await logout(page);
  await login(page, base, operator.email, operator.password);
  await page.getByLabel("Code à 6 chiffres ou code de secours").fill(codes[0]);
  await page.getByRole("button", { name: "Valider" }).click();
  await page.getByText("Ce code n'est pas valable", { exact: false }).first().waitFor();
  await check(page, "second-facteur-etape-erreur");

  // A code of the application, from the next time step (the one that
  // confirmed the enrolment is spent).
  await nextStep();
  await page.getByLabel("Code à 6 chiffres ou code de secours").fill(totp(key));
  await page.getByRole("button", { name: "Valider" }).click();
  await page.waitForURL(/\/operateur$/);

  // On a phone: the step and the security page.
  const phone = await newPage(browser, { width: 390, height: 844 });
  await login(phone, base, operator.email, operator.password);
  await phone.waitForURL(/\/connexion\/second-facteur/);
  await check(phone, "second-facteur-etape-telephone");
  let wide = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, "the step scrolls sideways on a phone");
  await phone.getByLabel("Code à 6 chiffres ou code de secours").fill(codes[1]);
  await phone.getByRole("button", { name: "Valider" }).click();
  await phone.waitForURL(/\/operateur$/);
  await phone.goto(base + "/compte/second-facteur");
  await check(phone, "second-facteur-compte-telephone");
  wide = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, "the security page scrolls sideways on a phone");
  await phone.goto(base + "/compte/second-facteur/application");
  await check(phone, "second-facteur-ajout-telephone");
  await phone.context().close();
  await page.context().close();

  // The journal tells it all, and no secret reached the server's log.
  assert.equal(app.log().includes(key), false, "the key is in the server's log");
  assert.equal(app.log().includes(codes[0]), false, "a recovery code is in the server's log");
});

test("second factor: add a passkey, then sign in with it (Chromium's virtual authenticator)", async () => {
  const base = app.base;
  const page = await newPage(browser);
  // A platform authenticator that says yes at once, as a fingerprint
  // reader would.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });

  await login(page, base, operator.email, operator.password);
  await page.waitForURL(/\/connexion\/second-facteur/);
  await page.getByLabel("Code à 6 chiffres ou code de secours").fill(codes[2]);
  await page.getByRole("button", { name: "Valider" }).click();
  await page.waitForURL(/\/operateur$/);

  await page.goto(base + "/compte/second-facteur");
  await page.getByRole("heading", { level: 3, name: "Clé d'accès" }).waitFor();
  await page.getByLabel("Nom de la clé").fill("Ordinateur du bureau");
  await page.getByRole("button", { name: "Ajouter une clé d'accès" }).click();
  await page.getByText("Votre clé d'accès est ajoutée.").waitFor();
  await page.getByRole("rowheader", { name: "Ordinateur du bureau" }).waitFor();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1, "the authenticator holds one passkey");
  await check(page, "second-facteur-cle-ajoutee");
  await logout(page);

  // The step offers the passkey; one touch signs in.
  await login(page, base, operator.email, operator.password);
  await page.waitForURL(/\/connexion\/second-facteur/);
  await page.getByRole("button", { name: "Utiliser ma clé d'accès" }).waitFor();
  await check(page, "second-facteur-etape-cle");
  await page.getByRole("button", { name: "Utiliser ma clé d'accès" }).click();
  await page.waitForURL(/\/operateur$/);
  const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.ok(after.credentials[0].signCount >= 1, "the passkey signed");

  // On a phone the step with its passkey button reads without scrolling
  // sideways (no authenticator there: the button is offered, not used).
  const phone = await newPage(browser, { width: 390, height: 844 });
  await login(phone, base, operator.email, operator.password);
  await phone.waitForURL(/\/connexion\/second-facteur/);
  await phone.getByRole("button", { name: "Utiliser ma clé d'accès" }).waitFor();
  await check(phone, "second-facteur-etape-cle-telephone");
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, "the step scrolls sideways on a phone");
  await phone.context().close();
  await page.context().close();
});
