// The whole path of the money, in the browser and without the API, on the
// demo: the State opens a call for projects (a mistake first: the call
// closing before it opens); the département applies and submits; the
// State selects it, establishes the convention from the application's
// budget, brings a foundation in by an addendum, records each party's
// signature and calls each for its funds; the operator creates the
// programme from the convention, records the State's payment, issues
// carnets and tries to activate more than the payment covers, which is
// refused in French, then activates what it covers and sees the value
// activated; the State sees the payment on the convention. Each page is
// checked with axe-core; the key forms again at a phone's width.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launchBrowser, newPage, check, login, logout, isoDate } from "./lib.mjs";

let app, browser;
before(async () => {
  app = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

const stateName = "État — Agence nationale de la cohésion des territoires";
const callTitle = "Appel à projets Pass numérique — deuxième vague";
const year = Number(isoDate(0).slice(0, 4));

test("funding path: call, application, selection, convention, programme, funds, activation", async () => {
  const { base, accounts } = app;
  const state = accounts["État (administrateur)"];
  const dept = accounts["Financeur (administrateur)"];
  const operator = accounts["Opérateur (administrateur)"];
  assert.ok(state && dept && operator, `the demo prints the State's, the département's and the operator's accounts: ${Object.keys(accounts)}`);
  const page = await newPage(browser);

  // The State opens a call; its first try closes before it opens.
  await login(page, base, state.email, state.password);
  await page.goto(base + "/financeur/appels");
  await page.getByRole("link", { name: "Ouvrir un appel à projets" }).click();
  await page.getByRole("heading", { level: 1, name: "Ouvrir un appel à projets" }).waitFor();
  await check(page, "funding-call-form");
  await page.getByLabel(/^Titre de l'appel/).fill(callTitle);
  await page.getByLabel(/^Présentation/).fill("L'État cofinance à parts égales les pass des collectivités bretonnes.");
  await page.getByLabel(/^Enveloppe \(en euros\)/).fill("15 000 000");
  assert.equal(await page.getByLabel(/^Votre part maximale/).inputValue(), "50");
  await page.getByLabel(/^Territoire de l'appel/).fill("region:53");
  await page.getByLabel(/^Ouverture/).fill(isoDate(-1));
  await page.getByLabel(/^Clôture/).fill(isoDate(-2));
  await page.getByLabel(/^Questions posées aux candidats/).fill("Quels lieux de médiation sont associés ?");
  await page.getByLabel(/^Grille de notation/).fill("Qualité du plan d'action : 10\nCofinancements : 5");
  await page.getByRole("button", { name: "Ouvrir l'appel à projets" }).click();
  await page.locator("#closes_on-error").getByText("La clôture de l'appel précède son ouverture.").waitFor();
  assert.equal(await page.getByLabel(/^Titre de l'appel/).inputValue(), callTitle, "the title typed is kept");
  assert.equal(await page.getByLabel(/^Enveloppe \(en euros\)/).inputValue(), "15 000 000", "the envelope typed is kept");
  await check(page, "funding-call-form-error");
  await page.getByLabel(/^Clôture/).fill(isoDate(60));
  await page.getByRole("button", { name: "Ouvrir l'appel à projets" }).click();
  await page.getByRole("status").getByText(/Appel à projets « .* » ouvert/).waitFor();
  await page.getByRole("heading", { level: 1, name: callTitle }).waitFor();
  await page.getByText("15 000 000,00 €").first().waitFor();
  const callURL = page.url();
  await check(page, "funding-call");
  await logout(page);

  // The département applies and submits.
  await login(page, base, dept.email, dept.password);
  await page.goto(callURL);
  await page.getByRole("link", { name: "Préparer une candidature" }).click();
  await page.getByLabel(/^Titre du plan d'action/).fill("Ille-et-Vilaine, deuxième vague");
  await page.getByLabel(/^Type de collectivité/).selectOption({ label: "département" });
  await page.getByLabel(/^Territoire du plan d'action/).fill("departement:35");
  await page.getByLabel(/^Personnes à accompagner/).fill("100");
  await page.getByLabel(/^Pass à distribuer/).fill("1000");
  await page.getByLabel(/^Demandé à .* en \d{4}$/).first().fill("5 000");
  await page.getByLabel(/^Engagement de votre collectivité en \d{4}$/).first().fill("5 000");
  await page.getByLabel(/^Question 1/).fill("Les trente lieux qualifiés de la première vague.");
  await page.getByRole("button", { name: "Déposer la candidature" }).click();
  await page.getByRole("status").getByText("Candidature déposée").waitFor();
  const applicationURL = page.url();
  await logout(page);

  // The State selects it and establishes the convention from its budget.
  await login(page, base, state.email, state.password);
  await page.goto(applicationURL);
  await page.getByLabel(/^Motif, que le candidat lira/).fill("Plan complet, cofinancé à parts égales.");
  await page.getByRole("button", { name: "Retenir" }).click();
  await page.getByRole("status").getByText("la candidature est retenue").waitFor();
  await page.getByRole("heading", { level: 2, name: "Établir la convention" }).waitFor();
  await check(page, "funding-application-selected");
  await page.getByLabel(/^Début de la convention/).fill(isoDate(0));
  await page.getByLabel(/^Fin de la convention/).fill(isoDate(-1));
  await page.getByRole("button", { name: "Établir la convention" }).click();
  await page.locator("#ends_on-error").getByText("La convention finit après avoir commencé.").waitFor();
  await check(page, "funding-convention-form-error");
  await page.getByLabel(/^Fin de la convention/).fill(`${year + 1}-12-31`);
  await page.getByRole("button", { name: "Établir la convention" }).click();
  await page.waitForURL(/\/financeur\/conventions\/\d+$/);
  await page.getByRole("status").getByText(/Convention n° \d+ établie pour 10\s000,00\s€/).waitFor();
  const conventionURL = page.url();
  await check(page, "funding-convention");

  // An addendum breaking the matching rule is refused; the foundation's is not.
  await page.getByLabel(/^Objet de l'avenant/).fill("L'État porte sa part à 8 000 €.");
  await page.getByLabel("Financeur", { exact: true }).first().selectOption({ label: stateName });
  await page.getByLabel("Année", { exact: true }).first().fill(String(year));
  await page.getByLabel(/^Nouveau montant/).first().fill("8 000");
  await page.getByRole("button", { name: "Enregistrer l'avenant" }).click();
  await page.locator("#add_funder_1-error").getByText(/dépasse la règle de l'appel : 50/).waitFor();
  await check(page, "funding-addendum-error");
  await page.getByLabel(/^Objet de l'avenant/).fill("La Fondation pour l'inclusion numérique rejoint la convention.");
  await page.getByLabel("Financeur", { exact: true }).first().selectOption({ label: "Fondation pour l'inclusion numérique" });
  await page.getByLabel("Année", { exact: true }).first().fill(String(year + 1));
  await page.getByLabel(/^Nouveau montant/).first().fill("1 000");
  await page.getByRole("button", { name: "Enregistrer l'avenant" }).click();
  await page.getByRole("status").getByText("Avenant n° 1 enregistré").waitFor();

  // Each party's signature, today.
  for (const party of [stateName, "Département d'Ille-et-Vilaine", "Fondation pour l'inclusion numérique"]) {
    await page.getByLabel(/^Partie qui a signé/).selectOption({ label: party });
    await page.getByLabel(/^Signée le/).fill(isoDate(0));
    await page.getByRole("button", { name: "Enregistrer la signature" }).click();
    await page.getByRole("status").getByText("Signature enregistrée").waitFor();
  }
  await page.getByText("toutes les parties ont signé").first().waitFor();

  // Calls for funds: more than committed is refused, then each party's.
  await page.getByLabel(/^Partie appelée/).selectOption({ label: stateName });
  await page.getByLabel(/^Année \(obligatoire\)/).selectOption(String(year));
  await page.getByLabel(/^Montant appelé/).fill("6 000");
  await page.getByLabel(/^À verser avant le/).fill(isoDate(30));
  await page.getByRole("button", { name: "Appeler les fonds" }).click();
  await page.locator("#call_amount-error").waitFor();
  await check(page, "funding-fund-call-error");
  for (const party of [stateName, "Département d'Ille-et-Vilaine"]) {
    await page.getByLabel(/^Partie appelée/).selectOption({ label: party });
    await page.getByLabel(/^Année \(obligatoire\)/).selectOption(String(year));
    await page.getByLabel(/^Montant appelé/).fill("5 000");
    await page.getByLabel(/^À verser avant le/).fill(isoDate(30));
    await page.getByRole("button", { name: "Appeler les fonds" }).click();
    await page.getByRole("status").getByText("Appel de fonds enregistré").waitFor();
  }
  await check(page, "funding-convention-signed");
  await logout(page);

  // The operator creates the programme from the convention.
  await login(page, base, operator.email, operator.password);
  await page.goto(base + "/operateur");
  await page.getByRole("link", { name: "créer le programme d'une convention signée" }).click();
  await check(page, "funding-operator-conventions");
  await page.getByRole("link", { name: /Ille-et-Vilaine, deuxième vague/ }).click();
  await page.getByRole("heading", { level: 3, name: "Créer le programme de la convention" }).waitFor();
  await check(page, "funding-operator-convention");
  await page.getByLabel(/^Nom du programme/).fill("Pass numérique Ille-et-Vilaine — deuxième vague");
  await page.getByRole("button", { name: "Créer le programme" }).click();
  await page.waitForURL(/\/operateur\/programmes\/\d+$/);
  await page.getByRole("status").getByText("créé depuis la convention").waitFor();

  // The State's payment: 5 000 € of passes and the 4 % fee.
  await page.getByLabel("Financeur", { exact: true }).selectOption({ label: stateName });
  await page.getByLabel("Référence de l'ordre de paiement").fill("ANCT-AAP2-0001");
  await page.getByLabel("Montant reçu").fill("5 200");
  await page.getByLabel("Reçu le").fill(isoDate(0));
  await page.getByRole("button", { name: "Enregistrer le versement" }).click();
  await page.getByRole("status").getByText("Fonds enregistrés").waitFor();

  // 60 carnets of 10 passes: 6 000 € of passes for 5 000 € received.
  await page.getByLabel("Nombre de carnets").fill("60");
  await page.getByRole("button", { name: "Émettre les carnets" }).click();
  await page.waitForURL(/\/operateur\/travaux\/\d+$/);
  await page.getByText(/Lot n°\d+ émis/).waitFor({ timeout: 60000 });
  await page.getByRole("link", { name: "Revenir au programme" }).click();
  const batch = page.getByLabel("Lot à activer");
  const option = await batch.locator("option").nth(1).textContent();
  const first = Number(option.match(/carnets n°(\d+)/)[1]);
  await batch.selectOption({ index: 1 });
  await page.getByRole("button", { name: "Activer" }).click();
  await page.locator("#errors").getByText(/Activation refusée\s:\s600\spass .* demandent plus que les fonds reçus disponibles \(5\s000,00\s€/).waitFor();
  await check(page, "funding-activation-refused");
  await batch.selectOption({ index: 0 });
  await page.getByLabel("Du carnet n°").first().fill(String(first));
  await page.getByLabel("au carnet n°").first().fill(String(first + 49));
  await page.getByRole("button", { name: "Activer" }).click();
  await page.getByRole("status").getByText("500 pass activés").waitFor();
  await page.getByText("Valeur des pass activés : 5 000,00 €, pour 5 200,00 € de fonds reçus.").waitFor();
  await check(page, "funding-activated");
  await logout(page);

  // The State sees the payment on the convention.
  await login(page, base, state.email, state.password);
  await page.goto(conventionURL);
  const row = page.getByRole("table", { name: /Ce que chaque partie a engagé/ }).getByRole("row", { name: new RegExp(stateName) });
  await row.getByText("5 200,00 €").waitFor();
  await page.getByRole("link", { name: /^Programme n° \d+$/ }).waitFor();
  await check(page, "funding-convention-paid");
  await page.context().close();
});

// The key forms at a phone's width: the call's, and the convention's.
test("funding path forms on a phone", async () => {
  const { base, accounts } = app;
  const state = accounts["État (administrateur)"];
  const page = await newPage(browser, { width: 390, height: 844 });
  await login(page, base, state.email, state.password);
  await page.goto(base + "/financeur/appels/nouveau");
  await page.getByLabel(/^Enveloppe \(en euros\)/).fill("-5");
  await page.getByRole("button", { name: "Ouvrir l'appel à projets" }).click();
  await page.locator("#envelope-error").waitFor();
  await check(page, "funding-call-form-390");
  await page.goto(base + "/financeur/appels");
  await page.getByRole("link", { name: callTitle }).first().click();
  await page.getByRole("link", { name: /^Convention n° \d+/ }).first().click();
  await page.getByRole("heading", { level: 3, name: "Appeler des fonds" }).waitFor();
  await check(page, "funding-convention-390");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the convention's page scrolls sideways on a phone: ${wide}px`);
  await page.context().close();
});
