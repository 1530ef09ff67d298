#include "loadgen/workload.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <toml++/toml.h>

#include "clock/clock.h"
#include "toml/toml_reader.h"

namespace pistesim::loadgen {

std::string_view to_string(RequestKind k) {
  switch (k) {
    case RequestKind::Api:
      return "api";
    case RequestKind::Token:
      return "token";
    case RequestKind::UnknownPath:
      return "unknown_path";
    case RequestKind::MissingToken:
      return "missing_token";
    case RequestKind::Plain:
      return "plain";
  }
  return "?";
}

std::vector<MixEntry> default_mix() {
  MixEntry e;
  e.api = "legifrance";
  e.path = "/dila/legifrance/lf-engine-app/consult/ping";
  return {e};
}

double Workload::offered_rate() const {
  double total = 0;
  size_t global = 0;
  for (const auto& g : groups)
    for (size_t i = 0; i < g.count; ++i, ++global)
      if (in_shard(global)) total += g.rate;
  return total;
}

double ramp_start_rate(const Workload& w, const ApplicationGroup& g) {
  return w.ramp > 0 ? g.start_rate.value_or(0) : g.rate;
}

ArrivalSchedule arrival_stream(const Workload& w, const ApplicationGroup& g, size_t position,
                               size_t group_size) {
  const double phase =
      static_cast<double>(position) / static_cast<double>(std::max<size_t>(group_size, 1));
  return ArrivalSchedule(ramp_start_rate(w, g), g.rate, w.ramp, w.duration, phase);
}

std::string format_duration(Nanos d) {
  constexpr Nanos kMs = 1000000;
  if (d % (1000 * kMs) == 0) return std::to_string(d / (1000 * kMs)) + "s";
  if (d % kMs == 0) return std::to_string(d / kMs) + "ms";
  return std::to_string(d) + "ns";
}

double Workload::offered_start_rate() const {
  double total = 0;
  size_t global = 0;
  for (const auto& g : groups)
    for (size_t i = 0; i < g.count; ++i, ++global)
      if (in_shard(global)) total += ramp_start_rate(*this, g);
  return total;
}

std::string Workload::validate() const {
  if (duration <= 0) return "duration must be positive";
  if (ramp < 0) return "ramp must not be negative";
  if (ramp > duration)
    return "the ramp (" + format_duration(ramp) + ") is longer than the duration (" +
           format_duration(duration) + "): the run would end before reaching its full rate";
  if (ramp > 0 && model == LoadModel::Closed)
    return "a ramp needs the open model (the closed model sends back to back): drop the ramp "
           "(--ramp 0) or the closed model";
  if (connections == 0) return "connections must be at least 1";
  if (shard_count == 0 || shard_index >= shard_count) return "shard must be k/n with 1 <= k <= n";
  if (groups.empty()) return "no application group";
  if (mix.empty()) return "no request in the mix";
  for (const auto& g : groups) {
    if (g.count == 0) return "application group '" + g.name + "' has count 0";
    if (model == LoadModel::Open && !(g.rate > 0) && !(g.start_rate.value_or(0) > 0))
      return "application group '" + g.name + "' needs a positive rate";
    if (g.rate < 0 || g.start_rate.value_or(0) < 0)
      return "application group '" + g.name + "' has a negative rate";
    if (g.start_rate && ramp == 0)
      return "application group '" + g.name +
             "' sets start_rate, which needs a ramp (the workload has none)";
    if (g.quota && (g.quota->limit < 1 || g.quota->limit > kMaxQuotaLimit))
      return "application group '" + g.name + "' has a quota limit outside 1.." +
             std::to_string(kMaxQuotaLimit);
  }
  double weights = 0;
  for (const auto& m : mix) {
    if (!(m.weight >= 0)) return "mix weights must be >= 0";
    weights += m.weight;
    if (m.kind == RequestKind::Api && (m.api.empty() || m.path.empty() || m.path[0] != '/'))
      return "an api entry of the mix needs `api` and a `path` starting with '/'";
    if (m.kind == RequestKind::Plain && (m.path.empty() || m.path[0] != '/'))
      return "a plain request needs a path starting with '/'";
  }
  if (!(weights > 0)) return "the mix's weights sum to 0";
  if (!(renew_at > 0 && renew_at <= 1)) return "renew_at must lie in (0, 1]";
  if (!(quota_tolerance >= 0 && quota_tolerance < 1)) return "quota_tolerance must lie in [0, 1)";
  return {};
}

namespace {

// A profile keeps reading after a mistake, so that one run names them all.
class ProfileReader : public TomlReader {
 public:
  using TomlReader::TomlReader;

