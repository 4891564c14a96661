// The journal of consultations: the operator's staff say why they open a
// person's record, and the administrators find the reading in the journal,
// filter it and download it. Each page is checked with axe-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startPassnum, launchBrowser, newPage, check, login, isoDate } from "./lib.mjs";

const operator = { email: "operateur@example.fr", password: "une phrase de passe solide" };

let app, browser, token, carnet;
before(async () => {
  app = await startPassnum({
    operatorEmail: operator.email, operatorPassword: operator.password,
    // A programme whose first carnet waits at a prescriber, and the
    // prescriber's API token, to hand the carnet to a person.
    setup: (run) => {
      const n = (out, re = /n°\s?(\d+)/) => out.match(re)[1];
      const year = Number(isoDate(0).slice(0, 4));
      const funder = n(run(["org", "create", "--kind", "funder", "--name", "Département d'Ille-et-Vilaine"]));
      const prescriber = n(run(["org", "create", "--kind", "prescriber", "--name", "CCAS de Rennes", "--commune", "35238"]));
      const prog = n(run(["programme", "create", "--name", "Pass numérique 35", "--funder", funder + ":10000", "--budget", "1 000,00",
        "--carnet-size", "5", "--from", `${year}-01-01`, "--until", `${year + 1}-12-31`, "--territory", "departement:35",
        "--service", "Aide aux démarches administratives"]));
      run(["funds", "record", "--programme", prog, "--funder", funder, "--reference", "CD35-1", "--amount", "1 040,00", "--received-on", isoDate(0)]);
      const issued = run(["issue", "--programme", prog, "--carnets", "2"]);
      carnet = n(issued, /carnets \(n° (\d+) à/);
      run(["activate", "--programme", prog, "--batch", n(issued)]);
      run(["allocate", "--prescriber", prescriber, "--first", carnet, "--last", carnet]);
      token = run(["token", "create", "--org", prescriber, "--role", "agent", "--name", "accueil"]).match(/pn_[a-z0-9]+/)[0];
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("the journal of consultations", async () => {
  const base = app.base;
  // The prescriber hands the carnet to a person, through the API.
  const res = await fetch(`${base}/api/v1/carnets/${carnet}/distribution`, {
    method: "POST",
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
    body: JSON.stringify({ beneficiary: { birth_year: 1951, commune_insee: "35238", needs: [], consent_at: isoDate(0) } }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const ref = (await res.json()).beneficiary.ref;

  const page = await newPage(browser);
  await login(page, base, operator.email, operator.password);

  // Opening the person's record asks why first.
  await page.goto(`${base}/operateur/beneficiaires/${ref}`);
  await page.getByRole("heading", { level: 1, name: `Consulter la fiche ${ref}` }).waitFor();
  await check(page, "journal-motif");
  await page.getByLabel("Motif de la consultation").fill("Appel de la personne au sujet de son carnet");
  await page.getByRole("button", { name: "Ouvrir la fiche" }).click();
  await page.getByRole("heading", { level: 1, name: `Personne ${ref}` }).waitFor();
  await page.getByText("née en 1951").waitFor();
  await check(page, "journal-fiche");

  // The administrator finds the reading, from the dashboard.
  await page.goto(base + "/operateur");
  await page.getByRole("link", { name: "Voir le journal des consultations" }).click();
  await page.getByRole("heading", { level: 1, name: "Journal des consultations" }).waitFor();
  const row = page.getByRole("row").filter({ hasText: "Appel de la personne au sujet de son carnet" });
  await row.getByText("Olivia Martin").waitFor();
  await row.getByRole("link", { name: ref }).waitFor();
  await check(page, "journal");

  // Filtered by the person's reference, then a wrong date.
  await page.getByLabel("Dossier consulté (facultatif)").fill(ref);
  await page.getByRole("button", { name: "Afficher" }).click();
  await page.getByRole("table").getByText("1 consultation pour ce filtre").waitFor();
  await check(page, "journal-filtre");
  await page.goto(`${base}/operateur/journal-consultations?du=31/12/2026`);
  await page.getByText("Date invalide").first().waitFor();
  await check(page, "journal-erreur");

  // The download, journaled in its turn.
  await page.goto(`${base}/operateur/journal-consultations?dossier=${ref}`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: /Télécharger ces consultations/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^journal-consultations-\d{4}-\d{2}-\d{2}\.csv$/);
  await page.goto(`${base}/operateur/journal-consultations`);
  await page.getByRole("row").filter({ hasText: "journal-consultations.csv" }).waitFor();
  await page.context().close();
});
