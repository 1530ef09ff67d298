// CTest browser.journeys: the portal and the console walked by clicking in Debian's chromium.
//  1. SNE-Cotation (seed 001): register → open the activation e-mail in the console's mailbox and
//     follow its link → log in → the API CGU page → request access → the PLAT'AU approver approves
//     in ADMINISTRATION → « Tester l'API » gets ERRAUTUSR0001, then OK once the console gives the
//     application its business profile.
//  2. The console: arm a fault and see it hit in the journal's tail, advance the clock and see the
//     token expire; then the password reset by e-mail.
//  3. SI SIAO (seed 002) and Chorus Pro on Qualification (seed 003): enrolment_and_production.mjs;
//     Chorus Pro on PRODUCTION (seed 004): chorus_pro_production.mjs.
// Every screen shot is checked for accessibility (accessibility.mjs).
// Usage: node tests/browser/journeys_test.mjs PATH/TO/pistesim SCREENSHOT_DIR
import { chorusProProduction } from "./chorus_pro_production.mjs";
import { enrolmentAndProduction } from "./enrolment_and_production.mjs";
import { activateFromMailbox, fail, login, nav, openSheet, register, runBrowserTest, see, watchedPage } from "./harness.mjs";

const email = "mon_application_demo@example.com";
const password = "Journey-Piste-2026!";
const approver = "api-platau-administration@developpement-durable.gouv.fr";
const approverPassword = "Approb-Piste-2024!";

