#include "portal/transaction.h"

namespace pistesim {

User* Transaction::user(std::string_view email) {
  for (auto& u : world.users)
    if (iequals(u.email, email)) return &u;
  return nullptr;
}

Application* Transaction::application(std::string_view id) {
  for (auto& a : world.applications)
    if (a.id == id) return &a;
  return nullptr;
}

const Api* Transaction::api(std::string_view id) const {
  for (const auto& a : world.apis)
    if (a.id == id) return &a;
  return nullptr;
}

Organisation* Transaction::organisation(std::string_view id) {
  for (auto& o : world.organisations)
    if (o.id == id) return &o;
  return nullptr;
}

Organisation* Transaction::organisation_by_code(std::string_view code) {
  for (auto& o : world.organisations)
    if (!o.code.empty() && iequals(o.code, code)) return &o;
  return nullptr;
}

AccessRequest* Transaction::access_request(std::string_view id) {
  for (auto& r : world.access_requests)
    if (r.id == id) return &r;
  return nullptr;
}

std::string Transaction::link(std::string_view control_path) const {
  return public_url_ + "/__pistesim" + std::string(control_path);
}

}  // namespace pistesim
