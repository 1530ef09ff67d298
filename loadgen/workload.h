// What a load run does: the applications it plays (groups of identical PISTE applications with
// their offered rate and quota), the mix of requests each sends, the model (open: scheduled
// arrivals; closed: connections back to back) and how long. Built from the command line or from
// a TOML profile (loadgen/profiles/*.toml, described in docs/loadgen.md).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/schedule.h"
#include "toml/toml_reader.h"
#include "world/world.h"

namespace pistesim::loadgen {

enum class LoadModel { Open, Closed };

enum class RequestKind {
  Api,           // a gateway call with the application's bearer token
  Token,         // a token request (the token endpoint under load); the answer is verified
  UnknownPath,   // a gateway call to a path no API serves: 404 expected
  MissingToken,  // a gateway call without credentials: 400 (PISTE) or 401 (RFC) expected
  Plain,         // --plain: a bare request to any server, only 2xx expected
};
std::string_view to_string(RequestKind k);

struct MixEntry {
  RequestKind kind = RequestKind::Api;
  std::string api;  // API id, for Api calls (subscriptions are provisioned for it)
  std::string method = "GET";
  std::string path;  // gateway path after the channel's base URL, e.g. /dila/…/consult/ping
  std::string body;
  std::string content_type;
  double weight = 1;
};

// `count` applications of one channel, each offered `rate` requests/s (ramping linearly from
// `start_rate`, default 0, during the workload's ramp), each under `quota` (none: the world's
// default).
struct ApplicationGroup {
  std::string name;
  Channel channel = Channel::Production;
  size_t count = 1;
  double rate = 10;
  std::optional<double> start_rate;
  std::optional<QuotaSpec> quota;
};

struct Workload {
  std::string name = "command-line";
  std::string description;
  LoadModel model = LoadModel::Open;
  Nanos duration = Nanos{10} * 1000000000;
  Nanos ramp = 0;
  size_t connections = 64;
  size_t threads = 0;  // 0: one per core, at most 4
  std::vector<ApplicationGroup> groups;
  std::vector<MixEntry> mix;
  // A token is renewed once this fraction of its expires_in has passed (and on 401).
  double renew_at = 0.9;
  // Under-admission tolerated in a window that refused calls, as a fraction of its limit
  // (rounded down): 0.02 of 20/s tolerates none.
  double quota_tolerance = 0.02;
  // Faults armed on the simulator before the run (bodies of POST /__pistesim/faults); when any
  // is given, 5xx answers and dropped connections are expected and do not fail the run.
  std::vector<nlohmann::json> faults;
  // This process's share of the applications: those whose index i has i % shard_count ==
  // shard_index (several processes split one workload, `pistesim load merge` joins them).
  size_t shard_index = 0;
  size_t shard_count = 1;

  // Whether the application of that index (counted over every group) belongs to this shard.
  bool in_shard(size_t global_index) const { return global_index % shard_count == shard_index; }
  // Total offered rate (requests/s) at full speed of this shard, open model.
  double offered_rate() const;
  // The same at the start of the ramp.
  double offered_start_rate() const;
  // "" when the workload is usable, else what is wrong.
  std::string validate() const;
};

// The rate (requests/s) an application of `g` starts the ramp at: its `start_rate`, else 0 —
// a ramp warms the target up from idle, as k6's and Gatling's do. Without a ramp, its `rate`.
double ramp_start_rate(const Workload& w, const ApplicationGroup& g);
// The arrivals of the application at `position` (0-based) among the `group_size` of `g` across
// every thread, in the open model: phases spread over [0, 1) of an arrival, so that the group's
// applications do not fire together.
ArrivalSchedule arrival_stream(const Workload& w, const ApplicationGroup& g, size_t position,
                               size_t group_size);
// "5s", "1500ms": a duration as parse_duration_ms reads it back, for messages.
std::string format_duration(Nanos d);

// What is wrong with a profile file: every mistake found, each "file:line:column: message"
// (what() joins them, one a line).
class ProfileError : public std::runtime_error {
 public:
  explicit ProfileError(std::vector<InputError> errors);
  const std::vector<InputError>& errors() const { return errors_; }

 private:
  std::vector<InputError> errors_;
};

// A profile file: throws ProfileError on any mistake, a file that cannot be read included.
Workload load_profile_file(const std::string& path);
Workload load_profile_string(const std::string& text, const std::string& source_name);
// A name from loadgen/profiles ("quota-flood") found in `profile_dirs`, or a path.
std::string find_profile(const std::string& name_or_path,
                         const std::vector<std::string>& profile_dirs);

// Where profiles are looked up by name: $PISTESIM_PROFILES_DIR, ./loadgen/profiles, and the
// shipped profiles (`shipped_dir`, found by the caller; none when empty).
std::vector<std::string> default_profile_dirs(const std::string& shipped_dir);

// The default mix: Légifrance's /consult/ping on the gateway.
std::vector<MixEntry> default_mix();

}  // namespace pistesim::loadgen
