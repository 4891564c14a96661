// Sign-in with ProConnect (OpenID Connect), against the test provider of
// internal/oidctest built and started here: the button of the login page,
// the provider's form, the account found by its e-mail and linked, the
// account page of the link, logout at the provider too, the page of an
// e-mail that has no account, and the link removed. Each of passnum's
// pages checked with axe-core at 1280 and 390 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPassnum, launchBrowser, newPage, check, freePort } from "./lib.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const operator = { email: "olivia.martin@operateur.example.fr", password: "une phrase de passe solide" };
const clientSecret = "secret-client-des-essais-navigateur-0123456789";

let app, browser, provider, dir;

// startProvider builds and serves the test provider for passnum at base.
async function startProvider(base) {
  dir = mkdtempSync(join(tmpdir(), "passnum-e2e-oidc-"));
  const bin = join(dir, "testprovider");
  execFileSync("go", ["build", "-o", bin, "./internal/oidctest/testprovider"], { cwd: root, stdio: "inherit" });
  const port = await freePort();
  const proc = spawn(bin, ["--addr", `127.0.0.1:${port}`, "--client-id", "passnum-e2e",
    "--redirect-url", base + "/connexion/proconnect/retour", "--post-logout-url", base + "/connexion"],
  { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TEST_PROVIDER_CLIENT_SECRET: clientSecret } });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; });
  const issuer = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("the test provider did not start:\n" + out + log)), 60000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/ready at (\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`the test provider exited with ${code}:\n${out}${log}`)));
  });
  return {
    issuer,
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    },
  };
}

before(async () => {
  const port = await freePort();
  provider = await startProvider(`http://127.0.0.1:${port}`);
  app = await startPassnum({
    operatorEmail: operator.email, operatorPassword: operator.password, port,
    env: { PASSNUM_OIDC_ISSUER: provider.issuer, PASSNUM_OIDC_CLIENT_ID: "passnum-e2e", PASSNUM_OIDC_CLIENT_SECRET: clientSecret },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await provider?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// signIn goes through the provider's form with email.
async function signIn(page, email) {
  await page.goto(app.base + "/connexion");
  await page.getByRole("link", { name: "S'identifier avec ProConnect" }).click();
  await page.waitForURL(provider.issuer + "/**");
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(app.base + "/**");
  await page.waitForLoadState("networkidle");
}

test("ProConnect: sign-in, the link, logout at the provider, an unknown e-mail", async () => {
  for (const width of [1280, 390]) {
    const page = await newPage(browser, { width });
    await page.goto(app.base + "/connexion");
    await page.getByRole("heading", { level: 2, name: "Agent public : avec ProConnect" }).waitFor();
    await page.getByRole("link", { name: "Qu'est-ce que ProConnect ?" }).waitFor();
    await check(page, `proconnect-login-${width}`);

    // The account the administrator created is found by its e-mail.
    await signIn(page, operator.email.toUpperCase());
    assert.match(page.url(), /\/operateur$/, `after sign-in at ${width} px`);
    await page.getByText("Olivia Martin").first().waitFor();

    await page.getByRole("link", { name: "Connexion ProConnect", exact: true }).click();
    await page.waitForURL(/\/compte\/proconnect$/);
    await page.getByRole("heading", { level: 1, name: "Connexion avec ProConnect" }).waitFor();
    const links = page.getByRole("table", { name: "Identités ProConnect reliées à votre compte" });
    await links.getByRole("rowheader", { name: operator.email }).waitFor();
    await check(page, `proconnect-links-${width}`);

    // Logout goes through the provider, which sends the person back.
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(/\/connexion\?state=/);
    await page.getByText("Vous êtes déconnecté").waitFor();
    await check(page, `proconnect-logged-out-${width}`);

    // An e-mail without an account: a clear page, nobody signed in.
    await signIn(page, `inconnu-${width}@mairie.example.fr`);
    await page.getByRole("heading", { level: 1, name: "Aucun compte pour cette adresse" }).waitFor();
    await page.getByText("Demandez à l'administrateur de votre structure de vous inviter").waitFor();
    assert.equal(await page.getByRole("button", { name: "Se déconnecter" }).count(), 0);
    await check(page, `proconnect-unknown-${width}`);
    await page.close();
  }

  // The link, removed by its person: the page says so.
  const page = await newPage(browser, { width: 1280 });
  await signIn(page, operator.email);
  await page.goto(app.base + "/compte/proconnect");
  await page.getByRole("button", { name: /^Retirer la liaison/ }).click();
  await page.waitForURL(/\/compte\/proconnect$/);
  await page.getByText("La liaison avec ProConnect est retirée").waitFor();
  await page.getByText("Votre compte n'est relié à aucune identité ProConnect.").waitFor();
  await check(page, "proconnect-unlinked-1280");
  await page.close();
});
