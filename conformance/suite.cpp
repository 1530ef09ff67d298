#include "conformance/suite.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <tuple>

#include <toml++/toml.h>

#include "conformance/target_access.h"
#include "scenario_engine/loader.h"
#include "scenario_engine/runner.h"
#include "toml/toml_reader.h"

namespace pistesim::conformance {

namespace fs = std::filesystem;
using scenario::Outcome;
using scenario::ScenarioResult;
using scenario::Value;

std::string_view to_string(Level l) {
  switch (l) {
    case Level::Must:
      return "MUST";
    case Level::Should:
      return "SHOULD";
    case Level::Piste:
      return "PISTE";
  }
  return "MUST";
}

std::optional<Level> parse_level(std::string_view s) {
  if (s == "MUST") return Level::Must;
  if (s == "SHOULD") return Level::Should;
  if (s == "PISTE") return Level::Piste;
  return std::nullopt;
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "PASS";
    case Verdict::Fail:
      return "FAIL";
    case Verdict::Skip:
      return "SKIP";
    case Verdict::Error:
      return "ERROR";
  }
  return "ERROR";
}

const std::vector<std::string>& known_needs() {
  static const std::vector<std::string> needs = {"second_client", "special_client", "public_client",
                                                 "allowed_path",  "forbidden_path", "control",
                                                 "application"};
  return needs;
}

bool Check::token_endpoint() const {
  return !id.empty() && id[0] >= 'A' && id[0] <= 'E' &&
         std::find(needs.begin(), needs.end(), "control") == needs.end();
}

namespace {

// "A10" sorts after "A9": the letter, then the number.
std::tuple<std::string, int, std::string> id_key(const std::string& id) {
  size_t i = 0;
  while (i < id.size() && !std::isdigit(static_cast<unsigned char>(id[i]))) ++i;
  size_t j = i;
  while (j < id.size() && std::isdigit(static_cast<unsigned char>(id[j]))) ++j;
  int n = i < j ? std::stoi(id.substr(i, std::min<size_t>(j - i, 6))) : 0;
  return {id.substr(0, i), n, id.substr(j)};
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 16 || !std::isupper(static_cast<unsigned char>(id[0])))
    return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// The [conformance] table of a check file, read again from the file (the scenario loader keeps
// its values, not where they are written) so that each mistake names its line and column.
std::optional<Check> check_of(scenario::Scenario sc, std::vector<std::string>& errors) {
  std::vector<InputError> found;
  TomlReader r(sc.file, found);
  std::optional<toml::table> root = r.parse_file();
  const toml::node* node = root ? root->get("conformance") : nullptr;
  const toml::table* m = node ? node->as_table() : nullptr;
  if (root && !m)
    r.error(1, 1,
            "not a conformance check: no [conformance] table; expected [conformance] id = \"A1\" "
            "level = \"MUST\" source = \"RFC 6749 §3.2\"");
  Check c;
  if (m) {
    r.check_keys(*m, {"id", "level", "source", "needs", "profiles"}, "[conformance]");
    if (const toml::node* n = r.require(*m, "id", "id", "a check id such as \"A1\"")) {
      if (auto id = r.string(*n, "id", "a check id such as \"A1\""); id && !valid_id(*id))
        r.must_be(*n, "id", "a check id such as \"A1\"", "\"" + *id + "\"");
      else if (id)
        c.id = *id;
    }
    if (const toml::node* n = r.require(*m, "level", "level", "\"MUST\", \"SHOULD\" or \"PISTE\""))
      if (auto l = r.one_of(*n, "level", {"MUST", "SHOULD", "PISTE"})) c.level = *parse_level(*l);
    const char* source = "the RFC section it checks (\"RFC 6749 §3.2\")";
    if (const toml::node* n = r.require(*m, "source", "source", source)) {
      if (auto s = r.string(*n, "source", source); s && s->empty())
        r.must_be(*n, "source", source, "\"\"");
      else if (s)
        c.source = *s;
    }
    if (const toml::node* n = m->get("needs")) {
      std::vector<std::string_view> known(known_needs().begin(), known_needs().end());
      if (const toml::array* a = r.array(*n, "needs", "a list of strings"))
        for (size_t i = 0; i < a->size(); ++i)
          if (auto need = r.one_of(*a->get(i), "needs[" + std::to_string(i) + "]", known))
            c.needs.push_back(*need);
    }
    if (const toml::node* n = m->get("profiles")) {
      if (const toml::array* a = r.array(*n, "profiles", "a list of strings"))
        for (size_t i = 0; i < a->size(); ++i)
          if (auto p =
                  r.one_of(*a->get(i), "profiles[" + std::to_string(i) + "]", {"piste", "rfc"}))
            c.profiles.push_back(*p);
    }
  }
  sort_in_file_order(found);
  for (const auto& e : found) errors.push_back(e.to_string());
  if (!found.empty()) return std::nullopt;
  c.scenario = std::move(sc);
  return c;
}

}  // namespace

