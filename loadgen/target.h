// The servers a load run drives. The embedded target (the default) starts a Simulator and its
// HttpServer in this process on a free loopback port, on the system clock (quota windows are
// real seconds), with the request journal off, and the run's applications built into its world
// before it starts. A remote pistesim target gets its applications through the control API
// (portal, quotas); a plain target is any HTTP server, driven without OAuth or verification of
// quotas (the yardstick against wrk).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "loadgen/runner.h"
#include "loadgen/target_url.h"
#include "loadgen/workload.h"
#include "oauth/profile.h"

namespace pistesim {
class Simulator;
class HttpServer;
}  // namespace pistesim

namespace pistesim::loadgen {

class LoadTarget {
 public:
  virtual ~LoadTarget() = default;
  const TargetInfo& info() const { return info_; }

 protected:
  TargetInfo info_;
};

struct EmbeddedOptions {
  std::string world_path;  // empty: the default world
  Profile profile = Profile::Piste;
  size_t server_threads = 0;  // event loops; 0: one per core
};

// Throws std::runtime_error on a bad world, an API of the mix the world lacks, or a bind failure.
std::unique_ptr<LoadTarget> start_embedded_target(const Workload& workload,
                                                  const EmbeddedOptions& options);

// A running `pistesim serve` at `url` ("http://127.0.0.1:8080", or https:// verified per `tls`,
// its control API too): creates the workload's
// applications as the world's demo user through the portal API (names prefixed with `run_id`),
// subscribes them, sets their quotas, arms the workload's faults and measures the clock offset.
std::unique_ptr<LoadTarget> connect_remote_target(const Workload& workload, const std::string& url,
                                                  const std::string& admin_token,
                                                  const std::string& run_id,
                                                  const TlsClientOptions& tls = {});

struct RemoteOptions {
  std::string admin_token;
  std::string run_id;  // prefix of the applications created
  TlsClientOptions tls;
  // Play the target's own applications whose id starts with this (sorted by id, assigned in
  // order over the workload's groups) instead of creating applications.
  std::string use_applications;
  bool token_per_node = false;  // TargetInfo::token_per_node
};

// Several nodes of one PISTE (`load --target A --target B …`): the world is learnt from the
// first (applications created there, or taken with `use_applications`), then each other node
// must serve the same one — the same profile, every application with the same OAuth client,
// secret and quota (retried for up to 5 s, the time a cluster takes to agree) — or the
// connection is refused, naming what differs. One URL: as connect_remote_target.
std::unique_ptr<LoadTarget> connect_remote_targets(const Workload& workload,
                                                   const std::vector<std::string>& urls,
                                                   const RemoteOptions& options);

// Any HTTP/1.1 server at `url` (http:// or https://): requests of the workload's plain mix, one
// pseudo-application per group member (no credentials, no quota).
std::unique_ptr<LoadTarget> plain_target(const Workload& workload, const std::string& url,
                                         const TlsClientOptions& tls = {});

}  // namespace pistesim::loadgen
