#include "world/world_loader.h"

#include <toml++/toml.h>
#include <algorithm>
#include <tuple>

#include "crypto/password.h"
#include "toml/toml_reader.h"
#include "wire/encoding.h"
#include "world/cpro_world.h"
#include "world/world_references.h"
#include "world/world_timestamps.h"

namespace pistesim {

namespace {

bool is_id(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

bool is_cgu_id(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Application names: letters, digits, '-' and '_' (APP-3). The names PISTE makes from an e-mail
// (APP_SANDBOX_<email>, APP-1; APP_<ORG>_SBX_<email> of an enrolment, ADM-1) also carry the
// e-mail's characters: any printable ASCII but the space.
bool is_application_name(std::string_view s, ApplicationOrigin origin) {
  if (s.empty()) return false;
  bool from_email = s.starts_with("APP_SANDBOX_") ||
                    (origin != ApplicationOrigin::Created && s.starts_with("APP_"));
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || (from_email && c > ' ' && c < 0x7f);
  });
}

// The part of enrolment application names that stands for the organisation (APP_<prefix>_SBX_…).
bool is_app_prefix(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

bool looks_like_email(std::string_view s) {
  auto at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
         s.find('@', at + 1) == std::string_view::npos && s.find(' ') == std::string_view::npos;
}

// The world's reading on top of the shared one: fields are found in a table by key and named
// by their path in the file ("apis[1].channels").
class Reader : public TomlReader {
 public:
  using TomlReader::boolean;
  using TomlReader::integer;
  using TomlReader::strings;
  using TomlReader::table;
  using TomlReader::TomlReader;

  static std::string path(const std::string& ctx, std::string_view key) {
    return ctx.empty() ? std::string(key) : ctx + "." + std::string(key);
  }

  const toml::node* get(const toml::table& t, std::string_view key, bool required,
                        const std::string& ctx, const char* expected) {
    if (required) return require(t, key, path(ctx, key), expected);
    return t.get(key);
  }

  std::optional<std::string> str(const toml::table& t, std::string_view key, bool required,
                                 const std::string& ctx) {
    const toml::node* n = get(t, key, required, ctx, "a string");
    if (!n) return std::nullopt;
    return string(*n, path(ctx, key));
  }

  std::optional<bool> boolean(const toml::table& t, std::string_view key, const std::string& ctx) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    return boolean(*n, path(ctx, key));
  }

  std::optional<int64_t> integer(const toml::table& t, std::string_view key, const std::string& ctx,
                                 int64_t lo, int64_t hi) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    return integer(*n, path(ctx, key), lo, hi);
  }

  std::vector<std::string> strings(const toml::table& t, std::string_view key,
                                   const std::string& ctx) {
    const toml::node* n = t.get(key);
    if (!n) return {};
    return strings(*n, path(ctx, key)).value_or(std::vector<std::string>{});
  }

  // An instant: an ISO 8601 string (parse_world_timestamp) or a TOML date / offset date-time.
  std::optional<Millis> timestamp(const toml::table& t, std::string_view key,
                                  const std::string& ctx) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const std::string where = path(ctx, key);
    const char* expected =
        "an ISO 8601 date-time like \"2022-10-18T17:41:00Z\" or a date like \"2022-10-18\"";
    if (const auto* s = n->as_string()) {
      if (auto ms = parse_world_timestamp(s->get())) return ms;
      must_be(*n, where, expected, "\"" + s->get() + "\"");
      return std::nullopt;
    }
    if (const auto* dt = n->as_date_time(); dt && !dt->get().offset) {
      must_be(*n, where, "a date-time with its time zone (\"Z\" or \"+01:00\")",
              "a local date-time");
      return std::nullopt;
    }
    std::optional<Millis> ms;
    if (const auto* d = n->as_date()) ms = toml_instant(d->get(), toml::time{}, 0);
    if (const auto* dt = n->as_date_time())
      ms = toml_instant(dt->get().date, dt->get().time, dt->get().offset->minutes);
    if (!ms) must_be(*n, where, expected);
    return ms;
  }

