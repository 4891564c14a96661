// Booking the first workshop when handing out a carnet, on the demo data
// (venues with coming sessions): the prescriber hands a carnet out, is
// offered the next sessions nearest first, forgets to choose, then books
// with the keyboard; the receipt prints the day, the hours, the place and
// what to bring; the venue's session page says who booked. On a phone, the
// prescriber first skips the step, books from the receipt, then cancels.
// Every page gets an axe-core check and a screenshot, at 1280 and 390 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launchBrowser, newPage, check, login, logout } from "./lib.mjs";

let app, browser;
before(async () => {
  app = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

// handOut hands the first carnet of the stock to a person of Rennes and
// returns its number; the page is then on the step of the first workshop.
async function handOut(page, base) {
  await page.goto(base + "/prescripteur/remettre");
  const hint = await page.getByText(/Premiers carnets de votre stock/).textContent();
  const number = hint.match(/n°(\d+)/)[1];
  await page.getByLabel(/^Numéro du carnet/).fill(number);
  await page.getByLabel(/^Année de naissance/).fill("1949");
  await page.getByLabel(/^Commune où elle habite/).fill("Rennes");
  await page.getByLabel("Maîtrise des outils numériques du quotidien").check();
  await page.getByLabel(/^Faible/).check();
  await page.getByLabel(/^La personne est d'accord/).check();
  await page.getByRole("button", { name: "Remettre le carnet" }).click();
  await page.waitForURL(new RegExp(`/prescripteur/carnets/${number}/atelier$`));
  return number;
}

test("booking the first workshop at hand-out", async () => {
  const { base, accounts } = app;
  const prescriber = accounts["Prescripteur (agent)"];
  const venue = accounts["Lieu de médiation (agent)"];
  assert.ok(prescriber && venue, `demo accounts: ${JSON.stringify(Object.keys(accounts))}`);

  // At a desk, 1280 px.
  const page = await newPage(browser);
  await login(page, base, prescriber.email, prescriber.password);
  const number = await handOut(page, base);
  await page.getByRole("heading", { name: /Inscrire la personne à un premier atelier/ }).waitFor();
  const choices = page.getByRole("radio");
  const offered = await choices.count();
  assert.ok(offered >= 2 && offered <= 10, `${offered} sessions offered`);
  // The first choice has the focus: the keyboard is enough.
  assert.equal(await page.evaluate(() => document.activeElement.id), "session-0");
  await check(page, "atelier-choix");

  // Sent without a choice: the error says what to do, next to the list.
  await page.getByRole("button", { name: "Inscrire à cette séance" }).click();
  await page.getByRole("alert").getByText("Choisissez une séance").waitFor();
  await check(page, "atelier-choix-erreur");

  // The demo's venue in Rennes, chosen and sent with the keyboard.
  const grandClic = page.getByRole("radio", { name: /Le Grand Clic/ }).first();
  await grandClic.focus();
  await page.keyboard.press("Space");
  assert.equal(await grandClic.isChecked(), true);
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/prescripteur/carnets/${number}/recu$`));
  await page.getByRole("status").getByText("Inscription enregistrée").waitFor();
  const booking = page.locator(".receipt-booking");
  await booking.getByRole("heading", { name: "Votre premier atelier" }).waitFor();
  const facts = await booking.locator("dd").allTextContents();
  const [title, day, hours, place, bring] = facts.map((s) => s.replace(/\s+/g, " ").trim());
  assert.match(day, /^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) (1er|\d{1,2}) [a-zéû]+ \d{4}$/, day);
  assert.match(hours, /^\d{1,2} h \d{2} – \d{1,2} h \d{2}$/, hours);
  assert.match(place, /Le Grand Clic/, place);
  assert.match(bring, /^Votre carnet Pass numérique\./, bring);
  await check(page, "atelier-recu");
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: "screenshots/atelier-recu-impression.png", fullPage: true });
  assert.equal(await booking.getByRole("button", { name: /Annuler cette inscription/ }).isVisible(), false, "the cancel button is not printed");
  await page.emulateMedia({ media: "screen" });
  await logout(page);

  // The venue sees the seat, and which structure booked it.
  await login(page, base, venue.email, venue.password);
  await page.goto(base + "/lieu/seances");
  await page.getByRole("row").filter({ hasText: day }).filter({ hasText: title }).first().getByRole("link").click();
  await page.waitForURL(/\/lieu\/seances\/\d+$/);
  await page.getByText(/inscrite par .+, à la remise de son carnet/).waitFor();
  await check(page, "atelier-lieu-seance");
  await logout(page);

  // On a phone, 390 px: "Pas maintenant", then booked from the receipt,
  // then cancelled.
  const phone = await newPage(browser, { width: 390, height: 844 });
  await login(phone, base, prescriber.email, prescriber.password);
  const second = await handOut(phone, base);
  await check(phone, "atelier-choix-390");
  await phone.getByRole("link", { name: "Pas maintenant" }).click();
  await phone.waitForURL(new RegExp(`/prescripteur/carnets/${second}/recu$`));
  assert.equal(await phone.locator(".receipt-booking").count(), 0);
  await phone.getByRole("link", { name: "Inscrire la personne à un premier atelier" }).click();
  await phone.waitForURL(new RegExp(`/prescripteur/carnets/${second}/atelier$`));
  // The first session has the focus once the page is ready (autofocus):
  // wait for it rather than race a loaded machine.
  await phone.waitForFunction(() => document.activeElement?.name === "session_id");
  await phone.keyboard.press("Space"); // the first session, focused
  assert.equal(await phone.locator("input[name=session_id]").first().isChecked(), true);
  await phone.keyboard.press("Enter");
  await phone.waitForURL(new RegExp(`/prescripteur/carnets/${second}/recu$`));
  await phone.locator(".receipt-booking").getByRole("heading", { name: "Votre premier atelier" }).waitFor();
  await check(phone, "atelier-recu-390");
  await phone.getByRole("button", { name: /Annuler cette inscription/ }).click();
  await phone.getByRole("status").getByText("Inscription annulée").waitFor();
  assert.equal(await phone.locator(".receipt-booking").count(), 0);
  await check(phone, "atelier-annule-390");
});
