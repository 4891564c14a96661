// The pages around the main story: the keyboard alone, a person working
// for two structures, a forgotten password through the outbox, refusals
// (another space, a missing page). Each page gets an axe-core check and a screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startPassnum, launchBrowser, newPage, check, login, logout } from "./lib.mjs";

const operator = { email: "operateur@example.fr", password: "une phrase de passe solide" };

let app, browser;
before(async () => {
  app = await startPassnum({ operatorEmail: operator.email, operatorPassword: operator.password });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("keyboard, two structures, forgotten password, refusals", async () => {
  const base = app.base;
  const page = await newPage(browser);

  // The keyboard alone: the first Tab reaches the skip link, which leads
  // to the content.
  await page.goto(base + "/accessibilite");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Aller au contenu");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "contenu");
  // Log in with the keyboard only: the e-mail field has the focus.
  await page.goto(base + "/connexion");
  assert.equal(await page.evaluate(() => document.activeElement.id), "email");
  await page.keyboard.type(operator.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(operator.password);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/operateur$/);

  // A funder's officer gets an account.
  await page.goto(base + "/operateur/organisations");
  const create = async (kind, name) => {
    await page.goto(base + "/operateur/organisations");
    await page.getByLabel(kind, { exact: true }).check();
    await page.getByLabel(/^Nom \(/).fill(name);
    await page.getByRole("button", { name: "Créer l'organisation" }).click();
    await page.waitForURL(/\/operateur\/organisations\/\d+$/);
    return page.url();
  };
  const funderURL = await create("financeur", "Région Bretagne");
  await page.getByLabel("Prénom et nom").fill("Yann Le Gall");
  await page.getByLabel(/^Adresse électronique \(/).fill("yann.legall@example.fr");
  await page.getByLabel("Mot de passe provisoire").fill("provisoire-2027-bzh");
  await page.getByRole("button", { name: "Créer le compte" }).click();
  await page.getByRole("status").getByText("Compte créé").waitFor();
  await check(page, "pages-organisation-financeur");
  await create("prescripteur", "France Services Redon");
  // Yann works for this France Services too: his account is attached.
  await page.getByLabel(/^Adresse électronique de son compte/).fill("yann.legall@example.fr");
  await page.getByRole("button", { name: "Rattacher la personne" }).click();
  await page.getByRole("status").getByText("fait maintenant partie").waitFor();
  await check(page, "pages-organisation-prescripteur");
  await page.goto(base + "/operateur/organisations?type=prescriber");
  await check(page, "pages-organisations-filtre");
  await logout(page);

  // Yann forgot his password: the link waits in the outbox.
  await page.getByRole("link", { name: "Mot de passe oublié ?" }).click();
  await check(page, "pages-mot-de-passe-oublie");
  await page.getByLabel(/^Adresse électronique \(/).fill("yann.legall@example.fr");
  await page.getByRole("button", { name: "Recevoir un lien" }).click();
  await page.getByText("Si un compte existe pour cette adresse").waitFor();
  await check(page, "pages-mot-de-passe-envoye");
  await login(page, base, operator.email, operator.password);
  // At a desk the operator's last menu items are under "Plus".
  await page.getByRole("navigation", { name: "Menu principal" }).locator("summary", { hasText: /^Plus/ }).click();
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Courriels", exact: true }).click();
  await check(page, "pages-courriels");
  const body = await page.locator("pre.mail").first().textContent();
  const link = body.match(/https?:\/\/\S+/)[0];
  await logout(page);
  await page.goto(link);
  await check(page, "pages-nouveau-mot-de-passe");
  await page.getByLabel(/^Nouveau mot de passe/).fill("kenavo-et-a-bientot");
  await page.getByLabel(/^Le même mot de passe/).fill("kenavo-et-a-bientot");
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await page.getByRole("status").getByText("Votre mot de passe est enregistré").waitFor();
  await login(page, base, "yann.legall@example.fr", "kenavo-et-a-bientot");
  assert.match(page.url(), /\/financeur$/);
  await check(page, "pages-financeur-sans-programme");
  // He switches to the France Services.
  await page.getByRole("link", { name: "Changer de structure" }).click();
  await check(page, "pages-changer-de-structure");
  await page.getByLabel(/France Services Redon/).check();
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.waitForURL(/\/prescripteur$/);
  await page.getByRole("status").getByText("Vous travaillez maintenant pour France Services Redon").waitFor();

  // Another space is refused in plain words; a missing page too.
  await page.goto(base + "/lieu");
  await page.getByRole("heading", { name: "Page réservée" }).waitFor();
  await check(page, "pages-refus");
  await page.goto(base + "/nulle-part");
  await page.getByRole("heading", { name: "Page introuvable" }).waitFor();
  page.problems = page.problems.filter((p) => !p.includes("status of 404")); // this 404 is the point
  await check(page, "pages-introuvable");
  await page.goto(base + "/accessibilite");
  await check(page, "pages-accessibilite");
  await page.getByRole("link", { name: "Sources des données" }).click();
  await page.getByRole("heading", { name: "Position des communes" }).waitFor();
  await check(page, "pages-sources");
  await logout(page);

  assert.ok(funderURL);
  await page.context().close();
});
