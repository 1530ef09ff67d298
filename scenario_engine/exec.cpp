#include "scenario_engine/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace pistesim::scenario {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Closes a descriptor once, whichever path leaves first.
struct Fd {
  int fd = -1;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// True once the child has ended; it stays a zombie (WNOWAIT) so its process group id cannot be
// reused while we may still signal the group.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return true;
  return info.si_pid == pid;
}

std::vector<char*> c_strings(const std::vector<std::string>& in) {
  std::vector<char*> out;
  out.reserve(in.size() + 1);
  for (const auto& s : in) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Reads what is available; false at end of file.
bool drain(Fd& fd, std::string& into, size_t max, bool& truncated) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd.fd, buffer, sizeof buffer);
    if (n > 0) {
      size_t keep = into.size() < max ? std::min(max - into.size(), static_cast<size_t>(n)) : 0;
      into.append(buffer, keep);
      if (keep < static_cast<size_t>(n)) truncated = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    fd.close();
    return false;
  }
}

}  // namespace

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  return env;
}

ProcessResult run_process(const ProcessSpec& spec, const std::atomic<bool>* cancel) {
  ProcessResult result;
  const auto started = SteadyClock::now();
  if (spec.argv.empty() || spec.argv.front().empty()) {
    result.error = "no command to run";
    return result;
  }
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  Fd err_read{err_pipe[0]}, err_write{err_pipe[1]};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.fd, 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);  // the parent may ignore SIGPIPE; the child must not
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout kills its children too
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto argv = c_strings(spec.argv);
  auto envp = c_strings(spec.env);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  out_write.close();
  err_write.close();
  if (rc != 0) {
    result.error = spec.argv.front() + ": " + std::strerror(rc) +
                   (spec.cwd.empty() ? "" : " (in " + spec.cwd + ")");
    return result;
  }
  result.started = true;
  fcntl(out_read.fd, F_SETFL, O_NONBLOCK);
  fcntl(err_read.fd, F_SETFL, O_NONBLOCK);

  const auto deadline = started + std::chrono::milliseconds(std::max<int64_t>(spec.timeout_ms, 1));
  std::optional<SteadyClock::time_point> leader_ended;
  for (;;) {
    if (!leader_ended && has_exited(pid)) {
      leader_ended = SteadyClock::now();
      // What it left running would hold the pipes open and outlive the step.
      kill(-pid, SIGKILL);
    }
    bool open = out_read.fd >= 0 || err_read.fd >= 0;
    if (leader_ended && (!open || SteadyClock::now() - *leader_ended > std::chrono::seconds(2)))
      break;
    if (SteadyClock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    if (cancel && cancel->load()) {
      result.cancelled = true;
      break;
    }
    if (!open) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    pollfd fds[2] = {{out_read.fd, POLLIN, 0}, {err_read.fd, POLLIN, 0}};
    int ready = poll(fds, 2, 20);
    if (ready < 0 && errno != EINTR) break;
    if (out_read.fd >= 0 && fds[0].revents)
      drain(out_read, result.stdout_text, spec.max_output_bytes, result.truncated);
    if (err_read.fd >= 0 && fds[1].revents)
      drain(err_read, result.stderr_text, spec.max_output_bytes, result.truncated);
  }

  if (!leader_ended) {
    // Timed out or cancelled: ask politely, then insist.
    kill(-pid, SIGTERM);
    const auto grace = SteadyClock::now() + std::chrono::seconds(1);
    while (!has_exited(pid) && SteadyClock::now() < grace)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(-pid, SIGKILL);
  }
  if (out_read.fd >= 0)
    drain(out_read, result.stdout_text, spec.max_output_bytes, result.truncated);
  if (err_read.fd >= 0)
    drain(err_read, result.stderr_text, spec.max_output_bytes, result.truncated);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  }
  result.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started).count();
  return result;
}

}  // namespace pistesim::scenario
