#include "providers/chorus_pro_gate.h"

#include <algorithm>

#include "wire/encoding.h"

namespace pistesim {

namespace {

Response from_answer(const ProviderAnswer& a) {
  Response r;
  r.status = a.status;
  if (!a.body.empty() || !a.content_type.empty()) r.headers.set("Content-Type", a.content_type);
  for (const auto& h : a.headers) r.headers.set(h.name, h.value);
  r.body = a.body;
  return r;
}

const CproTechnicalAccount* account_in(const CproStructure& s, std::string_view login,
                                       Channel environment) {
  for (const auto& a : s.technical_accounts)
    if (a.login == login && a.environment == environment) return &a;
  return nullptr;
}

}  // namespace

const CproStructure* structure_of_account(const World& world, std::string_view login,
                                          Channel environment) {
  for (const auto& s : world.cpro_structures)
    if (account_in(s, login, environment)) return &s;
  return nullptr;
}

std::optional<Response> technical_account_refusal(const World& world,
                                                  const TechnicalAccountCheck& check,
                                                  const Application& app, const Request& request) {
  const std::string* value = request.headers.find(check.header);
  if (!value || value->empty()) return from_answer(check.missing);
  auto decoded = base64_decode(*value);
  if (!decoded) return from_answer(check.invalid);
  if (!check.from_structures) {
    bool known =
        std::find(check.accounts.begin(), check.accounts.end(), *decoded) != check.accounts.end();
    if (!known) return from_answer(check.invalid);
    return std::nullopt;
  }
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return from_answer(check.invalid);
  const std::string_view login = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  // Qualification and Production are two Chorus Pro platforms: an account lives on one.
  const CproStructure* structure = structure_of_account(world, login, app.channel);
  if (!structure) return from_answer(check.invalid);
  const CproTechnicalAccount* account = account_in(*structure, login, app.channel);
  if (!account->active || account->password != password) return from_answer(check.invalid);
  for (const auto& k : structure->raccordements)
    if (k.active && k.environment == app.channel && k.application == app.name) return std::nullopt;
  return from_answer(check.not_connected);
}

}  // namespace pistesim
