// The venue's counter ("Encaisser") on the demo data, at 1280 and 390 px:
// an empty Enter, a code typed by hand, a QR payload typed by a USB or
// Bluetooth scanner, the redemption and its redirect (a reload sends
// nothing again), the void and where the focus goes after it. Then the
// page's own QR decoder on the QR codes of the printed carnets: drawn
// from the PDF into a canvas, and shown to a fake camera in a browser
// without BarcodeDetector.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { startDemo, launchBrowser, newPage, check, login, logout } from "./lib.mjs";

let app, browser;
const dir = mkdtempSync(join(tmpdir(), "passnum-e2e-counter-"));
before(async () => {
  app = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// printedQRs reads the QR codes of a carnets PDF as passnum draws them
// (internal/pdf/qr.go): one filled path of rectangles in module units
// per code, "q 0 g m 0 0 -m x y cm", then "x y w h re" lines, then
// "f Q". It returns, for the first n codes, their rectangles.
function printedQRs(pdf, n) {
  const raw = pdf.toString("latin1");
  const out = [];
  const streams = /stream\r?\n/g;
  let m;
  while (out.length < n && (m = streams.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf("endstream", start);
    let text;
    try {
      text = inflateSync(pdf.subarray(start, end)).toString("latin1");
    } catch {
      continue; // fonts and other streams that are not page contents
    }
    for (const q of text.matchAll(/q 0 g [\d.]+ 0 0 -[\d.]+ [\d.]+ [\d.]+ cm\n((?:\d+ \d+ \d+ \d+ re\n)+)f Q/g)) {
      const rects = q[1].trim().split("\n").map((l) => l.split(" ").slice(0, 4).map(Number));
      out.push(rects);
      if (out.length === n) {
        break;
      }
    }
  }
  return out;
}

// side is the number of modules of a code on a side.
const side = (rects) => Math.max(...rects.map(([x, , w]) => x + w));

// y4m writes a one-frame video (YUV 4:2:0, what Chromium's fake camera
// reads) of a printed QR code, black on white, in the middle of 640 × 480.
function y4m(rects, path) {
  const W = 640, H = 480, px = 8;
  const size = (side(rects) + 8) * px;
  const ox = (W - size) / 2 + 4 * px, oy = (H - size) / 2 + 4 * px;
  const y = Buffer.alloc(W * H, 235);
  for (const [x, yy, w, h] of rects) {
    for (let r = oy + yy * px; r < oy + (yy + h) * px; r++) {
      y.fill(16, r * W + ox + x * px, r * W + ox + (x + w) * px);
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma]);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

// What the operator prints: the passes of batch 1 with their state, and
// the QR codes of its first carnet as printed.
let passes, qrs;
async function printed(base, operator) {
  if (passes) {
    return;
  }
  const page = await newPage(browser);
  await login(page, base, operator.email, operator.password);
  const csv = await (await page.request.get(base + "/operateur/lots/1/pass.csv")).text();
  const rows = csv.replace(/^\ufeff/, "").trim().split(/\r?\n/).map((l) => l.split(";"));
  const col = Object.fromEntries(rows[0].map((h, i) => [h, i]));
  passes = rows.slice(1).map((r) => ({ serial: Number(r[col.serie]), carnet: r[col.carnet], code: r[col.code], qr: r[col.qr], state: r[col.etat] }));
  const pdf = await (await page.request.get(base + "/operateur/lots/1/carnets.pdf")).body();
  qrs = printedQRs(pdf, 10);
  assert.equal(qrs.length, 10, "QR codes of the first carnet in the PDF");
  await page.context().close();
}

for (const width of [1280, 390]) {
  test(`counter at ${width} px: empty Enter, typed code, scanner, redirect, reload, void`, async () => {
    const { base, accounts } = app;
    const operator = accounts["Opérateur (administrateur)"];
    const venue = accounts["Lieu de médiation (agent)"];
    assert.ok(operator && venue, `demo accounts: ${JSON.stringify(Object.keys(accounts))}`);
    await printed(base, operator);
    // Passes handed out and not used, two for each width.
    const usable = passes.filter((p) => p.state === "distributed");
    const [typed, scanned] = width === 1280 ? usable.slice(0, 2) : usable.slice(2, 4);

    const page = await newPage(browser, width === 390 ? { width: 390, height: 844 } : {});
    await login(page, base, venue.email, venue.password);
    await page.goto(base + "/lieu");
    const code = page.getByLabel("Code du pass");
    const idle = page.getByRole("button", { name: "Encaisser", exact: true });
    await idle.waitFor();
    assert.match(await idle.getAttribute("class"), /button-idle/);
    assert.equal(await page.getByRole("button", { name: /Encaisser 0/ }).count(), 0, "no button to redeem 0 passes");
    assert.equal(await page.evaluate(() => document.activeElement.id), "code");
    await check(page, `comptoir-${width}`);

    // An empty Enter: the error is next to the field, tied to it.
    await page.keyboard.press("Enter");
    const fieldError = page.locator("#code-field #code-error");
    await fieldError.getByText("Le champ du code est vide").waitFor();
    assert.equal(await code.getAttribute("aria-invalid"), "true");
    assert.match(await code.getAttribute("aria-describedby"), /\bcode-error\b/);
    assert.equal(await page.evaluate(() => document.activeElement.id), "code", "focus stays in the code field");
    await check(page, `comptoir-vide-${width}`);

    // A code typed by hand, then the QR payload as a scanner types it:
    // fast, then Enter.
    await page.keyboard.type(typed.code.toLowerCase());
    await page.keyboard.press("Enter");
    await page.locator(".pass-ok").filter({ hasText: typed.code }).waitFor();
    assert.equal(await fieldError.count(), 0, "the error goes once a code is added");
    assert.equal(await code.getAttribute("aria-invalid"), null);
    await page.getByRole("button", { name: "Encaisser 1 pass" }).waitFor();
    await code.focus();
    await page.keyboard.type(scanned.qr, { delay: 0 });
    await page.keyboard.press("Enter");
    await page.locator(".pass-ok").filter({ hasText: scanned.code }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), "code");
    await page.getByLabel("Atelier ou service rendu").selectOption({ index: 1 });
    await check(page, `comptoir-deux-pass-${width}`);

    // Redeem: the answer is a redirect to a page that shows the outcome,
    // announced in the live region.
    await page.getByRole("button", { name: "Encaisser 2 pass" }).click();
    await page.waitForURL(/\/lieu\?encaissement=\d+$/);
    const done = page.locator("#done");
    await done.getByText("2 pass encaissés").waitFor();
    await page.waitForFunction(() => /enregistré : 2 pass/.test(document.getElementById("last-verdict").textContent));
    assert.match(await page.title(), /^2 pass encaissés — /);
    assert.equal(await page.evaluate(() => document.activeElement.id), "code", "ready for the next person");
    await check(page, `comptoir-encaisse-${width}`);
    const number = (await page.locator("#done p").first().textContent()).match(/Encaissement n°(\d+)/)[1];

    // A reload reads the page again and sends nothing.
    const history = async () => (await (await page.request.get(base + "/lieu/historique")).text()).match(/(\d+) encaissements?, du plus récent/)[1];
    const before = await history();
    let posted = 0;
    page.on("request", (r) => { if (r.method() === "POST") posted++; });
    await page.reload();
    await done.getByText("2 pass encaissés").waitFor();
    assert.equal(posted, 0, "the reload sent no form");
    assert.equal(await history(), before, "the reload redeemed nothing");

    // Void it from the history: the focus goes to the message.
    await page.goto(base + "/lieu/historique");
    await page.getByRole("link", { name: `Annuler l'encaissement n°${number}` }).click();
    await page.getByRole("button", { name: "Confirmer l'annulation" }).click();
    await page.waitForURL(/\/lieu\/historique$/);
    await page.locator("#flash").getByText(`Encaissement n°${number} annulé`).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), "flash", "focus on the message after voiding");
    await check(page, `historique-annulation-${width}`);
    await logout(page);
    await page.context().close();
  });
}

test("counter: the page's QR decoder reads the printed passes, from a canvas and from a camera", async () => {
  const { base, accounts } = app;
  const operator = accounts["Opérateur (administrateur)"];
  const venue = accounts["Lieu de médiation (agent)"];
  await printed(base, operator);

  // Each QR code of the first printed carnet, drawn into a canvas in the
  // counter page (its CSP on), decodes to a pass's payload.
  const page = await newPage(browser);
  await login(page, base, venue.email, venue.password);
  await page.goto(base + "/lieu");
  await page.addScriptTag({ url: "/static/vendor/jsqr/jsQR.js" });
  const decoded = [];
  for (const rects of qrs) {
    decoded.push(await page.evaluate(({ rects, n }) => {
      const px = 4;
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = (n + 8) * px;
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = "#000";
      for (const [x, y, w, h] of rects) {
        ctx.fillRect((x + 4) * px, (y + 4) * px, w * px, h * px);
      }
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(img.data, img.width, img.height);
      return found ? found.data : null;
    }, { rects, n: side(rects) }));
  }
  const bySerial = new Map(passes.map((p) => [p.qr, p]));
  for (const [i, payload] of decoded.entries()) {
    assert.ok(payload && bySerial.has(payload), `printed QR code ${i + 1} decodes to a pass's payload: ${payload}`);
  }
  assert.deepEqual(decoded.map((p) => bySerial.get(p).carnet), Array(10).fill("1"), "the first carnet's passes");
  await page.context().close();

  // A fake camera films a printed pass that is handed out and unused, in
  // a browser without BarcodeDetector: the counter loads its decoder,
  // reads the pass and lists it.
  const i = decoded.findLastIndex((p) => bySerial.get(p).state === "distributed");
  assert.ok(i >= 4, "an unused pass among the printed ones, besides those typed");
  const pass = bySerial.get(decoded[i]);
  const video = join(dir, "pass.y4m");
  y4m(qrs[i], video);
  const camera = await launchBrowser({ args: ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${video}`] });
  try {
    for (const width of [1280, 390]) {
      const phone = await newPage(camera, { permissions: ["camera"], ...(width === 390 ? { width: 390, height: 844 } : {}) });
      await phone.addInitScript(() => { delete window.BarcodeDetector; });
      await login(phone, base, venue.email, venue.password);
      await phone.goto(base + "/lieu");
      assert.equal(await phone.evaluate(() => "BarcodeDetector" in window || "jsQR" in window), false);
      await phone.getByRole("button", { name: "Scanner avec la caméra" }).click();
      await phone.getByRole("button", { name: "Arrêter la caméra" }).waitFor();
      await phone.locator(".pass-ok").filter({ hasText: pass.code }).waitFor({ timeout: 20000 });
      assert.equal(await phone.evaluate(() => typeof window.jsQR), "function", "the decoder was loaded for the camera");
      // The pass still before the camera is not listed twice.
      await phone.waitForTimeout(1500);
      assert.equal(await phone.locator(".pass-item").count(), 1);
      await check(phone, `comptoir-camera-${width}`);
      await phone.getByRole("button", { name: "Arrêter la caméra" }).click();
      await phone.context().close();
    }
  } finally {
    await camera.close();
  }
});