  std::string string_of(const toml::table& t, std::string_view key, const std::string& ctx,
                        std::string fallback = {}) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    return string(*n, field(ctx, key)).value_or(fallback);
  }
  double number_of(const toml::table& t, std::string_view key, const std::string& ctx,
                   double fallback, double lo = 0, double hi = 1e12) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    return number(*n, field(ctx, key), lo, hi, "a number of at least 0").value_or(fallback);
  }
  size_t count_of(const toml::table& t, std::string_view key, const std::string& ctx,
                  size_t fallback) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    auto v = integer(*n, field(ctx, key), 0, 100000000, "a whole number of at least 0");
    return v ? static_cast<size_t>(*v) : fallback;
  }
  Nanos duration_of(const toml::table& t, std::string_view key, Nanos fallback) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    auto ms = duration_ms(*n, key, false);
    return ms ? *ms * 1000000 : fallback;
  }
  std::optional<QuotaSpec> quota_of(const toml::node& n, const std::string& ctx) {
    const toml::table* t = table(n, ctx, "a table such as { limit = 20, window = \"1s\" }");
    if (!t) return std::nullopt;
    check_keys(*t, {"limit", "window"}, quote_field(ctx));
    std::optional<int64_t> limit;
    if (const toml::node* l = require(*t, "limit", ctx + ".limit", "an integer from 1"))
      limit = integer(*l, ctx + ".limit", 1, kMaxQuotaLimit);
    std::string window = "1s";
    if (const toml::node* w = t->get("window"))
      window = one_of(*w, ctx + ".window", {"1s", "1d"}).value_or(window);
    if (!limit) return std::nullopt;
    return QuotaSpec{*limit, *parse_quota_window(window)};
  }
  // The tables of [[key]] with the name of each ("applications[0]").
  template <class F>
  void entries(const toml::table& root, std::string_view key, F&& f) {
    const toml::node* n = root.get(key);
    if (!n) return;
    const toml::array* arr = array(*n, key, "an array of tables ([[" + std::string(key) + "]])");
    if (!arr) return;
    size_t i = 0;
    for (const auto& el : *arr) {
      std::string at = std::string(key) + "[" + std::to_string(i++) + "]";
      if (const toml::table* t = table(el, at)) f(*t, at);
    }
  }

  Workload read(const toml::table& root) {
    check_keys(root,
               {"name", "description", "model", "duration", "ramp", "connections", "threads",
                "renew_at", "quota_tolerance", "applications", "mix", "faults"},
               "the profile (top level)");
    Workload w;
    w.mix.clear();
    w.name = string_of(root, "name", "");
    if (const toml::node* n = root.get("name"); !n)
      file_error("missing « name »; expected name = \"…\" at the top");
    else if (n->is_string() && w.name.empty())
      must_be(*n, "name", "a non-empty string", "\"\"");
    w.description = string_of(root, "description", "");
    if (const toml::node* n = root.get("model"))
      if (auto model = one_of(*n, "model", {"open", "closed"}))
        w.model = *model == "open" ? LoadModel::Open : LoadModel::Closed;
    w.duration = duration_of(root, "duration", w.duration);
    w.ramp = duration_of(root, "ramp", 0);
    if (w.ramp > w.duration)
      must_be(*root.get("ramp"), "ramp",
              "at most the duration (" + format_duration(w.duration) + ")",
              "\"" + format_duration(w.ramp) + "\"");
    w.connections = count_of(root, "connections", "", w.connections);
    w.threads = count_of(root, "threads", "", 0);
    w.renew_at = number_of(root, "renew_at", "", w.renew_at);
    w.quota_tolerance = number_of(root, "quota_tolerance", "", w.quota_tolerance);
    entries(root, "applications", [&](const toml::table& t, const std::string& ctx) {
      check_keys(t, {"name", "channel", "count", "rate", "start_rate", "quota"}, ctx);
      ApplicationGroup g;
      g.name = string_of(t, "name", ctx, "group" + std::to_string(w.groups.size() + 1));
      if (const toml::node* n = t.get("channel"))
        if (auto c = one_of(*n, ctx + ".channel", {"SANDBOX", "PRODUCTION"}))
          g.channel = *parse_channel(*c);
      g.count = count_of(t, "count", ctx, 1);
      g.rate = number_of(t, "rate", ctx, g.rate);
      if (t.get("start_rate")) g.start_rate = number_of(t, "start_rate", ctx, 0);
      if (const toml::node* q = t.get("quota")) g.quota = quota_of(*q, ctx + ".quota");
      w.groups.push_back(g);
    });
    entries(root, "mix", [&](const toml::table& t, const std::string& ctx) {
      check_keys(t, {"kind", "api", "method", "path", "body", "content_type", "weight"}, ctx);
      MixEntry e;
      std::string kind = "api";
      if (const toml::node* n = t.get("kind"))
        kind = one_of(*n, ctx + ".kind", {"api", "token", "unknown_path", "missing_token"})
                   .value_or(kind);
      if (kind == "token") {
        e.kind = RequestKind::Token;
      } else if (kind == "unknown_path") {
        e.kind = RequestKind::UnknownPath;
        e.path = "/pistesim-load/no-such-api";
      } else if (kind == "missing_token") {
        e.kind = RequestKind::MissingToken;
        e.path = default_mix().front().path;
      }
      e.api = string_of(t, "api", ctx);
      e.method = string_of(t, "method", ctx, "GET");
      e.path = string_of(t, "path", ctx, e.path);
      e.body = string_of(t, "body", ctx);
      e.content_type = string_of(t, "content_type", ctx, e.body.empty() ? "" : "application/json");
      e.weight = number_of(t, "weight", ctx, 1);
      w.mix.push_back(e);
    });
    if (w.mix.empty()) w.mix = default_mix();
    entries(root, "faults", [&](const toml::table& t, const std::string&) {
      std::ostringstream json;
      json << toml::json_formatter(t);
      w.faults.push_back(nlohmann::json::parse(json.str()));
    });
    // The whole workload's consistency, once its fields read well.
    if (error_count() == 0)
      if (std::string why = w.validate(); !why.empty()) file_error(why);
    return w;
  }

 private:
  static std::string field(const std::string& ctx, std::string_view key) {
    return ctx.empty() ? std::string(key) : ctx + "." + std::string(key);
  }
};

