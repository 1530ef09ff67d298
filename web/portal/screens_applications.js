// APPLICATIONS: the user's applications (the sandbox one PISTE creates, production ones),
// their API keys and OAuth IDs, the secret (regenerated: shown once), the APIs they may call,
// access requests (motif and scopes) and the production application form.
import { api, el, errorNotice, field, formatDate, notice, onSubmit, put, statusLabels, table } from "/common/api.js";
import { go } from "/portal/state.js";

const statusBadge = (s) => el("span", { class: `badge ${s === "approved" ? "ok" : s === "pending" ? "" : "ko"}` }, statusLabels[s] || s);

export async function applications(main) {
  const list = await api("GET", "/portal/applications");
  put(main, 
    el("h1", {}, "Mes applications"),
    el("div", { class: "actions" },
       el("a", { class: "button", href: "#/applications/nouvelle" }, "Créer une application de production"),
       el("a", { class: "button secondary", href: "#/demandes" }, "Mes demandes d'accès"),
       el("a", { class: "button secondary", href: "#/cgu-api" }, "CGU des API")),
    table("Applications", [
      ["Nom", (a) => el("a", { href: `#/applications/${encodeURIComponent(a.id)}` }, a.name)],
      ["Environnement", (a) => a.channel],
      ["Organisation", (a) => a.organisation_name],
      ["API", (a) => (a.subscriptions || []).map((s) => el("div", {}, `${s.name || s.api} `, statusBadge(s.status)))],
      ["Créée par", (a) => a.created_by],
      ["Active", (a) => (a.active ? "Oui" : "Non")],
    ], list.applications, "Aucune application."));
}

export async function application(main, id) {
  const path = `/portal/applications/${encodeURIComponent(id)}`;
  const a = await api("GET", path);
  const out = el("div");
  const refresh = async (message) => {
    main.replaceChildren();
    await application(main, id);
    if (message) main.querySelector("h1").after(message);
  };
  const act = (label, action, kind = "secondary") => {
    const button = el("button", { type: "button", class: kind }, label);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await action();
      } catch (error) {
        out.replaceChildren(errorNotice(error));
      } finally {
        button.disabled = false;  // again usable (a cancelled confirm, a secret consulted twice)
      }
    });
    return button;
  };
  const secretCell = (c) => {
    if (c.type !== "confidential") return "—";
    // The secret shows beside the buttons, which stay: consulting it does not hide « Régénérer ».
    const shown = el("div");
    const consult = act("Consulter le secret", async () => {
      const s = await api("GET", `${path}/oauth-clients/${encodeURIComponent(c.client_id)}/secret`);
      shown.replaceChildren(el("code", { class: "secret" }, s.client_secret));
    });
    const regenerate = act("Régénérer le secret", async () => {
      if (!confirm("L'ancien secret cessera aussitôt de fonctionner. Continuer ?")) return;
      const s = await api("POST", `${path}/oauth-clients/${encodeURIComponent(c.client_id)}/secret`);
      shown.replaceChildren(notice("success", el("p", {}, "Nouveau secret, affiché une seule fois : ",
                                                 el("code", { class: "secret" }, s.client_secret))));
    }, "danger");
    return el("span", {}, consult, " ", regenerate, shown);
  };
  put(main, 
    el("p", {}, el("a", { href: "#/applications" }, "← Mes applications")),
    el("h1", {}, a.name), out,
    el("table", {}, el("caption", {}, "Informations"), el("tbody", {},
      [["Environnement", a.channel], ["Organisation", a.organisation_name], ["Description", a.description],
       ["Adresse de contact", a.email], ["Créée par", a.created_by], ["Créée le", formatDate(a.created_at)],
       ["Active", a.active ? "Oui" : "Non"], ["Portées d'un jeton obtenu maintenant", (a.scopes || []).join(" ")]]
        .filter(([, v]) => v !== undefined && v !== "")
        .map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v))))),
    el("h2", {}, "API"),
    table("API de l'application", [
      ["API", (s) => s.name || s.api], ["Statut", (s) => statusBadge(s.status)],
      ["Portées", (s) => (s.scopes || []).join(" ")],
      ["Quota", (s) => (s.quota ? `${s.quota.remaining} / ${s.quota.limit} par ${s.quota.window}` : "")],
    ], a.subscriptions || [], "Aucune API : demandez l'accès depuis la fiche d'une API."),
    el("p", {}, el("a", { class: "button secondary", href: "#/catalogue" }, "Ajouter une API depuis le catalogue")),
    el("h2", {}, "Identifiants OAuth"),
    table("Clients OAuth", [
      ["Client ID", (c) => el("code", {}, c.client_id)], ["Type", (c) => c.type],
      ["Actif", (c) => (c.enabled ? "Oui" : "Non")], ["Secret", secretCell],
    ], a.oauth_clients || [], "Aucun identifiant OAuth."),
    el("div", { class: "actions" }, act("Ajouter un identifiant OAuth", async () => {
      await api("POST", `${path}/oauth-clients`, { type: "confidential" });
      await refresh(notice("success", el("p", {}, "Identifiant OAuth ajouté.")));
    })),
    el("h2", {}, "Clés d'API"),
    table("Clés d'API", [
      ["Clé", (k) => el("code", {}, k.key || "")], ["Active", (k) => (k.enabled ? "Oui" : "Non")],
      ["Créée le", (k) => formatDate(k.created_at)],
      ["", (k) => act(k.enabled ? "Désactiver" : "Activer", async () => {
        await api("PATCH", `${path}/api-keys/${encodeURIComponent(k.key)}`, { enabled: !k.enabled });
        await refresh();
      })],
    ], a.api_keys || [], "Aucune clé d'API."),
    el("div", { class: "actions" }, act("Ajouter une clé d'API", async () => {
      const k = await api("POST", `${path}/api-keys`);
      await refresh(notice("success", el("p", {}, "Nouvelle clé : ", el("code", {}, k.key))));
    })),
    a.origin === "created"
      ? el("div", { class: "actions" }, act("Supprimer l'application", async () => {
        if (!confirm(`Supprimer ${a.name} ? Ses jetons sont révoqués.`)) return;
        await api("DELETE", path);
        go("#/applications");
      }, "danger"))
      : null);
}

