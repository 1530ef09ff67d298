#include "loadgen/load_result.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <unordered_set>

#include <nlohmann/json.hpp>

namespace pistesim::loadgen {

using nlohmann::json;

void KindStats::merge(const KindStats& o) {
  count += o.count;
  for (const auto& [s, n] : o.statuses) statuses[s] += n;
  latency.merge(o.latency);
}

void SecondStats::merge(const SecondStats& o) {
  sent += o.sent;
  completed += o.completed;
  admitted += o.admitted;
  refused += o.refused;
  errors += o.errors;
  latency.merge(o.latency);
}

namespace {

template <class Map>
void add_counts(Map& into, const Map& from) {
  for (const auto& [k, n] : from) into[k] += n;
}

std::string fingerprint_hex(uint64_t f) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(f));
  return buf;
}

}  // namespace

void LoadResult::merge(const LoadResult& o) {
  if (workload.empty()) workload = o.workload;
  if (target.empty()) target = o.target;
  if (model.empty()) model = o.model;
  if (processes == 0 && o.processes > 0) quota_tolerance = o.quota_tolerance;
  offered_rate += o.offered_rate;
  duration_s = std::max(duration_s, o.duration_s);
  ramp_s = std::max(ramp_s, o.ramp_s);
  offered_start_rate += o.offered_start_rate;
  connections += o.connections;
  threads += o.threads;
  processes += o.processes;
  if (o.started_ms && (!started_ms || o.started_ms < started_ms)) started_ms = o.started_ms;
  finished_ms = std::max(finished_ms, o.finished_ms);
  faults_expected = faults_expected || o.faults_expected;
  quota_capacity_per_s += o.quota_capacity_per_s;
  latency.merge(o.latency);
  for (const auto& [k, s] : o.kinds) kinds[k].merge(s);
  for (const auto& [t, s] : o.seconds) seconds[t].merge(s);
  scheduled += o.scheduled;
  completed += o.completed;
  max_send_lag_ns = std::max(max_send_lag_ns, o.max_send_lag_ns);
  add_counts(errors, o.errors);
  tokens_issued += o.tokens_issued;
  add_counts(invalid_tokens, o.invalid_tokens);
  duplicate_tokens += o.duplicate_tokens;
  // Tokens seen by both sides are duplicates across processes.
  std::unordered_set<uint64_t> mine(token_fingerprints.begin(), token_fingerprints.end());
  for (uint64_t f : o.token_fingerprints) {
    if (!mine.insert(f).second) {
      duplicate_tokens++;
    } else if (token_fingerprints.size() < kMaxFingerprints) {
      token_fingerprints.push_back(f);
    } else {
      fingerprints_complete = false;
    }
  }
  fingerprints_complete = fingerprints_complete && o.fingerprints_complete;
  uniqueness_window = std::max(uniqueness_window, o.uniqueness_window);
  refusals += o.refusals;
  add_counts(bad_refusals, o.bad_refusals);
  renewals_on_401 += o.renewals_on_401;
  for (const auto& [app, l] : o.ledgers) ledgers[app].merge(l);
  add_counts(answers_by_node, o.answers_by_node);
}

double LoadResult::achieved_rate() const {
  // As wrk counts: requests completed over the run's duration (stragglers answered while the
  // run drains count, their lateness is in the latencies).
  if (duration_s > 0) return static_cast<double>(completed) / duration_s;
  double span = static_cast<double>(finished_ms - started_ms) / 1000.0;
  return span > 0 ? static_cast<double>(completed) / span : 0;
}

