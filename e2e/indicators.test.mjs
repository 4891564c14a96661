// The indicator dashboards and the open data, page by page, on the demo
// data set (indicators computed at start): the operator changes the
// breakdown with the form, recomputes, and downloads the table and the
// territorial report; a funder reads only its own scopes; a hub reads its
// territory's; a visitor without an account downloads the open data,
// where no small count shows; and the dashboard fits a phone's width.
// Every page gets an axe-core check and a screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

// showBreakdown changes the breakdown as a person does: picks it in the
// list and presses the button, then waits for the page it asked for.
async function showBreakdown(page, label, value) {
  await page.getByLabel("Ventiler par").selectOption({ label });
  await page.getByRole("button", { name: "Afficher" }).click();
  await page.waitForURL(new RegExp(`[?&]dim=${value}(&|$)`));
  const name = label.charAt(0).toLowerCase() + label.slice(1);
  await page.getByRole("heading", { level: 2, name: `Par ${name}` }).waitFor();
  assert.equal(await page.getByLabel("Ventiler par").inputValue(), value);
}

test("indicators: operator dashboard, breakdowns, recomputation and downloads", async () => {
  const { base, accounts } = app;
  const operator = accounts["Opérateur (administrateur)"];
  assert.ok(operator, `demo accounts: ${JSON.stringify(Object.keys(accounts))}`);
  const page = await newPage(browser);

  await login(page, base, operator.email, operator.password);
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Indicateurs" }).click();
  await page.waitForURL(/\/operateur\/indicateurs$/);
  await page.getByRole("heading", { name: /^Chiffres clés/ }).waitFor();
  assert.match(await page.locator("h1").textContent(), /Tous les programmes/);
  await page.getByRole("img", { name: /^Parcours des pass/ }).waitFor();
  await page.getByRole("table", { name: /^Parcours des pass/ }).waitFor();
  await page.getByRole("table", { name: /^Indicateurs par programme/ }).waitFor();
  await check(page, "indicateurs-operateur");

  // The breakdown, changed with the form.
  await showBreakdown(page, "Commune", "commune");
  await page.getByRole("img", { name: /^Pass utilisés par commune/ }).waitFor();
  const communes = page.getByRole("table", { name: /^Indicateurs par commune/ });
  assert.ok(await communes.locator("tbody tr").count() >= 2, "rows by commune");
  await check(page, "indicateurs-par-commune");
  await showBreakdown(page, "Mois", "month");
  await page.getByRole("img", { name: /^Pass utilisés par mois/ }).waitFor();
  await page.getByRole("table", { name: /^Indicateurs par mois/ }).waitFor();
  await check(page, "indicateurs-par-mois");
  await showBreakdown(page, "Lieu", "venue");
  await page.getByRole("img", { name: /^Pass utilisés par lieu/ }).waitFor();
  await page.getByRole("table", { name: /^Indicateurs par lieu/ }).waitFor();
  await check(page, "indicateurs-par-lieu");

  // Recomputed now, as a job with its progress bar, then back on the same
  // breakdown.
  await page.getByRole("button", { name: "Recalculer maintenant" }).click();
  await page.getByRole("status").getByText(/^Indicateurs recalculés : /).waitFor();
  await check(page, "indicateurs-recalcules");
  await page.getByRole("link", { name: "Voir les indicateurs" }).click();
  await page.getByRole("table", { name: /^Indicateurs par lieu/ }).waitFor();
  assert.match(page.url(), /\/operateur\/indicateurs\?.*dim=venue/);

  // The table for a spreadsheet, as CSV and as a workbook.
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Télécharger en CSV" }).click()]);
  assert.match(csv.suggestedFilename(), /^indicateurs-tout-par-venue\.csv$/);
  const table = readFileSync(await csv.path(), "utf8");
  assert.ok(table.startsWith("\ufeff"), "CSV starts with a byte order mark");
  assert.match(table.split("\n")[0], /;/);
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Télécharger en XLSX" }).click()]);
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), "PK");

  // The territorial report, fetched with the page's session.
  const href = await page.getByRole("link", { name: "Rapport territorial (PDF)" }).getAttribute("href");
  const pdf = await page.context().request.get(new URL(href, base).href);
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()["content-type"], /^application\/pdf/);
  assert.equal((await pdf.body()).subarray(0, 4).toString(), "%PDF");
  await logout(page);
  await page.context().close();
});

test("indicators: a funder reads its own scopes, a hub its territory", async () => {
  const { base, accounts } = app;
  const funder = accounts["Financeur (administrateur)"];
  const hub = accounts["Hub territorial (agent)"];
  assert.ok(funder && hub, `demo accounts: ${JSON.stringify(Object.keys(accounts))}`);
  const page = await newPage(browser);

  await login(page, base, funder.email, funder.password);
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Indicateurs" }).click();
  await page.waitForURL(/\/financeur\/indicateurs$/);
  await page.getByRole("heading", { name: /^Chiffres clés/ }).waitFor();
  const scopes = await page.getByLabel("Périmètre").locator("option").allTextContents();
  assert.ok(scopes.length >= 1, "the funder's scopes");
  assert.ok(!scopes.some((s) => /Tous les programmes/.test(s)), `scopes offered to a funder: ${JSON.stringify(scopes)}`);
  assert.equal(await page.getByRole("button", { name: "Recalculer maintenant" }).count(), 0);
  await page.getByText("Votre part du montant utilisé").waitFor();
  await check(page, "indicateurs-financeur");
  await logout(page);

  await login(page, base, hub.email, hub.password);
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Indicateurs" }).click();
  await page.waitForURL(/\/financeur\/indicateurs$/);
  await page.getByRole("heading", { name: /^Chiffres clés/ }).waitFor();
  assert.match(await page.locator("h1").textContent(), /Territoire de /);
  assert.match(await page.getByText(/^Territoire du hub : /).textContent(), /Ille-et-Vilaine|35/);
  // A hub reads where its people are first.
  assert.equal(await page.getByLabel("Ventiler par").inputValue(), "commune");
  await check(page, "indicateurs-hub");
  await logout(page);
  await page.context().close();
});

