// The pages of personal data: the notice for people and the register of
// processing activities, public, reached from every footer, with the
// installation's own settings; each checked with axe-core, on a computer
// and on a phone. The receipt's notice is checked in story.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startPassnum, launchBrowser, newPage, check, login } from "./lib.mjs";

const operator = { email: "operateur@example.fr", password: "une phrase de passe solide" };

let app, browser;
before(async () => {
  // The server reads the installation's settings from its environment.
  process.env.PASSNUM_PRIVACY_CONTROLLER = "Coopérative Numérique pour tous";
  process.env.PASSNUM_PRIVACY_CONTROLLER_EMAIL = "donnees@numerique-pour-tous.example.fr";
  process.env.PASSNUM_PRIVACY_RETENTION = "beneficiary=48";
  app = await startPassnum({ operatorEmail: operator.email, operatorPassword: operator.password });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("personal data: the notice and the register, from the footer", async () => {
  const base = app.base;
  const page = await newPage(browser);

  // Anyone reaches the notice from the home page's footer.
  await page.goto(base + "/");
  await page.getByRole("contentinfo").getByRole("link", { name: "Données personnelles" }).click();
  await page.waitForURL(/\/donnees-personnelles$/);
  await page.getByRole("heading", { level: 1, name: "Vos données personnelles" }).waitFor();
  for (const h of ["Ce que nous gardons", "Qui voit vos données ?", "Combien de temps ?", "Ce que vous pouvez demander", "À qui demander ?"]) {
    await page.getByRole("heading", { level: 2, name: h }).waitFor();
  }
  await page.getByText("Coopérative Numérique pour tous gère le Pass numérique.").waitFor();
  await page.getByText("Nous gardons vos données 4 ans après votre dernier pass.").waitFor();
  await page.getByText("Vous pouvez aussi écrire à donnees@numerique-pour-tous.example.fr.").waitFor();
  await check(page, "donnees-personnelles");

  // The register, from the footer too; its PDF downloads.
  await page.getByRole("contentinfo").getByRole("link", { name: "Registre des traitements" }).click();
  await page.waitForURL(/\/donnees-personnelles\/registre$/);
  await page.getByRole("heading", { level: 1, name: "Registre des traitements de données" }).waitFor();
  await page.getByRole("heading", { level: 2, name: "Durées de conservation" }).waitFor();
  await check(page, "registre");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Télécharger le registre (PDF)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "registre-des-traitements.pdf");

  // On a phone, both pages read without scrolling sideways.
  const phone = await newPage(browser, { width: 375, height: 740 });
  for (const [path, name] of [["/donnees-personnelles", "donnees-personnelles-telephone"], ["/donnees-personnelles/registre", "registre-telephone"]]) {
    await phone.goto(base + path);
    await check(phone, name);
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(wide, false, `${path} scrolls sideways on a phone`);
  }
  await phone.context().close();

  // A logged-in person's footer has the same links.
  await login(page, base, operator.email, operator.password);
  const footer = page.getByRole("contentinfo");
  await footer.getByRole("link", { name: "Données personnelles" }).waitFor();
  await footer.getByRole("link", { name: "Registre des traitements" }).waitFor();
  await page.context().close();
});
