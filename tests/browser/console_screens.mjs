// The console's levers no other test clicks, each checked on the wire afterwards:
//  - Horloge et jetons: « Révoquer ses jetons » and « Faire expirer ses jetons » — the token that
//    got 200 gets 401 (invalid_token);
//  - Applications: a quota set from the form; what remains in the current window goes down with
//    the calls, then the call over it gets 429 (GW-5);
//  - Monde: the snapshot downloaded is the world file with an account registered just before; the
//    world reset then forgets that account (its session ends, its login fails, the operator's view
//    says 404).
// Runs last: the reset empties the world the other screens used.
import { readFileSync } from "node:fs";
import { pressWithKeyboard } from "./accessibility.mjs";
import { activateFromMailbox, login, nav, openConsole, register, see, watchedPage } from "./harness.mjs";
import { expect, wire } from "./wire.mjs";

const demoProduction = ["3e7b2c94-5a1d-4f86-b2c0-8d9e6f1a7b35", "a8c3e5f0-2d7b-4b19-9e64-7f1a0c2d8b53"];
const judilibre = "/cassation/judilibre/v1.0/healthcheck";

export async function consoleScreens({ browser, server, base, shot, problems, step }) {
  const { token, call, control } = wire(base, server.admin_token);
  const operator = await openConsole(browser, base, server, problems);
  const access = async () => (await token("PRODUCTION", ...demoProduction)).body.access_token;

  // --- Token buttons ---------------------------------------------------------------------------
  await operator.goto(base + "/console/#horloge");
  for (const button of ["Révoquer ses jetons", "Faire expirer ses jetons"]) {
    await operator.reload();  // no notice left from the previous button
    await see(operator, "Jetons vivants");
    const live = await access();
    expect((await call("PRODUCTION", judilibre, live)).status === 200, "a live token answers 200", button);
    await operator.getByLabel("Application (identifiant)").fill("demo-production");
    await pressWithKeyboard(operator, operator.getByRole("button", { name: button }));
    await see(operator, "jeton(s).");
    const refused = await call("PRODUCTION", judilibre, live);
    expect(refused.status === 401 && (refused.headers.get("www-authenticate") || "").includes("invalid_token"),
           `after « ${button} », the token gets 401 invalid_token`, `${refused.status} ${refused.headers.get("www-authenticate")}`);
  }
  await shot(operator, "console-horloge-jetons");
  step("console: tokens revoked, then expired: 401");

  // --- Quotas: what remains in the window ---------------------------------------------------
  await operator.goto(base + "/console/#applications");
  await operator.getByLabel("Application", { exact: true }).selectOption({ label: "demo-production-app (PRODUCTION)" });
  await operator.getByRole("heading", { name: "demo-production-app", level: 2 }).waitFor();
  await see(operator, "Accès aux API et quota restant");
  await operator.getByLabel("API (vide : l'application)").fill("judilibre");
  await operator.getByLabel("Limite").fill("3");
  await operator.getByLabel("Fenêtre").selectOption("1d");
  await operator.getByRole("button", { name: "Fixer le quota" }).click();
  const remaining = operator.getByRole("row").filter({ hasText: "Judilibre" }).locator(".remaining");
  await remaining.filter({ hasText: /^3$/ }).waitFor();
  const bearer = await access();
  for (let i = 0; i < 2; i += 1) expect((await call("PRODUCTION", judilibre, bearer)).status === 200, "a call within the quota", i);
  // The panel shown again (choosing the application) reads what remains now.
  await operator.getByLabel("Application", { exact: true }).selectOption({ label: "demo-production-app (PRODUCTION)" });
  await operator.getByLabel("Application", { exact: true }).dispatchEvent("change");
  await remaining.filter({ hasText: /^1$/ }).waitFor();
  await shot(operator, "console-applications-quota");
  expect((await call("PRODUCTION", judilibre, bearer)).status === 200, "the last call within the quota", "");
  const over = await call("PRODUCTION", judilibre, bearer);
  expect(over.status === 429, "the call over the quota gets 429", over.status);
  await operator.getByLabel("Application", { exact: true }).dispatchEvent("change");
  await remaining.filter({ hasText: /^0$/ }).waitFor();
  step("quota set from the console: remaining 3 → 1 → 0, then 429");

  // --- Snapshot, then world reset ---------------------------------------------------------------
  const email = "compte.ephemere@pistesim.test";
  const visitor = await watchedPage(await browser.newContext(), "visitor", problems);
  await visitor.goto(base + "/");
  await register(visitor, { name: "Compte Ephemere", email, password: "Ephemere-Piste-2026!" });
  await visitor.getByRole("button", { name: "Créer mon compte" }).click();
  await see(visitor, "Votre inscription a bien été prise en compte");
  await activateFromMailbox(operator, base, email);
  await login(visitor, email, "Ephemere-Piste-2026!");

  await operator.goto(base + "/console/#monde");
  const [download] = await Promise.all([
    operator.waitForEvent("download"),
    operator.getByRole("link", { name: "Télécharger l'instantané (world.toml)" }).click(),
  ]);
  const snapshot = readFileSync(await download.path(), "utf8");
  expect(download.suggestedFilename() === "pistesim-world.toml", "the snapshot's file name", download.suggestedFilename());
  expect(snapshot.includes("[world]") && snapshot.includes(email), "a world file naming the account just registered", snapshot.slice(0, 200));

  await pressWithKeyboard(operator, operator.getByRole("button", { name: "Réinitialiser le monde" }));  // confirm() accepted
  await see(operator, "Monde réinitialisé.");
  await shot(operator, "console-monde-reinitialise");
  const after = await control("GET", `/users/${encodeURIComponent(email)}`);
  expect(after.status === 404, "the account is gone after the reset", after);
  // The reset ended the session: the next screen asks for a login, which fails.
  await nav(visitor, "Mon profil");  // (the login left it on Applications)
  await visitor.getByRole("heading", { name: "Se connecter" }).waitFor();
  await visitor.getByLabel("Adresse électronique").fill(email);
  await visitor.getByLabel("Mot de passe").fill("Ephemere-Piste-2026!");
  await visitor.getByRole("button", { name: "Se connecter" }).click();
  await see(visitor, "Les identifiants ne correspondent pas");
  step("snapshot downloaded with the account; world reset: the account is gone");
}
