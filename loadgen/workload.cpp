#include "loadgen/workload.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <toml++/toml.h>

#include "clock/clock.h"

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

class ProfileReader {
 public:
  explicit ProfileReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const toml::node* where, const std::string& message) const {
    std::ostringstream out;
    out << source_;
    if (where) out << ":" << where->source().begin.line << ":" << where->source().begin.column;
    out << ": " << message;
    throw std::runtime_error(out.str());
  }

  std::string string_of(const toml::table& t, std::string_view key, std::string fallback = {}) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (!n->is_string()) fail(n, std::string(key) + " must be a string");
    return std::string(*n->as_string());
  }
  double number_of(const toml::table& t, std::string_view key, double fallback) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (auto i = n->as_integer()) return static_cast<double>(i->get());
    if (auto f = n->as_floating_point()) return f->get();
    fail(n, std::string(key) + " must be a number");
  }
  size_t count_of(const toml::table& t, std::string_view key, size_t fallback) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    auto i = n->as_integer();
    if (!i || i->get() < 0) fail(n, std::string(key) + " must be a non-negative integer");
    return static_cast<size_t>(i->get());
  }
  Nanos duration_of(const toml::table& t, std::string_view key, Nanos fallback) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (!n->is_string()) fail(n, std::string(key) + " must be a duration such as \"30s\"");
    Millis ms = parse_duration_ms(std::string(*n->as_string()));
    if (ms < 0) fail(n, std::string(key) + ": bad duration (units ms, s, m, h, d)");
    return ms * 1000000;
  }
  QuotaSpec quota_of(const toml::node& n) {
    const toml::table* t = n.as_table();
    if (!t) fail(&n, "quota must be a table { limit = 20, window = \"1s\" }");
    const toml::node* limit = t->get("limit");
    if (!limit || !limit->as_integer() || limit->as_integer()->get() < 1 ||
        limit->as_integer()->get() > kMaxQuotaLimit)
      fail(limit ? limit : &n,
           "quota.limit must be an integer in 1.." + std::to_string(kMaxQuotaLimit));
    QuotaSpec q;
    q.limit = limit->as_integer()->get();
    std::string window = string_of(*t, "window", "1s");
    auto w = parse_quota_window(window);
    if (!w) fail(t->get("window"), "quota.window must be \"1s\" or \"1d\"");
    q.window = *w;
    return q;
  }
  void only_keys(const toml::table& t, std::initializer_list<std::string_view> keys) {
    for (const auto& [k, v] : t) {
      bool known = false;
      for (auto key : keys) known = known || k.str() == key;
      if (!known) fail(&v, "unknown key '" + std::string(k.str()) + "'");
    }
  }

  Workload read(const toml::table& root) {
    only_keys(root, {"name", "description", "model", "duration", "ramp", "connections", "threads",
                     "renew_at", "quota_tolerance", "applications", "mix", "faults"});
    Workload w;
    w.mix.clear();
    w.name = string_of(root, "name");
    if (w.name.empty()) fail(nullptr, "a profile needs a `name`");
    w.description = string_of(root, "description");
    std::string model = string_of(root, "model", "open");
    if (model == "open") {
      w.model = LoadModel::Open;
    } else if (model == "closed") {
      w.model = LoadModel::Closed;
    } else {
      fail(root.get("model"), "model must be \"open\" or \"closed\"");
    }
    w.duration = duration_of(root, "duration", w.duration);
    w.ramp = duration_of(root, "ramp", 0);
    if (w.ramp > w.duration)
      fail(root.get("ramp"), "ramp (" + format_duration(w.ramp) +
                                 ") is longer than the duration (" + format_duration(w.duration) +
                                 ")");
    w.connections = count_of(root, "connections", w.connections);
    w.threads = count_of(root, "threads", 0);
    w.renew_at = number_of(root, "renew_at", w.renew_at);
    w.quota_tolerance = number_of(root, "quota_tolerance", w.quota_tolerance);
    if (const toml::node* apps = root.get("applications")) {
      const toml::array* arr = apps->as_array();
      if (!arr) fail(apps, "applications must be an array of tables ([[applications]])");
      for (const auto& n : *arr) {
        const toml::table* t = n.as_table();
        if (!t) fail(&n, "each [[applications]] entry must be a table");
        only_keys(*t, {"name", "channel", "count", "rate", "start_rate", "quota"});
        ApplicationGroup g;
        g.name = string_of(*t, "name", "group" + std::to_string(w.groups.size() + 1));
        auto channel = parse_channel(string_of(*t, "channel", "PRODUCTION"));
        if (!channel) fail(t->get("channel"), "channel must be \"SANDBOX\" or \"PRODUCTION\"");
        g.channel = *channel;
        g.count = count_of(*t, "count", 1);
        g.rate = number_of(*t, "rate", g.rate);
        if (t->get("start_rate")) g.start_rate = number_of(*t, "start_rate", 0);
        if (const toml::node* q = t->get("quota")) g.quota = quota_of(*q);
        w.groups.push_back(g);
      }
    }
    if (const toml::node* mix = root.get("mix")) {
      const toml::array* arr = mix->as_array();
      if (!arr) fail(mix, "mix must be an array of tables ([[mix]])");
      for (const auto& n : *arr) {
        const toml::table* t = n.as_table();
        if (!t) fail(&n, "each [[mix]] entry must be a table");
        only_keys(*t, {"kind", "api", "method", "path", "body", "content_type", "weight"});
        MixEntry e;
        std::string kind = string_of(*t, "kind", "api");
        if (kind == "api") {
          e.kind = RequestKind::Api;
        } else if (kind == "token") {
          e.kind = RequestKind::Token;
        } else if (kind == "unknown_path") {
          e.kind = RequestKind::UnknownPath;
          e.path = "/pistesim-load/no-such-api";
        } else if (kind == "missing_token") {
          e.kind = RequestKind::MissingToken;
          e.path = default_mix().front().path;
        } else {
          fail(t->get("kind"), "kind must be api, token, unknown_path or missing_token");
        }
        e.api = string_of(*t, "api");
        e.method = string_of(*t, "method", "GET");
        e.path = string_of(*t, "path", e.path);
        e.body = string_of(*t, "body");
        e.content_type = string_of(*t, "content_type", e.body.empty() ? "" : "application/json");
        e.weight = number_of(*t, "weight", 1);
        w.mix.push_back(e);
      }
    }
    if (w.mix.empty()) w.mix = default_mix();
    if (const toml::node* faults = root.get("faults")) {
      const toml::array* arr = faults->as_array();
      if (!arr) fail(faults, "faults must be an array of tables ([[faults]])");
      for (const auto& n : *arr) {
        const toml::table* t = n.as_table();
        if (!t) fail(&n, "each [[faults]] entry must be a table");
        std::ostringstream json;
        json << toml::json_formatter(*t);
        w.faults.push_back(nlohmann::json::parse(json.str()));
      }
    }
    if (std::string why = w.validate(); !why.empty()) fail(nullptr, why);
    return w;
  }

 private:
  std::string source_;
};

}  // namespace

Workload load_profile_string(const std::string& text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    throw std::runtime_error(out.str());
  }
  return ProfileReader(source_name).read(root);
}

Workload load_profile_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the profile");
  std::ostringstream text;
  text << in.rdbuf();
  return load_profile_string(text.str(), path);
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
