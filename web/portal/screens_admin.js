// ADMINISTRATION, for an OrgAdmin or an API's approver: access requests to decide (one by one or
// in batch), approved accesses to revoke with a motif, the organisation's users and their
// enrolment, its applications, top consumers and API health. Each tab is one control route.
import { api, el, errorNotice, field, formatDate, notice, onSubmit, put, statusLabels, table } from "/common/api.js";

const tabs = [
  ["demandes", "Demandes d'accès", requests],
  ["acces", "Accès accordés", accesses],
  ["utilisateurs", "Utilisateurs", users],
  ["enrolement", "Enrôlement", enrolment],
  ["applications", "Applications", organisationApplications],
  ["consommateurs", "Top consommateurs", topConsumers],
  ["sante", "Santé des API", health],
];

export async function administration(main) {
  const panel = el("section", { id: "admin-panel", role: "tabpanel", tabindex: "0" });
  const buttons = tabs.map(([id, label]) => el("button", { type: "button", role: "tab", id: `tab-${id}`, "aria-controls": "admin-panel" }, label));
  const open = async (index) => {
    buttons.forEach((b, i) => {
      b.setAttribute("aria-selected", String(i === index));
      b.tabIndex = i === index ? 0 : -1;
    });
    panel.setAttribute("aria-labelledby", buttons[index].id);
    panel.replaceChildren(el("p", {}, "Chargement…"));
    sessionStorage.setItem("pistesim.admin-tab", String(index));
    const content = el("div");
    try {
      await tabs[index][2](content);
      panel.replaceChildren(content);
    } catch (error) {
      panel.replaceChildren(errorNotice(error));
    }
  };
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => open(i));
    // Arrow keys move between tabs (WAI-ARIA tabs pattern).
    b.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = (i + step + buttons.length) % buttons.length;
      buttons[next].focus();
      open(next);
    });
  });
  put(main, el("h1", {}, "Administration"), el("div", { class: "tabs", role: "tablist", "aria-label": "Administration" }, buttons), panel);
  await open(Number(sessionStorage.getItem("pistesim.admin-tab") || 0));
}

async function requests(panel) {
  const status = el("select", { name: "status" }, [["pending", "En attente"], ["approved", "Approuvées"], ["rejected", "Refusées"], ["all", "Toutes"]]
    .map(([v, l]) => el("option", { value: v }, l)));
  const list = el("div");
  const out = el("div");
  const motif = el("input", { type: "text", name: "motif" });
  const decide = async (verb, ids) => {
    if (!ids.length) throw new Error("Cochez au moins une demande.");
    const body = { ids };
    if (motif.value.trim()) body.motif = motif.value.trim();
    await api("POST", `/portal/admin/access-requests/${verb}`, body);
    await show();
    out.replaceChildren(notice("success", el("p", {}, `${ids.length} demande(s) ${verb === "approve" ? "approuvée(s)" : "refusée(s)"}.`)));
  };
  const show = async () => {
    const rows = await api("GET", `/portal/admin/access-requests?status=${status.value}`);
    list.replaceChildren(table("Demandes d'accès", [
      ["", (r) => (r.status === "pending" ? el("input", { type: "checkbox", name: "ids", value: r.id, "aria-label": `Sélectionner la demande de ${r.application_name}` }) : "")],
      ["API", (r) => r.api_name || r.api], ["Application", (r) => r.application_name],
      ["Organisation", (r) => r.organisation], ["Environnement", (r) => r.environment],
      ["Demandeur", (r) => r.requester], ["Motif", (r) => r.motif], ["Portées", (r) => (r.scopes || []).join(" ")],
      ["Statut", (r) => statusLabels[r.status] || r.status], ["Demandée le", (r) => formatDate(r.requested_at)],
      ["Décision", (r) => (r.status === "pending"
        ? el("span", { class: "actions" },
             el("button", { type: "button", "data-id": r.id, onclick: () => decide("approve", [r.id]).catch((e) => out.replaceChildren(errorNotice(e))) }, "Approuver"),
             el("button", { type: "button", class: "danger", onclick: () => decide("reject", [r.id]).catch((e) => out.replaceChildren(errorNotice(e))) }, "Refuser"))
        : r.decision_message || "")],
    ], rows, "Aucune demande."));
  };
  const form = el("form", { class: "wide" }, list,
    field("Message au demandeur (obligatoire pour un refus)", motif),
    el("div", { class: "actions" },
       el("button", { type: "submit", name: "verb", value: "approve" }, "Approuver la sélection"),
       el("button", { type: "submit", name: "verb", value: "reject", class: "danger" }, "Refuser la sélection")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    try {
      await decide(event.submitter?.value || "approve", new FormData(form).getAll("ids"));
    } catch (error) {
      out.replaceChildren(errorNotice(error));
    }
  });
  status.addEventListener("change", show);
  put(panel, el("h2", {}, "Demandes d'accès à vos API"), el("form", { class: "inline" }, field("Statut", status)), out, form);
  await show();
}

