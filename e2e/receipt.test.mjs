// The receipt a prescriber prints for the person, on the demo data set:
// after handing a carnet out, the receipt names the structure and lists
// the nearest venues with their address, phone (a tel: link), opening
// hours in words and next workshops, beside a small map; it fits a
// phone's width, and printed it shows no menu, header, footer or button,
// writes the venues' links out and keeps each venue on one page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startDemo, launchBrowser, newPage, check, login, logout, screenshots } from "./lib.mjs";

let app, browser;
before(async () => {
  app = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("receipt: nearest venues with address, phone, hours, workshops and map; printed", async (t) => {
  const { base, accounts } = app;
  const prescriber = accounts["Prescripteur (agent)"];
  assert.ok(prescriber, `demo accounts: ${JSON.stringify(Object.keys(accounts))}`);
  const page = await newPage(browser);
  await login(page, base, prescriber.email, prescriber.password);

  // Hand out the first carnet in stock to someone living in Rennes.
  await page.getByRole("link", { name: /^Remettre le carnet n°\d+$/ }).first().click();
  const number = await page.getByLabel("Numéro du carnet").inputValue();
  assert.match(number, /^\d+$/);
  await page.getByLabel(/^Elle reçoit son premier carnet/).check();
  await page.getByLabel("Année de naissance").fill("1948");
  await page.getByLabel(/^Commune où elle habite/).fill("Rennes");
  await page.getByLabel("Aide aux démarches administratives").check();
  await page.getByLabel(/^Faible/).check();
  await page.getByLabel("La personne est d'accord").check();
  await page.getByRole("button", { name: "Remettre le carnet" }).click();
  // The next step offers the first workshop: book the first session,
  // as a prescriber would, so that the receipt is printed whole.
  await page.waitForURL(new RegExp(`/prescripteur/carnets/${number}/(atelier|recu)$`));
  if (page.url().endsWith("/atelier")) {
    await page.getByRole("radio").first().check();
    await page.getByRole("button", { name: /^Inscrire/ }).click();
  }
  await page.waitForURL(new RegExp(`/prescripteur/carnets/${number}/recu$`));

  // Who handed it over, and when.
  await page.getByText(/^Carnet remis par .+, le \d/).waitFor();
  await page.getByRole("heading", { level: 2, name: "Où l'utiliser, près de Rennes" }).waitFor();
  const cards = page.locator(".venue-list > li");
  const n = await cards.count();
  assert.ok(n >= 1 && n <= 3, `venues on the receipt: ${n}`);
  const first = cards.first();
  assert.equal(await first.getByText("Accepte les pass de votre carnet.").count(), 1);
  // A phone to tap, hours in words, the address.
  const tel = first.locator('a[href^="tel:"]');
  assert.match(await tel.getAttribute("href"), /^tel:\+33\d{9}$/);
  assert.match(await tel.innerText(), /^0\d( \d\d){4}$/);
  assert.match(await first.locator("dd").nth(0).innerText(), /\b35\d{3} /);
  assert.match(await first.locator("dd").nth(2).innerText(), /(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|tous les jours).* : \d+ h/);
  // Some venue of the demo announces workshops with places left.
  const workshops = await page.locator(".venue-list").innerText();
  assert.match(workshops, /Prochains ateliers\s+(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d+ .+ : .+, \d+ places? libres?/);
  // The map: an image with its text, one numbered marker per card.
  const map = page.getByRole("img", { name: /Carte des lieux les plus proches/ });
  await map.waitFor();
  assert.equal(await page.locator("svg.map .map-marker, svg.map .map-marker-outline").count(), n);
  await check(page, "recu-1280");

  // On a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `receipt at 390 px scrolls sideways: ${width} px`);
  await check(page, "recu-390");
  await first.screenshot({ path: join(screenshots, "recu-390-lieu.png") });

  // On paper: no menu, header, footer or button; black text on white;
  // each venue whole on its page, and its link written out.
  // An A4 sheet's width inside its margins (210 - 2 × 14 mm, at 96 px
  // an inch), which is also the width print media queries see.
  await page.setViewportSize({ width: 688, height: 1000 });
  await page.emulateMedia({ media: "print" });
  for (const hidden of ["header.site-header", "footer.site-footer", "main .actions", "a.skip"]) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} printed`);
  }
  assert.equal(await page.getByRole("button").filter({ visible: true }).count(), 0, "buttons printed");
  const style = await first.evaluate((el) => {
    const cs = getComputedStyle(el);
    const link = getComputedStyle(el.querySelector("a.print-url"), "::after").content;
    return { breakInside: cs.breakInside, color: getComputedStyle(document.body).color, background: getComputedStyle(document.body).backgroundColor, link };
  });
  assert.equal(style.breakInside, "avoid");
  assert.equal(style.color, "rgb(0, 0, 0)");
  assert.match(style.background, /^rgba?\(255, 255, 255/);
  assert.match(style.link, /attr\(href\)|\/annuaire\/\d+/);
  await page.screenshot({ path: join(screenshots, "recu-impression.png"), fullPage: true });
  const pdf = await page.pdf({ format: "A4", printBackground: false, preferCSSPageSize: true });
  const sheets = (pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) || []).length;
  t.diagnostic(`receipt printed on ${sheets} A4 page(s)`);
  assert.ok(sheets >= 1 && sheets <= 2, `receipt printed on ${sheets} pages`);
  await page.emulateMedia({ media: "screen" });
  await logout(page);
});

test("public carnet page: the nearest venues of a commune, with phone, hours and map", async () => {
  const { base } = app;
  assert.match(app.samplePass ?? "", /^[0-9A-Z]{4}-/, "the demo's sample pass");
  const page = await newPage(browser);
  await page.goto(base + "/carnet");
  await page.getByLabel(/^Code d'un pass/).fill(app.samplePass);
  await page.getByRole("button", { name: "Vérifier" }).click();
  await page.getByRole("heading", { level: 2, name: "Où utiliser mes pass ?" }).waitFor();
  await page.getByLabel(/^Votre commune/).fill("Rennes");
  await page.getByRole("button", { name: "Trier par proximité" }).click();
  await page.getByText(/Voici les plus proches de Rennes, avec leur adresse/).waitFor();
  const cards = page.locator(".venue-list > li");
  const n = await cards.count();
  assert.ok(n >= 2 && n <= 6, `venues on the public page: ${n}`);
  const first = cards.first();
  assert.match(await first.locator('a[href^="tel:"]').getAttribute("href"), /^tel:\+33\d{9}$/);
  assert.match(await first.innerText(), /Horaires\s+(du |le |lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|tous)/);
  assert.match(await first.innerText(), /\(à [\d,]+\s?k?m\)/);
  await page.getByRole("img", { name: /Carte des lieux les plus proches/ }).waitFor();
  // Anyone holding a pass reads this page: it does not say who handed
  // the carnet over.
  assert.equal(await page.getByText(/remis par/).count(), 0);
  await check(page, "carnet-public-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `carnet page at 390 px scrolls sideways: ${width} px`);
  await check(page, "carnet-public-390");
});
