// The venue network through the pages: a venue applies online (with a
// mistake first), follows its application; the operator finds it in the
// queue, asks for changes; the venue corrects and sends it again; the
// operator qualifies it; the venue's own pages; the import and the exports
// of the national standard. Every page gets an axe-core check and a
// screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPassnum, launchBrowser, newPage, check, login, logout, mailLink, acceptInvitation } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const operator = { email: "olivia.martin@operateur.example.fr", password: "une phrase de passe solide" };
const applicant = { email: "lea.morel@quincaillerie.example.fr", password: "mediatrice-solide-2027" };

let app, browser;
before(async () => {
  app = await startPassnum({ operatorEmail: operator.email, operatorPassword: operator.password });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("a venue applies, the operator decides, the venue is qualified", async () => {
  const base = app.base;
  const page = await newPage(browser);

  // Anyone: from the home page to the application form.
  await page.goto(base + "/");
  await page.getByRole("link", { name: "Candidater en ligne" }).click();
  await page.waitForURL(/\/candidature$/);
  await check(page, "reseau-candidature");

  const fillStructure = async () => {
    await page.getByLabel(/^Nom du lieu/).fill("La Quincaillerie numérique");
    await page.getByLabel(/^SIRET de la structure/).fill("78282932000079");
    await page.getByLabel(/^Adresse \(/).fill("12 rue de la Paix");
    await page.getByLabel(/^Commune/).fill("Rennes");
    await page.getByLabel(/^Code postal/).fill("35000");
    await page.getByLabel(/^Téléphone du lieu/).fill("02 99 00 00 00");
    await page.getByLabel(/^Horaires d'ouverture/).fill("Mo-Fr 09:00-12:00,14:00-17:30");
    await page.getByLabel(/^Présentation résumée/).fill("Ateliers pour débuter sur ordinateur et smartphone, à Rennes.");
  };
  await fillStructure();
  await page.getByRole("group", { name: /^Services proposés/ }).getByLabel("Maîtrise des outils numériques du quotidien").check();
  await page.getByRole("group", { name: /^Services proposés/ }).getByLabel("Aide aux démarches administratives").check();
  await page.getByRole("group", { name: /^Publics spécifiquement/ }).getByLabel("Seniors").check();
  await page.getByLabel(/^Médiateurs et médiatrices/).fill("3");
  await page.getByLabel(/^Dont conseillers numériques/).fill("1");
  await page.getByLabel(/^Postes informatiques/).fill("8");
  await page.getByLabel(/^Personnes accompagnées/).fill("250");
  await page.getByLabel("Les locaux sont accessibles en fauteuil roulant").check();
  await page.getByLabel(/^Votre offre d'accompagnement/).fill("Deux ateliers collectifs par semaine et des rendez-vous individuels.");
  await page.getByLabel(/^Titulaire du compte/).fill("Association La Quincaillerie");
  // The mistake: one digit wrong in the IBAN.
  await page.getByLabel(/^IBAN/).fill("FR76 3000 6000 0112 3456 7890 188");
  await page.getByLabel(/^BIC/).fill("AGRIFRPP");
  await page.getByLabel(/^J'ai lu la charte/).check();
  await page.getByLabel(/^Prénom et nom/).fill("Léa Morel");
  await page.getByLabel(/^Adresse électronique \(/).fill(applicant.email);
  await page.getByLabel(/^Mot de passe/).fill(applicant.password);
  await page.getByRole("button", { name: "Envoyer ma candidature" }).click();
  await page.getByRole("alert").getByText("IBAN invalide").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "errors", "focus on the error summary");
  assert.equal(await page.getByLabel(/^Nom du lieu/).inputValue(), "La Quincaillerie numérique", "what was typed is kept");
  assert.equal(await page.getByLabel(/^Mot de passe/).inputValue(), "", "the password is not sent back");
  await check(page, "reseau-candidature-erreur");
  // The summary's link leads to the field.
  await page.getByRole("alert").getByRole("link", { name: /IBAN invalide/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), "iban");
  await page.getByLabel(/^IBAN/).fill("FR76 3000 6000 0112 3456 7890 189");
  await page.getByLabel(/^Mot de passe/).fill(applicant.password);
  await page.getByRole("button", { name: "Envoyer ma candidature" }).click();
  await page.waitForURL(/\/candidature\/envoyee$/);
  await page.getByRole("status").getByText("Candidature de « La Quincaillerie numérique » enregistrée").waitFor();
  await check(page, "reseau-candidature-envoyee");

  // The applicant confirms the address with the link received, then logs
  // in: the counter says the venue is not qualified yet.
  const confirmation = await mailLink(browser, base, operator, applicant.email, "/compte/confirmation");
  await page.goto(confirmation);
  await page.getByRole("button", { name: "Confirmer mon adresse" }).click();
  await page.getByRole("status").getByText("est confirmée").waitFor();
  await page.goto(base + "/candidature/envoyee");
  await page.getByRole("link", { name: "Me connecter pour suivre ma candidature" }).click();
  await page.getByLabel("Adresse électronique").fill(applicant.email);
  await page.getByLabel(/^Mot de passe/).fill(applicant.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/lieu\/candidature$/);
  await page.getByText("L'opérateur examine votre candidature").waitFor();
  await check(page, "reseau-lieu-candidature-en-attente");
  await page.goto(base + "/lieu");
  await page.getByText("Votre lieu n'encaisse pas encore de pass").waitFor();
  assert.equal(await page.locator("#cashier").count(), 0, "no counter before qualification");
  await check(page, "reseau-lieu-encaisser-non-qualifie");
  await logout(page);

  // The operator: dashboard, queue, file, a request for changes.
  await login(page, base, operator.email, operator.password);
  await page.getByRole("link", { name: "1 candidature à examiner" }).click();
  await page.waitForURL(/\/operateur\/candidatures$/);
  await check(page, "reseau-operateur-candidatures");
  await page.getByRole("link", { name: "La Quincaillerie numérique" }).click();
  await page.waitForURL(/\/operateur\/lieux\/\d+$/);
  const fileURL = page.url();
  await page.getByText("FR76 •••• •••• 0189").waitFor();
  await check(page, "reseau-operateur-dossier");
  await page.getByLabel("Demander des compléments").check();
  await page.getByLabel(/^Motif/).fill("Précisez les horaires des ateliers collectifs dans la présentation.");
  await page.getByRole("button", { name: "Enregistrer la décision" }).click();
  await page.getByRole("status").getByText("compléments demandés").waitFor();
  await check(page, "reseau-operateur-dossier-complements");
  await logout(page);

  // The venue reads why and sends its application again.
  await login(page, base, applicant.email, applicant.password);
  await page.goto(base + "/lieu/candidature");
  await page.getByRole("note").getByText("Précisez les horaires des ateliers collectifs").waitFor();
  await check(page, "reseau-lieu-candidature-complements");
  await page.getByLabel(/^Présentation résumée/).fill("Ateliers collectifs le mardi et le jeudi de 14 h à 16 h, rendez-vous individuels le reste de la semaine.");
  await page.getByLabel(/^J'ai lu la charte/).check();
  await page.getByRole("button", { name: "Renvoyer ma candidature" }).click();
  await page.getByRole("status").getByText("Candidature renvoyée").waitFor();
  await logout(page);

  // The operator qualifies the venue.
  await login(page, base, operator.email, operator.password);
  await page.goto(fileURL);
  await page.getByLabel("Qualifier le lieu").check();
  await page.getByLabel(/^Motif/).fill("Dossier complet, charte acceptée.");
  await page.getByRole("button", { name: "Enregistrer la décision" }).click();
  await page.getByRole("status").getByText("est maintenant « qualifié »").waitFor();
  await check(page, "reseau-operateur-dossier-qualifie");
  await logout(page);

  // The venue's own pages.
  await login(page, base, applicant.email, applicant.password);
  assert.match(page.url(), /\/lieu$/);
  await page.locator("#cashier").waitFor();
  await page.getByRole("link", { name: "Mon lieu" }).click();
  await page.waitForURL(/\/lieu\/fiche$/);
  await check(page, "reseau-lieu-fiche");
  await page.goto(base + "/lieu/candidature");
  await page.getByText("Votre lieu est qualifié").waitFor();
  await check(page, "reseau-lieu-candidature-qualifie");
  await page.goto(base + "/lieu/banque");
  await page.getByText("FR76 •••• •••• 0189").waitFor();
  await check(page, "reseau-lieu-banque");
  await page.goto(base + "/lieu/permanences");
  await page.getByLabel(/^Nom de la permanence/).fill("Permanence à la mairie de Bruz");
  await page.getByLabel(/^Adresse \(/).fill("Place du Vert Buisson");
  await page.getByLabel(/^Commune/).fill("Bruz");
  await page.getByLabel(/^Horaires/).fill("We 14:00-17:00");
  await page.getByRole("button", { name: "Ajouter la permanence" }).click();
  await page.getByRole("status").getByText("Permanence « Permanence à la mairie de Bruz » enregistrée").waitFor();
  await check(page, "reseau-lieu-permanences");
  await page.goto(base + "/lieu/equipe");
  await page.getByLabel(/^Prénom et nom/).fill("Noé Martin");
  await page.getByLabel(/^Adresse électronique \(/).fill("noe.martin@quincaillerie.example.fr");
  await page.getByRole("button", { name: "Inviter la personne" }).click();
  await page.getByRole("status").getByText("Invitation envoyée à Noé Martin").waitFor();
  await check(page, "reseau-lieu-equipe");
  await logout(page);
  await acceptInvitation(browser, base, operator, { email: "noe.martin@quincaillerie.example.fr", password: "un mot de passe provisoire" });

  // The agent reads the venue's pages, and changes nothing.
  await login(page, base, "noe.martin@quincaillerie.example.fr", "un mot de passe provisoire");
  await page.goto(base + "/lieu/fiche");
  await page.getByText("Seuls les administrateurs de votre lieu modifient sa fiche").waitFor();
  await check(page, "reseau-lieu-fiche-agent");
  await page.goto(base + "/lieu/banque");
  await page.getByRole("heading", { name: "Réservé aux administrateurs du lieu" }).waitFor();
  await check(page, "reseau-lieu-banque-agent");
  await logout(page);
});

test("the operator imports and exports the national standard", async () => {
  const base = app.base;
  const page = await newPage(browser);
  await login(page, base, operator.email, operator.password);
  await page.getByRole("link", { name: "Lieux", exact: true }).click();
  await page.waitForURL(/\/operateur\/lieux$/);
  await check(page, "reseau-operateur-lieux");
  await page.getByRole("link", { name: "Importer un fichier du standard" }).click();
  await check(page, "reseau-operateur-import");

  // A file with a mistake: every bad line, nothing imported.
  const good = readFileSync(join(here, "..", "internal", "demo", "lieux-ille-et-vilaine.csv"), "utf8");
  const lines = good.trim().split("\n");
  const header = lines[0].split(",");
  const cells = lines[1].split(",");
  cells[header.indexOf("code_postal")] = "3500";
  const bad = [lines[0], cells.join(","), ...lines.slice(2)].join("\n") + "\n";
  await page.getByLabel(/^Fichier CSV ou JSON/).setInputFiles({ name: "lieux.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await page.getByRole("button", { name: "Vérifier le fichier" }).click();
  await page.getByText("Rien n'a été importé").waitFor();
  await page.getByRole("cell", { name: "code_postal" }).first().waitFor();
  await check(page, "reseau-operateur-import-erreurs");

  // The same file, its valid lines only: the dry run lists the line it
  // leaves out with its reason, on a computer's screen and a phone's.
  await page.getByLabel(/^Importer les lignes valables/).check();
  await page.getByLabel(/^Fichier CSV ou JSON/).setInputFiles({ name: "lieux.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await page.getByRole("button", { name: "Vérifier le fichier" }).click();
  await page.getByRole("heading", { name: "1 ligne écartée" }).waitFor();
  await page.getByRole("cell", { name: "code_postal" }).first().waitFor();
  await page.getByRole("button", { name: "Importer les lignes valables" }).waitFor();
  await check(page, "reseau-operateur-import-lignes-valables");
  await page.setViewportSize({ width: 390, height: 844 });
  await check(page, "reseau-operateur-import-lignes-valables-telephone");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole("link", { name: "Annuler et choisir un autre fichier" }).click();
  await page.getByLabel(/^Tout ou rien/).waitFor();
  assert.ok(await page.getByLabel(/^Tout ou rien/).isChecked(), "all or nothing is the default");

  // The good file: checked, then confirmed.
  await page.getByLabel(/^Fichier CSV ou JSON/).setInputFiles({ name: "lieux.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await page.getByRole("button", { name: "Vérifier le fichier" }).click();
  await page.getByRole("button", { name: "Confirmer l'import" }).waitFor();
  await check(page, "reseau-operateur-import-verifie");
  await page.getByRole("button", { name: "Confirmer l'import" }).click();
  await page.getByRole("status").getByText(/Import de lieux\.csv terminé : \d+ créés/).waitFor();
  await check(page, "reseau-operateur-lieux-importes");

  // The exports, as the browser downloads them.
  const csv = await (await page.request.get(base + "/operateur/lieux/export.csv")).text();
  assert.match(csv, /^id,pivot,nom,commune,code_postal,code_insee,adresse/);
  const sheet = await page.request.get(base + "/operateur/lieux/export-tableur.csv?statut=qualified");
  assert.match(await sheet.text(), /^\ufeffid;pivot;nom;/);
  const json = await page.request.get(base + "/operateur/lieux/export.json");
  assert.equal(json.headers()["content-type"], "application/json; charset=utf-8");
  assert.ok(Array.isArray(await json.json()));
});