await runBrowserTest("browser.journeys", async ({ browser, server, base, shot, problems, step }) => {
  // --- The visitor: home, catalogue, API sheet, registration ---------------------------------
  const user = await watchedPage(await browser.newContext(), "user", problems);
  await user.goto(base + "/");
  await see(user, "Bienvenue sur PISTE");
  await shot(user, "portal-accueil");
  await nav(user, "Liste des API");
  await user.getByRole("heading", { name: "Liste des API" }).waitFor();
  await shot(user, "portal-liste-des-api");
  await openSheet(user, "cotation", "SNE-Cotation site-ecole");
  await see(user, "Documentation (Swagger généré)");
  await see(user, "/healthcheck");
  await shot(user, "portal-fiche-api");
  step("catalogue and API sheet");

  await register(user, { name: "Mon_application_demo", email, password: "court", code: "984b19" });
  if ((await user.locator("ul.rules li.met").count()) !== 1) fail("the password rules are not ticked as the user types");
  await user.getByLabel("Mot de passe", { exact: true }).fill(password);
  if ((await user.locator("ul.rules li.met").count()) !== 5) fail("a compliant password does not tick the five rules");
  await user.getByLabel("Confirmation du mot de passe").fill(password);
  await shot(user, "portal-creer-un-compte");
  await user.getByRole("button", { name: "Créer mon compte" }).click();
  await see(user, "Votre inscription a bien été prise en compte");
  step("registered");

  // --- The console: the activation e-mail and its link --------------------------------------
  const operator = await watchedPage(await browser.newContext(), "console", problems);
  await operator.goto(base + "/console/");
  await operator.getByLabel("Jeton d'administration").fill(server.admin_token);
  await shot(operator, "console-connexion");
  await operator.getByRole("button", { name: "Ouvrir la console" }).click();
  await see(operator, "Boîte de réception");
  await operator.getByLabel("Destinataire").fill(email);
  await operator.getByRole("button", { name: "Filtrer" }).click();
  await operator.getByRole("row").filter({ hasText: email }).getByRole("button", { name: /Demande d'inscription PISTE/ }).click();
  await see(operator, "Pour confirmer votre courriel");
  await shot(operator, "console-boite-de-reception");
  await activateFromMailbox(operator, base, email);
  await shot(operator, "page-compte-active");  // the page the e-mail's link opens
  step("activated from the e-mail");

  // --- The user: login, API CGU, access request ------------------------------------------------
  await login(user, email, password);
  await see(user, "Mes applications");
  // The session is an HttpOnly, SameSite=Strict cookie: out of the page's scripts' reach.
  const cookie = (await user.context().cookies()).find((c) => c.name === "pistesim_session");
  if (!cookie || !cookie.httpOnly || cookie.sameSite !== "Strict") fail(`session cookie: ${JSON.stringify(cookie)}`);
  if ((await user.evaluate(() => document.cookie)).includes("pistesim_session")) fail("the page's script can read the session cookie");
  await see(user, `APP_SANDBOX_${email}`);
  await shot(user, "portal-applications");
  await user.getByRole("link", { name: "CGU des API" }).click();
  await see(user, "Conditions générales d'utilisation des API");
  const boxes = user.locator("input[name=accept]");
  if ((await boxes.count()) > 0) {
    await boxes.first().check();
    await user.getByRole("button", { name: "Accepter les CGU cochées" }).click();
    await see(user, "CGU acceptées.");
  }
  await shot(user, "portal-cgu-api");
  await nav(user, "Applications");
  await user.getByRole("link", { name: `APP_SANDBOX_${email}` }).click();
  await see(user, "Identifiants OAuth");
  await user.getByRole("button", { name: "Consulter le secret" }).click();
  await user.locator("code.secret").waitFor();
  await shot(user, "portal-application");

  await openSheet(user, "cotation", "SNE-Cotation site-ecole");
  await user.getByRole("link", { name: "Demander l'accès" }).click();
  await user.getByLabel("Motif de la demande").fill("Cotation des demandes de logement social (site école)");
  await shot(user, "portal-demande-acces");
  await user.getByRole("button", { name: "Envoyer la demande" }).click();
  await see(user, "Demande envoyée : en attente.");
  step("access requested");

  // --- The PLAT'AU approver approves in ADMINISTRATION ----------------------------------------
  const approverPage = await watchedPage(await browser.newContext(), "approver", problems);
  await approverPage.goto(base + "/");
  await login(approverPage, approver, approverPassword);
  await nav(approverPage, "Administration");
  await approverPage.getByRole("tab", { name: "Demandes d'accès" }).click();
  const row = approverPage.getByRole("row").filter({ hasText: `APP_SANDBOX_${email}` });
  await row.waitFor();
  await approverPage.getByLabel("Message au demandeur (obligatoire pour un refus)").fill("Accès accordé");
  await shot(approverPage, "portal-administration-demandes");
  await row.getByRole("button", { name: "Approuver" }).click();
  await see(approverPage, "1 demande(s) approuvée(s).");
  for (const [tab, heading, name] of [["Applications", "Applications de vos organisations", "applications"],
                                      ["Top consommateurs", "Top consommateurs", "consommateurs"],
                                      ["Santé des API", "Santé des API", "sante"]]) {
    await approverPage.getByRole("tab", { name: tab }).click();
    await approverPage.getByRole("heading", { name: heading, level: 2 }).waitFor();
    await shot(approverPage, `portal-administration-${name}`);
  }
  step("approved in ADMINISTRATION");

  // --- « Tester l'API »: ERRAUTUSR0001, then OK -------------------------------------------------
  await nav(user, "Tester l'API");
  await user.getByRole("button", { name: "Obtenir un jeton" }).click();
  await see(user, "Jeton obtenu : portées « openid resource.READ »");
  const route = user.getByLabel("Route");
  const healthcheck = await route.locator("option", { hasText: "/healthcheck" }).first().getAttribute("value");
  await route.selectOption(healthcheck);
  await user.getByRole("button", { name: "Appeler la route" }).click();
  await see(user, "ERRAUTUSR0001");
  await shot(user, "portal-tester-api-errautusr0001");

  await operator.goto(base + "/console/#applications");
  await operator.getByLabel("Application", { exact: true }).selectOption({ label: `APP_SANDBOX_${email} (SANDBOX)` });
  // This application's detail, not the first one's still on screen.
  await operator.getByRole("heading", { name: `APP_SANDBOX_${email}`, level: 2 }).waitFor();
  await see(operator, "Accès aux API et quota restant");
  await operator.getByLabel("API du profil métier").selectOption("sne-cotation");
  await operator.getByRole("button", { name: "Attribuer un profil métier" }).click();
  await see(operator, "Profil métier attribué.");
  await shot(operator, "console-applications");

  await user.getByRole("button", { name: "Appeler la route" }).click();
  await see(user, '"etat": "OK"');
  await shot(user, "portal-tester-api-ok");
  step("ERRAUTUSR0001, then OK");

  // --- The console: a fault seen in the journal, the clock, a token expiring ----------------
  await operator.goto(base + "/console/#pannes");
  await operator.getByLabel("API (vide : toutes)").fill("sne-cotation");
  await operator.getByRole("button", { name: "Armer la panne" }).click();
  await see(operator, "armée.");
  await shot(operator, "console-pannes");
  await user.getByRole("button", { name: "Appeler la route" }).click();
  await user.locator('[data-status="503"]').waitFor();

  await operator.goto(base + "/console/#journal");
  const hit = operator.locator("tbody tr").filter({ has: operator.locator("td.status", { hasText: "503" }) });
  await hit.first().waitFor();
  await hit.first().getByRole("button").click();
  await see(operator, '"status": 503');
  await shot(operator, "console-journal");

  await operator.goto(base + "/console/#horloge");
  await see(operator, "Jetons vivants");
  await operator.getByLabel("Avancer de").fill("1h1m");
  await operator.getByRole("button", { name: "Avancer l'horloge" }).click();
  await operator.locator('[data-channel="SANDBOX"]', { hasText: /^0$/ }).waitFor();
  await shot(operator, "console-horloge");
  await user.getByRole("button", { name: "Appeler la route" }).click();
  await user.locator('[data-status="401"]').waitFor();
  await see(user, "invalid_token");
  step("fault in the journal, token expired");

  await operator.goto(base + "/console/#monde");
  await see(operator, "Télécharger l'instantané");
  await shot(operator, "console-monde");

  // Mon profil, then logout: the cookie no longer opens anything.
  await nav(user, "Mon profil");
  await user.getByLabel("Participer aux enquêtes").check();
  await user.getByRole("button", { name: "Enregistrer mes préférences" }).click();
  await see(user, "Préférences enregistrées.");
  await shot(user, "portal-profil");
  await nav(user, "Se déconnecter");
  await see(user, "Vous êtes déconnecté.");
  await user.goto(base + "/#/applications");
  await user.getByRole("heading", { name: "Se connecter" }).waitFor();
  step("profile, logout");

  // Mot de passe oublié: the confirmation link, the temporary password by e-mail, then the
  // profile asks for a new one, typed with the keyboard only (Enter submits).
  await user.getByRole("link", { name: "Mot de passe oublié ?" }).click();
  await user.getByLabel("Adresse électronique du compte").fill(email);
  await shot(user, "portal-mot-de-passe-oublie");
  await user.getByRole("button", { name: "Réinitialiser le mot de passe" }).click();
  await see(user, "Le lien de confirmation");
  await operator.goto(base + "/console/#boite");
  await operator.getByLabel("Destinataire").fill(email);
  await operator.getByRole("button", { name: "Filtrer" }).click();
  await operator.getByRole("row").filter({ hasText: "Réinitialisation du mot de passe PISTE" }).getByRole("button").click();
  await operator.getByRole("link", { name: "Confirmer la réinitialisation" }).click();
  await see(operator, "Changement de mot de passe réussi");
  await shot(operator, "page-mot-de-passe-reinitialise");
  await operator.goto(base + "/console/#boite");
  await operator.getByRole("row").filter({ hasText: email }).filter({ hasText: "Changement de mot de passe réussi" }).getByRole("button").click();
  const mail = await operator.locator(".mail-body").textContent();
  const temporary = mail.match(/mot de passe est : (\S+)/)?.[1];
  if (!temporary) fail(`no temporary password in the e-mail:\n${mail}`);
  await operator.getByRole("link", { name: "ici" }).click();
  await operator.getByRole("heading", { name: "Se connecter" }).waitFor();  // the portal's login

  await user.goto(base + "/#/connexion");
  await user.getByLabel("Adresse électronique").focus();
  await user.keyboard.type(email);
  await user.keyboard.press("Tab");
  await user.keyboard.type(temporary);
  await user.keyboard.press("Enter");
  await see(user, "Votre mot de passe est temporaire");
  const newPassword = "Nouveau-Piste-2026!";
  await user.getByLabel("Mot de passe actuel").fill(temporary);
  await user.getByLabel("Nouveau mot de passe").fill(newPassword);
  await user.getByLabel("Confirmation", { exact: true }).fill(newPassword);
  await shot(user, "portal-mot-de-passe-temporaire");
  await user.getByRole("button", { name: "Changer le mot de passe" }).click();
  await user.getByRole("heading", { name: "Mot de passe changé" }).waitFor();
  await login(user, email, newPassword);
  step("password reset by e-mail, temporary password changed");

  const chorusPro = await enrolmentAndProduction({ browser, base, operator, shot, problems, step });
  await chorusProProduction({ base, operator, shot, step, ...chorusPro });
});