LoadedChecks load_checks(const std::vector<std::string>& paths) {
  LoadedChecks out;
  std::vector<scenario::LoadError> walk_errors;
  for (const auto& file : scenario::find_scenario_files(paths, &walk_errors)) {
    auto loaded = scenario::load_scenario_file(file);
    if (auto* errs = std::get_if<std::vector<scenario::LoadError>>(&loaded)) {
      for (const auto& e : *errs) out.errors.push_back(e.to_string());
      continue;
    }
    if (auto c = check_of(std::move(std::get<scenario::Scenario>(loaded)), out.errors))
      out.checks.push_back(std::move(*c));
  }
  for (const auto& e : walk_errors) out.errors.push_back(e.to_string());
  std::stable_sort(out.checks.begin(), out.checks.end(), [](const Check& a, const Check& b) {
    return std::make_tuple(id_key(a.id), a.scenario.file) <
           std::make_tuple(id_key(b.id), b.scenario.file);
  });
  // Two files with one id must be variants for different profiles.
  for (size_t i = 0; i < out.checks.size(); ++i)
    for (size_t j = i + 1; j < out.checks.size() && out.checks[j].id == out.checks[i].id; ++j) {
      const auto& a = out.checks[i];
      const auto& b = out.checks[j];
      bool overlap =
          a.profiles.empty() || b.profiles.empty() ||
          std::any_of(a.profiles.begin(), a.profiles.end(), [&](const std::string& p) {
            return std::find(b.profiles.begin(), b.profiles.end(), p) != b.profiles.end();
          });
      if (overlap)
        out.errors.push_back(b.scenario.file + ": check " + b.id + " is also defined by " +
                             a.scenario.file +
                             "; two files may share an id only as variants for different "
                             "profiles (profiles = [\"piste\"] / [\"rfc\"])");
    }
  return out;
}

// ---- Target profiles ------------------------------------------------------------------------

namespace {

const std::vector<std::string>& profile_var_keys() {
  static const std::vector<std::string> keys = {"token_url",         "api_base",
                                                "client_id",         "client_secret",
                                                "second_client_id",  "second_client_secret",
                                                "special_client_id", "special_client_secret",
                                                "public_client_id",  "application",
                                                "allowed_path",      "forbidden_path"};
  return keys;
}

bool has(const TargetProfile& p, const std::string& key) {
  auto it = p.vars.find(key);
  return it != p.vars.end() && !it->second.empty();
}

}  // namespace

bool TargetProfile::provides(const std::string& need) const {
  if (need == "second_client")
    return has(*this, "second_client_id") && has(*this, "second_client_secret");
  if (need == "special_client")
    return has(*this, "special_client_id") && has(*this, "special_client_secret");
  if (need == "public_client") return has(*this, "public_client_id");
  // A pistesim's API base defaults to its SANDBOX gateway (with_profile_vars).
  const bool api = control() || has(*this, "api_base");
  if (need == "allowed_path") return api && has(*this, "allowed_path");
  if (need == "forbidden_path") return api && has(*this, "forbidden_path");
  if (need == "control") return control();
  if (need == "application") return control() && has(*this, "application");
  return false;
}

