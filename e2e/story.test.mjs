// The whole story through the pages, as people live it: the operator sets
// up and funds a programme, issues and allocates carnets; a prescriber
// hands one out; a venue redeems passes typed by hand, one refused as
// already used; the funder sees the figures change; the person checks
// what is left on the public page. Every page gets an axe-core check and
// a screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startPassnum, launchBrowser, newPage, check, login, logout, isoDate, acceptInvitation } from "./lib.mjs";

const operator = { email: "olivia.martin@operateur.example.fr", password: "une phrase de passe solide" };
const funder = { email: "jeanne.leroy@ille-et-vilaine.example.fr", password: "financeur-solide-2027" };
const prescriber = { email: "karim.benali@ccas-rennes.example.fr", password: "prescripteur-solide-2027" };
const venue = { email: "lea.morel@quincaillerie.example.fr", password: "mediatrice-solide-2027" };

let app, browser;
before(async () => {
  app = await startPassnum({ operatorEmail: operator.email, operatorPassword: operator.password });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("the whole story, page by page", async () => {
  const base = app.base;
  const page = await newPage(browser);

  // Anyone: the home page and the login page.
  await page.goto(base + "/");
  await check(page, "accueil");
  await page.goto(base + "/connexion");
  await check(page, "connexion");
  await page.getByLabel(/^Adresse électronique \(/).fill(operator.email);
  await page.getByLabel(/^Mot de passe/).fill("pas le bon mot de passe");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await assert.doesNotReject(page.getByRole("alert").getByText("Adresse électronique ou mot de passe incorrect").waitFor());
  await check(page, "connexion-erreur");

  // The operator sets up the organisations.
  await login(page, base, operator.email, operator.password);
  assert.match(page.url(), /\/operateur$/);
  await check(page, "operateur-accueil");

  const createOrg = async (kind, name, { siret, commune, qualified } = {}) => {
    await page.goto(base + "/operateur/organisations");
    await page.getByLabel(kind, { exact: true }).check();
    await page.getByLabel(/^Nom \(/).fill(name);
    if (siret) await page.getByLabel("SIRET", { exact: true }).fill(siret);
    if (commune) await page.getByLabel("Commune", { exact: true }).fill(commune);
    if (qualified) await page.getByLabel(/^Lieu de médiation déjà qualifié/).check();
    await page.getByRole("button", { name: "Créer l'organisation" }).click();
    await page.waitForURL(/\/operateur\/organisations\/\d+$/);
    return Number(page.url().split("/").pop());
  };
  const addMember = async (orgID, name, who, role) => {
    await page.goto(`${base}/operateur/organisations/${orgID}`);
    await page.getByLabel("Prénom et nom").fill(name);
    await page.getByLabel(/^Adresse électronique \(/).fill(who.email);
    await page.getByLabel(role === "admin" ? /^Administrateur :/ : /^Agent :/).check();
    await page.getByRole("button", { name: "Inviter la personne" }).click();
    await page.getByRole("status").getByText("Invitation envoyée").waitFor();
    // The person chooses their password with the invitation's link.
    await acceptInvitation(browser, base, operator, who);
  };
  const state = await createOrg("financeur", "État — ANCT");
  const dept = await createOrg("financeur", "Département d'Ille-et-Vilaine");
  await addMember(dept, "Jeanne Leroy", funder, "admin");
  const ccas = await createOrg("prescripteur", "CCAS de Rennes", { commune: "Rennes" });
  await addMember(ccas, "Karim Benali", prescriber, "agent");
  // A venue qualified on paper is created so; its later decisions go
  // through its file and the qualification workflow.
  const quinc = await createOrg("lieu de médiation numérique", "La Quincaillerie numérique", { siret: "78282932000079", commune: "35000", qualified: true });
  await check(page, "operateur-organisation-lieu");
  await addMember(quinc, "Léa Morel", venue, "admin");
  await page.goto(base + "/operateur/organisations");
  await check(page, "operateur-organisations");
  await page.goto(base + "/operateur/lieux");
  await check(page, "operateur-lieux");

  // A programme, first with a mistake (shares that do not add up).
  await page.goto(base + "/operateur/programmes/nouveau");
  await check(page, "operateur-programme-nouveau");
  await page.getByLabel("Nom du programme").fill("Pass numérique Ille-et-Vilaine");
  await page.getByLabel("Financeur 1", { exact: true }).selectOption({ label: "État — ANCT" });
  await page.getByLabel("Part du financeur 1").fill("50");
  await page.getByLabel("Financeur 2", { exact: true }).selectOption({ label: "Département d'Ille-et-Vilaine" });
  await page.getByLabel("Part du financeur 2").fill("40");
  await page.getByLabel("Budget financé").fill("1 000");
  await page.getByLabel("Premier jour de validité").fill(isoDate(-30));
  await page.getByLabel("Dernier jour de validité").fill(isoDate(365));
  await page.getByLabel("Départements (codes)").fill("35");
  await page.getByRole("button", { name: "Créer le programme" }).click();
  await page.getByRole("alert").getByText("totalisent 9000 points de base").waitFor().catch(async () => {
    await page.getByRole("alert").waitFor();
  });
  assert.equal(await page.evaluate(() => document.activeElement.id), "errors", "focus on the error summary");
  await check(page, "operateur-programme-erreur");
  await page.getByLabel("Part du financeur 2").fill("50");
  await page.getByRole("button", { name: "Créer le programme" }).click();
  await page.waitForURL(/\/operateur\/programmes\/\d+$/);
  const programmeURL = page.url();

  // Funds, a batch of 10 carnets with its progress page, activation.
  await page.getByLabel("Financeur", { exact: true }).selectOption({ label: "État — ANCT" });
  await page.getByLabel("Référence de l'ordre de paiement").fill("OP-2026-001");
  await page.getByLabel("Montant reçu").fill("520");
  await page.getByLabel("Reçu le").fill(isoDate(-10));
  await page.getByRole("button", { name: "Enregistrer le versement" }).click();
  await page.getByRole("status").getByText("Fonds enregistrés").waitFor();
  await page.getByLabel("Financeur", { exact: true }).selectOption({ label: "Département d'Ille-et-Vilaine" });
  await page.getByLabel("Référence de l'ordre de paiement").fill("OP-2026-002");
  await page.getByLabel("Montant reçu").fill("520,00");
  await page.getByLabel("Reçu le").fill(isoDate(-9));
  await page.getByRole("button", { name: "Enregistrer le versement" }).click();
  await page.getByRole("status").getByText("Fonds enregistrés").waitFor();
  await page.getByLabel("Nombre de carnets").fill("10");
  await page.getByRole("button", { name: "Émettre les carnets" }).click();
  await page.waitForURL(/\/operateur\/travaux\/\d+$/);
  await page.getByText("Lot n°1 émis").waitFor();
  await check(page, "operateur-emission");
  await page.getByRole("link", { name: "Revenir au programme" }).click();
  await page.getByLabel("Lot à activer").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Activer" }).click();
  await page.getByRole("status").getByText("100 pass activés").waitFor();
  // Carnets 1 to 5 go to the CCAS.
  await page.getByLabel("Prescripteur", { exact: true }).selectOption({ label: "CCAS de Rennes" });
  await page.getByLabel("Du carnet n°").last().fill("1");
  await page.getByLabel("au carnet n°").last().fill("5");
  await page.getByRole("button", { name: "Attribuer les carnets" }).click();
  await page.getByRole("status").getByText("5 carnets (n°1 à n°5) attribués à CCAS de Rennes").waitFor();
  await check(page, "operateur-programme");

  // The codes for the printer, as the operator downloads them.
  const csv = await (await page.request.get(base + "/operateur/lots/1/pass.csv")).text();
  const rows = csv.replace(/^\ufeff/, "").trim().split(/\r?\n/).map((l) => l.split(";"));
  const header = rows[0];
  const codeCol = header.indexOf("code");
  const carnetCol = header.indexOf("carnet");
  assert.ok(codeCol >= 0 && carnetCol >= 0, "CSV columns: " + header.join(";"));
  const codes = rows.slice(1).filter((r) => r[carnetCol] === "1").map((r) => r[codeCol]);
  assert.equal(codes.length, 10);

  // The operator's search box finds the carnet by a pass code.
  await page.getByLabel("Rechercher un pass, un carnet, une personne ou une structure").fill(codes[4]);
  await page.getByRole("button", { name: "Rechercher" }).click();
  await page.getByRole("link", { name: "Carnet n°1" }).first().waitFor();
  await check(page, "operateur-recherche");
  await logout(page);

  // The prescriber hands carnet 1 out, first forgetting the consent.
  await login(page, base, prescriber.email, prescriber.password);
  assert.match(page.url(), /\/prescripteur$/);
  await check(page, "prescripteur-stock");
  await page.getByRole("link", { name: "Remettre un carnet à une personne" }).click();
  await check(page, "prescripteur-remise");
  // A repeat needs only the reference: the first-carnet questions hide.
  assert.equal(await page.getByLabel(/^Référence de la personne/).isVisible(), false);
  await page.getByLabel(/^Elle a déjà reçu un carnet/).check();
  await page.getByLabel(/^Référence de la personne/).waitFor();
  assert.equal(await page.getByLabel("Année de naissance").isVisible(), false);
  assert.equal(await page.getByLabel("La personne est d'accord").isVisible(), false);
  await page.getByLabel(/^Elle reçoit son premier carnet/).check();
  await page.getByLabel("Année de naissance").waitFor();
  await page.getByLabel("Numéro du carnet").fill("1");
  await page.getByLabel("Année de naissance").fill("1951");
  await page.getByLabel("Commune où elle habite").fill("Rennes");
  await page.getByLabel("Maîtrise des outils numériques du quotidien").check();
  await page.getByLabel("Aide aux démarches administratives").check();
  await page.getByLabel(/^Faible/).check();
  await page.getByRole("button", { name: "Remettre le carnet" }).click();
  await page.getByRole("alert").getByText("doit accepter").waitFor();
  await check(page, "prescripteur-remise-erreur");
  await page.getByLabel("La personne est d'accord").check();
  await page.getByRole("button", { name: "Remettre le carnet" }).click();
  // Next, the first workshop: no venue has a session yet, so the step
  // says so and leads to the receipt (booking.test.mjs books one).
  await page.waitForURL(/\/prescripteur\/carnets\/1\/atelier$/);
  await page.getByText("Aucune séance à venir").waitFor();
  await check(page, "prescripteur-atelier-aucun");
  await page.getByRole("link", { name: "Voir le reçu" }).click();
  await page.waitForURL(/\/prescripteur\/carnets\/1\/recu$/);
  await page.getByText("Votre carnet Pass numérique").waitFor();
  await page.getByRole("heading", { level: 3, name: /La Quincaillerie numérique/ }).waitFor();
  // The receipt tells the person what is kept about them, and whom to ask.
  await page.getByRole("heading", { name: "Vos données personnelles" }).waitFor();
  await page.getByText("Nous ne gardons pas votre nom de famille.").waitFor();
  await check(page, "prescripteur-recu");
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: "screenshots/prescripteur-recu-impression.png", fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await logout(page);

  // The venue adds a workshop, then redeems passes typed at the counter.
  await login(page, base, venue.email, venue.password);
  assert.match(page.url(), /\/lieu$/);
  await page.goto(base + "/lieu/catalogue");
  await page.getByLabel("Intitulé").fill("Premiers pas sur smartphone");
  await page.getByLabel("Catégorie").selectOption("Maîtrise des outils numériques du quotidien");
  await page.getByLabel("Durée (en minutes)").fill("90");
  await page.getByRole("button", { name: "Ajouter au catalogue" }).click();
  await page.getByRole("status").getByText("ajouté au catalogue").waitFor();
  await check(page, "lieu-catalogue");

  await page.getByRole("link", { name: "Encaisser", exact: true }).click();
  await check(page, "lieu-encaisser");
  const codeField = page.getByLabel("Code du pass");
  const typeCode = async (code) => {
    await codeField.focus();
    await page.keyboard.type(code.toLowerCase().replaceAll("-", " "));
    await page.keyboard.press("Enter");
    await page.locator(".pass-item").filter({ hasText: code }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), "code", "focus stays in the code field");
  };
  await typeCode(codes[0]);
  await page.getByLabel("Atelier ou service rendu").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Encaisser 1 pass" }).click();
  await page.getByRole("status").getByText("1 pass encaissé").waitFor();

  // Three more: two new ones and the first again, refused as used.
  await typeCode(codes[1]);
  await typeCode(codes[2]);
  await typeCode(codes[0]);
  const refused = page.locator(".pass-ko");
  await refused.getByText("Pass déjà utilisé").waitFor();
  assert.equal(await refused.count(), 1);
  await check(page, "lieu-encaisser-refus");
  await page.getByLabel("Atelier ou service rendu").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Encaisser 2 pass" }).click();
  await page.getByRole("status").getByText("2 pass encaissés").waitFor();
  await check(page, "lieu-encaisser-succes");
  await page.getByRole("link", { name: "Historique", exact: true }).click();
  await check(page, "lieu-historique");
  await logout(page);

  // The funder sees the figures: 10 passes handed out, 3 used.
  await login(page, base, funder.email, funder.password);
  assert.match(page.url(), /\/financeur$/);
  await page.getByText("pass utilisés en atelier").waitFor();
  const used = await page.locator(".stat").nth(1).textContent();
  assert.equal(used.trim(), "3");
  await check(page, "financeur-accueil");
  await page.getByRole("link", { name: /Voir le détail/ }).click();
  const redeemedRow = page.getByRole("row", { name: /Utilisés en atelier/ });
  assert.match(await redeemedRow.textContent(), /3/);
  await check(page, "financeur-programme");
  // Blocking the stock first says how many passes it would block;
  // "Ne rien changer" leaves them as they are.
  assert.match(await page.locator("#etat-stock").textContent(), /non bloqué/);
  await page.getByLabel(/Motif du blocage/).fill("fin de la distribution");
  await page.getByRole("button", { name: "Bloquer le stock" }).click();
  await page.getByRole("heading", { name: "Confirmer le blocage" }).waitFor();
  await page.getByText(/Vous allez bloquer \d+ pass non remis/).waitFor();
  await check(page, "financeur-blocage-confirmation");
  await page.getByRole("link", { name: "Ne rien changer" }).click();
  assert.match(await page.locator("#etat-stock").textContent(), /non bloqué/);
  await logout(page);

  // The person checks what is left, without an account.
  await page.goto(base + "/carnet");
  await check(page, "public-carnet");
  await page.getByLabel("Code d'un pass").fill(codes[9]);
  await page.getByRole("button", { name: "Vérifier" }).click();
  await page.getByText("Il vous reste 7 pass sur 10").waitFor();
  await page.getByRole("heading", { level: 3, name: /La Quincaillerie numérique/ }).waitFor();
  await check(page, "public-carnet-resultat");

  // On a phone.
  const phone = await newPage(browser, { width: 390, height: 844 });
  await phone.goto(base + "/carnet");
  await check(phone, "telephone-carnet");
  await phone.context().close();
  await page.context().close();
  assert.doesNotMatch(app.log(), /level=ERROR/, "no error in the server log");
});
