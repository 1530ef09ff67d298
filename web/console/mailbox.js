// The captured outbox (GET /mail): every e-mail PISTE would have sent, newest first, opened one at
// a time with its links, which lead back to this simulator (activation, password reset).
import { api, el, field, formatDate, put, table } from "/common/api.js";

export async function mailbox(main) {
  const to = el("input", { type: "search", name: "to", value: sessionStorage.getItem("pistesim.mail-to") || "" });
  const list = el("div");
  const detail = el("div", { id: "mail-detail", "aria-live": "polite" });
  const open = async (id) => {
    const m = await api("GET", `/mail/${id}`);
    detail.replaceChildren(el("article", { class: "card" },
      el("h2", {}, m.subject),
      el("p", { class: "hint" }, `À ${m.to} — ${formatDate(m.sent_at)} — ${m.kind}`),
      (m.links || []).length ? el("ul", { class: "links" }, m.links.map((l) => el("li", {}, el("a", { href: l.url }, l.label)))) : null,
      el("div", { class: "mail-body" }, m.body)));
  };
  const show = async () => {
    sessionStorage.setItem("pistesim.mail-to", to.value.trim());
    const q = to.value.trim() ? `?to=${encodeURIComponent(to.value.trim())}` : "";
    const mails = (await api("GET", `/mail${q}`)).reverse();
    list.replaceChildren(table(`${mails.length} courriel(s)`, [
      ["Objet", (m) => el("button", { type: "button", class: "link", onclick: () => open(m.id) }, m.subject)],
      ["Destinataire", (m) => m.to], ["Type", (m) => m.kind], ["Envoyé le", (m) => formatDate(m.sent_at)],
    ], mails, "Aucun courriel capturé."));
  };
  const form = el("form", { class: "inline", role: "search" }, field("Destinataire", to), el("button", { type: "submit" }, "Filtrer"),
    el("button", { type: "button", class: "secondary", onclick: async () => { await api("DELETE", "/mail"); await show(); } }, "Vider la boîte"));
  form.addEventListener("submit", (e) => { e.preventDefault(); show(); });
  put(main, el("h1", {}, "Boîte de réception"), form, el("div", { class: "split" }, list, detail));
  await show();
}