  // Each element of an array of tables, with its context name.
  template <class F>
  void tables(const toml::table& t, std::string_view key, const std::string& ctx, F&& f) {
    const toml::node* n = t.get(key);
    if (!n) return;
    const std::string where = ctx + std::string(key);
    const toml::array* a = array(*n, where, "an array of tables ([[" + std::string(key) + "]])");
    if (!a) return;
    size_t i = 0;
    for (const auto& el : *a) {
      std::string at = where + "[" + std::to_string(i++) + "]";
      if (const toml::table* entry = table(el, at)) f(*entry, at);
    }
  }

  const toml::table* table(const toml::table& t, std::string_view key, const std::string& ctx) {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    return table(*n, path(ctx, key));
  }

  std::optional<QuotaSpec> quota(const toml::table& t, std::string_view key,
                                 const std::string& ctx) {
    const toml::table* q = table(t, key, ctx);
    if (!q) return std::nullopt;
    std::string qctx = path(ctx, key);
    check_keys(*q, {"limit", "window"}, qctx);
    std::optional<int64_t> limit;
    if (const toml::node* l = require(*q, "limit", qctx + ".limit", "an integer from 1"))
      limit = integer(*l, qctx + ".limit", 1, kMaxQuotaLimit);
    std::optional<std::string> w;
    if (const toml::node* n = require(*q, "window", qctx + ".window", "\"1s\" or \"1d\""))
      w = one_of(*n, qctx + ".window", {"1s", "1d"});
    if (!limit || !w) return std::nullopt;
    return QuotaSpec{*limit, *parse_quota_window(*w)};
  }

  std::optional<Channel> channel(const toml::node& n, const std::string& where) {
    auto c = one_of(n, where, {"SANDBOX", "PRODUCTION"});
    if (!c) return std::nullopt;
    return parse_channel(*c);
  }

  std::optional<Channel> channel(const toml::table& t, std::string_view key, bool required,
                                 const std::string& ctx) {
    const toml::node* n = get(t, key, required, ctx, "\"SANDBOX\" or \"PRODUCTION\"");
    if (!n) return std::nullopt;
    return channel(*n, path(ctx, key));
  }

  // A non-empty string, or an error naming what it is for.
  std::optional<std::string> non_empty_str(const toml::table& t, std::string_view key,
                                           bool required, const std::string& ctx) {
    auto v = str(t, key, required, ctx);
    if (v && v->empty()) {
      must_be(*t.get(key), path(ctx, key), "a non-empty string", "\"\"");
      return std::nullopt;
    }
    return v;
  }

  // An e-mail-shaped string.
  std::optional<std::string> email(const toml::table& t, std::string_view key, bool required,
                                   const std::string& ctx) {
    auto v = str(t, key, required, ctx);
    if (v && !looks_like_email(*v))
      must_be(*t.get(key), path(ctx, key), "an e-mail address", "\"" + *v + "\"");
    return v;
  }

  ProviderAnswer answer(const toml::table& t, const std::string& ctx, std::string_view status_key,
                        std::string_view body_key, int default_status, bool body_required) {
    ProviderAnswer a;
    a.status = static_cast<int>(integer(t, status_key, ctx, 100, 599).value_or(default_status));
    if (auto ct = str(t, "content_type", false, ctx)) a.content_type = *ct;
    if (auto b = str(t, body_key, body_required, ctx)) a.body = *b;
    return a;
  }
};

