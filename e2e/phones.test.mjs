// Every page at a desk and on a phone: with the demo data set, a visitor
// without an account and every role the demo has walk their pages (the
// menu, then the links of each page, one page per route of routes.go) at
// 1280 px and at 390 px. On each: axe-core finds nothing serious or
// critical, the page never scrolls sideways as a whole (wide tables scroll
// in their own box), and the main menu holds on one line (on a phone, a
// compact menu). All failures are gathered into one report, so that one
// pass fixes them all; the walk also fails on a page route it never
// reached, so that a new page cannot escape it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemo, launchBrowser, newPage, check, login } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));

// The pages: every GET route of routes.go but files (exports, PDF), the
// answers for scripts, and pages the walk cannot reach by links, each
// with why.
const notPages = [
  /\.(csv|pdf|json|xml|xlsx)$/, /^\/communes$/, /\/etat$/, /^\/donnees-ouvertes\/\{file\}$/,
];
const unreachable = new Map([
  ["/mot-de-passe/nouveau", "needs the token of a reset mail (pages.test.mjs)"],
  ["/compte/invitation", "needs the token of an invitation mail (account-mail.test.mjs, both widths)"],
  ["/compte/confirmation", "needs the token of a confirmation mail (network.test.mjs)"],
  ["/operateur/travaux/{id}", "exists after issuing or activating (story.test.mjs)"],
  ["/candidature/envoyee", "shown after an application is sent (network.test.mjs)"],
  ["/prescripteur/carnets/{number}/recu", "shown after a hand-out (story.test.mjs)"],
  ["/prescripteur/carnets/{number}/atelier", "offered after a hand-out, and on a receipt with no workshop booked: the demo books the recent ones (booking.test.mjs, both widths)"],
  ["/operateur/demandes-rgpd/{id}", "the demo records no rights request (rights.test.mjs)"],
  ["/connexion/proconnect", "the demo has no OpenID provider set up: no button (proconnect.test.mjs, both widths)"],
  ["/connexion/proconnect/retour", "the provider's answer (proconnect.test.mjs)"],
  ["/compte/proconnect", "in the menu only with a provider set up (proconnect.test.mjs)"],
  ["/connexion/second-facteur", "for a session waiting for its second factor: the demo requires none (second-factor.test.mjs, both widths)"],
  ["/desabonnement/{token}", "needs the token of a message that can be turned off (mail.test.mjs, both widths)"],
  ["/lieu/encaissements/{id}/annuler", "offered for recent redemptions only, older than the demo's (story.test.mjs)"],
]);
const routes = [...readFileSync(join(here, "../internal/web/routes.go"), "utf8").matchAll(/\{"GET", "([^"]+)"/g)]
  .map((m) => m[1])
  .filter((p) => !notPages.some((re) => re.test(p)));
const patterns = routes.map((p) => ({
  path: p,
  re: new RegExp("^" + p.replace(/\{\$\}/, "").replace(/\{[^}]+\}/g, "[^/]+").replace(/[.]/g, "\\.") + "$"),
}));
// routeOf returns the route a local path belongs to, the most precise
// first (/operateur/lieux/import before /operateur/lieux/{id}).
// A file (an export beside a page of objects, /financeur/conventions/
// export.csv beside /financeur/conventions/{id}) is no page.
function routeOf(path) {
  if (notPages.some((re) => re.test(path))) return undefined;
  const hits = patterns.filter((p) => p.re.test(path));
  hits.sort((a, b) => (a.path.match(/\{/g) || []).length - (b.path.match(/\{/g) || []).length);
  return hits[0]?.path;
}

let app, browser;
before(async () => {
  app = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

// layout measures what a person sees of the page's width and of its menu.
async function layout(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
    // What sticks out: the elements past the right edge whose parents do
    // not, outside any box that scrolls or clips.
    const clipped = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o !== "visible") return true;
      }
      return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0 && getComputedStyle(el).position !== "absolute") continue;
      if (r.right <= width + 1 || clipped(el)) continue;
      const parent = el.parentElement.getBoundingClientRect();
      if (parent.right > width + 1 && !clipped(el.parentElement) && el.parentElement !== document.body) continue;
      out.push(`${name(el)} (right ${Math.round(r.right)}px)`);
    }
    const nav = document.querySelector('nav[aria-label="Menu principal"]');
    let lines = 0, items = [];
    if (nav) {
      items = [...nav.querySelectorAll("a, summary, button")].filter((el) => el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true }));
      lines = new Set(items.map((el) => Math.round(el.getBoundingClientRect().top / 8))).size;
    }
    return {
      width, scrollWidth: document.documentElement.scrollWidth, sticking: out.slice(0, 6),
      nav: !!nav, lines, items: items.map((el) => el.textContent.trim()),
    };
  });
}