// The access request form (REQ-1): « #/demande-acces/<api>~<ENVIRONMENT> ».
export async function accessRequest(main, target) {
  const [apiId, environment] = target.split("~");
  const query = `?environment=${encodeURIComponent(environment)}`;
  const sheet = await api("GET", `/portal/catalogue/${encodeURIComponent(apiId)}${query}`);
  const apps = (await api("GET", "/portal/applications")).applications.filter((a) => a.channel === environment);
  const out = el("div");
  const scopes = (sheet.scopes || []).map((s) => (typeof s === "string" ? s : s.name));
  const form = el("form", {},
    field("Application", el("select", { name: "application", required: true },
      apps.map((a) => el("option", { value: a.id }, a.name)))),
    field("Motif de la demande", el("textarea", { name: "motif", required: true, minlength: 3, maxlength: 200 }),
          "Entre 3 et 200 caractères : lu par les approbateurs de l'API."),
    el("fieldset", {}, el("legend", {}, "Portées demandées"),
       scopes.length ? scopes.map((s, i) => el("div", { class: "field check" },
         el("input", { type: "checkbox", name: "scopes", value: s, id: `scope-${i}`, checked: true }),
         el("label", { for: `scope-${i}` }, s))) : el("p", { class: "empty" }, "Cette API n'a pas de portée.")),
    el("button", { type: "submit" }, "Envoyer la demande"));
  // An API that needs no validation is simply selected for the application (APP-5).
  if (!sheet.approval_required) {
    const select = el("form", {},
      field("Application", el("select", { name: "application", required: true }, apps.map((a) => el("option", { value: a.id }, a.name)))),
      el("button", { type: "submit" }, "Sélectionner l'API"));
    onSubmit(select, out, async (data) => {
      await api("PUT", `/portal/applications/${encodeURIComponent(data.get("application"))}/subscriptions/${encodeURIComponent(apiId)}`);
      select.replaceWith(notice("success", el("p", {}, `${sheet.name} est sélectionnée pour l'application.`),
        el("p", {}, el("a", { href: `#/applications/${encodeURIComponent(data.get("application"))}` }, "Voir l'application"))));
    });
    put(main, el("p", {}, el("a", { href: `#/api/${encodeURIComponent(apiId)}/${environment}` }, `← ${sheet.name}`)),
                el("h1", {}, `Accès à ${sheet.name}`),
                notice("info", el("p", {}, "Cette API n'est pas soumise à validation : il suffit de la sélectionner. ",
                                  sheet.cgu ? el("a", { href: "#/cgu-api" }, "Ses CGU doivent être acceptées d'abord.") : null)),
                apps.length ? el("div", {}, out, select) : notice("error", el("p", {}, `Aucune application ${environment}.`)));
    return;
  }
  onSubmit(form, out, async (data) => {
    const r = await api("POST", "/portal/access-requests", {
      api: apiId, application: data.get("application"), motif: data.get("motif"), scopes: data.getAll("scopes"),
    });
    form.replaceWith(notice("success", el("p", {}, `Demande envoyée : ${statusLabels[r.status] || r.status}.`),
      el("p", {}, el("a", { href: "#/demandes" }, "Suivre mes demandes"))));
  });
  put(main, el("p", {}, el("a", { href: `#/api/${encodeURIComponent(apiId)}/${environment}` }, `← ${sheet.name}`)),
              el("h1", {}, `Demande d'accès à ${sheet.name}`),
              sheet.approval_required ? notice("info", el("p", {}, "Cette API est soumise à validation : ses approbateurs décideront.")) : null,
              apps.length ? el("div", {}, out, form) : notice("error", el("p", {}, `Aucune application ${environment} à laquelle rattacher la demande.`)));
}

