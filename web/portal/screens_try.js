// « Tester l'API »: pick an application's client id, get a token from this simulator's OAuth
// endpoint, call a route of an API through its gateway, see the answer and PISTE's headers. The
// calls go to the PISTE endpoints themselves (/sandbox/oauth, /sandbox/api…), as a client would.
import { api, el, field, notice, onSubmit, put, statusLabels } from "/common/api.js";

const prefix = { SANDBOX: "sandbox", PRODUCTION: "production" };

// An exchange as the page shows it: status line, headers, body (JSON indented).
function exchange(title, response, text) {
  let body = text;
  try {
    body = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: as received.
  }
  const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
  return el("section", { class: "exchange", "aria-label": title },
            el("h3", {}, title, " — ", el("span", { class: `badge ${response.ok ? "ok" : "ko"}`, "data-status": response.status }, `HTTP ${response.status}`)),
            el("h4", {}, "En-têtes"), el("pre", { class: "headers", tabindex: "0", role: "region", "aria-label": `${title} : en-têtes` }, headers),
            el("h4", {}, "Corps"), el("pre", { class: "body", tabindex: "0", role: "region", "aria-label": `${title} : corps` }, body || "(vide)"));
}

export async function tryApi(main) {
  const apps = (await api("GET", "/portal/applications")).applications;
  let token = "";
  const out = el("div", { "aria-live": "polite" });
  const appSelect = el("select", { name: "application" }, apps.map((a) => el("option", { value: a.id }, `${a.name} (${a.channel})`)));
  const clientSelect = el("select", { name: "client_id" });
  const apiSelect = el("select", { name: "api" });
  const routeSelect = el("select", { name: "route" });
  const scope = el("input", { type: "text", name: "scope", value: "openid" });
  const tokenState = el("p", { class: "hint", id: "token-state" }, "Aucun jeton.");
  const current = () => apps.find((a) => a.id === appSelect.value);
  const sheets = new Map();

  let filling = 0;  // the latest fillRoutes(): routes of an API chosen before it are dropped
  const fillRoutes = async () => {
    const mine = ++filling;
    const a = current();
    routeSelect.replaceChildren();
    if (!a || !apiSelect.value) return;
    const key = `${apiSelect.value}~${a.channel}`;
    if (!sheets.has(key)) {
      const q = `?environment=${a.channel}`;
      const id = encodeURIComponent(apiSelect.value);
      const sheet = await api("GET", `/portal/catalogue/${id}${q}`);
      const swagger = await api("GET", `/portal/catalogue/${id}/swagger.json${q}`);
      sheets.set(key, { sheet, swagger });
    }
    if (mine !== filling) return;
    const { sheet, swagger } = sheets.get(key);
    const options = [];
    for (const [path, methods] of Object.entries(swagger.paths || {}))
      for (const method of Object.keys(methods))
        options.push(el("option", { value: `${method.toUpperCase()} ${sheet.base_path}${path}` }, `${method.toUpperCase()} ${sheet.base_path}${path}`));
    routeSelect.replaceChildren(...options);
  };
  const fillApp = async () => {
    const a = current();
    clientSelect.replaceChildren(...(a?.oauth_clients || []).map((c) => el("option", { value: c.client_id }, `${c.client_id} (${c.type})`)));
    apiSelect.replaceChildren(...(a?.subscriptions || []).map((s) => el("option", { value: s.api }, `${s.name || s.api} — ${statusLabels[s.status] || s.status}`)));
    token = "";
    tokenState.textContent = "Aucun jeton.";
    await fillRoutes();
  };
  appSelect.addEventListener("change", fillApp);
  apiSelect.addEventListener("change", fillRoutes);

  const tokenForm = el("form", { class: "wide" },
    el("div", { class: "split" }, field("Application", appSelect), field("Client ID", clientSelect)),
    field("Portée demandée (scope)", scope, "PISTE ajoute les portées accordées à l'application."),
    el("button", { type: "submit" }, "Obtenir un jeton"), tokenState);
  onSubmit(tokenForm, out, async () => {
    const a = current();
    const clientId = clientSelect.value;
    const { client_secret: secret } = await api("GET", `/portal/applications/${encodeURIComponent(a.id)}/oauth-clients/${encodeURIComponent(clientId)}/secret`);
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope: scope.value });
    const response = await fetch(`/${prefix[a.channel]}/oauth/api/oauth/token`, {
      method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form,
    });
    const text = await response.text();
    out.replaceChildren(exchange("Jeton (POST /api/oauth/token)", response, text.replace(/"access_token"\s*:\s*"([^"]{6})[^"]*"/, '"access_token":"$1…"')));
    if (response.ok) {
      const answer = JSON.parse(text);
      token = answer.access_token;
      tokenState.textContent = `Jeton obtenu : portées « ${answer.scope} », valable ${answer.expires_in} s.`;
    }
  });

  const extraHeaders = el("textarea", { name: "headers", rows: 2, spellcheck: "false" });
  const requestBody = el("textarea", { name: "body", rows: 3, spellcheck: "false" });
  const callForm = el("form", { class: "wide" },
    el("div", { class: "split" }, field("API", apiSelect), field("Route", routeSelect)),
    el("div", { class: "split" },
       field("En-têtes supplémentaires", extraHeaders, "Un par ligne, « Nom: valeur » (ex. cpro-account pour Chorus Pro)."),
       field("Corps de la requête (JSON)", requestBody, "Pour POST, PUT et PATCH.")),
    el("button", { type: "submit" }, "Appeler la route"));
  onSubmit(callForm, out, async () => {
    if (!token) throw new Error("Obtenez d'abord un jeton.");
    const a = current();
    const [method, path] = routeSelect.value.split(" ");
    const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
    for (const line of extraHeaders.value.split("\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    const init = { method, headers };
    if (requestBody.value.trim() && !["GET", "HEAD"].includes(method)) {
      headers["Content-Type"] = "application/json";
      init.body = requestBody.value;
    }
    const response = await fetch(`/${prefix[a.channel]}/api${path}`, init);
    out.replaceChildren(exchange(`${method} ${path}`, response, await response.text()));
  });

  put(main, el("h1", {}, "Tester l'API"),
              apps.length ? el("div", {}, el("h2", {}, "1. Obtenir un jeton"), tokenForm, el("h2", {}, "2. Appeler une route"), callForm, el("h2", {}, "Réponse"), out)
                : notice("info", el("p", {}, "Aucune application.")));
  await fillApp();
}
