// Calls for projects in the demo, at a desk's width and a phone's: the
// public list of open calls; the département's administrator finds the
// State's call, its selected application with the decision's reason and
// the questions and answers, its convention with the foundation's
// addendum and their PDF; it starts another application whose budget asks
// the State for more than half, which stays a draft with the reason why,
// joins a PDF to it (after a text named .pdf, refused) and removes it; the
// selected application's deliberation is listed and downloaded.
// Each page is checked with axe-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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
    // The deliberation the département joined before submitting: listed
    // with its size in French, downloaded as a PDF; no upload form, the
    // application being submitted.
    const deliberation = page.getByRole("link", { name: "Délibération de l'assemblée.pdf" });
    await deliberation.waitFor();
    await page.getByRole("row", { name: /Délibération de l'assemblée\.pdf .* \d+(,\d)? ko/ }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Joindre" }).count(), 0, "no upload form on a submitted application");
    {
      const [file] = await Promise.all([page.waitForEvent("download"), deliberation.click()]);
      assert.equal(file.suggestedFilename(), "Délibération de l'assemblée.pdf");
      const bytes = readFileSync(await file.path());
      assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
    }

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

    // The draft takes attachments: a text named .pdf is refused next to
    // the field; a PDF is joined, listed, downloaded and removed.
    await page.getByLabel(/^Fichier PDF/).setInputFiles({ name: "budget.pdf", mimeType: "application/pdf", buffer: Buffer.from("Pas un PDF, un texte.\n") });
    await page.getByRole("button", { name: "Joindre" }).click();
    await page.locator("#file-error").getByText("Le fichier n'est pas un PDF").waitFor();
    await check(page, `calls-attachment-refused-${label}`);
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    await page.getByLabel(/^Fichier PDF/).setInputFiles({ name: `Budget détaillé ${label}.pdf`, mimeType: "application/pdf", buffer: pdf });
    await page.getByRole("button", { name: "Joindre" }).click();
    await page.getByText(`Pièce jointe ajoutée : « Budget détaillé ${label}.pdf »`).waitFor();
    const joined = page.getByRole("link", { name: `Budget détaillé ${label}.pdf` });
    await joined.waitFor();
    await check(page, `calls-attachment-${label}`);
    {
      const [file] = await Promise.all([page.waitForEvent("download"), joined.click()]);
      assert.equal(file.suggestedFilename(), `Budget détaillé ${label}.pdf`);
      assert.deepEqual(readFileSync(await file.path()), pdf);
    }
    await page.getByRole("button", { name: `Retirer Budget détaillé ${label}.pdf` }).click();
    await page.getByText("Pièce jointe retirée.").waitFor();
    await page.getByText("Aucune pièce jointe.").waitFor();
    await page.context().close();
  });
}
