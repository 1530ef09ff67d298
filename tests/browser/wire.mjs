// What the browser tests check on the wire after a click: a client's token requests and API calls
// (as any integration would send them, from node, not from the page), and the operator's view
// through the control API with the admin token.
const prefix = { SANDBOX: "sandbox", PRODUCTION: "production" };

export function wire(base, adminToken) {
  // POST /api/oauth/token (client_credentials): {status, body} with the parsed JSON.
  const token = async (channel, clientId, clientSecret, scope = "openid") => {
    const response = await fetch(`${base}/${prefix[channel]}/oauth/api/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, scope }),
    });
    return { status: response.status, body: await response.json().catch(() => ({})) };
  };
  // A gateway call: `path` is the API's base path and the route; `auth` is a bearer token or
  // {KeyId: key} (WIRE-9). {status, text, headers}.
  const call = async (channel, path, auth, init = {}) => {
    const headers = { Accept: "application/json", ...(init.headers || {}) };
    if (typeof auth === "string") headers.Authorization = `Bearer ${auth}`;
    else Object.assign(headers, auth);
    const response = await fetch(`${base}/${prefix[channel]}/api${path}`, { ...init, headers });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };
  // The control API, as the operator: the parsed answer, or {status} on an error.
  const control = async (method, path, body) => {
    const response = await fetch(`${base}/__pistesim${path}`, {
      method,
      headers: { Authorization: `Bearer ${adminToken}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) return { status: response.status, text };
    return text ? JSON.parse(text) : {};
  };
  return { token, call, control };
}

// Fails with what was expected and what came, unless `ok`.
export function expect(ok, what, got) {
  if (!ok) throw new Error(`${what}; got ${typeof got === "string" ? got : JSON.stringify(got)}`);
}