void read_settings(Reader& r, const toml::table& root, World& w) {
  const toml::table* t = r.table(root, "world", "");
  if (!t) {
    r.error(root.source(),
            "missing the [world] table; expected [world] with at least name = \"…\"");
    return;
  }
  r.check_keys(*t,
               {"name", "demo_user", "demo_password", "platform_cgu_version", "captcha",
                "activation_mail", "token_lifetime", "production_quota", "sandbox_quota"},
               "world");
  if (auto v = r.str(*t, "name", true, "world")) w.settings.name = *v;
  if (auto v = r.str(*t, "demo_user", false, "world")) w.settings.demo_user = *v;
  if (auto v = r.str(*t, "demo_password", false, "world")) {
    if (w.settings.demo_user.empty())
      r.must_because(*t->get("demo_password"), "world.demo_password",
                     "come with a « world.demo_user »", "there is none");
    w.settings.demo_password = *v;
  }
  if (auto v = r.non_empty_str(*t, "platform_cgu_version", false, "world"))
    w.settings.platform_cgu_version = *v;
  if (auto v = r.non_empty_str(*t, "captcha", false, "world")) w.settings.captcha = *v;
  if (const toml::node* n = t->get("activation_mail"))
    if (auto v = r.one_of(*n, "world.activation_mail", {"current", "legacy"}))
      w.settings.activation_mail = *v;
  if (auto v = r.integer(*t, "token_lifetime", "world", 1, 365LL * 24 * 3600))
    w.settings.token_lifetime_s = *v;
  if (auto q = r.quota(*t, "production_quota", "world")) w.settings.production_quota = *q;
  if (auto q = r.quota(*t, "sandbox_quota", "world")) w.settings.sandbox_quota = *q;
}

void require_id(Reader& r, const toml::table& t, const std::string& ctx, std::string& out) {
  if (auto v = r.str(t, "id", true, ctx)) {
    if (!is_id(*v))
      r.must_be(*t.get("id"), ctx + ".id", "lower-case letters, digits, '-', '_' or '.'",
                quote_value(*v));
    out = *v;
  }
}

