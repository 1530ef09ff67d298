#include "world/world_references.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <variant>

namespace pistesim {

const toml::node& array_element(const toml::table& t, std::string_view key,
                                std::string_view value) {
  const toml::node& array = *t.get(key);
  if (const toml::array* a = array.as_array())
    for (const auto& el : *a)
      if (el.is_string() && el.as_string()->get() == value) return el;
  return array;
}

namespace {

// The loader reports addresses of another shape already.
bool looks_like_email_address(std::string_view s) {
  auto at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size();
}

const Api* find_api(const World& w, const std::string& id) {
  for (const auto& a : w.apis)
    if (a.id == id) return &a;
  return nullptr;
}

// Finds the nodes the checks report at, and words the reports: "« field » must <rule>; <why>".
class References {
 public:
  References(TomlReader& r, const toml::table& root) : r_(r), root_(root) {}

  using Step = std::variant<std::string_view, size_t>;

  // The node at root[key][i][field][j][sub], or the deepest of them that exists.
  const toml::node& locate(std::initializer_list<Step> path) const {
    const toml::node* cur = &root_;
    for (const auto& step : path) {
      const toml::node* next = nullptr;
      if (const auto* key = std::get_if<std::string_view>(&step)) {
        if (const toml::table* t = cur->as_table()) next = t->get(*key);
      } else if (const toml::array* a = cur->as_array()) {
        next = a->get(std::get<size_t>(step));
      }
      if (!next) break;
      cur = next;
    }
    return *cur;
  }

  // The string `value` in the array root[key][i][field] (see array_element).
  const toml::node& string_in(std::string_view key, size_t i, std::string_view field,
                              std::string_view value) const {
    const toml::table* t = locate({key, i}).as_table();
    return t && t->get(field) ? array_element(*t, field, value) : locate({key, i, field});
  }

  // A field of root[key][i], named "key[i].field" in the report.
  void field(std::string_view key, size_t i, std::string_view field, std::string_view rule,
             const std::string& why) {
    r_.must_because(locate({key, i, field}), name(key, i) + "." + std::string(field), rule, why);
  }

  void at(const toml::node& n, const std::string& field, std::string_view rule,
          const std::string& why) {
    r_.must_because(n, field, rule, why);
  }

  static std::string name(std::string_view key, size_t i) {
    return std::string(key) + "[" + std::to_string(i) + "]";
  }

