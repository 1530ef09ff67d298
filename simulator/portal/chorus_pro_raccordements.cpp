#include "portal/chorus_pro_raccordements.h"

#include <algorithm>

#include "crypto/secrets.h"
#include "providers/chorus_pro_gate.h"
#include "world/cpro_world.h"

namespace pistesim {

namespace {

PortalError invalid(std::string code, std::string message, std::string field,
                    std::string message_en) {
  PortalError e =
      portal_error(ErrorKind::InvalidInput, std::move(code), std::move(message), std::move(field));
  e.message_en = std::move(message_en);
  return e;
}

CproStructure* structure(Transaction& tx, std::string_view siret) {
  for (auto& s : tx.world.cpro_structures)
    if (s.siret == siret) return &s;
  return nullptr;
}

PortalError unknown_structure(std::string_view siret) {
  PortalError e =
      portal_error(ErrorKind::NotFound, "CPRO_UNKNOWN_STRUCTURE",
                   "Structure inconnue de Chorus Pro : " + std::string(siret), "structure");
  e.message_en = "No Chorus Pro structure has SIRET " + std::string(siret) + ".";
  return e;
}

std::optional<Channel> environment(std::string_view s, PortalError* err) {
  if (auto c = parse_cpro_environment(s)) return c;
  *err = invalid("INVALID_FIELD", "« environment » doit valoir QUALIFICATION ou PRODUCTION",
                 "environment", "« environment » must be QUALIFICATION or PRODUCTION.");
  return std::nullopt;
}

std::string next_raccordement_id(const World& w) {
  size_t n = 0;
  for (const auto& s : w.cpro_structures) n += s.raccordements.size();
  for (;; ++n) {
    std::string id = "racc-" + std::to_string(n + 1);
    bool taken = std::any_of(w.cpro_structures.begin(), w.cpro_structures.end(), [&](auto& s) {
      return std::any_of(s.raccordements.begin(), s.raccordements.end(),
                         [&](const CproRaccordement& k) { return k.id == id; });
    });
    if (!taken) return id;
  }
}

}  // namespace

PortalResult<CproStructure> open_cpro_structure(Transaction& tx, const CproStructureInput& in) {
  if (!is_siret(in.siret))
    return invalid("CPRO_INVALID_SIRET", "Le SIRET doit comporter 14 chiffres.", "siret",
                   "A SIRET has 14 digits.");
  if (in.name.empty())
    return invalid("MISSING_FIELD", "Le champ « name » est obligatoire.", "name",
                   "The field « name » is required.");
  if (structure(tx, in.siret)) {
    PortalError e = portal_error(ErrorKind::Conflict, "CPRO_STRUCTURE_EXISTS",
                                 "La structure " + in.siret + " existe déjà.", "siret");
    e.message_en = "Structure " + in.siret + " exists already.";
    return e;
  }
  tx.world.cpro_structures.push_back({in.siret, in.name, {}, {}});
  return tx.world.cpro_structures.back();
}

PortalResult<CproRaccordement> declare_raccordement(Transaction& tx, const RaccordementInput& in) {
  PortalError err;
  auto env = environment(in.environment, &err);
  if (!env) return err;
  if (in.technical_contact.name.empty() ||
      in.technical_contact.email.find('@') == std::string::npos)
    return invalid("CPRO_TECHNICAL_CONTACT",
                   "Saisissez le nom et l'adresse électronique du contact technique.",
                   "technical_contact", "Give the technical contact's name and e-mail address.");
  const Application* app = nullptr;
  for (const auto& a : tx.world.applications)
    if (a.name == in.application) app = &a;
  std::string why = cpro_application_refusal(app, in.application, *env);
  if (!why.empty()) {
    // 003 §3.B: « il est impossible de saisir une application SANDBOX » for Production.
    const bool sandbox_for_production =
        app && *env == Channel::Production && app->channel == Channel::Sandbox;
    std::string msg = sandbox_for_production
                          ? "Il est impossible de saisir une application SANDBOX pour un "
                            "raccordement en Production : " +
                                in.application
                          : "Aucune application " + std::string(to_string(*env)) +
                                " de PISTE ne porte ce nom : " + in.application;
    return invalid(sandbox_for_production ? "CPRO_SANDBOX_APPLICATION" : "CPRO_UNKNOWN_APPLICATION",
                   std::move(msg), "application",
                   sandbox_for_production
                       ? "A SANDBOX application cannot be named for a Production raccordement."
                       : "No PISTE application of the environment's channel (" +
                             std::string(to_string(*env)) + ") has that name.");
  }
  CproStructure* s = structure(tx, in.structure);
  if (!s) return unknown_structure(in.structure);
  for (const auto& k : s->raccordements)
    if (k.active && k.environment == *env && k.application == in.application) {
      PortalError e = portal_error(ErrorKind::Conflict, "CPRO_ALREADY_CONNECTED",
                                   "Un raccordement actif de cette structure désigne déjà "
                                   "l'application " +
                                       in.application + " (" + k.id + ").",
                                   "application");
      e.message_en = "An active raccordement of this structure names that application already.";
      return e;
    }
  CproRaccordement k;
  k.id = next_raccordement_id(tx.world);
  k.environment = *env;
  k.application = in.application;
  k.usage_type = in.usage_type;
  k.editor = in.editor;
  k.technical_contact = in.technical_contact;
  k.declared_at = tx.now;
  s->raccordements.push_back(k);
  return k;
}

PortalResult<CproRaccordement> deactivate_raccordement(Transaction& tx, std::string_view id) {
  for (auto& s : tx.world.cpro_structures)
    for (auto& k : s.raccordements)
      if (k.id == id) {
        k.active = false;
        return k;
      }
  PortalError e = portal_error(ErrorKind::NotFound, "CPRO_UNKNOWN_RACCORDEMENT",
                               "Raccordement inconnu : " + std::string(id), "id");
  e.message_en = "No raccordement has id " + std::string(id) + ".";
  return e;
}

PortalResult<CproTechnicalAccount> create_technical_account(Transaction& tx,
                                                            const TechnicalAccountInput& in) {
  PortalError err;
  auto env = environment(in.environment, &err);
  if (!env) return err;
  if (in.login.empty() || in.login.find(':') != std::string::npos)
    return invalid("CPRO_INVALID_LOGIN",
                   "L'identifiant du compte technique est obligatoire et ne contient pas « : ».",
                   "login", "The technical account's login is required and has no « : ».");
  CproStructure* s = structure(tx, in.structure);
  if (!s) return unknown_structure(in.structure);
  bool connected =
      std::any_of(s->raccordements.begin(), s->raccordements.end(),
                  [&](const CproRaccordement& k) { return k.active && k.environment == *env; });
  if (!connected) {
    PortalError e = portal_error(ErrorKind::Conflict, "CPRO_NO_RACCORDEMENT",
                                 "Déclarez un raccordement PISTE pour la structure " + s->siret +
                                     " en " + std::string(cpro_environment_name(*env)) +
                                     " avant de créer un compte technique.",
                                 "structure");
    e.message_en = "Declare a PISTE raccordement for the structure on that environment first.";
    return e;
  }
  if (structure_of_account(tx.world, in.login, *env)) {
    PortalError e = portal_error(ErrorKind::Conflict, "CPRO_LOGIN_TAKEN",
                                 "Ce compte technique existe déjà : " + in.login, "login");
    e.message_en = "That technical account exists already on this environment.";
    return e;
  }
  CproTechnicalAccount a;
  a.login = in.login;
  a.password = in.password.empty() ? "Cpro-" + random_uuid() : in.password;
  a.environment = *env;
  a.created_at = tx.now;
  s->technical_accounts.push_back(a);
  return a;
}

PortalResult<CproTechnicalAccount> deactivate_technical_account(Transaction& tx,
                                                                std::string_view environment_name,
                                                                std::string_view login) {
  PortalError err;
  auto env = environment(environment_name, &err);
  if (!env) return err;
  for (auto& s : tx.world.cpro_structures)
    for (auto& a : s.technical_accounts)
      if (a.login == login && a.environment == *env) {
        a.active = false;
        return a;
      }
  PortalError e = portal_error(ErrorKind::NotFound, "CPRO_UNKNOWN_TECHNICAL_ACCOUNT",
                               "Compte technique inconnu : " + std::string(login), "login");
  e.message_en = "No technical account has that login on this environment.";
  return e;
}

}  // namespace pistesim
