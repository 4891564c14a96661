// Accounts and their e-mails through the pages: the operator invites a
// member, who chooses a password from the invitation's link and signs in;
// a pending invitation sent again makes the first link say so and offer a
// new one; a person turns off a message of the preferences page. The
// pages of a link and the preferences page are checked with axe-core at
// 1280 and 390 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startPassnum, launchBrowser, newPage, check, login, logout, mailLink } from "./lib.mjs";

const operator = { email: "olivia.martin@operateur.example.fr", password: "une phrase de passe solide" };
const karim = { email: "karim.benali@ccas-rennes.example.fr", password: "prescripteur-solide-2027" };
const ines = { email: "ines.roux@ccas-rennes.example.fr", password: "un autre mot de passe solide" };

let app, browser;
before(async () => {
  app = await startPassnum({ operatorEmail: operator.email, operatorPassword: operator.password });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("invite a member, accept, sign in, choose the e-mails", async () => {
  const base = app.base;
  const page = await newPage(browser);

  // The operator creates a CCAS and invites two of its people.
  await login(page, base, operator.email, operator.password);
  await page.goto(base + "/operateur/organisations");
  await page.getByLabel("prescripteur", { exact: true }).check();
  await page.getByLabel(/^Nom \(/).fill("CCAS de Rennes");
  await page.getByRole("button", { name: "Créer l'organisation" }).click();
  await page.waitForURL(/\/operateur\/organisations\/\d+$/);
  const orgURL = page.url();
  const invite = async (name, who, role) => {
    await page.goto(orgURL);
    await page.getByLabel("Prénom et nom").fill(name);
    await page.getByLabel(/^Adresse électronique \(/).fill(who.email);
    await page.getByLabel(role === "admin" ? /^Administrateur :/ : /^Agent :/).check();
    await page.getByRole("button", { name: "Inviter la personne" }).click();
    await page.getByRole("status").getByText(`Invitation envoyée à ${name}`).waitFor();
  };
  await invite("Karim Benali", karim, "admin");
  await invite("Inès Roux", ines, "agent");
  await page.getByRole("cell", { name: /Invitation en attente/ }).first().waitFor();
  await check(page, "compte-organisation-invitations");
  // The outbox holds the invitation, which names who invited and to what.
  await page.goto(base + "/operateur/courriels");
  await page.getByText("Invitation à rejoindre CCAS de Rennes sur passnum").first().waitFor();
  await page.getByText("Olivia Martin vous invite à rejoindre CCAS de Rennes").first().waitFor();

  // Inès's invitation is sent again: her first link says a newer one
  // came, and offers a new link.
  const first = await mailLink(browser, base, operator, ines.email, "/compte/invitation");
  await page.goto(orgURL);
  await page.getByRole("button", { name: "Renvoyer l'invitation à Inès Roux" }).click();
  await page.getByRole("status").getByText("Une nouvelle invitation est envoyée").waitFor();
  await logout(page);
  await page.goto(first);
  await page.getByText("Un lien plus récent vous a été envoyé").waitFor();
  assert.equal(await page.getByRole("button", { name: "Activer mon compte" }).count(), 0, "a replaced link activates nothing");
  await check(page, "compte-lien-remplace");
  await page.getByRole("button", { name: "Recevoir un nouveau lien" }).click();
  await page.getByText("Si un compte de cette adresse attend encore d'être activé").waitFor();
  await check(page, "compte-nouveau-lien-envoye");

  // Karim opens his invitation, at a desk and on a phone.
  const link = await mailLink(browser, base, operator, karim.email, "/compte/invitation");
  const phone = await newPage(browser, { width: 390, height: 844 });
  await phone.goto(link);
  await phone.getByText("Olivia Martin vous invite à rejoindre CCAS de Rennes").waitFor();
  await check(phone, "compte-invitation-390");
  await page.goto(link);
  await page.getByText("Bonjour Karim Benali, Olivia Martin vous invite à rejoindre CCAS de Rennes sur passnum, en tant qu'administrateur").waitFor();
  await check(page, "compte-invitation");
  // A confirmation that differs is refused, on its field.
  await page.getByLabel(/^Votre mot de passe/).fill(karim.password);
  await page.getByLabel(/^Le même mot de passe/).fill(karim.password + "!");
  await page.getByRole("button", { name: "Activer mon compte" }).click();
  await page.getByRole("alert").getByText("Les deux mots de passe ne sont pas identiques").waitFor();
  await check(page, "compte-invitation-erreur");
  await page.getByLabel(/^Votre mot de passe/).fill(karim.password);
  await page.getByLabel(/^Le même mot de passe/).fill(karim.password);
  await page.getByRole("button", { name: "Activer mon compte" }).click();
  await page.waitForURL(/\/connexion$/);
  await page.getByRole("status").getByText("Votre compte est activé").waitFor();
  await check(page, "compte-invitation-acceptee");
  // The link served: opened again, it says so.
  await phone.goto(link);
  await phone.getByText("Ce lien a déjà servi").waitFor();
  await check(phone, "compte-lien-servi-390");

  // Karim signs in and chooses his e-mails from the account menu.
  await login(page, base, karim.email, karim.password);
  assert.match(page.url(), /\/prescripteur$/);
  await page.getByRole("link", { name: "Mes e-mails" }).click();
  await page.waitForURL(/\/compte\/courriels$/);
  await check(page, "compte-mes-courriels");
  const stock = page.getByLabel("Pass qui expirent dans les 30 jours");
  assert.equal(await stock.isChecked(), true, "every optional message is on at first");
  await stock.uncheck();
  await page.getByRole("button", { name: "Enregistrer mes choix" }).click();
  await page.getByRole("status").getByText("Vos choix sont enregistrés").waitFor();
  assert.equal(await page.getByLabel("Pass qui expirent dans les 30 jours").isChecked(), false, "the choice is kept");
  assert.equal(await page.getByLabel("Atelier réservé lors d'une remise, confirmé").isChecked(), true, "the other choice is unchanged");
  await page.getByRole("listitem").filter({ hasText: "Réinitialisation du mot de passe" }).waitFor();
  await check(page, "compte-mes-courriels-enregistre");

  // The same page on a phone.
  await login(phone, base, karim.email, karim.password);
  await phone.goto(base + "/compte/courriels");
  await check(phone, "compte-mes-courriels-390");
  await logout(page);
});
