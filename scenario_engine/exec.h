// Child processes for `exec` steps: an integrator's client or test suite, run with a given
// environment and working directory, its output captured (bounded) and its whole process group
// killed when it outlives its timeout. Safe to call from several threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pistesim::scenario {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::vector<std::string> env;   // "NAME=value": the child's whole environment
  std::string cwd;                // empty: the current directory
  int64_t timeout_ms = 60000;
  size_t max_output_bytes = 1 << 20;  // per stream; the rest is read and dropped
};

struct ProcessResult {
  bool started = false;
  std::string error;  // why it could not start ("No such file or directory")
  // The exit status; 128 + N when a signal N ended it (as a shell reports it).
  std::optional<int> exit_code;
  int signal = 0;
  bool timed_out = false;
  bool cancelled = false;
  std::string stdout_text;
  std::string stderr_text;
  bool truncated = false;
  int64_t duration_us = 0;
};

// Runs to the end, the timeout, or until *cancel becomes true (a scenario ending with a
// background command still running). The child runs in its own process group, with stdin from
// /dev/null and default signal dispositions.
ProcessResult run_process(const ProcessSpec& spec, const std::atomic<bool>* cancel = nullptr);

// The current process's environment as "NAME=value" strings.
std::vector<std::string> current_environment();

}  // namespace pistesim::scenario
