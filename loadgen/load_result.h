// Everything a load run measured and saw, in a form that adds up: several threads, or several
// processes splitting one workload, merge their results (`pistesim load merge`) and the verdict
// is computed on the merged whole. Saved as JSON (to_json / from_json round-trip exactly).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loadgen/histogram.h"
#include "loadgen/quota_ledger.h"

namespace pistesim::loadgen {

// Latency of one kind of request and the statuses it got.
struct KindStats {
  uint64_t count = 0;
  std::map<int, uint64_t> statuses;  // 0: no answer (connection error)
  LatencyHistogram latency{8};
  void merge(const KindStats& o);
};

// One second of the run (wall clock, by completion; `sent` by intended send time).
struct SecondStats {
  uint64_t sent = 0;
  uint64_t completed = 0;
  uint64_t admitted = 0;  // gateway calls under a per-second quota, admitted
  uint64_t refused = 0;   // and refused (429)
  uint64_t errors = 0;
  LatencyHistogram latency{6};
  void merge(const SecondStats& o);
};

struct LoadResult {
  // What ran.
  std::string workload;
  std::string target;       // "embedded" or the URL
  std::string model;        // "open" / "closed"
  double offered_rate = 0;  // requests/s this result's processes were asked for (open model)
  double duration_s = 0;
  double ramp_s = 0;              // open model: the rate ramped linearly over this long
  double offered_start_rate = 0;  // from this rate (requests/s) to offered_rate
  uint64_t connections = 0;
  uint64_t threads = 0;
  uint64_t processes = 0;  // the run sets 1; merges add up
  Millis started_ms = 0;   // wall clock
  Millis finished_ms = 0;
  bool faults_expected = false;
  double quota_tolerance = 0.02;
  // Quota windows of admitted calls on the second scale sum to this per second (the quota line).
  double quota_capacity_per_s = 0;

  // What was measured. `latency` covers every scheduled request (from its intended send time);
  // token fetches the client makes for itself are in kinds["token_fetch"] only.
  LatencyHistogram latency{8};
  std::map<std::string, KindStats> kinds;
  std::map<int64_t, SecondStats> seconds;  // by Unix second
  uint64_t scheduled = 0;                  // arrivals the schedule asked for
  uint64_t completed = 0;
  int64_t max_send_lag_ns = 0;  // how far behind its schedule a request was sent, at worst

  // What the verifier saw.
  std::map<std::string, uint64_t> errors;  // by kind: "connection", "status 503", …
  uint64_t tokens_issued = 0;
  std::map<std::string, uint64_t> invalid_tokens;  // by reason
  uint64_t duplicate_tokens = 0;
  // 64-bit fingerprints of the tokens issued, to find duplicates across processes on merge
  // (kept up to kMaxFingerprints per result; beyond, only per-process uniqueness is known).
  std::vector<uint64_t> token_fingerprints;
  bool fingerprints_complete = true;
  // 0: every token of a thread was compared with all the others it saw; else each was compared
  // with the last `uniqueness_window` only (bounded memory on long token floods).
  size_t uniqueness_window = 0;
  uint64_t refusals = 0;
  std::map<std::string, uint64_t> bad_refusals;  // 429s without the right headers, by reason
  uint64_t renewals_on_401 = 0;
  std::map<std::string, QuotaLedger> ledgers;  // by application
  // Answers by node, when a run drives several (its URL: requests answered, tokens included).
  std::map<std::string, uint64_t> answers_by_node;

  static constexpr size_t kMaxFingerprints = 1000000;

  // Adds `other` (another thread's or process's share of the same workload).
  void merge(const LoadResult& other);
  // Completed requests per second of the run's duration (as wrk counts).
  double achieved_rate() const;

  nlohmann::json to_json() const;
  // Throws std::invalid_argument naming what is wrong.
  static LoadResult from_json(const nlohmann::json& j);
};

// Exit-code thresholds (unset: not checked).
struct Thresholds {
  int64_t max_p99_ns = -1;
  double min_rate = -1;
};

struct Check {
  std::string name;
  bool ok = true;
  std::string detail;
};

struct Verdict {
  std::vector<Check> checks;
  std::vector<QuotaViolation> violations;  // every one, checks[] summarises them
  bool ok() const;
};

// The verification of a (possibly merged) result: quotas held, tokens valid and unique, refusals
// well-formed, no server errors or broken connections unless faults were asked for, thresholds.
Verdict verify(const LoadResult& r, const Thresholds& t);
nlohmann::json verdict_json(const Verdict& v);

}  // namespace pistesim::loadgen
