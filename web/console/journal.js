// The request journal as a live tail (GET /journal?after=SEQ every second): what clients sent to
// the PISTE endpoints and what they got, filtered by kind (on the server), application and status
// (here), one exchange opened in detail.
import { api, el, field, put } from "/common/api.js";

export async function journal(main) {
  const kind = el("select", { name: "kind" }, [["", "Tous"], ["token", "Jetons"], ["api", "Appels d'API"]].map(([v, l]) => el("option", { value: v }, l)));
  const application = el("input", { type: "search", name: "application" });
  const status = el("input", { type: "search", name: "status", inputmode: "numeric", placeholder: "ex. 503 ou 4" });
  const paused = el("input", { type: "checkbox", id: "journal-paused" });
  const body = el("tbody");
  const detail = el("pre", { id: "journal-detail", "aria-live": "polite", tabindex: "0", role: "region", "aria-label": "Détail de l'échange" }, "Choisissez un échange.");
  const state = el("p", { class: "hint", "aria-live": "polite" });
  let entries = [];
  let last = 0;

  const matches = (e) => (!kind.value || e.kind === kind.value) &&
    (!application.value || (e.application || "").includes(application.value.trim())) &&
    (!status.value || String(e.status).startsWith(status.value.trim()));
  const render = () => {
    const shown = entries.filter(matches).slice(-200).reverse();
    body.replaceChildren(...shown.map((e) => el("tr", { "data-seq": e.seq },
      el("td", {}, e.seq), el("td", {}, (e.at || "").slice(11, 23)), el("td", {}, e.kind), el("td", {}, e.channel),
      el("td", {}, el("button", { type: "button", class: "link", onclick: () => { detail.textContent = JSON.stringify(e, null, 2); } }, `${e.method} ${e.path}`)),
      el("td", { class: "ellipsis", title: e.application || e.client_id || "" }, e.application || e.client_id || ""),
      el("td", { class: "status" }, String(e.status)), el("td", {}, e.error || ""))));
    state.textContent = `${entries.length} échange(s) reçus, ${shown.length} affiché(s). Dernier : n° ${last}.`;
  };
  const poll = async () => {
    if (paused.checked) return;
    const answer = await api("GET", last ? `/journal?after=${last}` : "/journal?last=200");
    if (answer.entries.length) {
      entries = entries.concat(answer.entries).slice(-2000);
      last = answer.entries[answer.entries.length - 1].seq;
    } else if (answer.last_seq) {
      last = Math.max(last, answer.last_seq);
    }
    render();
  };
  for (const input of [kind, application, status]) input.addEventListener("input", render);
  put(main, el("h1", {}, "Journal des échanges"),
    el("form", { class: "inline", role: "search", onsubmit: (e) => e.preventDefault() },
       field("Type", kind), field("Application", application), field("Statut", status),
       el("div", { class: "field check" }, paused, el("label", { for: "journal-paused" }, "Pause"))),
    state,
    el("div", {},
       el("div", { class: "tail" }, el("table", {}, el("caption", {}, "Derniers échanges (les plus récents en haut)"),
         el("thead", {}, el("tr", {}, ["N°", "Heure", "Type", "Canal", "Requête", "Application", "Statut", "Erreur"].map((h) => el("th", { scope: "col" }, h)))), body)),
       el("section", {}, el("h2", {}, "Détail"), detail)));
  await poll();
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      await poll();
    } catch (error) {
      state.textContent = `Journal indisponible : ${error.message}`;
    } finally {
      busy = false;
    }
  }, 1000);
  return () => clearInterval(timer);
}