Result<TargetProfile> load_profile_file(const std::string& path, TargetProfile base) {
  std::vector<InputError> found;
  TomlReader r(path, found);
  std::optional<toml::table> root = r.parse_file();
  const fs::path dir = fs::path(path).parent_path();
  std::vector<std::string_view> known = {"target",      "profile",    "world",
                                         "admin_token", "verify_tls", "ca_file"};
  for (const auto& v : profile_var_keys()) known.push_back(v);
  if (root) r.check_keys(*root, known, "the target profile");
  TargetProfile read = std::move(base);
  static const toml::table kEmpty;
  for (auto&& [k, node] : root ? *root : kEmpty) {
    const std::string key(k.str());
    if (std::find(known.begin(), known.end(), key) == known.end()) continue;  // reported
    if (key == "verify_tls") {
      if (auto b = r.boolean(node, key)) read.verify_tls = *b;
      continue;
    }
    std::optional<std::string> value =
        key == "profile" ? r.one_of(node, key, {"piste", "rfc"}) : r.string(node, key);
    if (!value) continue;
    if (key == "target") {
      read.target = *value;
    } else if (key == "profile") {
      read.profile = *value;
    } else if (key == "world" || key == "ca_file") {
      fs::path p(*value);
      if (!value->empty() && p.is_relative()) p = dir / p;
      (key == "world" ? read.world : read.ca_file) =
          value->empty() ? std::string() : p.lexically_normal().string();
    } else if (key == "admin_token") {
      read.admin_token = *value;
    } else {
      read.vars[key] = *value;
    }
  }
  if (!found.empty()) {
    sort_in_file_order(found);
    std::string why;
    for (const auto& e : found) why += (why.empty() ? "" : "\n") + e.to_string();
    return Error{std::move(why)};
  }
  return read;
}

std::string profile_error(const TargetProfile& p) {
  if (p.target != "embedded" && !p.target.starts_with("http://") &&
      !p.target.starts_with("https://"))
    return "the target must be \"embedded\" or an http(s) URL, not « " + p.target + " »";
  if (p.profile != "piste" && p.profile != "rfc")
    return "the profile must be piste or rfc, not « " + p.profile + " »";
  std::vector<std::string> missing;
  // A pistesim names its token endpoint itself (the runner's {{sandbox_oauth}}).
  if (!p.control() && !has(p, "token_url")) missing.push_back("token_url (--token-url)");
  if (!has(p, "client_id")) missing.push_back("client_id (--client-id)");
  if (!has(p, "client_secret")) missing.push_back("client_secret (--client-secret)");
  if (missing.empty()) return {};
  std::string out = "the target profile lacks ";
  for (size_t i = 0; i < missing.size(); ++i) out += (i ? ", " : "") + missing[i];
  return out;
}

// ---- Running --------------------------------------------------------------------------------

size_t SuiteResult::count(Verdict v) const {
  return static_cast<size_t>(std::count_if(results.begin(), results.end(),
                                           [&](const CheckResult& r) { return r.verdict == v; }));
}

int SuiteResult::exit_code() const {
  if (count(Verdict::Error)) return 2;
  for (const auto& r : results)
    if (r.verdict == Verdict::Fail && r.level != Level::Should) return 1;
  return 0;
}

namespace {

bool applies(const Check& c, const std::string& profile) {
  return c.profiles.empty() ||
         std::find(c.profiles.begin(), c.profiles.end(), profile) != c.profiles.end();
}

bool selected(const Check& c, const SuiteOptions& o) {
  auto in = [&](const std::vector<std::string>& ids) {
    return std::find(ids.begin(), ids.end(), c.id) != ids.end();
  };
  if (!o.only.empty() && !in(o.only)) return false;
  if (in(o.skip)) return false;
  if (!o.levels.empty() && std::find(o.levels.begin(), o.levels.end(), c.level) == o.levels.end())
    return false;
  return true;
}

int64_t micros_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               t0)
      .count();
}

CheckResult header_of(const Check& c) {
  CheckResult r;
  r.id = c.id;
  r.level = c.level;
  r.source = c.source;
  r.name = c.scenario.name;
  r.file = c.scenario.file;
  return r;
}

std::string cut(std::string s, size_t max = 200) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  if (s.size() > max) {
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    s = s.substr(0, n) + "…";
  }
  return s;
}

// "400 invalid_request": the status and the OAuth error code when the body says one.
std::string answer_of(const scenario::ExchangeRecord& x) {
  if (!x.status) return "no answer (" + x.transport_error + ")";
  std::string out = std::to_string(*x.status);
  auto j = nlohmann::json::parse(x.response_body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_string())
    out += " " + j["error"].get<std::string>();
  return out;
}

}  // namespace

