// The yardstick for the simulator's HTTP figures: a bare cpp-httplib server answering a
// constant body, with either cpp-httplib's defaults or the same tuning as `pistesim serve`.
//   bare_httplib_server PORT [default|tuned]
#include <httplib.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bare_httplib_server PORT [default|tuned]\n";
    return 2;
  }
  int port = std::atoi(argv[1]);
  bool tuned = argc < 3 || std::string(argv[2]) == "tuned";
  httplib::Server server;
  if (tuned) {  // the same settings as simulator/http/http_server.cpp
    size_t threads = std::max<size_t>(32, 8 * std::thread::hardware_concurrency());
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_tcp_nodelay(true);
    server.set_keep_alive_max_count(100000);
    server.set_keep_alive_timeout(5);
  }
  server.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  server.Post(".*", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        R"({"access_token":"x","token_type":"Bearer","expires_in":3600,"scope":"openid"})",
        "application/json");
  });
  std::cout << "bare cpp-httplib (" << (tuned ? "tuned" : "defaults") << ") on 127.0.0.1:" << port
            << std::endl;
  return server.listen("127.0.0.1", port) ? 0 : 1;
}
