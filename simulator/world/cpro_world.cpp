#include "world/cpro_world.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "world/world_timestamps.h"

namespace pistesim {

bool is_siret(std::string_view s) {
  return s.size() == 14 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string cpro_application_refusal(const Application* app, const std::string& name,
                                     Channel environment) {
  const std::string channel(to_string(environment));
  if (!app) return "aucune application PISTE ne s'appelle " + quote_value(name);
  if (environment == Channel::Production && app->channel == Channel::Sandbox)
    return "il est impossible de saisir une application SANDBOX (" + quote_value(name) +
           ") pour un raccordement en Production";
  if (app->channel != environment)
    return "l'application " + quote_value(name) + " n'est pas une application " + channel +
           " de PISTE, le canal de l'environnement " +
           std::string(cpro_environment_name(environment));
  return "";
}

namespace {

std::string at(const std::string& ctx, std::string_view key) {
  return ctx + "." + std::string(key);
}

std::optional<std::string> text(TomlReader& r, const toml::table& t, std::string_view key,
                                const std::string& ctx, bool required) {
  const toml::node* n =
      required ? r.require(t, key, at(ctx, key), "a non-empty string") : t.get(key);
  if (!n) return std::nullopt;
  auto v = r.string(*n, at(ctx, key));
  if (v && required && v->empty()) {
    r.must_be(*n, at(ctx, key), "a non-empty string", "\"\"");
    return std::nullopt;
  }
  return v;
}

std::optional<Channel> environment(TomlReader& r, const toml::table& t, const std::string& ctx) {
  const toml::node* n =
      r.require(t, "environment", at(ctx, "environment"), "\"QUALIFICATION\" or \"PRODUCTION\"");
  if (!n) return std::nullopt;
  auto v = r.one_of(*n, at(ctx, "environment"), {"QUALIFICATION", "PRODUCTION"});
  return v ? parse_cpro_environment(*v) : std::nullopt;
}

std::optional<bool> flag(TomlReader& r, const toml::table& t, std::string_view key,
                         const std::string& ctx) {
  const toml::node* n = t.get(key);
  return n ? r.boolean(*n, at(ctx, key)) : std::nullopt;
}

std::optional<Millis> instant(TomlReader& r, const toml::table& t, std::string_view key,
                              const std::string& ctx) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  auto s = r.string(*n, at(ctx, key), "an ISO 8601 date-time like \"2024-03-15T10:00:00Z\"");
  if (!s) return std::nullopt;
  auto ms = parse_world_timestamp(*s);
  if (!ms)
    r.must_be(*n, at(ctx, key), "an ISO 8601 date-time like \"2024-03-15T10:00:00Z\"",
              quote_value(*s));
  return ms;
}

// Each table of the array t[key], with its name "ctx.key[i]".
template <class F>
void each(TomlReader& r, const toml::table& t, std::string_view key, const std::string& ctx,
          F&& f) {
  const toml::node* n = t.get(key);
  if (!n) return;
  const std::string where = ctx.empty() ? std::string(key) : at(ctx, key);
  const toml::array* a = r.array(*n, where, "an array of tables ([[" + where + "]])");
  if (!a) return;
  for (size_t i = 0; i < a->size(); ++i) {
    const std::string name = where + "[" + std::to_string(i) + "]";
    if (const toml::table* entry = r.table(*a->get(i), name)) f(*entry, name);
  }
}

void read_raccordement(TomlReader& r, const toml::table& t, const std::string& ctx,
                       CproRaccordement& k) {
  r.check_keys(t,
               {"id", "environment", "application", "usage_type", "editor", "technical_contact",
                "active", "declared_at"},
               ctx);
  if (auto v = text(r, t, "id", ctx, true)) k.id = *v;
  if (auto e = environment(r, t, ctx)) k.environment = *e;
  if (auto v = text(r, t, "application", ctx, true)) k.application = *v;
  if (auto v = text(r, t, "usage_type", ctx, false)) k.usage_type = *v;
  if (auto v = text(r, t, "editor", ctx, false)) k.editor = *v;
  if (auto v = flag(r, t, "active", ctx)) k.active = *v;
  if (auto v = instant(r, t, "declared_at", ctx)) k.declared_at = *v;
  const toml::node* n = r.require(t, "technical_contact", at(ctx, "technical_contact"),
                                  "a table { name, email, phone, fax }");
  if (!n) return;
  const std::string cctx = at(ctx, "technical_contact");
  const toml::table* c = r.table(*n, cctx);
  if (!c) return;
  r.check_keys(*c, {"name", "phone", "email", "fax"}, cctx);
  if (auto v = text(r, *c, "name", cctx, true)) k.technical_contact.name = *v;
  if (auto v = text(r, *c, "email", cctx, true)) {
    if (v->find('@') == std::string::npos)
      r.must_be(*c->get("email"), at(cctx, "email"), "an e-mail address", quote_value(*v));
    k.technical_contact.email = *v;
  }
  if (auto v = text(r, *c, "phone", cctx, false)) k.technical_contact.phone = *v;
  if (auto v = text(r, *c, "fax", cctx, false)) k.technical_contact.fax = *v;
}

void read_account(TomlReader& r, const toml::table& t, const std::string& ctx,
                  CproTechnicalAccount& a) {
  r.check_keys(t, {"login", "password", "environment", "active", "created_at"}, ctx);
  if (auto v = text(r, t, "login", ctx, true)) {
    if (v->find(':') != std::string::npos)
      r.must(*t.get("login"), at(ctx, "login"), "not contain ':' (the header is login:password)",
             quote_value(*v));
    a.login = *v;
  }
  if (auto v = text(r, t, "password", ctx, true)) a.password = *v;
  if (auto e = environment(r, t, ctx)) a.environment = *e;
  if (auto v = flag(r, t, "active", ctx)) a.active = *v;
  if (auto v = instant(r, t, "created_at", ctx)) a.created_at = *v;
}

// The node at root.chorus_pro_structures[i].<list>[j].<field>, or the deepest that exists.
const toml::node& locate(const toml::table& root, size_t i, std::string_view list, size_t j,
                         std::string_view field) {
  const toml::node* cur = &root;
  auto step = [&](const toml::node* next) {
    if (next) cur = next;
    return next != nullptr;
  };
  const toml::table* t = cur->as_table();
  if (!t || !step(t->get("chorus_pro_structures"))) return *cur;
  const toml::array* a = cur->as_array();
  if (!a || !step(a->get(i))) return *cur;
  if (list.empty()) {
    if (const toml::table* s = cur->as_table()) step(s->get(field));
    return *cur;
  }
  t = cur->as_table();
  if (!t || !step(t->get(list))) return *cur;
  a = cur->as_array();
  if (!a || !step(a->get(j))) return *cur;
  if (const toml::table* e = cur->as_table()) step(e->get(field));
  return *cur;
}

}  // namespace

void read_cpro_structures(TomlReader& r, const toml::table& root, World& w) {
  each(r, root, "chorus_pro_structures", "", [&](const toml::table& t, const std::string& ctx) {
    r.check_keys(t, {"siret", "name", "raccordements", "technical_accounts"}, ctx);
    CproStructure s;
    if (auto v = text(r, t, "siret", ctx, true)) {
      if (!is_siret(*v))
        r.must_be(*t.get("siret"), at(ctx, "siret"), "a SIRET (14 digits)", quote_value(*v));
      s.siret = *v;
    }
    if (auto v = text(r, t, "name", ctx, true)) s.name = *v;
    each(r, t, "raccordements", ctx, [&](const toml::table& k, const std::string& kctx) {
      CproRaccordement racc;
      read_raccordement(r, k, kctx, racc);
      s.raccordements.push_back(std::move(racc));
    });
    each(r, t, "technical_accounts", ctx, [&](const toml::table& k, const std::string& kctx) {
      CproTechnicalAccount account;
      read_account(r, k, kctx, account);
      s.technical_accounts.push_back(std::move(account));
    });
    w.cpro_structures.push_back(std::move(s));
  });
}

void check_cpro_references(TomlReader& r, const toml::table& root, const World& w) {
  std::map<std::string, const Application*> apps_by_name;
  for (const auto& app : w.applications) apps_by_name.emplace(app.name, &app);
  std::set<std::string> sirets, ids;
  std::set<std::pair<std::string, Channel>> logins;
  for (size_t i = 0; i < w.cpro_structures.size(); ++i) {
    const auto& s = w.cpro_structures[i];
    const std::string ctx = "chorus_pro_structures[" + std::to_string(i) + "]";
    if (!s.siret.empty() && !sirets.insert(s.siret).second)
      r.must_because(locate(root, i, "", 0, "siret"), ctx + ".siret", "be unique",
                     quote_value(s.siret) + " is already the SIRET of another structure");
    std::set<std::tuple<Channel, std::string>> connected;
    for (size_t j = 0; j < s.raccordements.size(); ++j) {
      const auto& k = s.raccordements[j];
      const std::string kctx = ctx + ".raccordements[" + std::to_string(j) + "]";
      if (!k.id.empty() && !ids.insert(k.id).second)
        r.must_because(locate(root, i, "raccordements", j, "id"), kctx + ".id", "be unique",
                       quote_value(k.id) + " is already the id of another raccordement");
      if (k.application.empty()) continue;
      auto app = apps_by_name.find(k.application);
      std::string why = cpro_application_refusal(app == apps_by_name.end() ? nullptr : app->second,
                                                 k.application, k.environment);
      if (!why.empty())
        r.must_because(locate(root, i, "raccordements", j, "application"), kctx + ".application",
                       "name a PISTE application of the channel of its environment (" +
                           std::string(to_string(k.environment)) + " for " +
                           std::string(cpro_environment_name(k.environment)) + ")",
                       why);
      if (k.active && !connected.insert({k.environment, k.application}).second)
        r.must_because(
            locate(root, i, "raccordements", j, "application"), kctx + ".application",
            "be connected once per environment",
            "an active raccordement of this structure already names " + quote_value(k.application));
    }
    for (size_t j = 0; j < s.technical_accounts.size(); ++j) {
      const auto& a = s.technical_accounts[j];
      const std::string actx = ctx + ".technical_accounts[" + std::to_string(j) + "]";
      if (!a.login.empty() && !logins.insert({a.login, a.environment}).second)
        r.must_because(locate(root, i, "technical_accounts", j, "login"), actx + ".login",
                       "be unique on its environment",
                       quote_value(a.login) + " is already a technical account in " +
                           std::string(cpro_environment_name(a.environment)));
      bool has_raccordement =
          std::any_of(s.raccordements.begin(), s.raccordements.end(),
                      [&](const CproRaccordement& k) { return k.environment == a.environment; });
      if (!has_raccordement)
        r.must_because(
            locate(root, i, "technical_accounts", j, "environment"), actx + ".environment",
            "be an environment where the structure has a raccordement",
            "the structure has none in " + std::string(cpro_environment_name(a.environment)) +
                " (003: the raccordement comes before the technical account)");
    }
  }
}

}  // namespace pistesim