json LoadResult::to_json() const {
  json j;
  j["format"] = "pistesim-load/1";
  j["workload"] = workload;
  j["target"] = target;
  j["model"] = model;
  j["offered_rate"] = offered_rate;
  j["duration_s"] = duration_s;
  j["ramp_s"] = ramp_s;
  j["offered_start_rate"] = offered_start_rate;
  j["connections"] = connections;
  j["threads"] = threads;
  j["processes"] = processes;
  j["started_ms"] = started_ms;
  j["finished_ms"] = finished_ms;
  j["faults_expected"] = faults_expected;
  j["quota_tolerance"] = quota_tolerance;
  j["quota_capacity_per_s"] = quota_capacity_per_s;
  j["scheduled"] = scheduled;
  j["completed"] = completed;
  j["achieved_rate"] = achieved_rate();
  j["max_send_lag_ns"] = max_send_lag_ns;
  j["latency"] = latency.to_json();
  json kinds_j = json::object();
  for (const auto& [k, s] : kinds) {
    json statuses = json::object();
    for (const auto& [code, n] : s.statuses) statuses[std::to_string(code)] = n;
    kinds_j[k] = {{"count", s.count}, {"statuses", statuses}, {"latency", s.latency.to_json()}};
  }
  j["kinds"] = kinds_j;
  json secs = json::array();
  for (const auto& [t, s] : seconds)
    secs.push_back({{"t", t},
                    {"sent", s.sent},
                    {"completed", s.completed},
                    {"admitted", s.admitted},
                    {"refused", s.refused},
                    {"errors", s.errors},
                    {"latency", s.latency.to_json()}});
  j["seconds"] = secs;
  j["errors"] = errors;
  j["tokens"] = {{"issued", tokens_issued},
                 {"invalid", invalid_tokens},
                 {"duplicates", duplicate_tokens},
                 {"fingerprints_complete", fingerprints_complete},
                 {"uniqueness_window", uniqueness_window}};
  json fps = json::array();
  for (uint64_t f : token_fingerprints) fps.push_back(fingerprint_hex(f));
  j["tokens"]["fingerprints"] = fps;
  j["refusals"] = {{"count", refusals}, {"bad", bad_refusals}};
  j["renewals_on_401"] = renewals_on_401;
  json ledgers_j = json::array();
  for (const auto& [app, l] : ledgers) {
    json windows = json::array();
    for (const auto& [i, c] : l.windows())
      windows.push_back(
          {i, c.admitted, c.admitted_straddle, c.refused, c.refused_straddle, c.lost});
    ledgers_j.push_back({{"application", app},
                         {"limit", l.quota().limit},
                         {"window", std::string(to_string(l.quota().window))},
                         {"unattributed", l.unattributed()},
                         {"windows", windows}});
  }
  j["quota_ledgers"] = ledgers_j;
  if (!answers_by_node.empty()) j["answers_by_node"] = answers_by_node;
  return j;
}