 private:
  TomlReader& r_;
  const toml::table& root_;
};

void check_organisations(References& x, const World& w, std::set<std::string>& org_ids) {
  std::set<std::string> codes;
  size_t universal = 0;
  for (size_t i = 0; i < w.organisations.size(); ++i) {
    const auto& o = w.organisations[i];
    if (!o.id.empty() && !org_ids.insert(o.id).second)
      x.field("organisations", i, "id", "be unique",
              quote_value(o.id) + " is already the id of another organisation");
    if (!o.code.empty() && !codes.insert(o.code).second)
      x.field("organisations", i, "code", "be unique",
              quote_value(o.code) + " is already the code of another organisation");
    if (o.universal && ++universal == 2)
      x.field("organisations", i, "universal", "be true for one organisation at most",
              "another one is universal already");
  }
}

void check_apis(References& x, const World& w, const std::set<std::string>& org_ids,
                const std::set<std::string>& cgu_ids) {
  std::set<std::string> api_ids;
  std::map<std::string, std::string> base_paths[2];  // path -> api id
  for (size_t i = 0; i < w.apis.size(); ++i) {
    const auto& a = w.apis[i];
    if (!a.id.empty() && !api_ids.insert(a.id).second)
      x.field("apis", i, "id", "be unique",
              quote_value(a.id) + " is already the id of another API");
    if (!a.cgu.empty() && !cgu_ids.count(a.cgu))
      x.field("apis", i, "cgu", "be the id of a [[cgu]]",
              "no [[cgu]] has id " + quote_value(a.cgu));
    for (const auto& o : a.organisations)
      if (!org_ids.count(o))
        x.at(x.string_in("apis", i, "organisations", o),
             References::name("apis", i) + ".organisations", "hold ids of organisations",
             "no organisation has id " + quote_value(o));
    if (a.base_path.empty()) continue;
    for (Channel c : a.channels) {
      auto& paths = base_paths[static_cast<int>(c)];
      for (const auto& [p, other] : paths) {
        bool nested = p == a.base_path ||
                      (a.base_path.starts_with(p) && a.base_path[p.size()] == '/') ||
                      (p.starts_with(a.base_path) && p[a.base_path.size()] == '/');
        if (nested)
          x.field("apis", i, "base_path",
                  "not overlap the base path of another API on " + std::string(to_string(c)),
                  quote_value(a.base_path) + " overlaps " + quote_value(p) + " of API " +
                      quote_value(other));
      }
      paths.emplace(a.base_path, a.id);
    }
  }
}

void check_users(References& x, const World& w, const std::set<std::string>& org_ids,
                 std::map<std::string, const User*>& users_by_email) {
  for (size_t i = 0; i < w.users.size(); ++i) {
    const auto& u = w.users[i];
    const std::string ctx = References::name("users", i);
    if (!u.email.empty() && !users_by_email.emplace(ascii_lower(u.email), &u).second)
      x.field("users", i, "email", "be unique", quote_value(u.email) + " is already registered");
    for (size_t j = 0; j < u.memberships.size(); ++j)
      if (const auto& m = u.memberships[j]; !org_ids.count(m.organisation))
        x.at(x.locate({"users", i, "memberships", j, "organisation"}),
             ctx + ".memberships[" + std::to_string(j) + "].organisation",
             "be the id of an organisation",
             "no organisation has id " + quote_value(m.organisation));
    for (size_t j = 0; j < u.accepted_cgu.size(); ++j) {
      const auto& k = u.accepted_cgu[j];
      const toml::node& where = x.locate({"users", i, "accepted_cgu", j, "api"});
      const std::string field = ctx + ".accepted_cgu[" + std::to_string(j) + "].api";
      const Api* api = find_api(w, k.api);
      if (!api)
        x.at(where, field, "be the id of an API", "no API has id " + quote_value(k.api));
      else if (api->cgu.empty())
        x.at(where, field, "be an API with a CGU to accept",
             "API " + quote_value(k.api) + " has none");
    }
  }
  // Activation and reset links name their user by the token alone (ACC-3, ACC-8).
  std::map<std::string, std::string> tokens;  // token -> e-mail of its user
  for (size_t i = 0; i < w.users.size(); ++i) {
    const auto& u = w.users[i];
    for (const auto& [field, token] :
         {std::pair<std::string_view, const std::string*>{"activation_token", &u.activation_token},
          {"reset_token", &u.reset_token}}) {
      if (token->empty()) continue;
      auto [it, fresh] = tokens.emplace(*token, u.email);
      if (!fresh)
        x.field("users", i, field, "be unique",
                "it is already a token of user " + quote_value(it->second));
    }
  }
}

void check_applications(References& x, const World& w, const std::set<std::string>& org_ids,
                        const std::map<std::string, const User*>& users_by_email,
                        std::set<std::string>& app_ids) {
  std::set<std::string> app_names, client_ids, keys;
  for (size_t i = 0; i < w.applications.size(); ++i) {
    const auto& app = w.applications[i];
    const std::string ctx = References::name("applications", i);
    if (!app.id.empty() && !app_ids.insert(app.id).second)
      x.field("applications", i, "id", "be unique",
              quote_value(app.id) + " is already the id of another application");
    if (!app.name.empty() && !app_names.insert(app.name).second)
      x.field("applications", i, "name", "be unique",
              quote_value(app.name) + " is already the name of another application");
    if (!app.organisation.empty() && !org_ids.count(app.organisation))
      x.field("applications", i, "organisation", "be the id of an organisation",
              "no organisation has id " + quote_value(app.organisation));
    auto owner = users_by_email.find(ascii_lower(app.owner));
    if (!app.owner.empty() && owner == users_by_email.end()) {
      x.field("applications", i, "owner", "be the e-mail of a [[users]]",
              "no [[users]] has e-mail " + quote_value(app.owner));
    } else if (!app.owner.empty()) {
      const auto& ms = owner->second->memberships;
      if (std::none_of(ms.begin(), ms.end(),
                       [&](const Membership& m) { return m.organisation == app.organisation; }))
        x.field("applications", i, "owner",
                "be a member of the application's organisation " + quote_value(app.organisation),
                quote_value(app.owner) + " is not");
    }
    for (size_t j = 0; j < app.oauth_clients.size(); ++j)
      if (const auto& c = app.oauth_clients[j];
          !c.client_id.empty() && !client_ids.insert(c.client_id).second)
        x.at(x.locate({"applications", i, "oauth_clients", j, "client_id"}),
             ctx + ".oauth_clients[" + std::to_string(j) + "].client_id", "be unique",
             quote_value(c.client_id) + " is already the id of another client");
    for (size_t j = 0; j < app.api_keys.size(); ++j)
      if (const auto& k = app.api_keys[j]; !k.key.empty() && !keys.insert(k.key).second)
        x.at(x.locate({"applications", i, "api_keys", j, "key"}),
             ctx + ".api_keys[" + std::to_string(j) + "].key", "be unique",
             quote_value(k.key) + " is already another key's");
    for (const auto& p : app.business_profiles)
      if (!find_api(w, p))
        x.at(x.string_in("applications", i, "business_profiles", p), ctx + ".business_profiles",
             "hold ids of APIs", "no API has id " + quote_value(p));
    std::set<std::string> subscribed;
    for (size_t j = 0; j < app.subscriptions.size(); ++j) {
      const auto& s = app.subscriptions[j];
      const Api* api = find_api(w, s.api);
      const toml::node& where = x.locate({"applications", i, "subscriptions", j, "api"});
      const std::string sctx = ctx + ".subscriptions[" + std::to_string(j) + "]";
      if (!api) {
        x.at(where, sctx + ".api", "be the id of an API", "no API has id " + quote_value(s.api));
        continue;
      }
      if (!subscribed.insert(s.api).second)
        x.at(where, sctx + ".api", "name each API once",
             "API " + quote_value(s.api) + " is listed twice");
      if (!api->published_on(app.channel))
        x.at(where, sctx + ".api",
             "be an API published on " + std::string(to_string(app.channel)) +
                 ", the application's channel",
             "API " + quote_value(s.api) + " is not");
      const toml::table* sub_table = x.locate({"applications", i, "subscriptions", j}).as_table();
      for (const auto& sc : s.scopes)
        if (!api->has_scope(sc))
          x.at(sub_table && sub_table->get("scopes") ? array_element(*sub_table, "scopes", sc)
                                                     : where,
               sctx + ".scopes", "hold scopes of API " + quote_value(s.api),
               quote_value(sc) + " is not one");
    }
  }
}

// An API's approvers decide its requests (REQ-5): each must be someone who can log in.
void check_approvers(References& x, const World& w,
                     const std::map<std::string, const User*>& users_by_email) {
  for (size_t i = 0; i < w.apis.size(); ++i)
    for (const auto& e : w.apis[i].approvers)
      if (looks_like_email_address(e) && !users_by_email.count(ascii_lower(e)))
        x.at(x.string_in("apis", i, "approvers", e), References::name("apis", i) + ".approvers",
             "hold e-mails of [[users]] (an approver decides on the portal)",
             "no [[users]] has e-mail " + quote_value(e) +
                 ", so its requests could never be decided");
}

// A pending access is the trace of a request awaiting its approver (REQ-1, REQ-5): without the
// request, the approver's list is empty and the access can never be decided.
void check_pending_accesses(References& x, const World& w) {
  for (size_t i = 0; i < w.applications.size(); ++i) {
    const auto& app = w.applications[i];
    for (size_t j = 0; j < app.subscriptions.size(); ++j) {
      const auto& s = app.subscriptions[j];
      if (s.status != SubscriptionStatus::Pending) continue;
      bool requested = std::any_of(
          w.access_requests.begin(), w.access_requests.end(), [&](const AccessRequest& q) {
            return q.application == app.id && q.api == s.api && q.status == RequestStatus::Pending;
          });
      if (!requested)
        x.at(x.locate({"applications", i, "subscriptions", j, "status"}),
             References::name("applications", i) + ".subscriptions[" + std::to_string(j) +
                 "].status",
             "be \"pending\" only with a pending [[access_requests]] of application " +
                 quote_value(app.id) + " for API " + quote_value(s.api),
             "there is none, so no approver could ever decide it");
    }
  }
}

void check_access_requests(References& x, const World& w, const std::set<std::string>& app_ids) {
  std::set<std::string> request_ids;
  for (size_t i = 0; i < w.access_requests.size(); ++i) {
    const auto& q = w.access_requests[i];
    if (!q.id.empty() && !request_ids.insert(q.id).second)
      x.field("access_requests", i, "id", "be unique",
              quote_value(q.id) + " is already the id of another access request");
    if (!q.application.empty() && !app_ids.count(q.application))
      x.field("access_requests", i, "application", "be the id of an application",
              "no application has id " + quote_value(q.application));
    if (q.api.empty()) continue;
    const Api* api = find_api(w, q.api);
    if (!api) {
      x.field("access_requests", i, "api", "be the id of an API",
              "no API has id " + quote_value(q.api));
      continue;
    }
    for (const auto& sc : q.scopes)
      if (!api->has_scope(sc))
        x.at(x.string_in("access_requests", i, "scopes", sc),
             References::name("access_requests", i) + ".scopes",
             "hold scopes of API " + quote_value(q.api), quote_value(sc) + " is not one");
  }
}

}  // namespace

void check_world_references(TomlReader& r, const toml::table& root, const World& w) {
  References x(r, root);
  std::set<std::string> org_ids, cgu_ids, app_ids;
  std::map<std::string, const User*> users_by_email;
  check_organisations(x, w, org_ids);
  for (size_t i = 0; i < w.cgus.size(); ++i)
    if (!w.cgus[i].id.empty() && !cgu_ids.insert(w.cgus[i].id).second)
      x.field("cgu", i, "id", "be unique",
              quote_value(w.cgus[i].id) + " is already the id of another [[cgu]]");
  check_apis(x, w, org_ids, cgu_ids);
  check_users(x, w, org_ids, users_by_email);
  if (!w.settings.demo_user.empty() && !users_by_email.count(ascii_lower(w.settings.demo_user)))
    x.at(x.locate({"world", "demo_user"}), "world.demo_user", "be the e-mail of a [[users]]",
         "no [[users]] has e-mail " + quote_value(w.settings.demo_user));
  check_applications(x, w, org_ids, users_by_email, app_ids);
  check_access_requests(x, w, app_ids);
}

void check_world_consistency(TomlReader& r, const toml::table& root, const World& w) {
  References x(r, root);
  std::map<std::string, const User*> users_by_email;
  for (const auto& u : w.users) users_by_email.emplace(ascii_lower(u.email), &u);
  check_approvers(x, w, users_by_email);
  check_pending_accesses(x, w);
}

}  // namespace pistesim
