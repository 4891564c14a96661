// Money out, page by page, on the demo data set (months of redemptions at
// venues with bank accounts): the operator runs the monthly settlement,
// validates the statements, records its own account, creates a payment
// batch and downloads its file, marks a transfer paid and another
// rejected; a venue reads its statements and downloads one; the funder
// reads its charges. Every page gets an axe-core check and a screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

test("settlement: operator, venue and funder", async () => {
  const { base, accounts } = app;
  const operator = accounts["Opérateur (administrateur)"];
  const venue = accounts["Lieu de médiation (agent)"];
  const funder = accounts["Financeur (administrateur)"];
  assert.ok(operator && venue && funder, `demo accounts: ${JSON.stringify(Object.keys(accounts))}`);
  const page = await newPage(browser);

  await login(page, base, operator.email, operator.password);
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Règlements" }).click();
  await page.waitForURL(/\/operateur\/reglements$/);
  await check(page, "reglements");

  // The demo settled last month (the proposed cut-off): this run goes up
  // to today, to pay this month's passes so far.
  const cutOff = await page.getByLabel(/^Pass encaissés jusqu'au/).inputValue();
  assert.match(cutOff, /^\d{4}-\d{2}-\d{2}$/);
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris" }).format(new Date());
  await page.getByLabel(/^Pass encaissés jusqu'au/).fill(today);
  await page.getByRole("button", { name: "Calculer les relevés" }).click();
  await page.getByRole("status").getByText(/^Règlement au /).waitFor();
  await check(page, "reglements-brouillons");
  const drafts = await page.getByRole("button", { name: /^Valider le relevé n°/ }).count();
  assert.ok(drafts >= 2, `${drafts} draft statements`);

  // One statement checked on its own page, then validated there.
  await page.getByRole("table", { name: /relevés/ }).getByRole("link", { name: /^n°\d+$/ }).first().click();
  await page.waitForURL(/\/operateur\/releves\/\d+$/);
  await check(page, "releve-operateur");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /CSV pour tableur/ }).click()]);
  assert.match(csv.suggestedFilename(), /^releve-\d+\.csv$/);
  assert.ok(readFileSync(await csv.path(), "utf8").startsWith("\ufeffreleve;lieu;"));
  await page.getByRole("button", { name: /^Valider le relevé n°/ }).click();
  await page.getByRole("status").getByText(/validé/).waitFor();

  // The others all at once.
  await page.goto(base + "/operateur/reglements");
  await page.getByRole("button", { name: /^Valider tous les brouillons du règlement/ }).first().click();
  await page.getByRole("status").getByText(/validés?/).waitFor();

  // The operator's account, with a mistake first.
  await page.getByLabel(/^Titulaire du compte/).fill("Coopérative passnum");
  await page.getByLabel(/^IBAN/).fill("FR76 3000 1007 9412 3456 7890 180");
  await page.getByLabel(/^BIC/).fill("BDFEFRPPCCT");
  // The file format most banks ask for is chosen unless the bank says otherwise.
  assert.ok(await page.getByRole("radio", { name: /^pain\.001\.001\.09, guide SEPA/ }).isChecked());
  await page.getByRole("button", { name: "Enregistrer le compte de l'opérateur" }).click();
  await page.getByRole("alert").waitFor();
  await check(page, "reglements-compte-erreur");
  await page.getByLabel(/^IBAN/).fill("FR76 3000 1007 9412 3456 7890 185");
  await page.getByRole("button", { name: "Enregistrer le compte de l'opérateur" }).click();
  await page.getByRole("status").getByText(/Compte de l'opérateur enregistré/).waitFor();
  await check(page, "reglements-valides");

  // The batch and its file.
  await page.getByRole("button", { name: /^Créer un lot de virements/ }).click();
  await page.waitForURL(/\/operateur\/virements\/\d+$/);
  await check(page, "lot-de-virements");
  const [xml] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /fichier de virements/ }).click()]);
  const body = readFileSync(await xml.path(), "utf8");
  assert.match(body, /xmlns="urn:iso:std:iso:20022:tech:xsd:pain\.001\.001\.09"/);
  assert.match(body, /FR7630001007941234567890185/);

  // The bank's return: one paid, one rejected with its reason.
  await page.getByRole("button", { name: /^Marquer payé le relevé/ }).first().click();
  await page.getByRole("status").getByText(/payé/).waitFor();
  await page.getByText("Virement rejeté…").first().click();
  await page.getByLabel(/^Motif du rejet/).first().fill("AC04 compte clos");
  await page.getByRole("button", { name: /^Noter le rejet/ }).first().click();
  await page.getByRole("status").getByText(/rejeté/).waitFor();
  await check(page, "lot-retour-banque");

  // A programme's reconciliation.
  await page.goto(base + "/operateur/reglements#programmes");
  await page.getByRole("link", { name: /^Réconciliation de « / }).first().click();
  await page.waitForURL(/\/operateur\/programmes\/\d+\/reglement$/);
  await check(page, "reconciliation");
  await logout(page);

  // The venue reads its statements and downloads one.
  await login(page, base, venue.email, venue.password);
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Relevés" }).click();
  await page.waitForURL(/\/lieu\/releves$/);
  await check(page, "lieu-releves");
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /^PDF du relevé/ }).first().click()]);
  assert.equal(readFileSync(await pdf.path()).subarray(0, 4).toString(), "%PDF");
  await page.getByRole("table").getByRole("link", { name: /^n°\d+$/ }).first().click();
  await page.waitForURL(/\/lieu\/releves\/\d+$/);
  await check(page, "lieu-releve");
  await logout(page);

  // The funder reads its charges.
  await login(page, base, funder.email, funder.password);
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Facturation" }).click();
  await page.waitForURL(/\/financeur\/facturation$/);
  await check(page, "financeur-facturation");
  await logout(page);
});
