// The rights of the person over their data, on the demo data set: the
// prescriber in front of the person sees their data, corrects it and asks
// the operator for an erasure; the operator's staff find the request in
// the register, find the person, restrict, try to erase, extend and answer.
// Each page gets an axe-core check and a screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launchBrowser, newPage, check, login, logout } from "./lib.mjs";

let app, browser;
before(async () => {
  app = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("the prescriber acts for the person, the operator answers the request", async () => {
  const { base, accounts } = app;
  const page = await newPage(browser);

  // The prescriber, from its stock, opens the page of a person it met.
  const prescriber = accounts["Prescripteur (agent)"];
  await login(page, base, prescriber.email, prescriber.password);
  await page.goto(base + "/prescripteur");
  const person = page.locator("table a[href^='/prescripteur/personnes/']").first();
  const ref = (await person.textContent()).trim();
  assert.match(ref, /^B-/);
  await person.click();
  await page.waitForURL(/\/prescripteur\/personnes\/B-/);
  await page.getByRole("heading", { level: 1, name: `Données de la personne ${ref}` }).waitFor();
  await check(page, "droits-prescripteur-personne");
  // No copy for a machine here: the prescriber prints the person's copy.
  assert.equal(await page.getByRole("link", { name: /JSON/ }).count(), 0);
  const pdf = await page.request.get(base + `/prescripteur/personnes/${ref}/donnees.pdf`);
  assert.equal(pdf.headers()["content-type"], "application/pdf");

  // A correction without its reason comes back with the error named.
  await page.getByLabel("Autonomie avec le numérique").selectOption("bonne");
  await page.getByRole("button", { name: "Enregistrer la correction" }).click();
  await page.getByRole("alert").waitFor();
  await check(page, "droits-prescripteur-correction-a-corriger");
  await page.getByLabel(/^Pourquoi corriger/).fill("Erreur signalée par la personne");
  await page.getByRole("button", { name: "Enregistrer la correction" }).click();
  await page.getByRole("status").getByText("Données corrigées").waitFor();

  // The person asks for the erasure of their data.
  await page.getByLabel("Effacement (article 17)").check();
  await page.getByLabel(/^Précisions/).fill("Joindre la personne par courrier.");
  await page.getByRole("button", { name: "Transmettre la demande" }).click();
  await page.getByRole("status").getByText("transmise à l'opérateur").waitFor();
  await check(page, "droits-prescripteur-demande");
  await logout(page);

  // The operator's staff: the request is in the register.
  const operator = accounts["Opérateur (administrateur)"];
  await login(page, base, operator.email, operator.password);
  await page.getByText(/demandes? RGPD à traiter/).waitFor();
  // At a desk the operator's last menu items are under "Plus".
  await page.getByRole("navigation", { name: "Menu principal" }).locator("summary", { hasText: /^Plus/ }).click();
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Demandes RGPD" }).click();
  await page.waitForURL(/\/operateur\/demandes-rgpd$/);
  await page.getByRole("cell", { name: ref }).waitFor();
  await check(page, "droits-registre");

  // A request recorded with a mistake comes back; then right.
  await page.getByLabel(/^Personne/).fill("Courrier de Mme D., Redon");
  await page.getByRole("button", { name: "Enregistrer la demande" }).click();
  await page.getByRole("alert").waitFor();
  await check(page, "droits-registre-a-corriger");
  await page.getByLabel("Accès (article 15)").check();
  await page.getByLabel("Arrivée par").selectOption("post");
  await page.getByRole("button", { name: "Enregistrer la demande" }).click();
  await page.getByRole("status").getByText("réponse à donner au plus tard").waitFor();
  await check(page, "droits-demande");
  await page.getByLabel(/^Raison de la prolongation/).fill("Plusieurs carnets à retrouver.");
  await page.getByRole("button", { name: "Prolonger de deux mois" }).click();
  await page.getByRole("status").getByText("Délai prolongé").waitFor();
  await page.getByLabel(/^Réponse donnée/).fill("Copie de ses données envoyée par courrier.");
  await page.getByRole("button", { name: "Enregistrer la réponse" }).click();
  await page.getByRole("status").getByText("Réponse à la demande").waitFor();

  // The person the prescriber met: everything held, then a restriction
  // and an erasure the service refuses while the person holds passes.
  // At a desk the operator's last menu items are under "Plus".
  await page.getByRole("navigation", { name: "Menu principal" }).locator("summary", { hasText: /^Plus/ }).click();
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Droits des personnes" }).click();
  await check(page, "droits-recherche");
  await page.getByLabel(/^Référence de la personne/).fill(ref);
  await page.getByRole("button", { name: "Voir ses données" }).click();
  await page.waitForURL(new RegExp(`/operateur/droits/${ref}$`));
  await check(page, "droits-operateur-personne");
  const json = await page.request.get(base + `/operateur/droits/${ref}/donnees.json`);
  assert.equal((await json.json()).beneficiary.ref, ref);
  await page.getByLabel(/^Raison de la limitation/).fill("Conteste l'exactitude de sa commune");
  await page.getByRole("button", { name: "Limiter le traitement" }).click();
  await page.getByRole("status").getByText("Traitement limité :").waitFor();
  await page.getByRole("link", { name: /^Effacer les données de la personne/ }).click();
  await check(page, "droits-effacement");
  await page.getByLabel(/^Pourquoi effacer/).fill("Demande de la personne transmise par le prescripteur");
  await page.getByLabel(/^Je confirme l'effacement/).check();
  await page.getByRole("button", { name: "Effacer définitivement" }).click();
  await page.getByRole("heading", { name: /L'effacement est refusé|effacées/ }).waitFor();
  await check(page, "droits-effacement-resultat");
  await logout(page);
});
