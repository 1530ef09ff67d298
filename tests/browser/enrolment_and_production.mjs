// The other two seed journeys, by clicking:
//  - SI SIAO (seed 002): a partner registers without an organisation; SISIAO is not in their
//    catalogue; the SERVICE-DIHAL OrgAdmin enrols them in ADMINISTRATION (per-user, per-channel
//    result); their APP_DIHAL applications appear, SISIAO shows; its request is refused until
//    they accept its CGU (002 §5), then sent.
//  - Chorus Pro (seeds 003/004): an integrator (organisation Universelle) accepts the Structures
//    API's CGU and selects the API for APP_SANDBOX; the console declares the raccordement and the
//    technical account on Chorus Pro's side; « Tester l'API » calls /rechercher with the
//    cpro-account header; then a production application, its secret regenerated (shown once),
//    which chorus_pro_production.mjs takes on.
import { callRechercher, declareRaccordement } from "./chorus_pro_production.mjs";
import { activateFromMailbox, login, nav, openSheet, register, see, watchedPage } from "./harness.mjs";

const password = "Journey-Piste-2026!";

export async function enrolmentAndProduction({ browser, base, operator, shot, problems, step }) {
  // --- SI SIAO --------------------------------------------------------------------------------
  const partner = "partenaire.siao@pistesim.test";
  const user = await watchedPage(await browser.newContext(), "partner", problems);
  await user.goto(base + "/");
  await register(user, { name: "Partenaire SIAO", email: partner, password });
  await user.getByRole("button", { name: "Créer mon compte" }).click();
  await see(user, "Votre inscription a bien été prise en compte");
  await activateFromMailbox(operator, base, partner);
  await login(user, partner, password);
  await nav(user, "Liste des API");
  await user.getByLabel("Rechercher une API").fill("SISIAO");
  await user.getByRole("button", { name: "Rechercher" }).click();
  await see(user, "0 résultat(s)");

  const orgadmin = await watchedPage(await browser.newContext(), "orgadmin", problems);
  await orgadmin.goto(base + "/");
  await login(orgadmin, "api.externe.sisiao@dihal.gouv.fr", "Approb-Piste-2024!");
  await nav(orgadmin, "Administration");
  await orgadmin.getByRole("tab", { name: "Enrôlement" }).click();
  await orgadmin.getByLabel("Organisation (identifiant)").fill("service-dihal");
  await orgadmin.getByLabel(/Adresses électroniques/).fill(partner);
  await orgadmin.getByRole("button", { name: "Enrôler" }).click();
  await see(orgadmin, "Résultat de l'ajout des utilisateurs à l'organisation \"SERVICE-DIHAL\"");
  await see(orgadmin, "SANDBOX: L'utilisateur a été ajouté avec succès.");
  await shot(orgadmin, "portal-administration-enrolement");
  await orgadmin.getByRole("tab", { name: "Utilisateurs" }).click();
  await orgadmin.getByRole("cell", { name: partner }).first().waitFor();

  await nav(user, "Applications");
  await see(user, `APP_DIHAL_SBX_${partner}`);
  await see(user, `APP_DIHAL_PROD_${partner}`);
  const requestAccess = async () => {
    await openSheet(user, "SISIAO", "SISIAO - API MENAGE");
    await user.getByRole("link", { name: "Demander l'accès" }).click();
    await user.getByLabel("Application").selectOption({ label: `APP_DIHAL_SBX_${partner}` });
    await user.getByLabel("Motif de la demande").fill("Suivi des ménages hébergés par notre association");
    await user.getByRole("button", { name: "Envoyer la demande" }).click();
  };
  // 002 §5: the API's CGU come first; the form says so in PISTE's words.
  await requestAccess();
  await see(user, "nécessite de prendre connaissance puis de valider les CGU particulières");
  await nav(user, "Applications");
  await user.getByRole("link", { name: "CGU des API" }).click();
  await user.getByLabel("Accepter les CGU de SISIAO - API MENAGE (SANDBOX)").check();
  await user.getByRole("button", { name: "Accepter les CGU cochées" }).click();
  await see(user, "CGU acceptées.");
  await requestAccess();
  await see(user, "Demande envoyée : en attente.");
  await user.getByRole("link", { name: "Suivre mes demandes" }).click();
  await see(user, "SISIAO - API MENAGE");
  await shot(user, "portal-mes-demandes");
  step("SI SIAO: enrolled, access requested");

  // --- Chorus Pro: CGU, selection, production application ----------------------------------
  const integrator = "integrateur.chorus@pistesim.test";
  const chorus = await watchedPage(await browser.newContext(), "integrator", problems);
  await chorus.goto(base + "/");
  await register(chorus, { name: "Intégrateur Chorus", email: integrator, password });
  await chorus.getByRole("button", { name: "Créer mon compte" }).click();
  await see(chorus, "Votre inscription a bien été prise en compte");
  await activateFromMailbox(operator, base, integrator);
  await login(chorus, integrator, password);
  await chorus.getByRole("link", { name: "CGU des API" }).click();
  await chorus.getByLabel("Accepter les CGU de AIFE - Chorus Pro - Structures (SANDBOX)").check();
  await chorus.getByRole("button", { name: "Accepter les CGU cochées" }).click();
  await see(chorus, "CGU acceptées.");
  await openSheet(chorus, "Structures", "AIFE - Chorus Pro - Structures");
  await chorus.getByRole("link", { name: "Sélectionner l'API" }).click();
  await chorus.getByRole("button", { name: "Sélectionner l'API" }).click();
  await see(chorus, "est sélectionnée pour l'application");

  // Chorus Pro's side, in the console: the structure, its raccordement naming APP_SANDBOX, then
  // its technical account; the call then goes through with the cpro-account header.
  const siret = "26200750000115";
  await operator.goto(base + "/console/#chorus-pro");
  await operator.getByLabel("SIRET", { exact: true }).fill(siret);
  await operator.getByLabel("Raison sociale").fill("CENTRE HOSPITALIER DE DEMONSTRATION");
  await operator.getByRole("button", { name: "Créer la structure" }).click();
  await see(operator, "Structure créée.");
  await declareRaccordement(operator, { siret, environment: "QUALIFICATION", application: `APP_SANDBOX_${integrator}`, contact: integrator });
  const account = operator.locator("form").filter({ has: operator.getByRole("button", { name: "Créer le compte technique" }) });
  await account.getByLabel("Structure (SIRET)").fill(siret);
  await account.getByLabel("Identifiant du compte technique").fill("TECH_CH_QUALIF@cpro.fr");
  await account.getByLabel("Mot de passe (vide : généré)").fill("Qualif-Chorus-2024!");
  await account.getByRole("button", { name: "Créer le compte technique" }).click();
  const header = (await operator.locator("#cpro-account").textContent()).trim();
  await shot(operator, "console-chorus-pro");

  await callRechercher(chorus, `APP_SANDBOX_${integrator} (SANDBOX)`, header);
  await see(chorus, "GCU_MSG_01_000");
  await shot(chorus, "portal-tester-api-chorus-pro");
  step("Chorus Pro: raccordement and technical account, call on Qualification");

  await nav(chorus, "Applications");
  await chorus.getByRole("link", { name: "Créer une application de production" }).click();
  await chorus.getByLabel("Organisation").selectOption({ label: "Universelle" });
  await chorus.getByLabel("Nom de l'application").fill("raccordement-chorus-prod");
  await chorus.getByLabel("Adresse électronique de contact").fill(integrator);
  await chorus.getByLabel("Informations sur la structure").fill("13001070900025");
  await chorus.getByLabel("Responsable").fill("Intégrateur Chorus");
  await shot(chorus, "portal-nouvelle-application");
  await chorus.getByRole("button", { name: "Créer l'application" }).click();
  await chorus.getByRole("heading", { name: "raccordement-chorus-prod" }).waitFor();
  await see(chorus, "PRODUCTION");
  await chorus.getByRole("button", { name: "Régénérer le secret" }).click();
  await see(chorus, "Nouveau secret, affiché une seule fois");
  await shot(chorus, "portal-application-production");
  step("Chorus Pro: API selected, production application created");
  return { chorus, integrator, siret, qualificationHeader: header };
}