void read_api(Reader& r, const toml::table& t, const std::string& ctx, Api& api) {
  r.check_keys(t,
               {"id", "name", "version", "description", "tags", "channels", "base_path", "scopes",
                "cgu", "approval_required", "approvers", "organisations", "auth", "quota", "health",
                "business_profile", "technical_account", "routes", "added"},
               ctx);
  require_id(r, t, ctx, api.id);
  if (auto v = r.timestamp(t, "added", ctx)) api.added_at = *v;
  if (auto v = r.str(t, "name", true, ctx)) api.name = *v;
  if (auto v = r.str(t, "version", true, ctx)) api.version = *v;
  if (auto v = r.str(t, "description", false, ctx)) api.description = *v;
  api.tags = r.strings(t, "tags", ctx);
  if (const toml::node* n =
          r.get(t, "channels", true, ctx, "an array of \"SANDBOX\"/\"PRODUCTION\"")) {
    if (const toml::array* a = n->as_array()) {
      for (const auto& el : *a)
        if (auto c = r.channel(el, ctx + ".channels")) {
          if (api.published_on(*c))
            r.must(el, ctx + ".channels", "list each channel once",
                   quote_value(to_string(*c)) + " twice");
          else
            api.channels.push_back(*c);
        }
      if (a->empty()) r.must(*n, ctx + ".channels", "list at least one channel", "[]");
    } else {
      r.must_be(*n, ctx + ".channels", "an array of \"SANDBOX\"/\"PRODUCTION\"");
    }
  }
  if (auto v = r.str(t, "base_path", true, ctx)) {
    const std::string& p = *v;
    bool ok = p.size() > 1 && p.front() == '/' && p.back() != '/' &&
              p.find_first_of("?# \t%") == std::string::npos && p.find("//") == std::string::npos;
    if (!ok)
      r.must_be(*t.get("base_path"), ctx + ".base_path",
                "a path starting with '/', without a trailing '/', '//', '?', '#', '%' or spaces",
                quote_value(p));
    api.base_path = p;
  }
  api.scopes = interned(r.strings(t, "scopes", ctx));
  for (const auto& s : api.scopes)
    if (!is_scope_token(s))
      r.must(array_element(t, "scopes", s), ctx + ".scopes",
             "hold scope tokens (RFC 6749 §3.3: printable ASCII except space, '\"' and '\\')",
             quote_value(s));
  if (auto v = r.str(t, "cgu", false, ctx)) api.cgu = *v;
  if (auto v = r.boolean(t, "approval_required", ctx)) api.approval_required = *v;
  api.approvers = r.strings(t, "approvers", ctx);
  for (const auto& e : api.approvers)
    if (!looks_like_email(e))
      r.must(array_element(t, "approvers", e), ctx + ".approvers", "hold e-mail addresses",
             quote_value(e));
  api.organisations = r.strings(t, "organisations", ctx);
  if (t.get("auth")) {
    auto auth = r.strings(t, "auth", ctx);
    api.oauth_allowed = api.api_key_allowed = false;
    for (const auto& a : auth) {
      if (a == "oauth")
        api.oauth_allowed = true;
      else if (a == "api_key")
        api.api_key_allowed = true;
      else
        r.must(array_element(t, "auth", a), ctx + ".auth", "hold \"oauth\" or \"api_key\"",
               quote_value(a) + ";" + did_you_mean(a, {"oauth", "api_key"}));
    }
    if (auth.empty())
      r.must(*t.get("auth"), ctx + ".auth", "hold at least one of \"oauth\", \"api_key\"", "[]");
  }
  api.quota = r.quota(t, "quota", ctx);
  if (auto v = r.str(t, "health", false, ctx)) {
    if (v->empty() || v->front() != '/')
      r.must_be(*t.get("health"), ctx + ".health", "a path starting with '/'", quote_value(*v));
    api.health = *v;
  }
  if (const toml::table* bp = r.table(t, "business_profile", ctx)) {
    std::string bctx = ctx + ".business_profile";
    r.check_keys(*bp, {"status", "content_type", "body"}, bctx);
    api.business_profile_gate = r.answer(*bp, bctx, "status", "body", 200, true);
  }
  if (const toml::table* ta = r.table(t, "technical_account", ctx)) {
    std::string tctx = ctx + ".technical_account";
    r.check_keys(*ta,
                 {"header", "accounts", "missing_status", "missing_body", "invalid_status",
                  "invalid_body", "not_connected_status", "not_connected_body", "content_type"},
                 tctx);
    TechnicalAccountCheck check;
    if (auto h = r.str(*ta, "header", true, tctx)) check.header = *h;
    // Without « accounts », the world's Chorus Pro structures hold them (and their raccordements).
    check.from_structures = !ta->get("accounts");
    check.accounts = r.strings(*ta, "accounts", tctx);
    for (const auto& a : check.accounts)
      if (a.find(':') == std::string::npos)
        r.must(array_element(*ta, "accounts", a), tctx + ".accounts",
               "hold \"login:password\" pairs", quote_value(a));
    check.missing = r.answer(*ta, tctx, "missing_status", "missing_body", 401, false);
    check.invalid = r.answer(*ta, tctx, "invalid_status", "invalid_body", 403, false);
    check.not_connected =
        r.answer(*ta, tctx, "not_connected_status", "not_connected_body", 403, false);
    api.technical_account = std::move(check);
  }
  r.tables(t, "routes", ctx + ".", [&](const toml::table& rt, const std::string& rctx) {
    r.check_keys(rt,
                 {"method", "path", "requires_query", "requires_json", "status", "content_type",
                  "body", "headers"},
                 rctx);
    ProviderRoute route;
    if (const toml::node* m = rt.get("method")) {
      if (auto v = r.one_of(*m, rctx + ".method",
                            {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"}))
        route.method = *v;
    }
    if (auto p = r.str(rt, "path", true, rctx)) {
      if (p->empty() || p->front() != '/')
        r.must_be(*rt.get("path"), rctx + ".path", "a path starting with '/'", quote_value(*p));
      if (p->ends_with("/*")) {
        route.prefix = true;
        route.path = p->substr(0, p->size() - 2);
      } else {
        route.path = *p;
      }
    }
    route.requires_query = r.strings(rt, "requires_query", rctx);
    route.requires_json = r.strings(rt, "requires_json", rctx);
    route.answer = r.answer(rt, rctx, "status", "body", 200, false);
    if (const toml::table* h = r.table(rt, "headers", rctx)) {
      // In the order of the file (a TOML table is sorted by key).
      std::vector<std::pair<const toml::key*, const toml::node*>> entries;
      for (auto&& [k, v] : *h) entries.emplace_back(&k, &v);
      std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& pa = a.first->source().begin;
        const auto& pb = b.first->source().begin;
        return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
      });
      for (const auto& [k, v] : entries) {
        if (!v->is_string())
          r.must_be(*v, rctx + ".headers." + std::string(k->str()), "a string");
        else
          route.answer.headers.push_back({std::string(k->str()), v->as_string()->get()});
      }
    }
    api.routes.push_back(std::move(route));
  });
}

// `plain_password` receives the password when the file gives it in plain text (the world keeps
// only its hash); a snapshot gives `password_hash` instead.
void read_user(Reader& r, const toml::table& t, const std::string& ctx,
               const std::string& current_platform_cgu, User& u,
               std::optional<std::string>& plain_password) {
  r.check_keys(t,
               {"email", "name", "password", "password_hash", "active", "activation_token",
                "reset_token", "reset_expires_at", "must_change_password", "platform_cgu_version",
                "registered_at", "memberships", "accepted_cgu", "opt_in_news", "opt_in_surveys"},
               ctx);
  if (auto v = r.str(t, "email", true, ctx)) {
    if (!looks_like_email(*v))
      r.must_be(*t.get("email"), ctx + ".email", "an e-mail address", quote_value(*v));
    u.email = *v;
  }
  if (auto v = r.str(t, "name", true, ctx)) u.name = *v;
  if (t.get("password") && t.get("password_hash")) {
    r.must(*t.get("password_hash"), ctx, "give either « password » (plain) or « password_hash »",
           "both");
  } else if (t.get("password_hash")) {
    if (auto v = r.str(t, "password_hash", true, ctx)) {
      if (!is_password_hash(*v))
        r.must_be(*t.get("password_hash"), ctx + ".password_hash",
                  "a hash as pistesim writes it (\"pbkdf2-sha256$<iterations>$<salt>$<hash>\")",
                  "a string of another shape");
      u.password_hash = *v;
    }
  } else if (!t.get("password")) {
    r.error(t, "missing « " + ctx + ".password »; expected a string (or « password_hash »)");
  } else if (auto v = r.str(t, "password", true, ctx)) {
    plain_password = *v;
    u.password_hash = hash_password(*v);
  }
  // Unless the file says otherwise, a user has accepted the PISTE CGU in force.
  u.platform_cgu_version = current_platform_cgu;
  if (auto v = r.str(t, "platform_cgu_version", false, ctx)) u.platform_cgu_version = *v;
  if (auto v = r.non_empty_str(t, "activation_token", false, ctx)) u.activation_token = *v;
  if (auto v = r.non_empty_str(t, "reset_token", false, ctx)) u.reset_token = *v;
  if (auto v = r.timestamp(t, "reset_expires_at", ctx)) u.reset_expires_at = *v;
  if (auto v = r.boolean(t, "must_change_password", ctx)) u.must_change_password = *v;
  if (auto v = r.timestamp(t, "registered_at", ctx)) u.registered_at = *v;
  if (auto v = r.boolean(t, "active", ctx)) u.active = *v;
  if (auto v = r.boolean(t, "opt_in_news", ctx)) u.opt_in_news = *v;
  if (auto v = r.boolean(t, "opt_in_surveys", ctx)) u.opt_in_surveys = *v;
  r.tables(t, "memberships", ctx + ".", [&](const toml::table& m, const std::string& mctx) {
    r.check_keys(m, {"organisation", "role"}, mctx);
    Membership ms;
    if (auto o = r.str(m, "organisation", true, mctx)) ms.organisation = *o;
    if (const toml::node* n = m.get("role"))
      if (auto role = r.one_of(*n, mctx + ".role", {"developer", "orgadmin"}))
        ms.role = *role == "orgadmin" ? Role::OrgAdmin : Role::Developer;
    u.memberships.push_back(ms);
  });
  r.tables(t, "accepted_cgu", ctx + ".", [&](const toml::table& c, const std::string& cctx) {
    r.check_keys(c, {"api", "channel"}, cctx);
    CguConsent k;
    if (auto a = r.str(c, "api", true, cctx)) k.api = *a;
    if (auto ch = r.channel(c, "channel", true, cctx)) k.channel = *ch;
    u.accepted_cgu.push_back(k);
  });
}

// Entries of the array t[key] (0 if none): vectors are sized once, or a large world's would keep
// up to twice the room their entries take.
size_t array_size(const toml::table& t, std::string_view key) {
  const toml::array* a = t.get_as<toml::array>(key);
  return a ? a->size() : 0;
}

void read_application(Reader& r, const toml::table& t, const std::string& ctx, Application& app) {
  r.check_keys(t,
               {"id", "name", "channel", "organisation", "owner", "description", "email", "phone",
                "structure_info", "responsible", "origin", "created_at", "active", "quota",
                "business_profiles", "oauth_clients", "api_keys", "subscriptions"},
               ctx);
  require_id(r, t, ctx, app.id);
  if (const toml::node* n = t.get("origin"))
    if (auto v = r.one_of(*n, ctx + ".origin", {"created", "auto_sandbox", "enrolment"}))
      app.origin = *parse_application_origin(*v);
  if (auto v = r.str(t, "name", true, ctx)) {
    if (!is_application_name(*v, app.origin))
      r.must_be(*t.get("name"), ctx + ".name", "letters, digits, '-' and '_' only",
                quote_value(*v));
    app.name = *v;
  }
  if (auto c = r.channel(t, "channel", true, ctx)) app.channel = *c;
  if (auto v = r.str(t, "organisation", true, ctx)) app.organisation = *v;
  if (auto v = r.str(t, "owner", true, ctx)) app.owner = *v;
  if (auto v = r.str(t, "description", false, ctx)) app.description = *v;
  if (auto v = r.str(t, "email", false, ctx)) app.email = *v;
  if (auto v = r.str(t, "phone", false, ctx)) app.phone = *v;
  if (auto v = r.str(t, "structure_info", false, ctx)) app.structure_info = *v;
  if (auto v = r.str(t, "responsible", false, ctx)) app.responsible = *v;
  if (auto v = r.timestamp(t, "created_at", ctx)) app.created_at = *v;
  if (auto v = r.boolean(t, "active", ctx)) app.active = *v;
  app.quota = r.quota(t, "quota", ctx);
  app.business_profiles = interned(r.strings(t, "business_profiles", ctx));
  app.oauth_clients.reserve(array_size(t, "oauth_clients"));
  app.api_keys.reserve(array_size(t, "api_keys"));
  app.subscriptions.reserve(array_size(t, "subscriptions"));
  r.tables(t, "oauth_clients", ctx + ".", [&](const toml::table& c, const std::string& cctx) {
    r.check_keys(
        c, {"client_id", "client_secret", "type", "enabled", "callback_urls", "x509", "created_at"},
        cctx);
    OAuthClient oc;
    if (auto v = r.str(c, "client_id", true, cctx)) {
      if (v->empty())
        r.must_be(*c.get("client_id"), cctx + ".client_id", "a non-empty string", "\"\"");
      oc.client_id = *v;
    }
    if (const toml::node* n = c.get("type"))
      if (auto v = r.one_of(*n, cctx + ".type", {"confidential", "public"}))
        oc.type = *v == "public" ? ClientType::Public : ClientType::Confidential;
    if (auto v = r.str(c, "client_secret", oc.type == ClientType::Confidential, cctx))
      oc.client_secret = *v;
    if (oc.type == ClientType::Confidential && c.get("client_secret") && oc.client_secret.empty())
      r.must_be(*c.get("client_secret"), cctx + ".client_secret",
                "a non-empty secret (the client is confidential)", "\"\"");
    if (auto v = r.boolean(c, "enabled", cctx)) oc.enabled = *v;
    oc.callback_urls = r.strings(c, "callback_urls", cctx);
    for (const auto& url : oc.callback_urls)
      if (url.size() <= 8 || !iequals(std::string_view(url).substr(0, 8), "https://") ||
          url.find_first_of(" \t\r\n") != std::string::npos)
        r.must(array_element(c, "callback_urls", url), cctx + ".callback_urls",
               "hold https:// URLs (APP-6)", quote_value(url));
    if (auto v = r.str(c, "x509", false, cctx)) oc.x509 = *v;
    if (auto v = r.timestamp(c, "created_at", cctx)) oc.created_at = *v;
    app.oauth_clients.push_back(std::move(oc));
  });
  r.tables(t, "api_keys", ctx + ".", [&](const toml::table& k, const std::string& kctx) {
    r.check_keys(k, {"key", "enabled", "created_at"}, kctx);
    ApiKey key;
    if (auto v = r.str(k, "key", true, kctx)) {
      if (v->empty()) r.must_be(*k.get("key"), kctx + ".key", "a non-empty string", "\"\"");
      key.key = *v;
    }
    if (auto v = r.boolean(k, "enabled", kctx)) key.enabled = *v;
    if (auto v = r.timestamp(k, "created_at", kctx)) key.created_at = *v;
    app.api_keys.push_back(std::move(key));
  });
  r.tables(t, "subscriptions", ctx + ".", [&](const toml::table& s, const std::string& sctx) {
    r.check_keys(s, {"api", "status", "scopes", "quota"}, sctx);
    Subscription sub;
    if (auto v = r.str(s, "api", true, sctx)) sub.api = *v;
    if (const toml::node* n = s.get("status"))
      if (auto v = r.one_of(*n, sctx + ".status", {"approved", "pending", "rejected", "revoked"}))
        sub.status = *parse_subscription_status(*v);
    sub.scopes = interned(r.strings(s, "scopes", sctx));
    sub.quota = r.quota(s, "quota", sctx);
    app.subscriptions.push_back(std::move(sub));
  });
}

void read_access_request(Reader& r, const toml::table& t, const std::string& ctx,
                         AccessRequest& q) {
  r.check_keys(t,
               {"id", "api", "application", "requester", "motif", "scopes", "status",
                "requested_at", "decided_at", "decided_by", "decision_message"},
               ctx);
  require_id(r, t, ctx, q.id);
  if (auto v = r.str(t, "api", true, ctx)) q.api = *v;
  if (auto v = r.str(t, "application", true, ctx)) q.application = *v;
  if (auto v = r.email(t, "requester", true, ctx)) q.requester = *v;
  if (auto v = r.str(t, "motif", false, ctx)) q.motif = *v;
  q.scopes = interned(r.strings(t, "scopes", ctx));
  if (const toml::node* n = t.get("status"))
    if (auto v = r.one_of(*n, ctx + ".status", {"pending", "approved", "rejected"}))
      q.status = *parse_request_status(*v);
  if (auto v = r.timestamp(t, "requested_at", ctx)) q.requested_at = *v;
  if (auto v = r.timestamp(t, "decided_at", ctx)) q.decided_at = *v;
  if (auto v = r.email(t, "decided_by", false, ctx)) q.decided_by = *v;
  if (auto v = r.str(t, "decision_message", false, ctx)) q.decision_message = *v;
}

// Reads every table of `root` into `w`, then runs the checks `checks` asks for.
void read_world(Reader& r, const toml::table& root, World& w, WorldChecks checks) {
  r.check_keys(root,
               {"world", "organisations", "cgu", "apis", "users", "applications", "access_requests",
                "chorus_pro_structures"},
               "the world file (top level)");
  read_settings(r, root, w);
  r.tables(root, "organisations", "", [&](const toml::table& t, const std::string& ctx) {
    r.check_keys(t, {"id", "name", "code", "universal", "app_prefix"}, ctx);
    Organisation o;
    require_id(r, t, ctx, o.id);
    if (auto v = r.str(t, "name", true, ctx)) o.name = *v;
    if (auto v = r.str(t, "code", false, ctx)) o.code = *v;
    if (auto v = r.boolean(t, "universal", ctx)) o.universal = *v;
    if (auto v = r.str(t, "app_prefix", false, ctx)) {
      if (!is_app_prefix(*v))
        r.must_be(*t.get("app_prefix"), ctx + ".app_prefix", "letters, digits, '-' and '_' only",
                  quote_value(*v));
      o.app_prefix = *v;
    }
    w.organisations.push_back(std::move(o));
  });
  r.tables(root, "cgu", "", [&](const toml::table& t, const std::string& ctx) {
    r.check_keys(t, {"id", "title", "version"}, ctx);
    Cgu c;
    if (auto v = r.str(t, "id", true, ctx)) {
      if (!is_cgu_id(*v))
        r.must_be(*t.get("id"), ctx + ".id", "letters, digits, '-', '_' or '.'", quote_value(*v));
      c.id = *v;
    }
    if (auto v = r.str(t, "title", true, ctx)) c.title = *v;
    if (auto v = r.str(t, "version", false, ctx)) c.version = *v;
    w.cgus.push_back(std::move(c));
  });
  r.tables(root, "apis", "", [&](const toml::table& t, const std::string& ctx) {
    Api api;
    read_api(r, t, ctx, api);
    w.apis.push_back(std::move(api));
  });
  r.tables(root, "users", "", [&](const toml::table& t, const std::string& ctx) {
    User u;
    std::optional<std::string> password;
    read_user(r, t, ctx, w.settings.platform_cgu_version, u, password);
    // The demo user's plain password is what `serve` prints; a snapshot, which holds hashes
    // only, gives it as world.demo_password.
    if (password && !w.settings.demo_user.empty() && iequals(u.email, w.settings.demo_user)) {
      const toml::node* given = root.get("world") && root.get("world")->is_table()
                                    ? root.get("world")->as_table()->get("demo_password")
                                    : nullptr;
      if (given && given->is_string() && w.settings.demo_password != *password)
        r.must_because(*given, "world.demo_password", "be the demo user's password",
                       "it differs from the password of " + quote_value(u.email));
      w.settings.demo_password = *password;
    }
    w.users.push_back(std::move(u));
  });
  w.applications.reserve(array_size(root, "applications"));
  r.tables(root, "applications", "", [&](const toml::table& t, const std::string& ctx) {
    Application app;
    read_application(r, t, ctx, app);
    w.applications.push_back(std::move(app));
  });
  r.tables(root, "access_requests", "", [&](const toml::table& t, const std::string& ctx) {
    AccessRequest q;
    read_access_request(r, t, ctx, q);
    w.access_requests.push_back(std::move(q));
  });
  read_cpro_structures(r, root, w);
  // Cross-references are checked even when some entries had errors, so that one run of
  // `world check` reports every mistake. (Entries whose table could not be read at all are
  // missing here and are not checked twice.)
  if (checks == WorldChecks::Entities) return;
  check_world_references(r, root, w);
  if (checks == WorldChecks::Written) check_world_consistency(r, root, w);
  check_cpro_references(r, root, w);
}

}  // namespace

WorldLoadResult load_world_string(std::string_view toml_text, std::string source_name,
                                  WorldChecks checks) {
  WorldLoadResult result;
  Reader r(source_name, result.errors);
  r.set_max_bytes(kMaxWorldFileBytes);
  std::optional<toml::table> parsed = r.parse(toml_text);
  if (!parsed) return result;
  read_world(r, *parsed, result.world, checks);
  sort_in_file_order(result.errors);
  return result;
}

WorldLoadResult load_world_table(const toml::table& root, std::string source_name,
                                 WorldChecks checks) {
  WorldLoadResult result;
  Reader r(std::move(source_name), result.errors);
  read_world(r, root, result.world, checks);
  sort_in_file_order(result.errors);
  return result;
}

WorldLoadResult load_world_file(const std::string& path) {
  FileText f = read_input_file(path, kMaxWorldFileBytes);
  if (!f.error.empty()) {
    WorldLoadResult result;
    result.errors.push_back({path, 0, 0, f.error});
    return result;
  }
  return load_world_string(f.text, path);
}

}  // namespace pistesim
