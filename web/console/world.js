// Applications with their quotas and what remains in the current window (operator's levers:
// quota, business profile, activation), and the world: reset, snapshot, the control API's OpenAPI.
import { api, el, errorNotice, field, notice, onSubmit, put, table } from "/common/api.js";

export async function applications(main) {
  const list = await api("GET", "/applications");
  const select = el("select", { name: "application" }, list.map((a) => el("option", { value: a.id }, `${a.name} (${a.channel})`)));
  const detail = el("div", { id: "application-detail" });
  const out = el("div");
  let shown = 0;  // the latest show(): an answer that arrives after a newer choice is dropped
  const show = async () => {
    if (!select.value) return;
    const mine = ++shown;
    const id = encodeURIComponent(select.value);
    const a = await api("GET", `/applications/${id}`);
    if (mine !== shown) return;
    const quota = el("form", { class: "inline" },
      field("API (vide : l'application)", el("input", { type: "text", name: "api" })),
      field("Limite", el("input", { type: "number", name: "limit", min: 0, required: true, value: a.quota?.limit ?? 10 })),
      field("Fenêtre", el("select", { name: "window" }, el("option", { value: "1s" }, "par seconde"), el("option", { value: "1d" }, "par jour"))),
      el("button", { type: "submit" }, "Fixer le quota"));
    onSubmit(quota, out, async (data) => {
      const body = { limit: Number(data.get("limit")), window: data.get("window") };
      if (data.get("api").trim()) body.api = data.get("api").trim();
      await api("PUT", `/applications/${id}/quota`, body);
      await show();
    });
    const profile = el("form", { class: "inline" },
      field("API du profil métier", el("select", { name: "api" }, (a.subscriptions || []).map((s) => el("option", { value: s.api }, s.name || s.api)))),
      el("button", { type: "submit" }, "Attribuer un profil métier"));
    onSubmit(profile, out, async (data) => {
      await api("POST", `/applications/${id}/business-profiles`, { api: data.get("api") });
      out.replaceChildren(notice("success", el("p", {}, "Profil métier attribué.")));
      await show();
    });
    detail.replaceChildren(
      el("h2", {}, a.name),
      el("p", {}, `${a.channel} — propriétaire ${a.owner || "—"} — ${a.active ? "active" : "désactivée"} — quota ${a.quota.limit} par ${a.quota.window}${a.quota_override ? " (imposé)" : ""}`),
      el("p", {}, `Profils métier : ${(a.business_profiles || []).join(", ") || "aucun"}`),
      table("Accès aux API et quota restant", [
        ["API", (s) => s.name || s.api], ["Statut", (s) => s.status], ["Portées", (s) => (s.scopes || []).join(" ")],
        ["Quota", (s) => (s.quota ? `${s.quota.limit} par ${s.quota.window}${s.quota.override ? " (imposé)" : ""}` : "")],
        ["Restant", (s) => (s.quota ? el("span", { class: "remaining" }, s.quota.remaining) : "")],
      ], a.subscriptions || [], "Aucune API."),
      quota, profile,
      el("div", { class: "actions" }, el("button", { type: "button", class: a.active ? "danger" : "", onclick: async () => {
        try {
          await api("PATCH", `/applications/${id}`, { active: !a.active });
          await show();
        } catch (error) {
          out.replaceChildren(errorNotice(error));
        }
      } }, a.active ? "Désactiver l'application" : "Réactiver l'application")));
  };
  select.addEventListener("change", () => {
    // The previous application's forms go at once: a lever pulled meanwhile would act on it.
    detail.replaceChildren(el("p", { "aria-busy": "true" }, "Chargement…"));
    out.replaceChildren();
    show().catch((e) => out.replaceChildren(errorNotice(e)));
  });
  put(main, el("h1", {}, "Applications"), el("form", { class: "inline", onsubmit: (e) => e.preventDefault() }, field("Application", select)), out, detail);
  await show();
}

export async function world(main) {
  const w = await api("GET", "/world");
  const out = el("div");
  const reset = el("form", {},
    el("div", { class: "field check" }, el("input", { type: "checkbox", name: "clock", id: "reset-clock" }),
       el("label", { for: "reset-clock" }, "Remettre aussi l'horloge à l'heure réelle")),
    el("button", { type: "submit", class: "danger" }, "Réinitialiser le monde"));
  onSubmit(reset, out, async (data) => {
    if (!confirm("Jetons, sessions, courriels, journal et pannes seront effacés. Continuer ?")) return;
    await api("POST", "/world/reset", data.has("clock") ? { clock: true } : {});
    out.replaceChildren(notice("success", el("p", {}, "Monde réinitialisé.")));
  });
  put(main, el("h1", {}, "Monde"),
    el("p", { class: "lead" }, `${w.name} — profil ${w.profile} — ${w.apis.length} API, ${w.applications} applications, ${w.users} utilisateurs.`),
    out,
    el("div", { class: "actions" },
       el("a", { class: "button secondary", href: "/__pistesim/world/snapshot", download: "pistesim-world.toml" }, "Télécharger l'instantané (world.toml)"),
       el("a", { class: "button secondary", href: "/__pistesim/openapi.json", download: "pistesim-control-openapi.json" }, "OpenAPI de l'API de contrôle")),
    el("h2", {}, "Réinitialiser"), reset,
    table("API du monde", [["Identifiant", (a) => a.id], ["Nom", (a) => a.name], ["Chemin", (a) => a.base_path], ["Canaux", (a) => a.channels.join(", ")]], w.apis));
}
