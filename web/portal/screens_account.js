// The connected user's own screens: Fiche Profil (contact preferences, password change), the
// PISTE CGU to accept, the API CGU page, logout.
import { api, el, field, notice, onSubmit, put, table } from "/common/api.js";
import { passwordRules } from "/portal/screens_public.js";
import { go, loggedOut, refreshSession } from "/portal/state.js";

export async function logout(main) {
  try {
    await api("POST", "/portal/logout");
  } finally {
    loggedOut();
  }
  put(main, el("h1", {}, "Déconnexion"), notice("success", el("p", {}, "Vous êtes déconnecté.")),
              el("p", {}, el("a", { href: "#/connexion" }, "Se reconnecter")));
}

export async function profile(main) {
  const p = await api("GET", "/portal/profile");
  const prefsOut = el("div");
  const prefs = el("form", {},
    el("div", { class: "field check" }, el("input", { type: "checkbox", id: "news", name: "news", checked: p.opt_in_news }),
       el("label", { for: "news" }, "Recevoir les informations de PISTE (décisions sur mes demandes comprises)")),
    el("div", { class: "field check" }, el("input", { type: "checkbox", id: "surveys", name: "surveys", checked: p.opt_in_surveys }),
       el("label", { for: "surveys" }, "Participer aux enquêtes")),
    el("button", { type: "submit" }, "Enregistrer mes préférences"));
  onSubmit(prefs, prefsOut, async (data) => {
    await api("PATCH", "/portal/profile", { opt_in_news: data.has("news"), opt_in_surveys: data.has("surveys") });
    prefsOut.replaceChildren(notice("success", el("p", {}, "Préférences enregistrées.")));
  });
  const next = el("input", { type: "password", name: "new_password", autocomplete: "new-password", required: true });
  const pwOut = el("div");
  const pw = el("form", {},
    field("Mot de passe actuel", el("input", { type: "password", name: "current_password", autocomplete: "current-password", required: true })),
    field("Nouveau mot de passe", next), passwordRules(next),
    field("Confirmation", el("input", { type: "password", name: "password_confirmation", autocomplete: "new-password", required: true })),
    el("button", { type: "submit" }, "Changer le mot de passe"));
  onSubmit(pw, pwOut, async (data) => {
    const answer = await api("POST", "/portal/password", {
      current_password: data.get("current_password"), new_password: data.get("new_password"),
      password_confirmation: data.get("password_confirmation"),
    });
    // Every session ends on a password change: the user logs in again.
    await refreshSession();
    main.replaceChildren(el("h1", {}, "Mot de passe changé"), notice("success", el("p", {}, answer.message || "Mot de passe changé.")),
                         el("p", {}, el("a", { href: "#/connexion" }, "Se reconnecter")));
  });
  put(main, 
    el("h1", {}, "Mon profil"),
    p.must_change_password ? notice("error", el("p", {}, "Votre mot de passe est temporaire : choisissez-en un nouveau ci-dessous.")) : null,
    el("h2", {}, "Informations de connexion"),
    el("table", {}, el("caption", {}, "Compte"), el("tbody", {},
       el("tr", {}, el("th", { scope: "row" }, "Nom"), el("td", {}, p.name)),
       el("tr", {}, el("th", { scope: "row" }, "Adresse électronique"), el("td", {}, p.email)),
       el("tr", {}, el("th", { scope: "row" }, "Organisations"),
          el("td", {}, (p.organisations || []).map((o) => el("div", {}, o.label)))))),
    el("div", { class: "split" },
       el("section", {}, el("h2", {}, "Préférences de contact"), prefsOut, prefs),
       el("section", {}, el("h2", {}, "Changer de mot de passe"), pwOut, pw)),
    el("p", {}, el("a", { href: "#/cgu-api" }, "Conditions générales d'utilisation des API")));
}

// The PISTE CGU in force, to accept before anything else (ACC-5).
export async function platformCgu(main) {
  const cgu = await api("GET", "/portal/cgu");
  const out = el("div");
  const accept = el("button", { type: "button" }, "J'accepte les CGU");
  const refuse = el("button", { type: "button", class: "secondary" }, "Je refuse");
  accept.addEventListener("click", async () => {
    await api("POST", "/portal/cgu/accept");
    go("#/applications");
  });
  refuse.addEventListener("click", async () => {
    const answer = await api("POST", "/portal/cgu/refuse");
    await refreshSession();
    out.replaceChildren(notice("error", el("p", {}, answer.message)));
  });
  put(main, el("h1", {}, "Conditions générales d'utilisation de PISTE"),
              el("p", {}, `Version en vigueur : ${cgu.version}. `,
                 cgu.accepted ? "Vous l'avez acceptée." : "Afin d'accéder au site, il est nécessaire de l'accepter."),
              out, cgu.accepted ? null : el("div", { class: "actions" }, accept, refuse));
}

// CGU-1: the APIs' own CGU, accepted per API and channel.
export async function apiCgu(main) {
  const list = await api("GET", "/portal/api-cgu");
  const out = el("div");
  const form = el("form", { class: "wide" },
    table("CGU des API", [
      ["Accepter", (c) => c.accepted ? el("span", { class: "badge ok" }, "acceptées")
        : el("input", { type: "checkbox", name: "accept", value: `${c.api}|${c.channel}`, "aria-label": `Accepter les CGU de ${c.api_name} (${c.channel})` })],
      ["API", (c) => c.api_name], ["Environnement", (c) => c.channel],
      ["CGU", (c) => `${c.cgu.title} (version ${c.cgu.version})`],
    ], list.cgu, "Aucune API de votre catalogue n'a de CGU."),
    el("button", { type: "submit" }, "Accepter les CGU cochées"));
  onSubmit(form, out, async (data) => {
    const accept = data.getAll("accept").map((v) => ({ api: v.split("|")[0], channel: v.split("|")[1] }));
    if (!accept.length) throw new Error("Cochez au moins une API.");
    await api("POST", "/portal/api-cgu", { accept });
    main.replaceChildren();
    await apiCgu(main);
    main.prepend(notice("success", el("p", {}, "CGU acceptées.")));
  });
  put(main, el("h1", {}, "Conditions générales d'utilisation des API"), out, form);
}
