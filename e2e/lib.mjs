// Helpers of the browser tests: build and start a real passnum on a fresh
// SQLite database, drive Debian's Chromium with playwright-core, and check
// every page visited with axe-core, with a screenshot kept for people to
// look at (e2e/screenshots/, not committed).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const screenshots = join(here, "screenshots");

// chromiumPath: Debian's package, or CHROMIUM for another install.
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

// freePort asks the system for a free local port.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// startPassnum builds the binary, creates the first operator account on a
// fresh database with the command line, and serves it. setup, when given,
// runs before the server starts with a function that runs the command
// line on the database (arguments, extra environment) and returns what it
// printed: to import data a test needs.
// env adds to the server's environment (sign-in settings, say), and port,
// when given, is the port it listens on (else a free one). secondFactor is
// the server's --require-second-factor: "off" unless a test asks for
// "admins" (the second factor's own test), so that the other tests sign in
// with the password alone. host is the name the server is reached by (its
// --url): "localhost" where a test needs a domain rather than an address
// (WebAuthn does).
export async function startPassnum({ operatorEmail, operatorPassword, setup, env = {}, port: wanted, secondFactor = "off", host = "127.0.0.1" }) {
  const dir = mkdtempSync(join(tmpdir(), "passnum-e2e-"));
  const bin = join(dir, "passnum");
  execFileSync("go", ["build", "-o", bin, "./cmd/passnum"], { cwd: root, stdio: "inherit" });
  const db = join(dir, "passnum.db");
  execFileSync(bin, ["--db", db, "migrate"], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync(bin, ["--db", db, "user", "create", "--email", operatorEmail, "--name", "Olivia Martin", "--org", "1", "--role", "admin"], {
    env: { ...process.env, PASSNUM_PASSWORD: operatorPassword },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (setup) {
    await setup((args, env = {}) => execFileSync(bin, ["--db", db, ...args], {
      env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"],
    }));
  }
  const port = wanted ?? await freePort();
  const base = `http://${host}:${port}`;
  const proc = spawn(bin, ["--db", db, "serve", "--addr", `127.0.0.1:${port}`, "--url", base, "--require-second-factor", secondFactor], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; });
  await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("passnum did not start:\n" + out + log)), 30000);
    proc.stdout.on("data", (d) => {
      out += d;
      if (out.includes("écoute sur")) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on("exit", (code) => reject(new Error(`passnum exited with ${code}:\n${out}${log}`)));
  });
  return {
    base,
    db,
    log: () => log,
    async stop() {
      mkdirSync(screenshots, { recursive: true });
      writeFileSync(join(screenshots, "server.log"), log);
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// startDemo serves passnum with its demo data set on a fresh database and
// returns the web accounts it printed, by role.
export async function startDemo() {
  const dir = mkdtempSync(join(tmpdir(), "passnum-e2e-demo-"));
  const bin = join(dir, "passnum");
  execFileSync("go", ["build", "-o", bin, "./cmd/passnum"], { cwd: root, stdio: "inherit" });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ["--db", join(dir, "passnum.db"), "serve", "--demo", "--addr", `127.0.0.1:${port}`, "--url", base], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", log = "";
  proc.stderr.on("data", (d) => { log += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("passnum did not start:\n" + out + log)), 120000);
    proc.stdout.on("data", (d) => {
      out += d;
      if (out.includes("écoute sur") && out.includes("Jetons d'API")) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on("exit", (code) => reject(new Error(`passnum exited with ${code}:\n${out}${log}`)));
  });
  const accounts = {};
  for (const m of out.matchAll(/^\s+(.+?)\s{2,}(\S+@\S+)\s+mot de passe : (\S+)\s*$/gm)) {
    accounts[m[1].trim()] = { email: m[2], password: m[3] };
  }
  return {
    base,
    accounts,
    // What the demo printed so far, for the data it names (a beneficiary,
    // a carnet).
    get output() { return out; },
    // The code of the sample pass it printed, handed out and not used
    // yet: read when asked, the line may come after the start.
    get samplePass() { return out.match(/et pas encore utilisé : (\S+)/)?.[1]; },
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// launchBrowser starts Chromium; args are added to its command line (a
// fake camera for the counter's scanning, say).
export async function launchBrowser({ args = [] } = {}) {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Chromium's own connections are refused on the test machines' closed
    // network: turn them off rather than wait for them.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--lang=fr-FR", ...args],
  });
}

// newPage opens a page that fails the test on any console error (a CSP
// violation, a script error) or page crash. Other options go to the
// browser context (geolocation, permissions…).
export async function newPage(browser, { width = 1280, height = 900, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: "fr-FR", acceptDownloads: true, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (m) => {
    // A form sent back with errors answers 4xx, which Chromium reports on
    // the console: that one is expected (413 and 415 for a file too large
    // or not of the type asked); any other error is not.
    if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of 4(00|01|03|09|13|15|22|29)\b/.test(m.text())) {
      page.problems.push(`console: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  return page;
}

let shot = 0;

// screenshot keeps a full-page screenshot, cut at a height Chromium can
// capture (a long register on a phone comes near its limit), and tries a
// second time when a loaded machine makes the capture fail: the picture is
// for people to look at, axe's verdict is the test.
async function screenshot(page, path) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const options = height > 12000
    ? { path, fullPage: true, clip: { x: 0, y: 0, width: page.viewportSize().width, height: 12000 } }
    : { path, fullPage: true };
  try {
    await page.screenshot(options);
  } catch (e) {
    if (!/Unable to capture screenshot/.test(String(e))) throw e;
    await new Promise((r) => setTimeout(r, 500));
    await page.screenshot(options);
  }
}

// check runs axe-core on the page (WCAG 2.1 A and AA rules), fails on any
// serious or critical violation, and keeps a full-page screenshot.
export async function check(page, name) {
  mkdirSync(screenshots, { recursive: true });
  shot++;
  await screenshot(page, join(screenshots, `${String(shot).padStart(2, "0")}-${name}.png`));
  // Evaluated through the DevTools protocol, axe is not subject to the
  // page's Content-Security-Policy, which stays on during the tests.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`).join("\n");
  assert.equal(bad.length, 0, `axe-core on ${name} (${page.url()}):\n${report}`);
  assert.deepEqual(page.problems, [], `browser errors on ${name}`);
  const lang = await page.getAttribute("html", "lang");
  assert.equal(lang, "fr", `${name}: lang`);
  return result;
}

export async function login(page, base, email, password) {
  await page.goto(base + "/connexion");
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel(/^Mot de passe/).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForLoadState("networkidle");
}

export async function logout(page) {
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.waitForURL(/\/connexion/);
}

// isoDate returns today plus days, YYYY-MM-DD.
export function isoDate(days) {
  const d = new Date(Date.now() + days * 86400000);
  return d.toISOString().slice(0, 10);
}

// mailLink returns the link to path (a page of passnum, such as
// "/compte/invitation") in the newest message to `to`, read in the outbox
// page by the operator's admin in a browser context of its own: what the
// person clicks in their mailbox.
export async function mailLink(browser, base, operator, to, path) {
  const context = await browser.newContext({ locale: "fr-FR" });
  try {
    const page = await context.newPage();
    await login(page, base, operator.email, operator.password);
    await page.goto(base + "/operateur/courriels");
    const escaped = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const mails = await page.locator("article").filter({ hasText: new RegExp("pour " + escaped(to) + ",", "i") }).locator("pre.mail").allTextContents();
    for (const body of mails) {
      const link = body.match(new RegExp("https?://\\S+" + path.replaceAll("/", "\\/") + "\\?jeton=\\S+"));
      if (link) return link[0];
    }
    throw new Error(`no message to ${to} with a link to ${path}`);
  } finally {
    await context.close();
  }
}

// acceptInvitation has an invited person choose their password with the
// link of their invitation, in a browser context of their own.
export async function acceptInvitation(browser, base, operator, who) {
  const link = await mailLink(browser, base, operator, who.email, "/compte/invitation");
  const context = await browser.newContext({ locale: "fr-FR" });
  try {
    const page = await context.newPage();
    await page.goto(link);
    await page.getByLabel(/^Votre mot de passe/).fill(who.password);
    await page.getByLabel(/^Le même mot de passe/).fill(who.password);
    await page.getByRole("button", { name: "Activer mon compte" }).click();
    await page.getByRole("status").getByText("Votre compte est activé").waitFor();
  } finally {
    await context.close();
  }
}
