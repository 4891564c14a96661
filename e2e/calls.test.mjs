// Calls for projects in the demo, at a desk's width and a phone's: the
// public list of open calls; the département's administrator finds the
// State's call, its selected application with the decision's reason and
// the questions and answers, its convention with the foundation's
// addendum and their PDF; it starts another application whose budget asks
// the State for more than half, which stays a draft with the reason why.
// Each page is checked with axe-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launchBrowser, newPage, check, login } from "./lib.mjs";

let app, browser;
before(async () => {
  app = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

for (const [width, height, label] of [[1280, 900, "desk"], [390, 844, "phone"]]) {
  test(`calls for projects (${label})`, async () => {
    const { base, accounts } = app;
    const funder = accounts["Financeur (administrateur)"];
    assert.ok(funder, "the demo prints the funder's account");
    const page = await newPage(browser, { width, height });

    await page.goto(base + "/appels-a-projets");
    await page.getByRole("heading", { level: 2, name: "Appel à projets Pass numérique — Bretagne" }).waitFor();
    await check(page, `calls-public-${label}`);

    await login(page, base, funder.email, funder.password);
    await page.goto(base + "/financeur/appels");
    await page.getByRole("heading", { level: 1, name: "Appels à projets" }).waitFor();
    await check(page, `calls-funder-${label}`);

    await page.getByRole("link", { name: "Ille-et-Vilaine, un pass pour chacun" }).click();
    await page.getByText("Plan d'action complet, cofinancé à parts égales").waitFor();
    await page.getByText("Mille personnes environ, la moitié en zone rurale.").waitFor();
    await check(page, `calls-application-${label}`);

    await page.getByRole("link", { name: /^Convention n° \d+$/ }).click();
    await page.getByRole("heading", { level: 2, name: "Avenants" }).waitFor();
    await page.getByText("Fondation pour l'inclusion numérique", { exact: true }).first().waitFor();
    await check(page, `calls-convention-${label}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "PDF de l'avenant n° 1" }).click()]);
    assert.match(download.suggestedFilename(), /^passnum-convention-\d+-avenant-1\.pdf$/);

    // Another application: the State would pay 60 %, above the rule.
    await page.getByRole("link", { name: "Appel à projets Pass numérique — Bretagne" }).click();
    await page.getByRole("link", { name: "Préparer une candidature" }).click();
    await page.getByRole("heading", { level: 1, name: /^Candidater/ }).waitFor();
    await check(page, `calls-apply-${label}`);
    await page.getByLabel(/^Titre du plan d'action/).fill(`Deuxième vague (${label})`);
    await page.getByLabel(/^Territoire du plan d'action/).fill("departement:35");
    await page.getByLabel(/^Personnes à accompagner/).fill("200");
    await page.getByLabel(/^Pass à distribuer/).fill("2000");
    await page.getByLabel(/^Demandé à .* en \d{4}$/).first().fill("6 000");
    await page.getByLabel(/^Engagement de votre collectivité en \d{4}$/).first().fill("4 000");
    await page.getByLabel(/^Question 1/).fill("Les lieux de la première vague.");
    await page.getByLabel(/^Question 2/).fill("Le hub forme les aidants.");
    await page.getByRole("button", { name: "Déposer la candidature" }).click();
    await page.getByText("Brouillon enregistré, mais pas déposé").waitFor();
    await page.getByText("brouillon", { exact: true }).waitFor();
    await check(page, `calls-draft-${label}`);
    await page.context().close();
  });
}