test("advisers' activity: the operator by territory, a hub in its own", async () => {
  const { base, accounts } = app;
  const operator = accounts["Opérateur (administrateur)"];
  const hub = accounts["Hub territorial (agent)"];
  const page = await newPage(browser);
  await login(page, base, operator.email, operator.password);
  await page.goto(base + "/operateur/activite");
  await page.getByRole("heading", { name: "Activité des conseillers", level: 1 }).waitFor();
  await page.getByLabel("Territoire (facultatif)").fill("departement:35");
  await page.getByRole("button", { name: "Afficher" }).click();
  await page.waitForURL(/territoire=departement%3A35/);
  await page.getByRole("img", { name: /^Comptes rendus par thématique/ }).waitFor();
  await page.getByRole("table", { name: /lieux?, du plus actif/ }).waitFor();
  await check(page, "activite-operateur");
  await logout(page);

  await login(page, base, hub.email, hub.password);
  await page.goto(base + "/financeur/activite");
  await page.getByText(/^Votre territoire :/).waitFor();
  await page.getByRole("table", { name: /lieux?, du plus actif/ }).waitFor();
  await check(page, "activite-hub");
  await logout(page);
  await page.context().close();
});

test("open data: the page and its CSV, with no small count", async () => {
  const { base } = app;
  const page = await newPage(browser);
  await page.goto(base + "/donnees-ouvertes");
  await page.getByRole("heading", { level: 1, name: "Données ouvertes" }).waitFor();
  await check(page, "donnees-ouvertes");
  // The page says the threshold: "tout nombre de 1 à 4 est masqué".
  const hidden = Number((await page.getByText(/tout nombre de 1 à \d+ est masqué/).textContent()).match(/de 1 à (\d+)/)[1]);
  assert.ok(hidden >= 1, `counts hidden up to ${hidden}`);

  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "pass-numerique.csv" }).click()]);
  assert.equal(file.suggestedFilename(), "pass-numerique.csv");
  const text = readFileSync(await file.path(), "utf8");
  assert.ok(text.startsWith("\ufeff"), "CSV starts with a byte order mark");
  const [header, ...lines] = text.slice(1).split("\n").filter((l) => l !== "");
  const columns = header.split(";");
  assert.deepEqual(columns.slice(0, 4), ["month", "level", "departement", "commune"]);
  // A count column is one followed by its _suppressed flag.
  const counts = columns.filter((c) => columns.includes(`${c}_suppressed`));
  assert.ok(counts.length >= 1, `count columns in ${header}`);
  assert.ok(lines.length >= 1, "open data rows");
  let published = 0;
  for (const line of lines) {
    const cells = line.split(";");
    assert.equal(cells.length, columns.length, `cells of ${line}`);
    const row = Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
    for (const c of counts) {
      const suppressed = row[`${c}_suppressed`];
      assert.ok(suppressed === "true" || suppressed === "false", `${c}_suppressed in ${line}`);
      if (suppressed === "true") {
        assert.equal(row[c], "", `${c} suppressed but shown in ${line}`);
        continue;
      }
      assert.match(row[c], /^\d+$/, `${c} in ${line}`);
      const n = Number(row[c]);
      assert.ok(n === 0 || n > hidden, `${c} = ${n}, a small count, in ${line}`);
      if (n > 0) published++;
    }
  }
  assert.ok(published > 0, "some counts are published");
  await page.context().close();
});

test("indicators: the dashboard on a phone", async () => {
  const { base, accounts } = app;
  const operator = accounts["Opérateur (administrateur)"];
  const phone = await newPage(browser, { width: 390, height: 844 });
  await login(phone, base, operator.email, operator.password);
  for (const dim of ["programme", "commune"]) {
    await phone.goto(`${base}/operateur/indicateurs?dim=${dim}`);
    await phone.getByRole("heading", { name: /^Chiffres clés/ }).waitFor();
    await check(phone, `indicateurs-telephone-${dim}`);
    // The wide tables scroll in their own box; the page does not.
    const { page, viewport } = await phone.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    assert.ok(page <= viewport, `${dim}: the page is ${page}px wide in a ${viewport}px window`);
    const wide = await phone.locator(".table-wrap").evaluateAll((ws) => ws.filter((w) => w.scrollWidth > w.clientWidth).length);
    assert.ok(wide >= 1, `${dim}: a table scrolls in its box`);
  }
  await logout(phone);
  await phone.context().close();
});
