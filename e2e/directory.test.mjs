// The directory of venues and the venues' workshops: a venue describes its
// workshops, plans sessions, registers people, records who came and writes
// an activity report; anybody, without an account, finds venues around a
// commune or around their position, with filters, on a list and a map,
// and opens a venue's page. The venues of Ille-et-Vilaine come from the
// national standard's file, imported with the command line. Every page
// gets an axe-core check and a screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startPassnum, launchBrowser, newPage, check, login, logout } from "./lib.mjs";

const operator = { email: "olivia.martin@operateur.example.fr", password: "une phrase de passe solide" };
const venue = { email: "lea.morel@quincaillerie.example.fr", password: "mediatrice-solide-2027" };
const venuesFile = fileURLToPath(new URL("../internal/demo/lieux-ille-et-vilaine.csv", import.meta.url));

let app, browser;
before(async () => {
  app = await startPassnum({
    operatorEmail: operator.email, operatorPassword: operator.password,
    setup: (run) => {
      run(["venue", "import", "--file", venuesFile]);
      const out = run(["org", "create", "--kind", "venue", "--name", "La Quincaillerie numérique", "--siret", "78282932000079",
        "--commune", "35238", "--qualification", "qualified"]);
      const org = out.match(/Organisation n°(\d+)/)[1];
      run(["user", "create", "--org", org, "--role", "admin", "--email", venue.email, "--name", "Léa Morel"], { PASSNUM_PASSWORD: venue.password });
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

// paris returns the date (YYYY-MM-DD) and time (HH:MM) in France, minutes
// from now: the venue's forms are in French time, whatever the machine's.
function paris(minutes = 0) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(Date.now() + minutes * 60000)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

test("a venue's workshops: catalogue, sessions, attendance, activity report", async () => {
  const base = app.base;
  const page = await newPage(browser);
  await login(page, base, venue.email, venue.password);

  // A collective workshop with its level, then its description.
  await page.getByRole("link", { name: "Catalogue", exact: true }).click();
  await page.getByLabel(/^Intitulé/).fill("Premiers pas sur smartphone");
  await page.getByLabel(/^Catégorie/).selectOption("Maîtrise des outils numériques du quotidien");
  await page.getByLabel(/^Durée \(en minutes\)/).fill("120");
  await page.getByLabel(/^Pass demandés par personne/).fill("1");
  await page.getByLabel("Niveau", { exact: true }).selectOption("débutant");
  await page.getByLabel("Collectif : un groupe").check();
  await page.getByRole("button", { name: "Ajouter au catalogue" }).click();
  await page.getByRole("status").getByText("ajouté au catalogue").waitFor();
  await check(page, "atelier-catalogue");
  await page.getByRole("link", { name: "Modifier « Premiers pas sur smartphone »" }).click();
  await page.getByLabel("Description").fill("Allumer, appeler, envoyer une photo : les gestes de tous les jours.");
  await page.getByLabel("Accessibilité").fill("Salle de plain-pied, téléphones prêtés.");
  await check(page, "atelier-modifier");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await page.getByRole("status").getByText("enregistré").waitFor();

  // Sessions: one that started half an hour ago, one tomorrow.
  await page.getByRole("link", { name: "Séances", exact: true }).click();
  await check(page, "seances-vide");
  const plan = async (when, seats) => {
    await page.getByLabel(/^Atelier/).selectOption({ label: "Premiers pas sur smartphone (2 h, collectif)" });
    await page.getByLabel(/^Date/).fill(when.date);
    await page.getByLabel(/^Heure de début/).fill(when.time);
    await page.getByLabel(/^Nombre de places/).fill(String(seats));
    await page.getByRole("button", { name: "Programmer la séance" }).click();
    await page.waitForURL(/\/lieu\/seances\/\d+$/);
    return page.url();
  };
  await plan(paris(24 * 60), 8);
  await page.goto(base + "/lieu/seances");
  // A mistake first: no time.
  await page.getByLabel(/^Atelier/).selectOption({ label: "Premiers pas sur smartphone (2 h, collectif)" });
  await page.getByLabel(/^Nombre de places/).fill("2");
  await page.getByRole("button", { name: "Programmer la séance" }).click();
  await page.getByRole("alert").getByText("Indiquez l'heure de début").waitFor();
  await check(page, "seances-erreur");
  const session = await plan(paris(-30), 2);

  // Two people, then the session is full.
  await page.getByLabel("Prénom ou initiales").fill("Josiane");
  await page.getByRole("button", { name: "Inscrire", exact: true }).click();
  await page.getByRole("status").getByText("Josiane est inscrit·e").waitFor();
  await page.getByLabel("Prénom ou initiales").fill("M. D.");
  await page.getByRole("button", { name: "Inscrire", exact: true }).click();
  await page.getByText("Séance complète : les 2 places sont prises").waitFor();
  // Who came: Josiane.
  await page.getByLabel("Josiane").check();
  await check(page, "seance-inscriptions");
  await page.getByRole("button", { name: "Enregistrer les présences" }).click();
  await page.getByRole("status").getByText("1 personne présente, 1 absente").waitFor();
  await check(page, "seance-presences");
  await page.goto(base + "/lieu/seances");
  await check(page, "seances");

  // The counter screen offers today's session.
  await page.getByRole("link", { name: "Encaisser", exact: true }).click();
  await page.getByLabel(/^Séance du jour/).waitFor();
  await check(page, "encaisser-seance");

  // The activity report of the session, with a mistake first.
  await page.goto(session);
  await page.getByRole("link", { name: "Faire le compte rendu de cette séance" }).click();
  assert.equal(await page.getByLabel(/^Participants/).inputValue(), "1");
  await page.getByRole("button", { name: "Enregistrer le compte rendu" }).click();
  await page.getByRole("alert").getByText("Choisissez au moins une thématique").waitFor();
  await check(page, "compte-rendu-erreur");
  await page.getByLabel("Prendre en main du matériel").check();
  await page.getByLabel("Partiellement autonome : elle a fait une partie seule").check();
  await page.getByRole("button", { name: "Enregistrer le compte rendu" }).click();
  await page.waitForURL(/\/lieu\/comptes-rendus$/);
  await page.getByRole("status").getByText("Compte rendu n°1 enregistré").waitFor();
  // A second one, by hand: a help on the phone.
  await page.getByRole("link", { name: "Nouveau compte rendu" }).click();
  await page.getByLabel("Démarches en ligne").check();
  await page.getByLabel("Prendre en main du matériel").check();
  await page.getByLabel("À distance (téléphone, visio)").check();
  await page.getByLabel(/^Durée \(en minutes\)/).fill("30");
  await check(page, "compte-rendu-nouveau");
  await page.getByRole("button", { name: "Enregistrer le compte rendu" }).click();
  await page.getByRole("status").getByText("Compte rendu n°2 enregistré").waitFor();
  await page.getByRole("img", { name: /^Comptes rendus par thématique/ }).waitFor();
  await check(page, "comptes-rendus");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Télécharger la liste/ }).click()]);
  assert.match(download.suggestedFilename(), /^comptes-rendus-\d{4}-01-01-\d{4}-\d{2}-\d{2}\.csv$/);
  await logout(page);
  await page.context().close();
});

test("the directory: search around a commune with filters, around me, a venue's page", async () => {
  const base = app.base;
  // Near the Champs Libres, in Rennes; the browser lets the page know.
  const page = await newPage(browser, { permissions: ["geolocation"], geolocation: { latitude: 48.1062, longitude: -1.6745 } });

  await page.goto(base + "/");
  await page.getByRole("link", { name: "Trouver un lieu" }).click();
  await page.waitForURL(/\/annuaire$/);
  await page.locator("svg.map").waitFor();
  await check(page, "annuaire");

  // Around Rennes, 10 km, to learn the everyday tools.
  await page.getByLabel("Où ? Commune ou code postal").fill("Rennes");
  await page.getByLabel("Distance").selectOption("10");
  await page.getByLabel("Pour quoi ?").selectOption("Maîtrise des outils numériques du quotidien");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await page.waitForURL(/commune=/);
  const heading = await page.locator("#results-title").textContent();
  assert.match(heading, /^\s*\d+ lieux autour de Rennes/);
  const names = await page.locator(".dir-venue h3 a").allTextContents();
  assert.ok(names.includes("Bibliothèque des Champs Libres — espace numérique"), names.join(", "));
  assert.ok(names.includes("La Quincaillerie numérique"), names.join(", "));
  assert.ok(!names.includes("France Services de Janzé"), "Janzé is 20 km away");
  // The map has a numbered marker for each venue of the list.
  assert.equal(await page.locator("svg.map .map-marker").count(), names.length);
  assert.equal(await page.locator("svg.map").getAttribute("role"), "img");
  await check(page, "annuaire-rennes");

  // Only those that accept passes.
  await page.getByLabel("Accepte le Pass numérique").check();
  await page.getByRole("button", { name: "Rechercher" }).click();
  await page.waitForURL(/pass=1/);
  assert.deepEqual(await page.locator(".dir-venue h3 a").allTextContents(), ["La Quincaillerie numérique"]);
  await check(page, "annuaire-rennes-pass");

  // Its page: the workshop, tomorrow's session, the way back.
  await page.getByRole("link", { name: "La Quincaillerie numérique" }).click();
  await page.getByRole("heading", { name: "La Quincaillerie numérique", level: 1 }).waitFor();
  await page.getByText("Allumer, appeler, envoyer une photo").waitFor();
  assert.equal(await page.locator("#seances ~ .table-wrap tbody tr").count(), 1);
  await check(page, "annuaire-fiche-quincaillerie");
  await page.getByRole("link", { name: "Retour à la recherche" }).click();
  await page.waitForURL(/pass=1/);

  // A venue of the national file: its hours in French.
  await page.goto(base + "/annuaire?commune=Rennes&q=champs");
  await page.getByRole("link", { name: "Bibliothèque des Champs Libres — espace numérique" }).click();
  await page.getByText("du mardi au vendredi").waitFor();
  await check(page, "annuaire-fiche-bibliotheque");

  // Around me: the browser's position, without typing anything.
  await page.goto(base + "/annuaire");
  await page.getByRole("button", { name: "Autour de moi" }).click();
  await page.waitForURL(/lat=48\.106/);
  assert.match(await page.locator("#results-title").textContent(), /autour de votre position/);
  assert.equal((await page.locator(".dir-venue h3 a").first().textContent()).trim(), "Bibliothèque des Champs Libres — espace numérique");
  await check(page, "annuaire-autour-de-moi");

  // An ambiguous commune asks which one.
  await page.goto(base + "/annuaire");
  await page.getByLabel("Où ? Commune ou code postal").fill("Saint-Aubin-d");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await page.getByRole("group", { name: "Choisissez la commune" }).waitFor();
  await check(page, "annuaire-commune-ambigue");
  await page.getByLabel(/^Saint-Aubin-du-Cormier \(35140/).check();
  await page.getByRole("button", { name: "Rechercher" }).click();
  await page.waitForURL(/commune_choice=/);
  assert.match(await page.locator("#results-title").textContent(), /autour de Saint-Aubin-du-Cormier/);

  // On a phone.
  const phone = await newPage(browser, { width: 390, height: 844 });
  await phone.goto(base + "/annuaire?commune=35000&rayon=20");
  await phone.locator("svg.map").waitFor();
  await check(phone, "annuaire-telephone");
  await phone.context().close();
  await page.context().close();
});
