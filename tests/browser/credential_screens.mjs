// APPLICATIONS' credentials by clicking, each checked on the wire afterwards (as demo, whose
// APP_SANDBOX has Judilibre, an API that takes API keys):
//  - an API key created on the screen answers 200 in a KeyId header; disabled, 401 (WIRE-9);
//  - an OAuth ID added, its secret regenerated: the new secret is shown once (gone after a
//    reload), the old one gets invalid_client, the new one a token (APP-6, APP-7);
//  - a production application created then deleted: gone from the list, its credentials get
//    invalid_client and its live token 401.
import { pressWithKeyboard } from "./accessibility.mjs";
import { login, nav, see, watchedPage } from "./harness.mjs";
import { expect, wire } from "./wire.mjs";

const judilibre = "/cassation/judilibre/v1.0/healthcheck";

async function openApplication(page, name) {
  await nav(page, "Applications");
  await page.getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { name, level: 1 }).waitFor();
}

// « Consulter le secret » in the row of `clientId`: the secret shown.
async function consultSecret(page, clientId) {
  const row = page.getByRole("row").filter({ hasText: clientId });
  await row.getByRole("button", { name: "Consulter le secret" }).click();
  return (await row.locator("code.secret").textContent()).trim();
}

export async function credentialScreens({ browser, server, base, shot, problems, step }) {
  const { token, call } = wire(base, server.admin_token);
  const user = await watchedPage(await browser.newContext(), "credentials", problems);
  await user.goto(base + "/");
  await login(user, "demo@pistesim.test", "Demo-Piste-2024!");
  const sandbox = "APP_SANDBOX_demo@pistesim.test";

  // --- API key -------------------------------------------------------------------------------
  await openApplication(user, sandbox);
  await pressWithKeyboard(user, user.getByRole("button", { name: "Ajouter une clé d'API" }));
  await see(user, "Nouvelle clé :");
  const key = (await user.getByRole("status").filter({ hasText: "Nouvelle clé" }).locator("code").textContent()).trim();
  const withKey = await call("SANDBOX", judilibre, { KeyId: key });
  expect(withKey.status === 200, `Judilibre answers the new key ${key}`, `${withKey.status} ${withKey.text}`);
  await shot(user, "portal-application-cle-api");
  await user.getByRole("row").filter({ hasText: key }).getByRole("button", { name: "Désactiver", exact: true }).click();
  await user.getByRole("row").filter({ hasText: key }).getByRole("button", { name: "Activer", exact: true }).waitFor();
  const disabled = await call("SANDBOX", judilibre, { KeyId: key });
  expect(disabled.status === 401, "a disabled key gets 401", disabled.status);
  step("API key created (200), disabled (401)");

  // --- OAuth ID and its secret ---------------------------------------------------------------
  const before = await user.locator("table").filter({ hasText: "Clients OAuth" }).locator("tbody tr").count();
  await user.getByRole("button", { name: "Ajouter un identifiant OAuth" }).click();
  await see(user, "Identifiant OAuth ajouté.");
  const clients = user.locator("table").filter({ hasText: "Clients OAuth" }).locator("tbody tr");
  expect((await clients.count()) === before + 1, "one more OAuth ID listed", await clients.count());
  const clientId = (await clients.last().locator("code").first().textContent()).trim();
  const oldSecret = await consultSecret(user, clientId);
  expect((await token("SANDBOX", clientId, oldSecret)).status === 200, "the new OAuth ID gets a token", clientId);
  const row = user.getByRole("row").filter({ hasText: clientId });
  await pressWithKeyboard(user, row.getByRole("button", { name: "Régénérer le secret" }));
  await see(user, "Nouveau secret, affiché une seule fois");
  const newSecret = (await row.locator("code.secret").textContent()).trim();
  expect(newSecret && newSecret !== oldSecret, "a new secret", newSecret);
  await shot(user, "portal-application-nouveau-secret");
  const old = await token("SANDBOX", clientId, oldSecret);
  expect(old.status >= 400 && old.body.error === "invalid_client", "the old secret gets invalid_client", old);
  const renewed = await token("SANDBOX", clientId, newSecret);
  expect(renewed.status === 200, "the new secret gets a token", renewed);
  // Shown once: the screen opened again shows no secret until « Consulter le secret ».
  await user.reload();
  await user.getByRole("heading", { name: sandbox, level: 1 }).waitFor();
  expect((await user.locator("code.secret").count()) === 0 && !(await user.content()).includes(newSecret),
         "the new secret is no longer on the screen after a reload", "it is");
  step("OAuth ID added, secret regenerated: old refused, new accepted, shown once");

  // --- A production application, deleted -------------------------------------------------------
  const name = "application-a-supprimer";
  await nav(user, "Applications");
  await user.getByRole("link", { name: "Créer une application de production" }).click();
  await user.getByLabel("Organisation").selectOption({ label: "MTES" });
  await user.getByLabel("Nom de l'application").fill(name);
  await user.getByLabel("Adresse électronique de contact").fill("demo@pistesim.test");
  await user.getByLabel("Informations sur la structure").fill("11000201100044");
  await user.getByLabel("Responsable").fill("Démo PISTE");
  await user.getByRole("button", { name: "Créer l'application" }).click();
  await user.getByRole("heading", { name, level: 1 }).waitFor();
  const prodClient = (await user.locator("table").filter({ hasText: "Clients OAuth" }).locator("tbody tr code").first().textContent()).trim();
  const prodSecret = await consultSecret(user, prodClient);
  const live = await token("PRODUCTION", prodClient, prodSecret);
  expect(live.status === 200, "the production application gets a token", live);
  await user.getByRole("button", { name: "Supprimer l'application" }).click();  // confirm() accepted
  await user.getByRole("heading", { name: "Mes applications" }).waitFor();
  await see(user, sandbox);
  expect((await user.getByRole("link", { name, exact: true }).count()) === 0, "the deleted application is gone from the list", "listed");
  await shot(user, "portal-applications-apres-suppression");
  const gone = await token("PRODUCTION", prodClient, prodSecret);
  expect(gone.status >= 400 && gone.body.error === "invalid_client", "a deleted application's credentials get invalid_client", gone);
  const orphan = await call("PRODUCTION", judilibre, live.body.access_token);
  expect(orphan.status === 401, "a deleted application's token gets 401", orphan.status);
  step("production application created, deleted: credentials and token refused");
}
