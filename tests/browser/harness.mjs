// What the browser journeys share: a `pistesim serve` on a free port, Debian's chromium through
// playwright-core, and pages that fail the run on a script error or on any 4xx/5xx load of a page,
// script, style sheet or image (an API refusal the screen shows is judged by the journey itself).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { accessibilityProblems } from "./accessibility.mjs";

const here = dirname(fileURLToPath(import.meta.url));

export function fail(message) {
  console.error(`${process.argv[1]?.split("/").pop() || "browser test"}: ${message}`);
  process.exit(1);
}

export async function loadPlaywright() {
  if (!existsSync(join(here, "node_modules/playwright-core")))
    fail(`${here}/node_modules lacks playwright-core; run scripts/install-deps.sh ` +
         "(it installs the packages of tests/browser/package.json)");
  return import("playwright-core");
}

export function chromiumPath() {
  for (const candidate of [process.env.PISTESIM_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"])
    if (candidate && existsSync(candidate)) return candidate;
  fail("no chromium (apt-get install chromium, or set PISTESIM_CHROMIUM)");
}

// Starts `pistesim serve` on a free port; resolves with its info file ({base_url, admin_token…}).
export async function serve(pistesim) {
  const dir = mkdtempSync(join(tmpdir(), "pistesim-browser-"));
  const info = join(dir, "info.json");
  let output = "";
  const child = spawn(pistesim, ["serve", "--port", "0", "--quiet", "--info-file", info],
                      { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  process.on("exit", () => {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });
  for (let waited = 0; waited < 20000; waited += 50) {
    if (existsSync(info)) {
      try {
        return JSON.parse(readFileSync(info, "utf8"));
      } catch {
        // Being written: read it again.
      }
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`pistesim serve did not start:\n${output}`);
}

const watchedTypes = new Set(["document", "script", "stylesheet", "image", "font"]);

// A page of `context` that records what must fail the run.
export async function watchedPage(context, name, problems) {
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  page.on("pageerror", (error) => problems.push(`${name}: script error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400 && watchedTypes.has(response.request().resourceType()))
      problems.push(`${name}: ${response.status()} loading ${response.url()}`);
  });
  // confirm() before a destructive action: the journeys mean it.
  page.on("dialog", (dialog) => dialog.accept());
  return page;
}

// Screenshots, numbered in the order taken, for the CI artefacts and the README. Each screen
// shot is also checked for accessibility (accessibility.mjs); what it finds goes to `problems`.
export function screenshotter(dir, problems, prefix = "") {
  mkdirSync(dir, { recursive: true });
  // A previous run's screens would mix with this one's (numbers shift when a screen is added).
  const ours = new RegExp(`^${prefix}\\d{2}-.*\\.png$`);
  for (const file of readdirSync(dir)) if (ours.test(file)) rmSync(join(dir, file));
  let n = 0;
  return async (page, name) => {
    n += 1;
    const file = join(dir, `${prefix}${String(n).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (problems && name !== "failure") problems.push(...(await accessibilityProblems(page, name)));
    return file;
  };
}

// A browser test's frame: `pistesim serve`, chromium, the screenshots; runs `body` with them and
// exits 0 only if nothing went wrong (an exception, a watched page's error, an accessibility fault).
// Usage of the test: node TEST.mjs PATH/TO/pistesim SCREENSHOT_DIR [FILE_NAME_PREFIX]
export async function runBrowserTest(title, body) {
  const [pistesim, screenshots, prefix = ""] = process.argv.slice(2);
  if (!pistesim || !screenshots) fail(`usage: node ${title}.mjs PATH/TO/pistesim SCREENSHOT_DIR`);
  const started = Date.now();
  const { chromium } = await loadPlaywright();
  const server = await serve(pistesim);
  const problems = [];
  const shot = screenshotter(screenshots, problems, prefix);
  const step = (what) => console.log(`${title}: ${((Date.now() - started) / 1000).toFixed(1)} s — ${what}`);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
  try {
    await body({ browser, server, base: server.base_url, shot, problems, step });
  } catch (error) {
    problems.push(error.stack || String(error));
    // What the screens showed when it failed.
    for (const context of browser.contexts())
      for (const page of context.pages()) await shot(page, "failure").catch(() => {});
  } finally {
    await browser.close();
  }
  if (problems.length) fail(`\n  ${problems.join("\n  ")}`);
  console.log(`${title}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${screenshots}`);
  process.exit(0);
}

// Steps every journey takes, on `page`s made by watchedPage().
export const see = (page, text) => page.getByText(text).first().waitFor();
export const nav = (page, name) => page.getByRole("navigation").getByRole("link", { name, exact: true }).click();

export async function login(page, who, secret) {
  await nav(page, "Se connecter");
  await page.getByLabel("Adresse électronique").fill(who);
  await page.getByLabel("Mot de passe").fill(secret);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await see(page, `Connecté : ${who}`);
}

// « Créer un compte » with the captcha and the CGU ticked; the form's answer is checked.
export async function register(page, { name, email, password, code = "" }) {
  await nav(page, "Créer un compte");
  await page.getByLabel("Nom", { exact: true }).fill(name);
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByLabel("Confirmation du mot de passe").fill(password);
  if (code) await page.getByLabel("Code organisation (facultatif)").fill(code);
  await page.getByLabel("Recevoir les informations de PISTE").check();
  await page.getByLabel("J'accepte les conditions générales d'utilisation de PISTE").check();
  await page.getByLabel(/Captcha/).fill("PISTE");
}

// The console, logged in with the admin token, in a page of its own.
export async function openConsole(browser, base, server, problems) {
  const operator = await watchedPage(await browser.newContext(), "console", problems);
  await operator.goto(base + "/console/");
  await operator.getByLabel("Jeton d'administration").fill(server.admin_token);
  await operator.getByRole("button", { name: "Ouvrir la console" }).click();
  await see(operator, "Boîte de réception");
  return operator;
}

// In the console (logged in): opens the newest activation e-mail to `email` and follows its link.
export async function activateFromMailbox(console, base, email) {
  await console.goto(base + "/console/#boite");
  await console.getByLabel("Destinataire").fill(email);
  await console.getByRole("button", { name: "Filtrer" }).click();
  // The row of that recipient (the list shown before the filter applies may be another's).
  const row = console.getByRole("row").filter({ hasText: email }).filter({ hasText: "Demande d'inscription PISTE" });
  await row.first().getByRole("button").click();
  await see(console, "Pour confirmer votre courriel");
  await console.getByRole("link", { name: "Activer votre compte" }).click();
  await see(console, "Votre compte est activé");
}

// Searches the catalogue and opens the sheet whose link is `name` (the first channel listed).
export async function openSheet(page, query, name) {
  await nav(page, "Liste des API");
  await page.getByLabel("Rechercher une API").fill(query);
  await page.getByRole("button", { name: "Rechercher" }).click();
  await page.getByRole("link", { name }).first().click();
  await see(page, "Fiche de l'API");
}