// visit checks one page at one width, and returns what went wrong.
async function visit(page, url, name) {
  const failures = [];
  const resp = await page.goto(url);
  // 403: an agent follows a link to a page for the venue's administrators,
  // which says so; the page itself is checked like the others.
  if (!resp || (resp.status() >= 400 && resp.status() !== 403)) failures.push(`HTTP ${resp?.status()}`);
  try {
    await check(page, name);
  } catch (e) {
    failures.push(e.message.split(/\n\s*\n/)[0].replace(/\n/g, "\n    "));
  }
  page.problems.length = 0;
  const l = await layout(page);
  if (l.scrollWidth > l.width) failures.push(`the page scrolls sideways: ${l.scrollWidth}px in ${l.width}px; sticking out: ${l.sticking.join(", ")}`);
  if (l.nav && l.lines > 1) failures.push(`the menu takes ${l.lines} lines: ${l.items.join(" | ")}`);
  return failures;
}

// links returns the local links of the page, by path and query.
async function links(page, base) {
  const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.href));
  return hrefs.filter((h) => h.startsWith(base + "/")).map((h) => h.slice(base.length).split("#")[0]);
}

test("phones: every page of every role at 1280 and 390 px", async () => {
  const { base, accounts } = app;
  for (let i = 0; i < 50 && !/carnet n°\d+\)/.test(app.output); i++) await new Promise((r) => setTimeout(r, 100));
  const output = app.output;
  const beneficiary = output.match(/bénéficiaire (B-[0-9A-Z]{4}-[0-9A-Z]{4})/)?.[1];
  const carnet = output.match(/carnet n°(\d+)\)/)?.[1];
  assert.ok(beneficiary && carnet, "the demo names a beneficiary and a carnet");
  // Who walks, from where: the pages of the menu are added to these.
  const walkers = [
    { who: "visiteur", start: ["/", "/connexion", "/mot-de-passe-oublie", "/carnet", "/annuaire", "/candidature"] },
    { who: "Opérateur (administrateur)", start: ["/operateur", `/operateur/recherche?q=${beneficiary}`, `/operateur/carnets/${carnet}`, `/operateur/droits/${beneficiary}`, "/operateur/journal-consultations", "/structure", "/accessibilite"] },
    { who: "Financeur (administrateur)", start: ["/financeur"] },
    { who: "Hub territorial (agent)", start: ["/financeur"] },
    { who: "Prescripteur (agent)", start: ["/prescripteur", `/prescripteur/personnes/${beneficiary}`] },
    { who: "Lieu de médiation (agent)", start: ["/lieu"] },
    { who: "Lieu de médiation (administrateur)", start: ["/lieu", "/lieu/equipe", "/lieu/banque", "/lieu/candidature"] },
  ];
  const seen = new Set();
  const report = [];
  let visited = 0;
  for (const { who, start } of walkers) {
    const desk = await newPage(browser, { width: 1280, height: 900 });
    const phone = await newPage(browser, { width: 390, height: 844 });
    if (who !== "visiteur") {
      const account = accounts[who];
      assert.ok(account, `demo account ${who} in ${JSON.stringify(Object.keys(accounts))}`);
      await login(desk, base, account.email, account.password);
      await login(phone, base, account.email, account.password);
      const menu = await desk.getByRole("navigation", { name: "Menu principal" }).locator("a[href]")
        .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      assert.ok(menu.length > 0, `${who}: a menu`);
      start.push(...menu);
    }
    // A page per route: the first link found to it. The role's own
    // starting pages are always visited, since its header differs.
    const queue = [...new Set(start)];
    const mine = new Set();
    while (queue.length) {
      const url = queue.shift();
      const route = routeOf(url.split("?")[0]);
      if (!route || mine.has(route) || (seen.has(route) && !start.includes(url))) continue;
      mine.add(route);
      seen.add(route);
      const slug = `${who.split(" ")[0].toLowerCase()}-${url.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "accueil"}`.slice(0, 70);
      for (const [page, w] of [[desk, 1280], [phone, 390]]) {
        const failures = await visit(page, base + url, `telephones-${slug}-${w}`);
        visited++;
        for (const f of failures) report.push(`${who} ${url} at ${w}px: ${f}`);
        if (w === 1280) {
          for (const l of await links(page, base)) {
            const r = routeOf(l.split("?")[0]);
            if (r && !seen.has(r) && !mine.has(r) && !queue.some((q) => routeOf(q.split("?")[0]) === r)) queue.push(l);
          }
        }
      }
    }
    // At a desk: the operator's "Plus" opens from the keyboard and closes
    // with Escape, the focus back on it; a table box that does not scroll
    // is no stop for the Tab key, one that scrolls is.
    if (who.startsWith("Opérateur")) {
      try {
        await desk.goto(base + "/operateur");
        const more = desk.getByRole("navigation", { name: "Menu principal" }).locator("summary", { hasText: /^Plus/ });
        await more.focus();
        await desk.keyboard.press("Enter");
        const rgpd = desk.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Demandes RGPD" });
        await rgpd.waitFor({ timeout: 5000 });
        await desk.keyboard.press("Escape");
        await rgpd.waitFor({ state: "hidden", timeout: 5000 });
        if (!(await more.evaluate((el) => el === document.activeElement))) report.push(`${who}: Escape does not give the focus back to "Plus"`);
        const boxes = await desk.locator(".table-wrap").evaluateAll((bs) => bs.map((b) => ({ scrolls: b.scrollWidth > b.clientWidth, tab: b.getAttribute("tabindex") })));
        if (!boxes.length || boxes.some((b) => (b.tab === "0") !== b.scrolls)) report.push(`${who}: table boxes and Tab stops at 1280 px: ${JSON.stringify(boxes)}`);
        await phone.goto(base + "/operateur");
        const small = await phone.locator(".table-wrap").evaluateAll((bs) => bs.map((b) => ({ scrolls: b.scrollWidth > b.clientWidth, tab: b.getAttribute("tabindex") })));
        if (!small.some((b) => b.scrolls) || small.some((b) => (b.tab === "0") !== b.scrolls)) report.push(`${who}: table boxes and Tab stops at 390 px: ${JSON.stringify(small)}`);
      } catch (e) {
        report.push(`${who}: the desk menu "Plus": ${e.message.split("\n")[0]}`);
      }
      desk.problems.length = 0;
    }
    // On a phone the compact menu opens with the keyboard and leads to
    // its pages.
    if (who !== "visiteur") {
      try {
        const nav = phone.getByRole("navigation", { name: "Menu principal" });
        const opener = nav.locator("summary").filter({ visible: true });
        const items = await nav.locator("a[href]").filter({ visible: true }).count();
        if (items > 0 || (await opener.count()) !== 1) {
          report.push(`${who}: on a phone, ${items} menu links show before the menu is opened`);
        } else {
          await opener.focus();
          await phone.keyboard.press("Enter");
          const link = nav.locator("a[href]").filter({ visible: true }).last();
          await link.waitFor({ timeout: 5000 });
          const target = await link.getAttribute("href");
          await check(phone, `telephones-${who.split(" ")[0].toLowerCase()}-menu-ouvert-390`);
          await link.click();
          await phone.waitForURL((u) => u.pathname === target);
        }
      } catch (e) {
        report.push(`${who}: the menu on a phone: ${e.message.split("\n")[0]}`);
      }
      phone.problems.length = 0;
    }
    await desk.context().close();
    await phone.context().close();
  }
  const missed = routes.filter((r) => !seen.has(r) && !unreachable.has(r));
  if (missed.length) report.push(`pages never reached by the walk (add a starting point): ${missed.join(", ")}`);
  console.log(`${visited} page views checked`);
  assert.equal(report.length, 0, `${report.length} problems:\n${report.join("\n")}`);
});
