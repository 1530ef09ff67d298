// ADMINISTRATION by clicking, each decision checked on the wire afterwards:
//  - an access REJECTION: the approver of Carte Achat refuses demo's pending request (a refusal
//    without a message is refused first, REQ-5); demo sees it refused with the message, and the
//    next token carries no Carte Achat scope, whose call answers 403 (REQ-6, WIRE-6);
//  - a REVOCATION with a motif: the PLAT'AU approver revokes demo-production-app's SNE-Cotation
//    access; the token that got 200 just before now gets 403 (REQ-7);
//  - user CREATION and DEACTIVATION by the MTES OrgAdmin: the created user logs in with the
//    temporary password e-mailed to them; once deactivated, their session ends and their login
//    is refused with PISTE's message (ADM-2, ACC-4).
import { pressWithKeyboard } from "./accessibility.mjs";
import { login, nav, see, watchedPage } from "./harness.mjs";
import { expect, wire } from "./wire.mjs";

const approverPassword = "Approb-Piste-2024!";
const demo = { email: "demo@pistesim.test", password: "Demo-Piste-2024!" };
// demo-sandbox's and demo-production's OAuth clients in the default world.
const demoSandbox = ["9c4a1f7e-3b2d-4e8a-9f61-5d7c2b8e4a10", "6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e86"];
const demoProduction = ["3e7b2c94-5a1d-4f86-b2c0-8d9e6f1a7b35", "a8c3e5f0-2d7b-4b19-9e64-7f1a0c2d8b53"];

async function adminTab(page, who, tab) {
  await login(page, who, who === "admin-mtes@pistesim.test" ? "Admin-Mtes-2024!" : approverPassword);
  await nav(page, "Administration");
  await page.getByRole("tab", { name: tab }).click();
  await page.getByRole("heading", { level: 2 }).first().waitFor();
}

