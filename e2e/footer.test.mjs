// What every page's footer leads to — the legal notice, the accessibility
// statement with its conformity level, the contact address — built from
// the installation's settings; and figures that read right: counts of
// passes with their unit beside amounts in euros, and a small share that
// never reads "0 %". Each page checked with axe-core at 1280 and 390 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launchBrowser, newPage, check, login } from "./lib.mjs";

let app, browser;
before(async () => {
  // The server reads the installation's settings from its environment.
  process.env.PASSNUM_PRIVACY_CONTROLLER = "Coopérative Numérique pour tous";
  process.env.PASSNUM_PRIVACY_CONTROLLER_ADDRESS = "12 rue de la Paix, 35000 Rennes";
  process.env.PASSNUM_PRIVACY_HOST = "Hébergeur Breton SAS";
  process.env.PASSNUM_LEGAL_DIRECTOR = "Anne Kerjean, présidente";
  process.env.PASSNUM_LEGAL_HOST_ADDRESS = "2 rue Kellermann, 59100 Roubaix, 03 20 00 00 00";
  process.env.PASSNUM_LEGAL_CONTACT_EMAIL = "contact@numerique-pour-tous.example.fr";
  app = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("footer: legal notice, accessibility statement, contact", async () => {
  const base = app.base;
  for (const width of [1280, 390]) {
    const page = await newPage(browser, { width });
    await page.goto(base + "/");
    const footer = page.getByRole("contentinfo");
    const contact = footer.getByRole("link", { name: "Contact : contact@numerique-pour-tous.example.fr" });
    assert.equal(await contact.getAttribute("href"), "mailto:contact@numerique-pour-tous.example.fr");

    await footer.getByRole("link", { name: "Mentions légales" }).click();
    await page.waitForURL(/\/mentions-legales$/);
    await page.getByRole("heading", { level: 1, name: "Mentions légales" }).waitFor();
    for (const text of ["Coopérative Numérique pour tous", "12 rue de la Paix, 35000 Rennes", "Anne Kerjean, présidente",
      "Hébergeur Breton SAS", "2 rue Kellermann, 59100 Roubaix, 03 20 00 00 00"]) {
      await page.getByText(text).first().waitFor();
    }
    await check(page, `mentions-legales-${width}`);

    // No audit yet: the RGAA's word is "non conforme", in the footer too.
    await page.getByRole("contentinfo").getByRole("link", { name: "Accessibilité : non conforme" }).click();
    await page.waitForURL(/\/accessibilite$/);
    await page.getByRole("heading", { level: 1, name: "Déclaration d'accessibilité" }).waitFor();
    for (const h of ["État de conformité", "Résultats des tests", "Contenus non accessibles", "Établissement de cette déclaration",
      "Retour d'information et contact", "Voies de recours"]) {
      await page.getByRole("heading", { level: 2, name: h }).waitFor();
    }
    await page.getByText("Défenseur des droits, Libre réponse 71120").waitFor();
    await check(page, `accessibilite-${width}`);

    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(wide, false, `the statement scrolls sideways at ${width} px`);
    await page.goto(base + "/mentions-legales");
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), false,
      `the legal notice scrolls sideways at ${width} px`);
    await page.context().close();
  }
});

test("figures: passes counted with their unit, small shares in words", async () => {
  const base = app.base;
  const funder = app.accounts["Financeur (administrateur)"];
  for (const width of [1280, 390]) {
    const page = await newPage(browser, { width });
    await login(page, base, funder.email, funder.password);
    await page.goto(base + "/financeur/programmes/1");
    const table = page.getByRole("table", { name: /^Parcours des pass/ });
    await table.getByRole("columnheader", { name: "Nombre de pass" }).waitFor();
    // The demo blocks 8 passes out of 3 000: less than 1 %, not 0 %.
    const blocked = table.getByRole("row", { name: /^Bloqués/ });
    assert.match(await blocked.innerText(), /^Bloqués\s+8\spass\s+moins de 1\s%$/);
    const activated = table.getByRole("row", { name: /^Activés/ });
    assert.match(await activated.innerText(), /^Activés \(fonds reçus\)\s+2\s500\spass\s+83\s%$/);
    const carnets = page.getByRole("table", { name: "Carnets du programme" });
    assert.match(await carnets.getByRole("row", { name: /^Émis/ }).innerText(), /^Émis\s+300\scarnets\s+100\s%$/);
    await check(page, `chiffres-financeur-${width}`);
    await page.context().close();
  }
});
