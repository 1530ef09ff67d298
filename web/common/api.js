// What the portal and the console share: calls to the control API (/__pistesim/…) with the CSRF
// token the page got at load, DOM building without innerHTML (every text goes in as text, so
// nothing a user typed can become markup), and the display of errors as the API words them.

let csrf = "";

// The token bound to this browser's cookie (GET /portal/session or /console/session gives it).
export function setCsrf(token) {
  csrf = token || "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.message || body.error_description || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || this.body.error || "";
  }
}

// Calls the control API. `path` is relative to /__pistesim ("/portal/login"); `body` is sent
// as JSON. Resolves with the parsed answer; rejects with an ApiError for any status ≥ 400.
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  // Anonymous forms send a placeholder: the router asks for the header on every state change.
  if (method !== "GET" && method !== "HEAD") headers["X-Pistesim-CSRF"] = csrf || "anonymous";
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/__pistesim${path}`, init);
  const text = await response.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (a snapshot, a page): the text itself.
  }
  if (!response.ok) throw new ApiError(response.status, typeof parsed === "object" ? parsed : {});
  return parsed;
}

// el("p", {class: "note"}, "text", child…): an element; attributes starting with "on" are
// listeners, `null`/`false` attributes are skipped, children may be strings, nodes or arrays.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

// Appends to an existing node as el() does: arrays flattened, null/false skipped.
export function put(node, ...children) {
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

// A message block: kind "error", "success" or "info". role=alert/status so screen readers say it.
export function notice(kind, ...content) {
  return el("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
            ...content);
}

// An ApiError as the API worded it: the French message, its code, and the failed rules if any.
export function errorNotice(error) {
  if (!(error instanceof ApiError)) return notice("error", String(error.message || error));
  const details = Array.isArray(error.body.details) ? error.body.details : [];
  return notice("error",
                el("p", {}, error.message, error.code ? el("code", { class: "code" }, error.code) : null),
                details.length ? el("ul", {}, details.map((d) => el("li", {}, typeof d === "string" ? d : JSON.stringify(d)))) : null);
}

// Runs `action` on submit with the button disabled meanwhile; shows its error in `where`.
export function onSubmit(form, where, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    where.replaceChildren();
    try {
      await action(new FormData(form));
    } catch (error) {
      where.replaceChildren(errorNotice(error));
      if (!(error instanceof ApiError)) console.error(error);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

let fields = 0;

// A labelled form field: label + input (or select/textarea built by the caller). Ids are unique
// in the page, so each label names its own input.
export function field(label, input, hint) {
  fields += 1;
  const id = input.id || `f-${input.name || "field"}-${fields}`;
  input.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return el("div", { class: "field" }, el("label", { for: id }, label), input,
            hint ? el("p", { class: "hint", id: hintId }, hint) : null);
}

// A table: `columns` are [header, row => cell] pairs.
export function table(caption, columns, rows, empty = "Aucun élément.") {
  if (!rows.length) return el("p", { class: "empty" }, empty);
  // Wide tables scroll inside their box rather than pushing the page sideways.
  return el("div", { class: "table-wrap" }, el("table", {},
            el("caption", {}, caption),
            el("thead", {}, el("tr", {}, columns.map(([h]) => el("th", { scope: "col" }, h)))),
            el("tbody", {}, rows.map((row) => el("tr", {}, columns.map(([, cell]) => el("td", {}, cell(row))))))));
}

// An access's status as the portal words it.
export const statusLabels = { approved: "approuvée", pending: "en attente", rejected: "refusée", revoked: "révoquée" };

export function formatDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString("fr-FR", { timeZone: "Europe/Paris" });
}