async function accesses(panel) {
  const rows = await api("GET", "/portal/admin/accesses");
  const out = el("div");
  const motif = el("input", { type: "text", name: "motif", required: true });
  const form = el("form", { class: "wide" },
    table("Accès accordés", [
      ["", (a) => el("input", { type: "checkbox", name: "target", value: `${a.api}|${a.application}`, "aria-label": `Révoquer ${a.application_name} sur ${a.api_name}` })],
      ["API", (a) => a.api_name || a.api], ["Application", (a) => a.application_name], ["Propriétaire", (a) => a.owner],
      ["Organisation", (a) => a.organisation], ["Environnement", (a) => a.environment], ["Portées", (a) => (a.scopes || []).join(" ")],
    ], rows, "Aucun accès accordé à vos API."),
    field("Motif de la révocation", motif),
    el("button", { type: "submit", class: "danger" }, "Révoquer la sélection"));
  onSubmit(form, out, async (data) => {
    const byApi = new Map();
    for (const v of data.getAll("target")) {
      const [apiId, app] = v.split("|");
      byApi.set(apiId, [...(byApi.get(apiId) || []), app]);
    }
    if (!byApi.size) throw new Error("Cochez au moins un accès.");
    for (const [apiId, applications] of byApi)
      await api("POST", "/portal/admin/revocations", { api: apiId, applications, motif: data.get("motif") });
    panel.replaceChildren();
    await accesses(panel);
    panel.prepend(notice("success", el("p", {}, "Accès révoqués : les jetons existants sont refusés dès leur prochain appel.")));
  });
  put(panel, el("h2", {}, "Accès accordés"), out, form);
}

async function users(panel) {
  const list = await api("GET", "/portal/admin/users");
  const out = el("div");
  const toggle = (u) => el("button", { type: "button", class: "secondary", onclick: async () => {
    try {
      await api("PATCH", `/portal/admin/users/${encodeURIComponent(u.email)}`, { active: !u.active });
      panel.replaceChildren();
      await users(panel);
    } catch (error) {
      out.replaceChildren(errorNotice(error));
    }
  } }, u.active ? "Désactiver" : "Activer");
  const create = el("form", {},
    field("Adresse électronique", el("input", { type: "email", name: "email", required: true })),
    field("Nom", el("input", { type: "text", name: "name", required: true })),
    field("Organisation (identifiant)", el("input", { type: "text", name: "organisation", required: true })),
    field("Rôle", el("select", { name: "role" }, el("option", { value: "developer" }, "Développeur d'applications"), el("option", { value: "orgadmin" }, "Administrateur d'organisation"))),
    el("button", { type: "submit" }, "Créer l'utilisateur (mot de passe généré)"));
  onSubmit(create, out, async (data) => {
    const u = await api("POST", "/portal/admin/users", {
      email: data.get("email"), name: data.get("name"), organisation: data.get("organisation"), role: data.get("role"), password_mode: "generated",
    });
    panel.replaceChildren();
    await users(panel);
    panel.prepend(notice("success", el("p", {}, `Compte créé pour ${u.email || data.get("email")} : le mot de passe temporaire lui est envoyé par courriel.`)));
  });
  put(panel, el("h2", {}, "Utilisateurs de vos organisations"), out,
    table("Utilisateurs", [
      ["Nom", (u) => u.name], ["Identifiant", (u) => u.identifier], ["Statut", (u) => u.status],
      ["Organisation / rôle", (u) => (u.organisation_roles || []).join(", ")], ["Enregistré le", (u) => formatDate(u.registered_at)],
      ["", toggle],
    ], list.users || []),
    el("h3", {}, "Créer un utilisateur"), create);
}

