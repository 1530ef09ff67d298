// The clock (advance, back to real time), live tokens per channel (revoke, expire) and faults
// (arm from a form, see what remains, disarm).
import { api, el, errorNotice, field, formatDate, notice, onSubmit, put, table } from "/common/api.js";

export async function clock(main) {
  const now = el("p", { class: "lead", id: "clock-now", "aria-live": "polite" });
  const tokens = el("div", { id: "tokens", "aria-live": "polite" });
  const out = el("div");
  const refresh = async () => {
    const c = await api("GET", "/clock");
    now.textContent = `${formatDate(c.now)} (UTC ${c.now}), ${Math.round(c.offset_ms / 1000)} s d'avance sur l'heure réelle`;
    const t = await api("GET", "/tokens");
    tokens.replaceChildren(table("Jetons vivants", [["Canal", (r) => r[0]], ["Jetons", (r) => el("span", { "data-channel": r[0] }, r[1])]],
      [["SANDBOX", t.sandbox_live], ["PRODUCTION", t.production_live]]));
  };
  const run = (label, action, kind) => el("button", { type: "button", class: kind, onclick: async () => {
    out.replaceChildren();
    try {
      await action();
      await refresh();
    } catch (error) {
      out.replaceChildren(errorNotice(error));
    }
  } }, label);
  const advance = el("form", { class: "inline" },
    field("Avancer de", el("input", { type: "text", name: "by", value: "1h", required: true }), "ms, s, m, h, d, combinables : 1h30m"),
    el("button", { type: "submit" }, "Avancer l'horloge"));
  onSubmit(advance, out, async (data) => {
    await api("POST", "/clock/advance", { by: data.get("by") });
    await refresh();
  });
  const byApp = el("form", { class: "inline" },
    field("Application (identifiant)", el("input", { type: "text", name: "application", required: true })),
    el("button", { type: "submit", value: "expire", class: "secondary" }, "Faire expirer ses jetons"),
    el("button", { type: "submit", value: "revoke", class: "danger" }, "Révoquer ses jetons"));
  byApp.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await api("POST", `/tokens/${e.submitter?.value || "expire"}`, { application: new FormData(byApp).get("application") });
      out.replaceChildren(notice("success", el("p", {}, `${r.expired ?? r.revoked} jeton(s).`)));
      await refresh();
    } catch (error) {
      out.replaceChildren(errorNotice(error));
    }
  });
  put(main, el("h1", {}, "Horloge et jetons"), now, out,
    el("div", { class: "actions" }, run("+ 1 heure", () => api("POST", "/clock/advance", { by: "1h" })),
       run("+ 1 jour", () => api("POST", "/clock/advance", { by: "1d" })),
       run("Revenir à l'heure réelle", () => api("POST", "/clock/reset"), "secondary")),
    advance, el("h2", {}, "Jetons"), tokens, byApp);
  await refresh();
}

export async function faults(main) {
  const list = el("div", { id: "faults" });
  const out = el("div");
  const show = async () => {
    const armed = await api("GET", "/faults");
    const rows = Array.isArray(armed) ? armed : armed.faults || [];
    list.replaceChildren(table("Pannes armées", [
      ["N°", (f) => f.id], ["Type", (f) => f.kind], ["API", (f) => f.api || "toutes"], ["Application", (f) => f.application || "toutes"],
      ["Statut", (f) => f.status], ["Latence", (f) => `${f.latency_ms} ms`], ["Restantes", (f) => (f.remaining < 0 ? "illimité" : f.remaining)],
      ["", (f) => el("button", { type: "button", class: "secondary", onclick: async () => { await api("DELETE", `/faults/${f.id}`); await show(); } }, "Désarmer")],
    ], rows, "Aucune panne armée."));
  };
  const kind = el("select", { name: "kind" }, [["respond", "Réponse imposée"], ["drop_connection", "Connexion coupée"], ["expire_token", "Jeton expiré"]]
    .map(([v, l]) => el("option", { value: v }, l)));
  const form = el("form", { class: "wide" },
    el("div", { class: "split" },
       field("Type", kind), field("Statut HTTP (réponse imposée)", el("input", { type: "number", name: "status", value: "503", min: 0, max: 599 })),
       field("API (vide : toutes)", el("input", { type: "text", name: "api" })), field("Application (vide : toutes)", el("input", { type: "text", name: "application" })),
       field("Nombre d'appels (-1 : jusqu'au désarmement)", el("input", { type: "number", name: "count", value: "1" })),
       field("Latence (ms)", el("input", { type: "number", name: "latency_ms", value: "0", min: 0 }))),
    el("button", { type: "submit" }, "Armer la panne"));
  onSubmit(form, out, async (data) => {
    const body = { kind: data.get("kind"), count: Number(data.get("count")) };
    if (body.kind === "respond") body.status = Number(data.get("status"));
    for (const k of ["api", "application"]) if (data.get(k).trim()) body[k] = data.get(k).trim();
    if (Number(data.get("latency_ms"))) body.latency_ms = Number(data.get("latency_ms"));
    const f = await api("POST", "/faults", body);
    out.replaceChildren(notice("success", el("p", {}, `Panne n° ${f.id} armée.`)));
    await show();
  });
  put(main, el("h1", {}, "Pannes"), out, form, el("h2", {}, "Armées"), list,
    el("button", { type: "button", class: "danger", onclick: async () => { await api("DELETE", "/faults"); await show(); } }, "Tout désarmer"));
  await show();
}