export async function administrationScreens({ browser, server, base, shot, problems, step }) {
  const { token, call, control } = wire(base, server.admin_token);

  // --- Rejection --------------------------------------------------------------------------
  const approver = await watchedPage(await browser.newContext(), "approver", problems);
  await approver.goto(base + "/");
  await adminTab(approver, "approbateur.carteachat@pistesim.test", "Demandes d'accès");
  const row = approver.getByRole("row").filter({ hasText: "APP_SANDBOX_demo@pistesim.test" }).filter({ hasText: "Carte Achat" });
  await row.waitFor();
  await row.getByRole("button", { name: "Refuser" }).click();
  await approver.getByRole("alert").waitFor();  // the server's refusal: a rejection needs a motif
  const motif = "Le motif ne précise pas l'usage des relevés";
  await approver.getByLabel("Message au demandeur (obligatoire pour un refus)").fill(motif);
  await shot(approver, "portal-administration-refus");
  await pressWithKeyboard(approver, row.getByRole("button", { name: "Refuser" }));
  await see(approver, "1 demande(s) refusée(s).");
  await approver.getByLabel("Statut").selectOption("rejected");
  await approver.getByRole("row").filter({ hasText: "APP_SANDBOX_demo@pistesim.test" }).filter({ hasText: motif }).waitFor();

  const user = await watchedPage(await browser.newContext(), "demo", problems);
  await user.goto(base + "/");
  await login(user, demo.email, demo.password);
  await user.goto(base + "/#/demandes");
  await user.getByRole("row").filter({ hasText: "Carte Achat" }).filter({ hasText: motif }).getByText("refusée").waitFor();
  await shot(user, "portal-mes-demandes-refusee");
  const afterRejection = await token("SANDBOX", ...demoSandbox);
  expect(afterRejection.status === 200 && !afterRejection.body.scope.includes("chorus.carteachat"),
         "after the rejection, a token without Carte Achat's scope", afterRejection);
  const cartes = await call("SANDBOX", "/chorus/v1/carteachat/cartes", afterRejection.body.access_token);
  expect(cartes.status === 403 && cartes.text === "", "after the rejection, Carte Achat answers 403 with an empty body", `${cartes.status} ${cartes.text}`);
  step("access request rejected: no scope, 403");

  // --- Revocation with a motif -----------------------------------------------------------------
  const production = await token("PRODUCTION", ...demoProduction);
  const healthcheck = "/mtes/sne-cotation/v1.0/healthcheck";
  const before = await call("PRODUCTION", healthcheck, production.body.access_token);
  expect(before.status === 200, "SNE-Cotation answers demo-production-app before the revocation", before.status);
  const platau = await watchedPage(await browser.newContext(), "platau", problems);
  await platau.goto(base + "/");
  await adminTab(platau, "api-platau-administration@developpement-durable.gouv.fr", "Accès accordés");
  await platau.getByLabel("Révoquer demo-production-app sur SNE-Cotation site-ecole").check();
  await platau.getByLabel("Motif de la révocation").fill("Fin de l'expérimentation");
  await shot(platau, "portal-administration-revocation");
  await pressWithKeyboard(platau, platau.getByRole("button", { name: "Révoquer la sélection" }));
  await see(platau, "Accès révoqués");
  if (await platau.getByLabel("Révoquer demo-production-app sur SNE-Cotation site-ecole").count())
    throw new Error("the revoked access is still listed as granted");
  const after = await call("PRODUCTION", healthcheck, production.body.access_token);
  expect(after.status === 403, "the same token gets 403 once the access is revoked", after.status);
  const revokedMail = await control("GET", `/mail?to=${encodeURIComponent(demo.email)}&kind=access_revoked`);
  expect(JSON.stringify(revokedMail).includes("Fin de l'expérimentation"), "the owner is told the motif", revokedMail);
  step("access revoked with a motif: 403");

  // --- An OrgAdmin creates a user, then deactivates them ----------------------------------------
  const created = "nouvelle.developpeuse@pistesim.test";
  const orgadmin = await watchedPage(await browser.newContext(), "orgadmin", problems);
  await orgadmin.goto(base + "/");
  await adminTab(orgadmin, "admin-mtes@pistesim.test", "Utilisateurs");
  const form = orgadmin.locator("form").filter({ has: orgadmin.getByRole("button", { name: /Créer l'utilisateur/ }) });
  await form.getByLabel("Adresse électronique").fill(created);
  await form.getByLabel("Nom").fill("Nouvelle Développeuse");
  await form.getByLabel("Organisation (identifiant)").fill("mtes");
  await form.getByLabel("Rôle").selectOption("developer");
  await pressWithKeyboard(orgadmin, form.getByRole("button", { name: /Créer l'utilisateur/ }));
  await see(orgadmin, `Compte créé pour ${created}`);
  await orgadmin.getByRole("cell", { name: created }).first().waitFor();
  await shot(orgadmin, "portal-administration-utilisateurs");

  const mails = await control("GET", `/mail?to=${encodeURIComponent(created)}`);
  const temporary = JSON.stringify(mails).match(/mot de passe temporaire est : ([^\s\\]+)/)?.[1];
  expect(temporary, "the created user's e-mail with a temporary password", mails);
  const newcomer = await watchedPage(await browser.newContext(), "newcomer", problems);
  await newcomer.goto(base + "/");
  await login(newcomer, created, temporary);
  await shot(newcomer, "portal-cgu-piste");  // a new account's first login
  await newcomer.getByRole("button", { name: "J'accepte les CGU" }).click();
  await see(newcomer, "Votre mot de passe est temporaire");

  const createdRow = orgadmin.getByRole("row").filter({ hasText: created });
  await createdRow.getByRole("button", { name: "Désactiver", exact: true }).click();
  await orgadmin.getByRole("row").filter({ hasText: created }).getByRole("button", { name: "Activer", exact: true }).waitFor();
  // Deactivation ends their session: the next screen asks them to log in, and the login fails.
  await nav(newcomer, "Applications");
  await newcomer.getByRole("heading", { name: "Se connecter" }).waitFor();
  await newcomer.getByLabel("Adresse électronique").fill(created);
  await newcomer.getByLabel("Mot de passe").fill(temporary);
  await newcomer.getByRole("button", { name: "Se connecter" }).click();
  await see(newcomer, "Les identifiants ne correspondent pas, ou vous ne disposez pas d'un compte actif.");
  await shot(newcomer, "portal-connexion-compte-desactive");
  step("user created by the OrgAdmin, logged in, deactivated, login refused");
  return { user };
}