std::string evidence_of(const ScenarioResult& r) {
  if (r.outcome == Outcome::Skipped) return cut(r.message);
  const scenario::StepResult* decisive = nullptr;
  for (const auto& s : r.steps)
    if (s.outcome == Outcome::Failed || s.outcome == Outcome::Error) {
      decisive = &s;
      break;
    }
  if (!decisive)
    for (const auto& s : r.steps)
      if (!s.exchanges.empty()) decisive = &s;
  if (!decisive) return cut(r.message);
  std::string out;
  if (!decisive->exchanges.empty()) out = answer_of(decisive->exchanges.back());
  const bool failed = decisive->outcome != Outcome::Passed;
  if (failed) {
    std::string why;
    for (const auto& a : decisive->assertions)
      if (!a.passed) {
        why = a.subject + " " + a.expectation + ", saw " + a.actual;
        break;
      }
    if (why.empty()) why = decisive->message;
    return cut("« " + decisive->name + " »: " + why + (out.empty() ? "" : " (answer " + out + ")"));
  }
  for (const auto& a : decisive->assertions)
    if (a.subject.starts_with("header ") && a.actual != "absent" && !a.actual.empty()) {
      // Shown as a header line: the JSON quoting of the assertion's text taken off.
      auto unquoted = nlohmann::json::parse(a.actual, nullptr, false);
      out += ", " + a.subject.substr(7) + ": " +
             (unquoted.is_string() ? unquoted.get<std::string>() : a.actual);
    }
  return cut(out);
}

std::vector<std::string> unknown_ids(const std::vector<Check>& checks, const SuiteOptions& o) {
  std::vector<std::string> out;
  for (const auto* list : {&o.only, &o.skip})
    for (const auto& id : *list)
      if (std::none_of(checks.begin(), checks.end(), [&](const Check& c) { return c.id == id; }))
        out.push_back(id);
  return out;
}

SuiteResult run_suite(const std::vector<Check>& checks, const TargetProfile& profile,
                      const SuiteOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  SuiteResult suite;
  suite.profile = profile.profile;
  std::string open_error;
  auto open = [&]() -> std::unique_ptr<TargetAccess> {
    auto opened = open_target(profile);
    if (!opened) {
      open_error = opened.error().message;
      return nullptr;
    }
    return std::move(opened).value();
  };
  auto access = open();
  suite.target = access ? access->target->description() : profile.target;
  if (profile.target == "embedded") suite.target = "embedded (" + suite.target + ")";

  auto emit = [&](CheckResult r) {
    if (options.on_check) options.on_check(r);
    suite.results.push_back(std::move(r));
  };
  std::set<std::string> done;
  for (const Check& c : checks) {
    if (!selected(c, options) || done.count(c.id)) continue;
    // The variant for the target's profile; an id with none is skipped.
    const Check* chosen = nullptr;
    for (const Check& v : checks)
      if (v.id == c.id && applies(v, profile.profile)) {
        chosen = &v;
        break;
      }
    done.insert(c.id);
    if (!chosen) {
      CheckResult r = header_of(c);
      r.verdict = Verdict::Skip;
      r.evidence = "no variant of " + c.id + " for the profile « " + profile.profile + " »";
      emit(std::move(r));
      continue;
    }
    CheckResult r = header_of(*chosen);
    std::vector<std::string> missing;
    for (const auto& n : chosen->needs)
      if (!profile.provides(n)) missing.push_back(n);
    if (!missing.empty()) {
      r.verdict = Verdict::Skip;
      r.evidence = "needs ";
      for (size_t i = 0; i < missing.size(); ++i) r.evidence += (i ? ", " : "") + missing[i];
      r.evidence += " (not in the target profile)";
      emit(std::move(r));
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    // The embedded simulator is started afresh per check: its own world and clock.
    if (profile.target == "embedded" && access) {
      access.reset();
      access = open();
    }
    if (!access) {
      r.verdict = Verdict::Error;
      r.evidence = cut(open_error);
    } else {
      if (auto reset = access->target->reset(); !reset) {
        r.verdict = Verdict::Error;
        r.evidence = cut("cannot reset the target: " + reset.error().message);
      } else {
        r.detail =
            scenario::run_scenario(with_profile_vars(chosen->scenario, profile), *access->target);
        switch (r.detail.outcome) {
          case Outcome::Passed:
            r.verdict = Verdict::Pass;
            break;
          case Outcome::Failed:
            r.verdict = Verdict::Fail;
            break;
          case Outcome::Skipped:
            r.verdict = Verdict::Skip;
            break;
          case Outcome::Error:
            r.verdict = Verdict::Error;
            break;
        }
        r.evidence = evidence_of(r.detail);
      }
    }
    r.duration_us = micros_since(started);
    emit(std::move(r));
  }
  suite.duration_us = micros_since(t0);
  return suite;
}

}  // namespace pistesim::conformance
