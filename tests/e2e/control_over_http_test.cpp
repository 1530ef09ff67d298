// The control API over a real socket: arming a fault, the failure a client sees, DELETE
// requests with and without a body, the admin token checked before routing, and HEAD.
#include <gtest/gtest.h>

#include "e2e/raw_socket.h"
#include "e2e/served_simulator.h"

namespace pistesim::test {

TEST(ControlOverHttp, AnArmedFaultReachesTheClientAndDeleteDisarmsIt) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  {
    auto client = server.client();
    auto control = [&](const std::string& method, const std::string& path,
                       const std::string& body = {}) {
      Request r = Request::make(method, "/__pistesim" + path, body);
      r.headers.add("Authorization", "Bearer " + server.admin_token());
      if (!body.empty()) r.headers.add("Content-Type", "application/json");
      auto answer = client->send(r);
      EXPECT_TRUE(answer) << method << " " << path << ": " << answer.error().message;
      return answer ? answer->status : 0;
    };
    const auto& demo = server.demo("sandbox");
    Request t = Request::make(
        "POST", "/sandbox/oauth/api/oauth/token",
        "grant_type=client_credentials&client_id=" + demo["client_id"].get<std::string>() +
            "&client_secret=" + demo["client_secret"].get<std::string>());
    t.headers.add("Content-Type", "application/x-www-form-urlencoded");
    auto issued = client->send(t);
    ASSERT_TRUE(issued && issued->status == 200);
    Request ping = Request::make("GET", "/sandbox/api/dila/legifrance/lf-engine-app/consult/ping");
    ping.headers.add(
        "Authorization",
        "Bearer " + nlohmann::json::parse(issued->body)["access_token"].get<std::string>());

    ASSERT_EQ(control("POST", "/faults", R"({"api":"legifrance","status":502,"count":-1})"), 201);
    auto failed = client->send(ping);
    ASSERT_TRUE(failed) << failed.error().message;
    EXPECT_EQ(failed->status, 502);
    EXPECT_NE(failed->headers.find("x-correlation-id"), nullptr);

    EXPECT_EQ(control("DELETE", "/faults"), 200);  // no body
    auto served = client->send(ping);
    ASSERT_TRUE(served) << served.error().message;
    EXPECT_EQ(served->status, 200);
    EXPECT_EQ(served->body, "pong");

    ASSERT_EQ(
        control("PUT", "/applications/demo-sandbox/quota", R"({"api":"legifrance","limit":1})"),
        200);
    EXPECT_EQ(control("DELETE", "/applications/demo-sandbox/quota", R"({"api":"legifrance"})"),
              200);  // a body
  }
  EXPECT_EQ(server.stop(), 0);
}

namespace {

// `METHOD /__pistesim<path>` on a connection the server closes after answering.
std::string control_bytes(const std::string& method, const std::string& path,
                          const std::string& fields = "") {
  return method + " /__pistesim" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
         fields + "\r\n";
}

const std::string kAdmin = "Authorization: Bearer control-admin\r\n";

}  // namespace

// Without the admin token every request but an open route's own method gets the same 401: no
// 404 against 405, no Allow. With it, a wrong method is 405 and Allow lists HEAD beside GET.
TEST(ControlOverHttp, TheAdminTokenIsCheckedBeforeRouting) {
  ServedSimulator server({"--admin-token", "control-admin"});
  ASSERT_TRUE(server.started()) << server.output();
  const WireAnswer reference = exchange_once(server.port(), control_bytes("GET", "/world"));
  EXPECT_EQ(reference.status(), 401) << reference.bytes;
  EXPECT_EQ(reference.header("WWW-Authenticate"), R"(Bearer realm="pistesim-control")");
  for (const auto& [method, path] : {std::pair{"DELETE", "/clock"},
                                     {"GET", "/no-such-route"},
                                     {"POST", "/health"},
                                     {"HEAD", "/world"}}) {
    SCOPED_TRACE(std::string(method) + " " + path);
    WireAnswer r = exchange_once(server.port(), control_bytes(method, path));
    EXPECT_EQ(r.status(), 401) << r.bytes;
    EXPECT_EQ(r.header("WWW-Authenticate"), reference.header("WWW-Authenticate"));
    EXPECT_EQ(r.header("Allow"), "");
  }
  WireAnswer wrong_method = exchange_once(server.port(), control_bytes("DELETE", "/clock", kAdmin));
  EXPECT_EQ(wrong_method.status(), 405) << wrong_method.bytes;
  EXPECT_EQ(wrong_method.header("Allow"), "GET, HEAD");
  EXPECT_EQ(exchange_once(server.port(), control_bytes("GET", "/nope", kAdmin)).status(), 404);
}

// RFC 9110 §9.3.2: HEAD on a GET route sends GET's fields, Content-Length included, and no body
// (the server closes the connection after it, so any body would have been read here).
TEST(ControlOverHttp, HeadIsAnsweredOnGetRoutesWithoutABody) {
  ServedSimulator server({"--admin-token", "control-admin"});
  ASSERT_TRUE(server.started()) << server.output();
  for (const auto& [path, fields] : {std::pair{"/world", kAdmin}, {"/health", std::string()}}) {
    SCOPED_TRACE(path);
    WireAnswer get = exchange_once(server.port(), control_bytes("GET", path, fields));
    WireAnswer head = exchange_once(server.port(), control_bytes("HEAD", path, fields));
    ASSERT_EQ(get.status(), 200) << get.bytes;
    EXPECT_EQ(head.status(), 200) << head.bytes;
    EXPECT_TRUE(head.closed);
    EXPECT_EQ(head.header("Content-Length"), std::to_string(get.body().size()));
    EXPECT_EQ(head.header("Content-Type"), get.header("Content-Type"));
    EXPECT_EQ(head.body(), "");
  }
}

}  // namespace pistesim::test
