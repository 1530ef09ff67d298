#include "loadgen/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <thread>

#include "loadgen/tls_client.h"
#include "loadgen/worker.h"

namespace pistesim::loadgen {

std::vector<TargetNode> nodes_of(const TargetInfo& t) {
  if (!t.nodes.empty()) return t.nodes;
  return {{t.label, t.host, t.port, t.host_header, t.clock_offset_ms, t.clock_uncertainty_ms}};
}

LoadResult run_load(const Workload& workload, const TargetInfo& target, const RunOptions& options) {
  if (std::string why = workload.validate(); !why.empty()) throw std::runtime_error(why);
  if (target.apps.empty()) throw std::runtime_error("the target provides no application to drive");
  if (workload.mix.size() > 65535) throw std::runtime_error("at most 65 535 mix entries");
  std::vector<NodeAddress> addrs;
  const std::vector<TargetNode> nodes = nodes_of(target);
  if (nodes.size() > 65535) throw std::runtime_error("at most 65 535 target nodes");
  for (const auto& n : nodes) addrs.push_back(resolve_node(n.host, n.port));
  TlsContext tls;
  if (target.tls) tls = make_tls_client_context(target.tls_options);
  size_t threads = workload.threads;
  if (threads == 0) threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  threads = std::min(threads, target.apps.size());
  threads = std::min(threads, workload.connections);

  std::vector<std::vector<const AppCredentials*>> shares(threads);
  for (size_t i = 0; i < target.apps.size(); ++i) shares[i % threads].push_back(&target.apps[i]);
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t i = 0; i < threads; ++i) {
    size_t conns = workload.connections / threads + (i < workload.connections % threads ? 1 : 0);
    workers.push_back(
        std::make_unique<Worker>(i, workload, target, shares[i], conns, addrs, tls.get()));
  }

  // Start a little in the future so that every thread has set up its connections.
  const Nanos start_mono = mono_now() + 200000000;
  const Millis start_wall = wall_ms() + 200;
  std::vector<std::exception_ptr> failures(threads);
  std::vector<std::thread> pool;
  for (size_t i = 0; i < threads; ++i)
    pool.emplace_back([&, i] {
      try {
        workers[i]->run(start_mono, start_wall, options.drain_timeout);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    });
  std::atomic<bool> done{false};
  std::thread monitor;
  if (options.on_progress) {
    monitor = std::thread([&] {
      while (!done.load()) {
        for (int k = 0; k < 10 && !done.load(); ++k)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        Progress p;
        p.elapsed_s = static_cast<double>(mono_now() - start_mono) / 1e9;
        for (const auto& w : workers) {
          p.sent += w->progress.sent.load(std::memory_order_relaxed);
          p.completed += w->progress.completed.load(std::memory_order_relaxed);
          p.admitted += w->progress.admitted.load(std::memory_order_relaxed);
          p.refused += w->progress.refused.load(std::memory_order_relaxed);
          p.errors += w->progress.errors.load(std::memory_order_relaxed);
        }
        if (!done.load()) options.on_progress(p);
      }
    });
  }
  for (auto& t : pool) t.join();
  done = true;
  if (monitor.joinable()) monitor.join();
  for (auto& f : failures)
    if (f) std::rethrow_exception(f);

  LoadResult r;
  for (auto& w : workers) r.merge(w->result);
  r.workload = workload.name;
  r.target = target.label;
  r.model = workload.model == LoadModel::Open ? "open" : "closed";
  r.offered_rate = workload.model == LoadModel::Open ? workload.offered_rate() : 0;
  r.duration_s = static_cast<double>(workload.duration) / 1e9;
  if (workload.model == LoadModel::Open) {
    r.ramp_s = static_cast<double>(workload.ramp) / 1e9;
    r.offered_start_rate = workload.offered_start_rate();
  }
  r.connections = workload.connections;
  r.threads = threads;
  r.processes = 1;
  r.started_ms = start_wall;
  r.finished_ms = std::max(wall_ms(), start_wall + 1);
  r.faults_expected = !workload.faults.empty();
  r.quota_tolerance = workload.quota_tolerance;
  double capacity = 0;
  for (const auto& a : target.apps)
    if (a.quota.window == QuotaWindow::Second) capacity += static_cast<double>(a.quota.limit);
  r.quota_capacity_per_s = capacity;
  return r;
}

}  // namespace pistesim::loadgen
