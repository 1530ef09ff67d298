#include "world/world_writer.h"

#include <algorithm>
#include <cstdio>

#include "wire/encoding.h"

namespace pistesim {

namespace {

// `s` with every byte sequence that is not UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF) replaced by U+FFFD.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence(s.substr(i));
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
}

// Text for a comment line: valid UTF-8 without line breaks or other control characters.
std::string comment_text(std::string_view s) {
  std::string out = valid_utf8(s);
  std::replace_if(out.begin(), out.end(), is_control, ' ');
  return out;
}

// "…" with TOML's escapes; `s` is valid UTF-8.
std::string basic_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (is_control(c)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// A key: bare when TOML allows it, quoted otherwise.
std::string toml_key(std::string_view k) {
  bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
  return bare ? std::string(k) : basic_string(valid_utf8(k));
}

template <class S>  // std::string or Interned
std::string toml_strings(const std::vector<S>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + toml_string(v[i]);
  return out + "]";
}

std::string toml_quota(const QuotaSpec& q) {
  return "{ limit = " + std::to_string(q.limit) + ", window = \"" +
         std::string(to_string(q.window)) + "\" }";
}

// An array of inline tables: on one line when it has one element, one per line otherwise.
std::string inline_tables(const std::vector<std::string>& items) {
  if (items.size() == 1) return "[" + items[0] + "]";
  std::string out = "[\n";
  for (const auto& it : items) out += "  " + it + ",\n";
  return out + "]";
}

// `{ key = value, … }`, keys in the order given.
class InlineTable {
 public:
  void raw(std::string_view key, const std::string& value) {
    text_ += (text_.empty() ? "{ " : ", ") + toml_key(key) + " = " + value;
  }
  void str(std::string_view key, std::string_view v) { raw(key, toml_string(v)); }
  std::string close() const { return text_.empty() ? "{}" : text_ + " }"; }

 private:
  std::string text_;
};

class Writer {
 public:
  std::string text;

  void line(std::string_view l) {
    text.append(l);
    text += '\n';
  }
  void table(std::string_view header) {
    text += '\n';
    line(header);
  }
  void raw(std::string_view key, const std::string& value) { line(toml_key(key) + " = " + value); }
  void str(std::string_view key, std::string_view v) { raw(key, toml_string(v)); }
  // Optional keys: written only when they differ from what the loader assumes when absent.
  void str_if(std::string_view key, std::string_view v) {
    if (!v.empty()) str(key, v);
  }
  void boolean(std::string_view key, bool v) { raw(key, v ? "true" : "false"); }
  void integer(std::string_view key, int64_t v) { raw(key, std::to_string(v)); }
  template <class S>
  void strings_if(std::string_view key, const std::vector<S>& v) {
    if (!v.empty()) raw(key, toml_strings(v));
  }
  void time_if(std::string_view key, Millis ms) {
    if (ms != 0) str(key, format_world_timestamp(ms));
  }
  void quota_if(std::string_view key, const std::optional<QuotaSpec>& q) {
    if (q) raw(key, toml_quota(*q));
  }
};

void write_settings(Writer& w, const WorldSettings& s) {
  w.table("[world]");
  w.str("name", s.name);
  w.str_if("demo_user", s.demo_user);
  // The fixture's published demo password (printed by `serve`): the only plain password here.
  w.str_if("demo_password", s.demo_password);
  w.str("platform_cgu_version", s.platform_cgu_version);
  w.str("captcha", s.captcha);
  w.str("activation_mail", s.activation_mail);
  w.integer("token_lifetime", s.token_lifetime_s);
  w.raw("production_quota", toml_quota(s.production_quota));
  w.raw("sandbox_quota", toml_quota(s.sandbox_quota));
}

void write_api(Writer& w, const Api& a) {
  w.table("[[apis]]");
  w.str("id", a.id);
  w.str("name", a.name);
  w.str("version", a.version);
  w.str_if("description", a.description);
  w.strings_if("tags", a.tags);
  std::vector<std::string> channels;
  for (Channel c : a.channels) channels.emplace_back(to_string(c));
  w.raw("channels", toml_strings(channels));
  w.str("base_path", a.base_path);
  w.strings_if("scopes", a.scopes);
  w.str_if("cgu", a.cgu);
  if (a.approval_required) w.boolean("approval_required", true);
  w.strings_if("approvers", a.approvers);
  w.strings_if("organisations", a.organisations);
  if (!a.oauth_allowed || a.api_key_allowed) {
    std::vector<std::string> auth;
    if (a.oauth_allowed) auth.emplace_back("oauth");
    if (a.api_key_allowed) auth.emplace_back("api_key");
    w.raw("auth", toml_strings(auth));
  }
  w.quota_if("quota", a.quota);
  w.str_if("health", a.health);
  w.time_if("added", a.added_at);

  if (const auto& gate = a.business_profile_gate) {
    w.table("[apis.business_profile]");
    w.integer("status", gate->status);
    if (gate->content_type != ProviderAnswer{}.content_type)
      w.str("content_type", gate->content_type);
    w.str("body", gate->body);
  }
  if (const auto& ta = a.technical_account) {
    w.table("[apis.technical_account]");
    w.str("header", ta->header);
    if (!ta->from_structures) w.raw("accounts", toml_strings(ta->accounts));
    w.integer("missing_status", ta->missing.status);
    w.str_if("missing_body", ta->missing.body);
    w.integer("invalid_status", ta->invalid.status);
    w.str_if("invalid_body", ta->invalid.body);
    w.integer("not_connected_status", ta->not_connected.status);
    w.str_if("not_connected_body", ta->not_connected.body);
    // One content type for both answers (the format has one key).
    if (ta->missing.content_type != ProviderAnswer{}.content_type)
      w.str("content_type", ta->missing.content_type);
  }
  for (const auto& r : a.routes) {
    w.table("[[apis.routes]]");
    w.str("method", r.method);
    w.str("path", r.prefix ? r.path + "/*" : r.path);
    w.strings_if("requires_query", r.requires_query);
    w.strings_if("requires_json", r.requires_json);
    if (r.answer.status != 200) w.integer("status", r.answer.status);
    if (r.answer.content_type != ProviderAnswer{}.content_type)
      w.str("content_type", r.answer.content_type);
    w.str_if("body", r.answer.body);
    if (!r.answer.headers.empty()) {
      std::string h = "{ ";
      for (size_t i = 0; i < r.answer.headers.size(); ++i)
        h += (i ? ", " : "") + toml_key(r.answer.headers[i].name) + " = " +
             toml_string(r.answer.headers[i].value);
      w.raw("headers", h + " }");
    }
  }
}

void write_user(Writer& w, const User& u, const WorldSettings& s) {
  w.table("[[users]]");
  w.str("email", u.email);
  w.str("name", u.name);
  w.str("password_hash", u.password_hash);
  w.boolean("active", u.active);
  w.str_if("activation_token", u.activation_token);
  if (u.must_change_password) w.boolean("must_change_password", true);
  w.str_if("reset_token", u.reset_token);
  w.time_if("reset_expires_at", u.reset_expires_at);
  // Absent means "accepted the PISTE CGU in force"; "" (none accepted yet) must be written.
  if (u.platform_cgu_version != s.platform_cgu_version)
    w.str("platform_cgu_version", u.platform_cgu_version);
  w.time_if("registered_at", u.registered_at);
  if (u.opt_in_news) w.boolean("opt_in_news", true);
  if (u.opt_in_surveys) w.boolean("opt_in_surveys", true);
  std::vector<std::string> items;
  for (const auto& m : u.memberships)
    items.push_back("{ organisation = " + toml_string(m.organisation) + ", role = \"" +
                    std::string(to_string(m.role)) + "\" }");
  if (!items.empty()) w.raw("memberships", inline_tables(items));
  items.clear();
  for (const auto& k : u.accepted_cgu)
    items.push_back("{ api = " + toml_string(k.api) + ", channel = \"" +
                    std::string(to_string(k.channel)) + "\" }");
  if (!items.empty()) w.raw("accepted_cgu", inline_tables(items));
}

void write_application(Writer& w, const Application& app) {
  w.table("[[applications]]");
  w.str("id", app.id);
  w.str("name", app.name);
  w.raw("channel", toml_string(to_string(app.channel)));
  w.str("organisation", app.organisation);
  w.str("owner", app.owner);
  w.raw("origin", toml_string(to_string(app.origin)));
  w.time_if("created_at", app.created_at);
  w.str_if("description", app.description);
  w.str_if("email", app.email);
  w.str_if("phone", app.phone);
  w.str_if("structure_info", app.structure_info);
  w.str_if("responsible", app.responsible);
  w.boolean("active", app.active);
  w.quota_if("quota", app.quota);
  w.strings_if("business_profiles", app.business_profiles);
  // Inline arrays, not [[applications.oauth_clients]] tables: toml++ takes time quadratic in the
  // number of nested [[…]] headers, so a snapshot of 100 000 applications would reload slowly.
  std::vector<std::string> items;
  for (const auto& c : app.oauth_clients) {
    InlineTable t;
    t.str("client_id", c.client_id);
    if (!c.client_secret.empty()) t.str("client_secret", c.client_secret);
    t.raw("type", toml_string(to_string(c.type)));
    t.raw("enabled", c.enabled ? "true" : "false");
    if (!c.callback_urls.empty()) t.raw("callback_urls", toml_strings(c.callback_urls));
    if (!c.x509.empty()) t.str("x509", c.x509);
    if (c.created_at) t.str("created_at", format_world_timestamp(c.created_at));
    items.push_back(t.close());
  }
  if (!items.empty()) w.raw("oauth_clients", inline_tables(items));
  items.clear();
  for (const auto& k : app.api_keys) {
    InlineTable t;
    t.str("key", k.key);
    t.raw("enabled", k.enabled ? "true" : "false");
    if (k.created_at) t.str("created_at", format_world_timestamp(k.created_at));
    items.push_back(t.close());
  }
  if (!items.empty()) w.raw("api_keys", inline_tables(items));
  items.clear();
  for (const auto& sub : app.subscriptions) {
    InlineTable t;
    t.str("api", sub.api);
    t.raw("status", toml_string(to_string(sub.status)));
    if (!sub.scopes.empty()) t.raw("scopes", toml_strings(sub.scopes));
    if (sub.quota) t.raw("quota", toml_quota(*sub.quota));
    items.push_back(t.close());
  }
  if (!items.empty()) w.raw("subscriptions", inline_tables(items));
}

void write_access_request(Writer& w, const AccessRequest& q) {
  w.table("[[access_requests]]");
  w.str("id", q.id);
  w.str("api", q.api);
  w.str("application", q.application);
  w.str("requester", q.requester);
  w.str_if("motif", q.motif);
  w.strings_if("scopes", q.scopes);
  w.raw("status", toml_string(to_string(q.status)));
  w.time_if("requested_at", q.requested_at);
  w.time_if("decided_at", q.decided_at);
  w.str_if("decided_by", q.decided_by);
  w.str_if("decision_message", q.decision_message);
}

void write_cpro_structure(Writer& w, const CproStructure& s) {
  w.table("[[chorus_pro_structures]]");
  w.str("siret", s.siret);
  w.str("name", s.name);
  for (const auto& k : s.raccordements) {
    w.table("[[chorus_pro_structures.raccordements]]");
    w.str("id", k.id);
    w.raw("environment", toml_string(cpro_environment_name(k.environment)));
    w.str("application", k.application);
    w.str_if("usage_type", k.usage_type);
    w.str_if("editor", k.editor);
    const CproContact& c = k.technical_contact;
    std::string contact = "{ name = " + toml_string(c.name) + ", email = " + toml_string(c.email);
    if (!c.phone.empty()) contact += ", phone = " + toml_string(c.phone);
    if (!c.fax.empty()) contact += ", fax = " + toml_string(c.fax);
    w.raw("technical_contact", contact + " }");
    w.boolean("active", k.active);
    w.time_if("declared_at", k.declared_at);
  }
  for (const auto& a : s.technical_accounts) {
    w.table("[[chorus_pro_structures.technical_accounts]]");
    w.str("login", a.login);
    w.str("password", a.password);
    w.raw("environment", toml_string(cpro_environment_name(a.environment)));
    w.boolean("active", a.active);
    w.time_if("created_at", a.created_at);
  }
}

void write_header_comment(Writer& w, const SnapshotHeader& header) {
  w.line("# pistesim world snapshot" +
         (header.source.empty() ? std::string() : " of " + comment_text(header.source)) +
         (header.taken_at
              ? ", taken " + format_world_timestamp(header.taken_at) + " (simulator clock)"
              : std::string()) +
         ".");
  w.line("# Format: docs/world-format.md. Load it with `pistesim serve --world FILE`; validate it");
  w.line(
      "# with `pistesim world check FILE`. Users carry password hashes, never passwords; the one");
  w.line("# plain password is [world].demo_password, the published password of the demo account.");
}

}  // namespace

std::string toml_string(std::string_view raw) {
  std::string s = valid_utf8(raw);
  bool control = std::any_of(s.begin(), s.end(), is_control);
  bool escapes = s.find_first_of("\"\\") != std::string::npos;
  if (!control && escapes) {
    // JSON bodies read better without escapes, as in the fixtures.
    if (s.find('\'') == std::string::npos) return "'" + s + "'";
    if (s.find("'''") == std::string::npos && s.front() != '\'' && s.back() != '\'')
      return "'''" + s + "'''";
  }
  return basic_string(s);
}

std::string format_world_timestamp(Millis ms) {
  std::string t = format_iso8601(ms);  // "2026-11-23T19:45:03.120Z"
  if (t.ends_with(".000Z")) t.replace(t.size() - 5, 5, "Z");
  return t;
}

std::string write_world_toml(const World& world, const SnapshotHeader& header) {
  Writer w;
  if (header.comments) write_header_comment(w, header);
  write_settings(w, world.settings);
  for (const auto& o : world.organisations) {
    w.table("[[organisations]]");
    w.str("id", o.id);
    w.str("name", o.name);
    w.str_if("code", o.code);
    if (o.universal) w.boolean("universal", true);
    w.str_if("app_prefix", o.app_prefix);
  }
  for (const auto& c : world.cgus) {
    w.table("[[cgu]]");
    w.str("id", c.id);
    w.str("title", c.title);
    w.str("version", c.version);
  }
  for (const auto& a : world.apis) write_api(w, a);
  for (const auto& u : world.users) write_user(w, u, world.settings);
  for (const auto& app : world.applications) write_application(w, app);
  for (const auto& q : world.access_requests) write_access_request(w, q);
  for (const auto& s : world.cpro_structures) write_cpro_structure(w, s);
  return w.text;
}

}  // namespace pistesim
