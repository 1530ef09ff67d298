// The portal: a hash-routed page (#/catalogue, #/connexion…) whose screens call the control API's
// /portal routes — the same operations the JSON API offers, with the session in an HttpOnly
// cookie (docs/console.md).
import { el, errorNotice } from "/common/api.js";
import { go, onSessionChange, refreshSession, session } from "/portal/state.js";
import * as publicScreens from "/portal/screens_public.js";
import * as accountScreens from "/portal/screens_account.js";
import * as applicationScreens from "/portal/screens_applications.js";
import * as tryScreens from "/portal/screens_try.js";
import * as adminScreens from "/portal/screens_admin.js";

// [hash prefix, menu label, needs a session]; the menu shows PISTE's entries.
const menu = [
  ["#/", "Accueil", false],
  ["#/catalogue", "Liste des API", false],
  ["#/applications", "Applications", true],
  ["#/tester", "Tester l'API", true],
  ["#/administration", "Administration", true],
];

function renderMenu() {
  const current = location.hash || "#/";
  const items = menu
    .filter(([, , needs]) => !needs || session.logged_in)
    .map(([hash, label]) => {
      const active = hash === "#/" ? current === "#/" : current.startsWith(hash);
      return el("li", {}, el("a", { href: hash, "aria-current": active ? "page" : null }, label));
    });
  if (session.logged_in) {
    items.push(el("li", { class: "end" }, el("a", { href: "#/profil", "aria-current": current.startsWith("#/profil") ? "page" : null }, "Mon profil")));
    items.push(el("li", {}, el("a", { href: "#/deconnexion" }, "Se déconnecter")));
  } else {
    items.push(el("li", { class: "end" }, el("a", { href: "#/inscription", "aria-current": current.startsWith("#/inscription") ? "page" : null }, "Créer un compte")));
    items.push(el("li", {}, el("a", { href: "#/connexion", "aria-current": current.startsWith("#/connexion") ? "page" : null }, "Se connecter")));
  }
  document.getElementById("menu").replaceChildren(...items);
  document.getElementById("who").textContent = session.logged_in ? `Connecté : ${session.email}` : "";
}

// [pattern, screen, needs a session]. Screens are async (main, params) → void.
const routes = [
  [/^#?\/?$/, publicScreens.home, false],
  [/^#\/catalogue$/, publicScreens.catalogue, false],
  [/^#\/api\/([^/]+)\/([A-Z]+)$/, publicScreens.sheet, false],
  [/^#\/inscription$/, publicScreens.register, false],
  [/^#\/connexion$/, publicScreens.login, false],
  [/^#\/mot-de-passe-oublie$/, publicScreens.forgotPassword, false],
  [/^#\/deconnexion$/, accountScreens.logout, false],
  [/^#\/profil$/, accountScreens.profile, true],
  [/^#\/cgu-piste$/, accountScreens.platformCgu, true],
  [/^#\/cgu-api$/, accountScreens.apiCgu, true],
  [/^#\/applications$/, applicationScreens.applications, true],
  [/^#\/applications\/nouvelle$/, applicationScreens.createApplication, true],
  [/^#\/applications\/([^/]+)$/, applicationScreens.application, true],
  [/^#\/demande-acces\/([^/]+)$/, applicationScreens.accessRequest, true],
  [/^#\/demandes$/, applicationScreens.myRequests, true],
  [/^#\/tester$/, tryScreens.tryApi, true],
  [/^#\/administration$/, adminScreens.administration, true],
];

async function route() {
  const hash = location.hash || "#/";
  const main = document.getElementById("contenu");
  renderMenu();
  for (const [pattern, screen, needsSession] of routes) {
    const m = hash.match(pattern);
    if (!m) continue;
    if (needsSession && !session.logged_in) {
      sessionStorage.setItem("pistesim.after-login", hash);
      go("#/connexion");
      return;
    }
    main.replaceChildren();
    try {
      await screen(main, ...m.slice(1).map(decodeURIComponent));
    } catch (error) {
      // What PISTE asks first: the CGU in force, a new password instead of a temporary one.
      if (error.code === "PLATFORM_CGU_REQUIRED" && !hash.startsWith("#/cgu-piste")) return go("#/cgu-piste");
      if (error.code === "PASSWORD_CHANGE_REQUIRED" && !hash.startsWith("#/profil")) return go("#/profil");
      // A session that ended on the server (logout elsewhere, password change): log in again.
      if (error.status === 401 && session.logged_in) {
        await refreshSession();
        if (!session.logged_in) return go("#/connexion");
      }
      main.append(errorNotice(error));
    }
    const h1 = main.querySelector("h1");
    if (h1) document.title = `${h1.textContent} — PISTE (pistesim)`;
    main.focus({ preventScroll: true });
    return;
  }
  main.replaceChildren(el("h1", {}, "Page introuvable"), el("p", {}, el("a", { href: "#/" }, "Retour à l'accueil")));
}

onSessionChange(renderMenu);
window.addEventListener("hashchange", route);
await refreshSession();
await route();
