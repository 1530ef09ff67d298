// A real Redis (Debian's redis-server) for the cluster tests: started on a free loopback port
// with its own temporary data directory, stopped after (SIGTERM, then SIGKILL if it lingers).
// Without persistence unless asked (append_only: AOF with fsync on every write, what a durable
// cluster uses, docs/cluster.md). restart() keeps the port and the directory.
#pragma once

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace pistesim::test {

class RedisServer {
 public:
  struct Options {
    bool append_only = false;
  };
  explicit RedisServer(Options options) : options_(options) {
    char pattern[] = "/tmp/pistesim-redis-XXXXXX";
    if (!mkdtemp(pattern)) return;
    dir_ = pattern;
    for (int attempt = 0; attempt < 5 && !started(); ++attempt) {
      port_ = free_port();
      start();
    }
  }
  RedisServer() : RedisServer(Options{}) {}
  ~RedisServer() {
    stop();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool started() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url(int db = 0) const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
  }
  const std::string& dir() const { return dir_; }
  std::string log() const {
    std::ifstream in(dir_ + "/redis.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Starts it on port() and dir(); true once it answers PING (within 10 s).
  bool start() {
    if (pid_ > 0 || dir_.empty()) return pid_ > 0;
    pid_t pid = fork();
    if (pid == 0) {
      const std::string port = std::to_string(port_);
      const std::string log = dir_ + "/redis.log";
      const char* aof = options_.append_only ? "yes" : "no";
      execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--dir",
             dir_.c_str(), "--save", "", "--appendonly", aof, "--appendfsync", "always",
             "--logfile", log.c_str(), "--daemonize", "no", static_cast<char*>(nullptr));
      _exit(127);
    }
    if (pid < 0) return false;
    pid_ = pid;
    for (int i = 0; i < 200; ++i) {
      if (answers_ping()) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) break;  // it died (port taken?)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill_and_reap(SIGKILL);
    return false;
  }
  // SIGTERM (Redis then finishes writing its AOF), SIGKILL after 5 s.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill_and_reap(SIGKILL);
  }
  bool restart() {
    stop();
    return start();
  }
  // SIGSTOP / SIGCONT: a Redis that hangs (connections stay open, nothing is answered).
  void pause() const {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
  }
  void resume() const {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
  }

  bool answers_ping() const {
    timeval tv{0, 200000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    if (!c) return false;
    bool ok = false;
    if (!c->err) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      ok = r && r->type == REDIS_REPLY_STATUS && std::string(r->str, r->len) == "PONG";
      if (r) freeReplyObject(r);
    }
    redisFree(c);
    return ok;
  }

 private:
  static int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
    close(fd);
    return port;
  }
  void kill_and_reap(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  Options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace pistesim::test
