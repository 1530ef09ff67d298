// Control API routes: Chorus Pro's side of a connection (003 §2.B, §3.B; 004) — structures,
// « raccordements PISTE » and technical accounts. A thin JSON layer over
// portal/chorus_pro_raccordements.h; the admin token stands for the Chorus Pro user.
#include "control/router.h"
#include "core/simulator.h"
#include "portal/chorus_pro_raccordements.h"

namespace pistesim {

namespace {

json raccordement_json(const CproRaccordement& k, std::string_view siret) {
  const CproContact& c = k.technical_contact;
  return {{"id", k.id},
          {"structure", siret},
          {"environment", cpro_environment_name(k.environment)},
          {"application", k.application},
          {"usage_type", k.usage_type},
          {"editor", k.editor},
          {"technical_contact",
           {{"name", c.name}, {"email", c.email}, {"phone", c.phone}, {"fax", c.fax}}},
          {"active", k.active},
          {"declared_at", format_time(k.declared_at)}};
}

json account_json(const CproTechnicalAccount& a, std::string_view siret) {
  return {{"login", a.login},   {"password", a.password},
          {"structure", siret}, {"environment", cpro_environment_name(a.environment)},
          {"active", a.active}, {"created_at", format_time(a.created_at)}};
}

json structure_json(const CproStructure& s) {
  json raccordements = json::array(), accounts = json::array();
  for (const auto& k : s.raccordements) raccordements.push_back(raccordement_json(k, s.siret));
  for (const auto& a : s.technical_accounts) accounts.push_back(account_json(a, s.siret));
  return {{"siret", s.siret},
          {"name", s.name},
          {"raccordements", raccordements},
          {"technical_accounts", accounts}};
}

// The SIRET of the structure holding raccordement `id` / account (login, environment).
std::string siret_of(const World& w, const CproRaccordement& k) {
  for (const auto& s : w.cpro_structures)
    for (const auto& other : s.raccordements)
      if (other.id == k.id) return s.siret;
  return "";
}

std::string siret_of(const World& w, const CproTechnicalAccount& a) {
  for (const auto& s : w.cpro_structures)
    for (const auto& other : s.technical_accounts)
      if (other.login == a.login && other.environment == a.environment) return s.siret;
  return "";
}

// The string fields `keys` ("" when absent), or nullopt with *bad naming one of another type.
std::optional<std::vector<std::string>> fields(const ControlCall& c,
                                               std::initializer_list<const char*> keys,
                                               Response* bad) {
  std::vector<std::string> out;
  for (const char* key : keys) {
    auto v = string_field(c.body, key, bad);
    if (!v) return std::nullopt;
    out.push_back(std::move(*v));
  }
  return out;
}

Response open_structure(ControlCall& c) {
  Response bad;
  auto f = fields(c, {"siret", "name"}, &bad);
  if (!f) return bad;
  CproStructureInput in{(*f)[0], (*f)[1]};
  auto r = c.sim.transact([&](Transaction& tx) { return open_cpro_structure(tx, in); });
  return answer(r, structure_json, 201);
}

Response declare(ControlCall& c) {
  Response bad;
  auto f = fields(c,
                  {"structure", "environment", "application", "usage_type", "editor",
                   "contact_name", "contact_phone", "contact_email", "contact_fax"},
                  &bad);
  if (!f) return bad;
  const auto& v = *f;
  RaccordementInput in{v[0], v[1], v[2], v[3], v[4], CproContact{v[5], v[6], v[7], v[8]}};
  auto r = c.sim.transact([&](Transaction& tx) { return declare_raccordement(tx, in); });
  return answer(
      r, [&](const CproRaccordement& k) { return raccordement_json(k, in.structure); }, 201);
}

Response create_account(ControlCall& c) {
  Response bad;
  auto f = fields(c, {"structure", "environment", "login", "password"}, &bad);
  if (!f) return bad;
  TechnicalAccountInput in{(*f)[0], (*f)[1], (*f)[2], (*f)[3]};
  auto r = c.sim.transact([&](Transaction& tx) { return create_technical_account(tx, in); });
  return answer(
      r, [&](const CproTechnicalAccount& a) { return account_json(a, in.structure); }, 201);
}

}  // namespace

void register_chorus_pro_routes(Router& r) {
  r.add("GET", "/chorus-pro/structures", [](ControlCall& c) {
    auto snap = c.sim.snapshot();
    json list = json::array();
    for (const auto& s : snap->world.cpro_structures) list.push_back(structure_json(s));
    return json_response(200, list);
  });
  r.add("POST", "/chorus-pro/structures", open_structure,
        {.fields = {"siret", "name"}, .required = {"siret", "name"}});
  r.add("POST", "/chorus-pro/raccordements", declare,
        {.fields = {"structure", "environment", "application", "usage_type", "editor",
                    "contact_name", "contact_email", "contact_phone", "contact_fax"},
         .required = {"structure", "environment", "application", "contact_name", "contact_email"}});
  r.add("POST", "/chorus-pro/raccordements/{id}/deactivate", [](ControlCall& c) {
    auto r =
        c.sim.transact([&](Transaction& tx) { return deactivate_raccordement(tx, c.params[0]); });
    auto snap = c.sim.snapshot();
    return answer(r, [&](const CproRaccordement& k) {
      return raccordement_json(k, siret_of(snap->world, k));
    });
  });
  r.add("POST", "/chorus-pro/technical-accounts", create_account,
        {.fields = {"structure", "environment", "login", "password"},
         .required = {"structure", "environment", "login"}});
  r.add("POST", "/chorus-pro/technical-accounts/{environment}/{login}/deactivate",
        [](ControlCall& c) {
          auto r = c.sim.transact([&](Transaction& tx) {
            return deactivate_technical_account(tx, c.params[0], c.params[1]);
          });
          auto snap = c.sim.snapshot();
          return answer(r, [&](const CproTechnicalAccount& a) {
            return account_json(a, siret_of(snap->world, a));
          });
        });
}

}  // namespace pistesim
