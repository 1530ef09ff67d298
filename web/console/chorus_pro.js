// Chorus Pro's side of a connection (seeds 003/004): structures, the raccordement PISTE that names
// an application, and the structure's technical accounts (the `cpro-account` header's value).
import { api, el, field, notice, onSubmit, put, table } from "/common/api.js";

const environments = [["QUALIFICATION", "Qualification (SANDBOX)"], ["PRODUCTION", "Production"]];
const environmentSelect = () => el("select", { name: "environment" }, environments.map(([v, l]) => el("option", { value: v }, l)));

export async function chorusPro(main) {
  const list = el("div", { id: "chorus-structures" });
  const out = el("div", { "aria-live": "polite" });
  const show = async () => {
    const structures = await api("GET", "/chorus-pro/structures");
    list.replaceChildren(...structures.map((s) => el("section", { class: "card" },
      el("h3", {}, `${s.name} — SIRET ${s.siret}`),
      table("Raccordements PISTE", [
        ["Environnement", (k) => k.environment], ["Application", (k) => k.application],
        ["Contact technique", (k) => k.technical_contact?.name || ""], ["Actif", (k) => (k.active ? "Oui" : "Non")],
      ], s.raccordements, "Aucun raccordement."),
      table("Comptes techniques", [
        ["Environnement", (a) => a.environment], ["Identifiant", (a) => a.login], ["Actif", (a) => (a.active ? "Oui" : "Non")],
      ], s.technical_accounts, "Aucun compte technique."))));
    return structures;
  };
  const structure = el("form", { class: "inline" },
    field("SIRET", el("input", { type: "text", name: "siret", required: true, inputmode: "numeric" })),
    field("Raison sociale", el("input", { type: "text", name: "name", required: true })),
    el("button", { type: "submit" }, "Créer la structure"));
  onSubmit(structure, out, async (data) => {
    await api("POST", "/chorus-pro/structures", { siret: data.get("siret"), name: data.get("name") });
    out.replaceChildren(notice("success", el("p", {}, "Structure créée.")));
    await show();
  });
  const raccordement = el("form", { class: "wide" },
    el("div", { class: "split" },
       field("Structure (SIRET)", el("input", { type: "text", name: "structure", required: true })),
       field("Environnement", environmentSelect()),
       field("Application PISTE (nom)", el("input", { type: "text", name: "application", required: true })),
       field("Contact technique : nom", el("input", { type: "text", name: "contact_name", required: true })),
       field("Contact technique : adresse électronique", el("input", { type: "email", name: "contact_email", required: true }))),
    el("button", { type: "submit" }, "Déclarer le raccordement PISTE"));
  onSubmit(raccordement, out, async (data) => {
    const body = {};
    for (const k of ["structure", "environment", "application", "contact_name", "contact_email"]) body[k] = data.get(k);
    await api("POST", "/chorus-pro/raccordements", body);
    out.replaceChildren(notice("success", el("p", {}, "Raccordement déclaré.")));
    await show();
  });
  const account = el("form", { class: "wide" },
    el("div", { class: "split" },
       field("Structure (SIRET)", el("input", { type: "text", name: "structure", required: true })),
       field("Environnement", environmentSelect()),
       field("Identifiant du compte technique", el("input", { type: "text", name: "login", required: true })),
       field("Mot de passe (vide : généré)", el("input", { type: "text", name: "password", autocomplete: "off" }))),
    el("button", { type: "submit" }, "Créer le compte technique"));
  onSubmit(account, out, async (data) => {
    const body = { structure: data.get("structure"), environment: data.get("environment"), login: data.get("login") };
    if (data.get("password")) body.password = data.get("password");
    const a = await api("POST", "/chorus-pro/technical-accounts", body);
    // The value PISTE clients send in the cpro-account header: base64 of « login:password ».
    const value = btoa(String.fromCharCode(...new TextEncoder().encode(`${a.login}:${a.password}`)));
    out.replaceChildren(notice("success", el("p", {}, `Compte ${a.login} créé. En-tête à envoyer : `),
                               el("p", {}, el("code", { class: "secret", id: "cpro-account" }, `cpro-account: ${value}`))));
    await show();
  });
  put(main, el("h1", {}, "Chorus Pro"), out,
      el("h2", {}, "Structures"), list, el("h3", {}, "Nouvelle structure"), structure,
      el("h2", {}, "Raccordement PISTE"), raccordement, el("h2", {}, "Compte technique"), account);
  await show();
}