export async function myRequests(main) {
  const list = await api("GET", "/portal/access-requests");
  const rows = Array.isArray(list) ? list : list.requests || [];
  put(main, el("h1", {}, "Mes demandes d'accès"),
    table("Demandes", [
      ["API", (r) => r.api_name || r.api], ["Application", (r) => r.application_name || r.application],
      ["Motif", (r) => r.motif], ["Portées", (r) => (r.scopes || []).join(" ")],
      ["Statut", (r) => statusBadge(r.status)], ["Message de l'approbateur", (r) => r.decision_message || ""],
      ["Demandée le", (r) => formatDate(r.requested_at)],
    ], rows, "Aucune demande."));
}

// APP-3: a production application.
export async function createApplication(main) {
  const profile = await api("GET", "/portal/profile");
  const out = el("div");
  const form = el("form", {},
    field("Organisation", el("select", { name: "organisation", required: true },
      (profile.organisations || []).map((o) => el("option", { value: o.organisation }, o.name)))),
    field("Nom de l'application", el("input", { type: "text", name: "name", required: true }), "Lettres, chiffres, « - » et « _ »."),
    field("Description", el("textarea", { name: "description" })),
    field("Adresse électronique de contact", el("input", { type: "email", name: "email", required: true })),
    field("Téléphone", el("input", { type: "text", name: "phone" })),
    field("Informations sur la structure", el("input", { type: "text", name: "structure_info", required: true })),
    field("Responsable", el("input", { type: "text", name: "responsible", required: true })),
    el("button", { type: "submit" }, "Créer l'application"));
  onSubmit(form, out, async (data) => {
    const body = {};
    for (const k of ["organisation", "name", "description", "email", "phone", "structure_info", "responsible"])
      if (data.get(k)) body[k] = data.get(k);
    const a = await api("POST", "/portal/applications", body);
    go(`#/applications/${encodeURIComponent(a.id)}`);
  });
  put(main, el("h1", {}, "Nouvelle application de production"),
              (profile.organisations || []).length ? el("div", {}, out, form)
                : notice("error", el("p", {}, "Votre compte n'appartient à aucune organisation : rejoignez-en une pour créer une application.")));
}
