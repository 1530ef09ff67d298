// Chorus Pro's PRODUCTION leg (seed 004), by clicking, after enrolment_and_production.mjs made the
// production application: the integrator accepts the Structures API's PRODUCTION CGU and selects
// it for that application; « Tester l'API » calls /rechercher through the production channel
//  - with the Qualification technical account: refused by Chorus Pro (403, its body), since
//    nothing on PRODUCTION connects that account's structure to the application (WIRE-10);
//  - once the console declared the PRODUCTION raccordement naming the application and its
//    technical account: GCU_MSG_01_000.
import { nav, see } from "./harness.mjs";

// « Tester l'API »: a token for the application labelled `application`, then Chorus Pro's
// /rechercher with the cpro-account `header`. Shared with enrolment_and_production.mjs.
export async function callRechercher(page, application, header) {
  await nav(page, "Tester l'API");
  await page.getByLabel("Application", { exact: true }).selectOption({ label: application });
  await page.getByRole("button", { name: "Obtenir un jeton" }).click();
  await see(page, "Jeton obtenu");
  await page.getByLabel("API", { exact: true }).selectOption("cpro-structures");
  const route = page.getByLabel("Route");
  await route.locator("option", { hasText: "rechercher" }).first().waitFor({ state: "attached" });
  await route.selectOption(await route.locator("option", { hasText: "rechercher" }).first().getAttribute("value"));
  await page.getByLabel("En-têtes supplémentaires").fill(header);
  await page.getByLabel("Corps de la requête (JSON)").fill('{"parametres": {"nbResultatsParPage": 10}}');
  await page.getByRole("button", { name: "Appeler la route" }).click();
}

const kProduction = "raccordement-chorus-prod (PRODUCTION)";

// The console's Chorus Pro panel: declares the « raccordement PISTE » of structure `siret` on
// `environment` (QUALIFICATION or PRODUCTION) naming the PISTE application `application`.
// Shared with enrolment_and_production.mjs.
export async function declareRaccordement(operator, { siret, environment, application, contact }) {
  const raccordement = operator.locator("form").filter({ has: operator.getByRole("button", { name: "Déclarer le raccordement PISTE" }) });
  await raccordement.getByLabel("Structure (SIRET)").fill(siret);
  await raccordement.getByLabel("Environnement").selectOption(environment);
  await raccordement.getByLabel("Application PISTE (nom)").fill(application);
  await raccordement.getByLabel("Contact technique : nom").fill("NOM PRENOM CONTACT TECHNIQUE");
  await raccordement.getByLabel("Contact technique : adresse électronique").fill(contact);
  await raccordement.getByRole("button", { name: "Déclarer le raccordement PISTE" }).click();
  await see(operator, "Raccordement déclaré.");
}

export async function chorusProProduction({ base, operator, chorus, integrator, siret, qualificationHeader, shot, step }) {
  await nav(chorus, "Applications");
  await chorus.getByRole("link", { name: "CGU des API" }).click();
  await chorus.getByLabel("Accepter les CGU de AIFE - Chorus Pro - Structures (PRODUCTION)").check();
  await chorus.getByRole("button", { name: "Accepter les CGU cochées" }).click();
  await see(chorus, "CGU acceptées.");
  await nav(chorus, "Liste des API");
  await chorus.getByLabel("Rechercher une API").fill("Structures");
  await chorus.getByLabel("Environnement").selectOption("PRODUCTION");
  await chorus.getByRole("button", { name: "Rechercher" }).click();
  await chorus.getByRole("link", { name: "AIFE - Chorus Pro - Structures" }).first().click();
  await see(chorus, "Fiche de l'API");
  await chorus.getByRole("link", { name: "Sélectionner l'API" }).click();
  await chorus.getByLabel("Application").selectOption({ label: "raccordement-chorus-prod" });
  await chorus.getByRole("button", { name: "Sélectionner l'API" }).click();
  await see(chorus, "est sélectionnée pour l'application");

  // Refused: the Qualification account means nothing on the production channel.
  await callRechercher(chorus, kProduction, qualificationHeader);
  await chorus.locator('[data-status="403"]').waitFor();
  await see(chorus, '"codeRetour": 403');
  await shot(chorus, "portal-tester-api-chorus-pro-production-refus");

  // Chorus Pro's side on PRODUCTION: the raccordement naming the production application, then
  // the structure's production technical account.
  await operator.goto(base + "/console/#chorus-pro");
  await declareRaccordement(operator, { siret, environment: "PRODUCTION", application: "raccordement-chorus-prod", contact: integrator });
  const account = operator.locator("form").filter({ has: operator.getByRole("button", { name: "Créer le compte technique" }) });
  await account.getByLabel("Structure (SIRET)").fill(siret);
  await account.getByLabel("Environnement").selectOption("PRODUCTION");
  await account.getByLabel("Identifiant du compte technique").fill("TECH_CH_PROD@cpro.fr");
  await account.getByRole("button", { name: "Créer le compte technique" }).click();
  await see(operator, "Compte TECH_CH_PROD@cpro.fr créé.");
  const header = (await operator.locator("#cpro-account").textContent()).trim();
  await shot(operator, "console-chorus-pro-production");

  await callRechercher(chorus, kProduction, header);
  await chorus.locator('[data-status="200"]').waitFor();
  await see(chorus, "GCU_MSG_01_000");
  await shot(chorus, "portal-tester-api-chorus-pro-production");
  step("Chorus Pro on PRODUCTION: refused without its raccordement, then GCU_MSG_01_000");
}