Workload read_profile(std::optional<toml::table> root, ProfileReader& reader,
                      std::vector<InputError>& errors) {
  Workload w;
  if (root) w = reader.read(*root);
  if (!errors.empty()) {
    sort_in_file_order(errors);
    throw ProfileError(std::move(errors));
  }
  return w;
}

std::string joined(const std::vector<InputError>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "\n") + e.to_string();
  return out;
}

}  // namespace

ProfileError::ProfileError(std::vector<InputError> errors)
    : std::runtime_error(joined(errors)), errors_(std::move(errors)) {}

Workload load_profile_string(const std::string& text, const std::string& source_name) {
  std::vector<InputError> errors;
  ProfileReader reader(source_name, errors);
  return read_profile(reader.parse(text), reader, errors);
}

Workload load_profile_file(const std::string& path) {
  std::vector<InputError> errors;
  ProfileReader reader(path, errors);
  return read_profile(reader.parse_file(), reader, errors);
}

std::vector<std::string> default_profile_dirs(const std::string& shipped_dir) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("PISTESIM_PROFILES_DIR"); env && *env) dirs.push_back(env);
  dirs.push_back("loadgen/profiles");
  if (!shipped_dir.empty()) dirs.push_back(shipped_dir);
  return dirs;
}

std::string find_profile(const std::string& name_or_path,
                         const std::vector<std::string>& profile_dirs) {
  namespace fs = std::filesystem;
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".toml"))
    return name_or_path;
  for (const auto& dir : profile_dirs) {
    fs::path p = fs::path(dir) / (name_or_path + ".toml");
    if (fs::exists(p)) return p.string();
  }
  std::string where;
  for (const auto& d : profile_dirs) where += (where.empty() ? "" : ", ") + d;
  throw std::runtime_error("no profile named '" + name_or_path + "' in " + where);
}

}  // namespace pistesim::loadgen