async function enrolment(panel) {
  const out = el("div", { "aria-live": "polite" });
  const form = el("form", {},
    field("Organisation (identifiant)", el("input", { type: "text", name: "organisation", required: true })),
    field("Adresses électroniques (une par ligne, 100 au plus)", el("textarea", { name: "emails", required: true })),
    el("div", { class: "actions" },
       el("button", { type: "submit", value: "enrolments" }, "Enrôler"),
       el("button", { type: "submit", value: "decommissions", class: "danger" }, "Décommissionner")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    const data = new FormData(form);
    try {
      const report = await api("POST", `/portal/admin/${event.submitter?.value || "enrolments"}`, {
        organisation: data.get("organisation"), emails: data.get("emails"),
      });
      out.replaceChildren(el("h3", {}, report.title),
        el("p", {}, `${report.succeeded} réussi(s), ${report.failed} en échec.`),
        table("Résultat par utilisateur", [
          ["Résultat", (u) => el("span", { class: `badge ${u.ok ? "ok" : "ko"}` }, u.result)],
          ["Utilisateur", (u) => u.email],
          ["Détail par environnement", (u) => (u.messages || []).map((m) => el("div", {}, m))],
        ], report.users || []));
    } catch (error) {
      out.replaceChildren(errorNotice(error));
    }
  });
  put(panel, el("h2", {}, "Enrôlement d'utilisateurs"),
    el("p", { class: "hint" }, "Chaque utilisateur enrôlé reçoit une application par environnement et un courriel."), form, out);
}

async function organisationApplications(panel) {
  const list = await api("GET", "/portal/admin/applications");
  put(panel, el("h2", {}, "Applications de vos organisations"),
    table("Applications", [
      ["Nom", (a) => a.name], ["Environnement", (a) => a.channel], ["Organisation", (a) => a.organisation_name],
      ["Propriétaire", (a) => a.owner], ["API", (a) => (a.subscriptions || []).map((s) => el("div", {}, `${s.name || s.api} (${statusLabels[s.status] || s.status})`))],
    ], list.applications || []));
}

async function topConsumers(panel) {
  const t = await api("GET", "/portal/admin/top-consumers");
  put(panel, el("h2", {}, "Top consommateurs"),
    el("p", { class: "hint" }, `Du ${formatDate(t.from)} au ${formatDate(t.to)}.`),
    table("Appels par application", [
      ["Rang", (r) => r.rank], ["API", (r) => r.api_name], ["Application", (r) => r.application_name || `${r.application} (supprimée)`],
      ["Environnement", (r) => r.channel || ""], ["Total", (r) => r.total], ["2xx", (r) => r["2xx"]], ["4xx", (r) => r["4xx"]],
      ["429", (r) => r["429"]], ["5xx", (r) => r["5xx"]],
    ], t.consumers || [], "Aucun appel enregistré sur la période."));
}

async function health(panel) {
  const h = await api("GET", "/portal/admin/api-health");
  put(panel, el("h2", {}, "Santé des API"),
    table(`Sur ${h.delay}`, [
      ["API", (a) => a.name], ["Statut", (a) => el("span", { class: `badge ${a.status === "Succès" ? "ok" : a.status === "Échec" ? "ko" : ""}` }, a.status)],
      ["Méthode", (a) => a.method], ["Détail", (a) => a.detail || ""],
    ], h.apis || [], "Aucune API à surveiller."));
}
