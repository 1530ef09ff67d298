// What a visitor sees: ACCUEIL, LISTE DES API and the API sheet, « Créer un compte »,
// « Se connecter », the forgotten password.
import { api, el, errorNotice, field, notice, onSubmit, put } from "/common/api.js";
import { go, loggedIn, session } from "/portal/state.js";

export async function home(main) {
  const catalogue = await api("GET", "/portal/catalogue");
  put(main, 
    el("h1", {}, "Bienvenue sur PISTE"),
    el("p", { class: "lead" },
       "Les API de l'administration, à découvrir, à demander et à tester depuis un bac à sable, puis en production."),
    el("div", { class: "cards" },
       el("section", { class: "card" }, el("h2", {}, "Découvrir"),
          el("p", {}, `${catalogue.count} API publiées dans ce monde simulé.`),
          el("a", { class: "button", href: "#/catalogue" }, "Voir la liste des API")),
       session.logged_in
         ? el("section", { class: "card" }, el("h2", {}, "Mes applications"),
              el("p", {}, "Identifiants OAuth, clés d'API et demandes d'accès."),
              el("a", { class: "button", href: "#/applications" }, "Mes applications"))
         : el("section", { class: "card" }, el("h2", {}, "Commencer"),
              el("p", {}, "Un compte donne une application bac à sable et ses identifiants."),
              el("div", { class: "actions" },
                 el("a", { class: "button", href: "#/inscription" }, "Créer un compte"),
                 el("a", { class: "button secondary", href: "#/connexion" }, "Se connecter"))),
       el("section", { class: "card" }, el("h2", {}, "Tester"),
          el("p", {}, "Obtenir un jeton et appeler une route, réponse et en-têtes compris."),
          el("a", { class: "button secondary", href: "#/tester" }, "Tester l'API"))));
}

export async function catalogue(main) {
  const params = new URLSearchParams(sessionStorage.getItem("pistesim.catalogue") || "");
  const results = el("div", { "aria-live": "polite" });
  const q = el("input", { type: "search", name: "q", value: params.get("q") || "" });
  const environment = el("select", { name: "environment" },
                         ["", "SANDBOX", "PRODUCTION"].map((v) =>
                           el("option", { value: v, selected: params.get("environment") === v }, v || "Tous")));
  const form = el("form", { class: "inline", role: "search" },
                  field("Rechercher une API", q), field("Environnement", environment),
                  el("button", { type: "submit" }, "Rechercher"));
  const show = async () => {
    const query = new URLSearchParams();
    if (q.value.trim()) query.set("q", q.value.trim());
    if (environment.value) query.set("environment", environment.value);
    sessionStorage.setItem("pistesim.catalogue", query.toString());
    const list = await api("GET", `/portal/catalogue${query.size ? "?" + query : ""}`);
    results.replaceChildren(
      el("p", {}, `${list.count} résultat(s)`),
      el("div", { class: "cards" }, list.apis.map((a) =>
        el("article", { class: "card" },
           el("h2", {}, el("a", { href: `#/api/${encodeURIComponent(a.api)}/${a.environment}` }, a.name)),
           el("p", {}, (a.tags || []).map((t) => el("span", { class: "badge" }, t))),
           el("p", {}, a.description || ""),
           el("p", { class: "hint" }, `Version ${a.version} — ${a.approval_required ? "soumise à validation" : "accès direct"}`)))));
  };
  onSubmit(form, results, show);
  put(main, el("h1", {}, "Liste des API"),
              session.logged_in ? null : el("p", { class: "hint" }, "Connectez-vous pour voir aussi les API réservées à vos organisations."),
              form, results);
  await show();
}

// The API sheet, with the operations of its generated Swagger document.
export async function sheet(main, id, environment) {
  const query = `?environment=${encodeURIComponent(environment)}`;
  const a = await api("GET", `/portal/catalogue/${encodeURIComponent(id)}${query}`);
  const swagger = await api("GET", `/portal/catalogue/${encodeURIComponent(id)}/swagger.json${query}`);
  const rows = [
    ["Version", a.version], ["Statut", a.status], ["Type", a.type], ["Environnement", a.environment],
    ["Chemin de base", a.base_path], ["Soumis à validation", a.approval_required ? "Oui" : "Non"],
    ["Approbateurs", (a.approvers || []).join(", ")],
    ["Portées (scopes)", (a.scopes || []).map((s) => (typeof s === "string" ? s : s.name || JSON.stringify(s))).join(", ")],
    ["Ajoutée le", a.added_at],
  ];
  const operations = [];
  for (const [path, methods] of Object.entries(swagger.paths || {}))
    for (const [method, op] of Object.entries(methods))
      operations.push(el("div", { class: "operation" }, el("span", { class: "method" }, method.toUpperCase()),
                         el("code", {}, (swagger.basePath || "") + path), op.summary ? ` — ${op.summary}` : ""));
  put(main, 
    el("p", {}, el("a", { href: "#/catalogue" }, "← Liste des API")),
    el("h1", {}, a.name),
    el("p", {}, (a.tags || []).map((t) => el("span", { class: "badge" }, t))),
    el("p", { class: "lead" }, a.description || ""),
    el("table", {}, el("caption", {}, "Fiche de l'API"),
       el("tbody", {}, rows.filter(([, v]) => v).map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v))))),
    session.logged_in
      ? el("div", { class: "actions" },
           el("a", { class: "button", href: `#/demande-acces/${encodeURIComponent(a.api || id)}~${a.environment}` }, a.approval_required ? "Demander l'accès" : "Sélectionner l'API"),
           a.cgu ? el("a", { class: "button secondary", href: "#/cgu-api" }, "CGU de l'API") : null)
      : notice("info", el("p", {}, el("a", { href: "#/connexion" }, "Connectez-vous"), " pour demander l'accès à cette API.")),
    el("h2", {}, "Documentation (Swagger généré)"),
    el("p", {}, el("a", { href: `/__pistesim/portal/catalogue/${encodeURIComponent(id)}/swagger.json${query}`, download: `${id}-${environment}-swagger.json` }, "Télécharger la documentation (swagger.json)")),
    operations.length ? el("div", { class: "operations" }, operations) : el("p", { class: "empty" }, "Aucune route décrite."));
}

