// The simulator console (/console/): the operator's levers over the control API, behind the admin
// token. The token is typed once and exchanged for an HttpOnly cookie (POST /console/login); it
// never sits in a URL or in the page's storage.
import { api, el, errorNotice, field, notice, onSubmit, put, setCsrf } from "/common/api.js";
import { mailbox } from "/console/mailbox.js";
import { journal } from "/console/journal.js";
import { clock, faults } from "/console/levers.js";
import { chorusPro } from "/console/chorus_pro.js";
import { applications, world } from "/console/world.js";

const panels = [
  ["boite", "Boîte de réception", mailbox],
  ["journal", "Journal", journal],
  ["horloge", "Horloge et jetons", clock],
  ["pannes", "Pannes", faults],
  ["applications", "Applications", applications],
  ["chorus-pro", "Chorus Pro", chorusPro],
  ["monde", "Monde", world],
];

let stop = null;  // what the open panel runs in the background (the journal's tail)

function renderMenu(loggedIn) {
  const current = (location.hash || "#boite").slice(1);
  const items = loggedIn
    ? panels.map(([id, label]) => el("li", {}, el("a", { href: `#${id}`, "aria-current": id === current ? "page" : null }, label)))
    : [];
  if (loggedIn) items.push(el("li", { class: "end" }, el("a", { href: "#sortie" }, "Se déconnecter")));
  document.getElementById("menu").replaceChildren(...items);
}

async function login(main) {
  const out = el("div");
  const form = el("form", {},
    field("Jeton d'administration", el("input", { type: "password", name: "token", autocomplete: "off", required: true }),
          "Affiché par « pistesim serve » au démarrage (ou dans son fichier --info-file). Il est échangé contre un cookie de session."),
    el("button", { type: "submit" }, "Ouvrir la console"));
  onSubmit(form, out, async (data) => {
    const answer = await api("POST", "/console/login", { token: data.get("token") });
    setCsrf(answer.csrf);
    await route();
  });
  put(main, el("h1", {}, "Console du simulateur"), out, form);
}

async function route() {
  if (stop) stop();
  stop = null;
  const main = document.getElementById("contenu");
  main.replaceChildren();
  const s = await api("GET", "/console/session");
  setCsrf(s.csrf);
  if (location.hash === "#sortie") {
    await api("POST", "/console/logout");
    history.replaceState(null, "", "#boite");
    renderMenu(false);
    put(main, notice("success", el("p", {}, "Console fermée.")));
    return login(main);
  }
  renderMenu(s.logged_in);
  if (!s.logged_in) return login(main);
  const id = (location.hash || "#boite").slice(1);
  const panel = panels.find(([p]) => p === id) || panels[0];
  try {
    stop = (await panel[2](main)) || null;
  } catch (error) {
    put(main, errorNotice(error));
  }
  document.title = `${panel[1]} — console pistesim`;
}

window.addEventListener("hashchange", route);
await route();