LoadResult LoadResult::from_json(const json& j) {
  try {
    if (j.value("format", "") != "pistesim-load/1")
      throw std::invalid_argument("not a pistesim load result (format pistesim-load/1)");
    LoadResult r;
    r.workload = j.at("workload").get<std::string>();
    r.target = j.at("target").get<std::string>();
    r.model = j.at("model").get<std::string>();
    r.offered_rate = j.at("offered_rate").get<double>();
    r.duration_s = j.at("duration_s").get<double>();
    r.ramp_s = j.value("ramp_s", 0.0);  // absent from results written before ramps worked
    r.offered_start_rate = j.value("offered_start_rate", r.offered_rate);
    r.connections = j.at("connections").get<uint64_t>();
    r.threads = j.at("threads").get<uint64_t>();
    r.processes = j.at("processes").get<uint64_t>();
    r.started_ms = j.at("started_ms").get<Millis>();
    r.finished_ms = j.at("finished_ms").get<Millis>();
    r.faults_expected = j.at("faults_expected").get<bool>();
    r.quota_tolerance = j.at("quota_tolerance").get<double>();
    r.quota_capacity_per_s = j.at("quota_capacity_per_s").get<double>();
    r.scheduled = j.at("scheduled").get<uint64_t>();
    r.completed = j.at("completed").get<uint64_t>();
    r.max_send_lag_ns = j.at("max_send_lag_ns").get<int64_t>();
    r.latency = LatencyHistogram::from_json(j.at("latency"));
    for (const auto& [k, v] : j.at("kinds").items()) {
      KindStats s;
      s.count = v.at("count").get<uint64_t>();
      for (const auto& [code, n] : v.at("statuses").items())
        s.statuses[std::stoi(code)] = n.get<uint64_t>();
      s.latency = LatencyHistogram::from_json(v.at("latency"));
      r.kinds[k] = std::move(s);
    }
    for (const auto& v : j.at("seconds")) {
      SecondStats s;
      s.sent = v.at("sent").get<uint64_t>();
      s.completed = v.at("completed").get<uint64_t>();
      s.admitted = v.at("admitted").get<uint64_t>();
      s.refused = v.at("refused").get<uint64_t>();
      s.errors = v.at("errors").get<uint64_t>();
      s.latency = LatencyHistogram::from_json(v.at("latency"));
      r.seconds[v.at("t").get<int64_t>()] = std::move(s);
    }
    r.errors = j.at("errors").get<std::map<std::string, uint64_t>>();
    const json& t = j.at("tokens");
    r.tokens_issued = t.at("issued").get<uint64_t>();
    r.invalid_tokens = t.at("invalid").get<std::map<std::string, uint64_t>>();
    r.duplicate_tokens = t.at("duplicates").get<uint64_t>();
    r.fingerprints_complete = t.at("fingerprints_complete").get<bool>();
    r.uniqueness_window = t.value("uniqueness_window", size_t{0});
    for (const auto& f : t.at("fingerprints"))
      r.token_fingerprints.push_back(std::stoull(f.get<std::string>(), nullptr, 16));
    r.refusals = j.at("refusals").at("count").get<uint64_t>();
    if (j.contains("answers_by_node"))
      r.answers_by_node = j.at("answers_by_node").get<std::map<std::string, uint64_t>>();
    r.bad_refusals = j.at("refusals").at("bad").get<std::map<std::string, uint64_t>>();
    r.renewals_on_401 = j.at("renewals_on_401").get<uint64_t>();
    for (const auto& l : j.at("quota_ledgers")) {
      auto window = parse_quota_window(l.at("window").get<std::string>());
      if (!window) throw std::invalid_argument("quota ledger window must be 1s or 1d");
      QuotaLedger ledger(l.at("application").get<std::string>(),
                         QuotaSpec{l.at("limit").get<int64_t>(), *window});
      for (const auto& w : l.at("windows")) {
        WindowCounts c{w.at(1).get<uint64_t>(), w.at(2).get<uint64_t>(), w.at(3).get<uint64_t>(),
                       w.at(4).get<uint64_t>(), w.at(5).get<uint64_t>()};
        ledger.add_window(w.at(0).get<uint64_t>(), c);
      }
      ledger.add_unattributed(l.at("unattributed").get<uint64_t>());
      r.ledgers[ledger.application()] = std::move(ledger);
    }
    return r;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed load result: ") + e.what());
  } catch (const std::logic_error& e) {  // stoi/stoull
    throw std::invalid_argument(std::string("malformed load result: ") + e.what());
  }
}

bool Verdict::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.ok; });
}

namespace {

std::string tally(const std::map<std::string, uint64_t>& m) {
  std::string out;
  for (const auto& [k, n] : m) out += (out.empty() ? "" : ", ") + k + ": " + std::to_string(n);
  return out;
}

std::string ms_text(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(ns) / 1e6);
  return buf;
}

}  // namespace