const rules = [
  ["Au minimum 12 caractères", (p) => [...p].length >= 12],
  ["Au moins un caractère numérique [0-9]", (p) => /[0-9]/.test(p)],
  ["Au moins un caractère en minuscule", (p) => /[a-z]/.test(p)],
  ["Au moins un caractère en majuscule", (p) => /[A-Z]/.test(p)],
  ["Au moins un caractère spécial [!@#~+;:-?]{_,§^_}", (p) => /[[\]!@#~+;:\-?{}_,^§]/.test(p)],
];

// The password rules, ticked as the user types (the server checks them again).
export function passwordRules(input) {
  const list = el("ul", { class: "rules", id: `${input.name}-rules`, "aria-live": "polite" });
  const update = () => list.replaceChildren(...rules.map(([label, ok]) =>
    el("li", { class: ok(input.value) ? "met" : null }, label)));
  input.addEventListener("input", update);
  update();
  input.setAttribute("aria-describedby", list.id);
  return list;
}

export async function register(main) {
  const password = el("input", { type: "password", name: "password", autocomplete: "new-password", required: true });
  const out = el("div");
  const form = el("form", {},
    field("Nom", el("input", { type: "text", name: "name", autocomplete: "name", required: true })),
    field("Adresse électronique", el("input", { type: "email", name: "email", autocomplete: "email", required: true })),
    field("Mot de passe", password), passwordRules(password),
    field("Confirmation du mot de passe", el("input", { type: "password", name: "password_confirmation", autocomplete: "new-password", required: true })),
    field("Code organisation (facultatif)", el("input", { type: "text", name: "organisation_code" }),
          "Le code reçu avec une invitation rattache le compte à son organisation."),
    el("div", { class: "field check" }, el("input", { type: "checkbox", name: "opt_in_news", id: "opt_in_news" }),
       el("label", { for: "opt_in_news" }, "Recevoir les informations de PISTE")),
    el("div", { class: "field check" }, el("input", { type: "checkbox", name: "opt_in_surveys", id: "opt_in_surveys" }),
       el("label", { for: "opt_in_surveys" }, "Participer aux enquêtes de satisfaction")),
    el("div", { class: "field check" }, el("input", { type: "checkbox", name: "cgu_accepted", id: "cgu_accepted" }),
       el("label", { for: "cgu_accepted" }, "J'accepte les conditions générales d'utilisation de PISTE")),
    field("Captcha : recopiez « PISTE »", el("input", { type: "text", name: "captcha", autocomplete: "off" }),
          "Le simulateur attend la valeur « captcha » de son monde (PISTE par défaut)."),
    el("button", { type: "submit" }, "Créer mon compte"));
  onSubmit(form, out, async (data) => {
    const answer = await api("POST", "/portal/register", {
      name: data.get("name"), email: data.get("email"), password: data.get("password"),
      password_confirmation: data.get("password_confirmation"),
      organisation_code: data.get("organisation_code"), opt_in_news: data.has("opt_in_news"),
      opt_in_surveys: data.has("opt_in_surveys"), cgu_accepted: data.has("cgu_accepted"),
      captcha: data.get("captcha"),
    });
    form.replaceWith(notice("success", el("p", {}, answer.message),
      el("p", {}, "Le courriel d'activation est dans la boîte de réception du simulateur : ",
         el("a", { href: "/console/#boite" }, "ouvrir la console"), ".")));
  });
  put(main, el("h1", {}, "Créer un compte"), out, form);
}

export async function login(main) {
  const out = el("div");
  const form = el("form", {},
    field("Adresse électronique", el("input", { type: "email", name: "email", autocomplete: "username", required: true })),
    field("Mot de passe", el("input", { type: "password", name: "password", autocomplete: "current-password", required: true })),
    el("button", { type: "submit" }, "Se connecter"));
  onSubmit(form, out, async (data) => {
    const answer = await api("POST", "/portal/login", { email: data.get("email"), password: data.get("password") });
    loggedIn(answer);
    const after = sessionStorage.getItem("pistesim.after-login");
    sessionStorage.removeItem("pistesim.after-login");
    if (answer.platform_cgu_required) return go("#/cgu-piste");
    if (answer.must_change_password) return go("#/profil");
    go(after || "#/applications");
  });
  put(main, el("h1", {}, "Se connecter"), out, form,
              el("p", {}, el("a", { href: "#/mot-de-passe-oublie" }, "Mot de passe oublié ?"), " — ",
                 el("a", { href: "#/inscription" }, "Créer un compte")));
}

export async function forgotPassword(main) {
  const out = el("div");
  const form = el("form", {},
    field("Adresse électronique du compte", el("input", { type: "email", name: "email", required: true })),
    el("button", { type: "submit" }, "Réinitialiser le mot de passe"));
  onSubmit(form, out, async (data) => {
    const answer = await api("POST", "/portal/password-reset", { email: data.get("email") });
    out.replaceChildren(notice("success", el("p", {}, answer.message || "Demande prise en compte."),
      el("p", {}, "Le lien de confirmation puis le mot de passe temporaire arrivent dans la boîte de réception du simulateur.")));
  });
  put(main, el("h1", {}, "Mot de passe oublié"), out, form);
}
