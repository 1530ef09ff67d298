// The portal page's state: who is logged in (the cookie itself is out of the scripts' reach) and
// navigation. Screens import this; app.js renders the menu when it changes.
import { api, setCsrf } from "/common/api.js";

export const session = { logged_in: false, email: "" };
const listeners = [];

export function onSessionChange(listener) {
  listeners.push(listener);
}

function changed() {
  for (const listener of listeners) listener(session);
}

// Asks the server who the cookie names, and the CSRF token to send back.
export async function refreshSession() {
  const s = await api("GET", "/portal/session");
  session.logged_in = !!s.logged_in;
  session.email = s.email || "";
  setCsrf(s.csrf);
  changed();
}

// After POST /portal/login: the server set the cookie and answered the CSRF token.
export function loggedIn(answer) {
  session.logged_in = true;
  session.email = answer.email;
  setCsrf(answer.csrf);
  changed();
}

export function loggedOut() {
  session.logged_in = false;
  session.email = "";
  setCsrf("");
  changed();
}

export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}