Verdict verify(const LoadResult& r, const Thresholds& t) {
  Verdict v;
  // Quotas.
  uint64_t over = 0, under = 0, windows = 0, unattributed = 0;
  for (const auto& [app, l] : r.ledgers) {
    windows += l.windows().size();
    unattributed += l.unattributed();
    for (auto& violation : check_quota(l, r.quota_tolerance)) {
      (violation.kind == QuotaViolation::Kind::OverAdmission ? over : under)++;
      v.violations.push_back(std::move(violation));
    }
  }
  auto first_of = [&](QuotaViolation::Kind k) {
    for (const auto& x : v.violations)
      if (x.kind == k) return "; first: " + x.describe();
    return std::string();
  };
  std::string scope =
      std::to_string(r.ledgers.size()) + " applications, " + std::to_string(windows) + " windows";
  if (unattributed)
    scope += ", " + std::to_string(unattributed) + " calls slower than a window not attributed";
  v.checks.push_back({"no over-admission", over == 0,
                      over ? std::to_string(over) + " windows over their limit" +
                                 first_of(QuotaViolation::Kind::OverAdmission)
                           : scope});
  char tol[64];
  std::snprintf(tol, sizeof tol, "tolerance %.0f %% of the limit", r.quota_tolerance * 100);
  v.checks.push_back({"no under-admission", under == 0,
                      under ? std::to_string(under) + " windows refused too early (" + tol + ")" +
                                  first_of(QuotaViolation::Kind::UnderAdmission)
                            : std::string(tol)});
  // Tokens.
  uint64_t invalid = 0;
  for (const auto& [k, n] : r.invalid_tokens) invalid += n;
  v.checks.push_back({"token responses RFC 6749 §5.1-valid", invalid == 0,
                      invalid
                          ? std::to_string(invalid) + " invalid (" + tally(r.invalid_tokens) + ")"
                          : std::to_string(r.tokens_issued) + " tokens checked"});
  v.checks.push_back(
      {"tokens unique", r.duplicate_tokens == 0,
       r.duplicate_tokens
           ? std::to_string(r.duplicate_tokens) + " duplicates"
           : std::string(r.fingerprints_complete
                             ? "across every process"
                             : "within each process (too many to compare across)") +
                 (r.uniqueness_window ? "; each token compared with the last " +
                                            std::to_string(r.uniqueness_window) + " of its thread"
                                      : std::string())});
  // Refusals.
  uint64_t bad = 0;
  for (const auto& [k, n] : r.bad_refusals) bad += n;
  v.checks.push_back({"refusals well-formed (429 and headers)", bad == 0,
                      bad ? std::to_string(bad) + " of " + std::to_string(r.refusals) + " (" +
                                tally(r.bad_refusals) + ")"
                          : std::to_string(r.refusals) + " refusals checked"});
  // Errors.
  uint64_t errors = 0;
  for (const auto& [k, n] : r.errors) errors += n;
  if (r.faults_expected) {
    v.checks.push_back(
        {"errors (faults were asked for)", true, errors ? tally(r.errors) : std::string("none")});
  } else {
    v.checks.push_back({"no server errors, no connection errors, no unexpected statuses",
                        errors == 0, errors ? tally(r.errors) : std::string("none")});
  }
  if (r.completed == 0) v.checks.push_back({"requests completed", false, "none completed"});
  // Thresholds.
  if (t.max_p99_ns >= 0) {
    int64_t p99 = r.latency.percentile(0.99);
    v.checks.push_back(
        {"p99 <= " + ms_text(t.max_p99_ns), p99 <= t.max_p99_ns, "p99 " + ms_text(p99)});
  }
  if (t.min_rate >= 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.0f requests/s achieved", r.achieved_rate());
    char name[64];
    std::snprintf(name, sizeof name, "rate >= %.0f/s", t.min_rate);
    v.checks.push_back({name, r.achieved_rate() >= t.min_rate, buf});
  }
  return v;
}

json verdict_json(const Verdict& v) {
  json checks = json::array();
  for (const auto& c : v.checks)
    checks.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
  json violations = json::array();
  for (size_t i = 0; i < v.violations.size() && i < 100; ++i) {
    const auto& x = v.violations[i];
    violations.push_back(
        {{"kind", x.kind == QuotaViolation::Kind::OverAdmission ? "over" : "under"},
         {"application", x.application},
         {"window_start", format_iso8601(x.window_start_ms)},
         {"limit", x.limit},
         {"admitted", x.admitted},
         {"windows", x.windows}});
  }
  // Counted over every violation (the list above stops at 100): windows of each kind, and the
  // largest shortfall of an under-admitted window (the limit less what it admitted at most).
  uint64_t over = 0, under = 0;
  int64_t most_under = 0;
  for (const auto& x : v.violations) {
    if (x.kind == QuotaViolation::Kind::OverAdmission) {
      ++over;
    } else {
      ++under;
      most_under = std::max(most_under, x.limit - static_cast<int64_t>(x.admitted));
    }
  }
  return {{"ok", v.ok()},
          {"checks", checks},
          {"violations", violations},
          {"violation_count", v.violations.size()},
          {"over_windows", over},
          {"under_windows", under},
          {"largest_under_admission", most_under}};
}

}  // namespace pistesim::loadgen
