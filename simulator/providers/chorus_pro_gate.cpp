#include "providers/chorus_pro_gate.h"

#include <algorithm>

#include "crypto/secrets.h"
#include "providers/provider.h"
#include "wire/encoding.h"

namespace pistesim {

namespace {

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
  if (!value || value->empty()) return to_response(check.missing);
  auto decoded = base64_decode(*value);
  if (!decoded) return to_response(check.invalid);
  if (!check.from_structures) {
    // Each compared in constant time: the account value is a login and its password.
    const bool known =
        std::any_of(check.accounts.begin(), check.accounts.end(),
                    [&](const auto& a) { return constant_time_equals(a, *decoded); });
    if (!known) return to_response(check.invalid);
    return std::nullopt;
  }
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return to_response(check.invalid);
  const std::string_view login = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  // Qualification and Production are two Chorus Pro platforms: an account lives on one.
  const CproStructure* structure = structure_of_account(world, login, app.channel);
  if (!structure) return to_response(check.invalid);
  const CproTechnicalAccount* account = account_in(*structure, login, app.channel);
  if (!account->active || !constant_time_equals(account->password, password))
    return to_response(check.invalid);
  for (const auto& k : structure->raccordements)
    if (k.active && k.environment == app.channel && k.application == app.name) return std::nullopt;
  return to_response(check.not_connected);
}

}  // namespace pistesim
