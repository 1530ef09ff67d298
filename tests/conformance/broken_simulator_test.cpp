// The checks that need pistesim's control API (revocation, clock, quotas: F3b, F9, G1-G5) must be
// able to fail too. The broken target is the real simulator behind a small cpp-httplib proxy that
// forwards everything (control API included) and misbehaves in one switchable way: it swallows
// a revocation or a clock move, admits one call over the quota, keeps refusing after the window
// ends, turns the quota day at the wrong hour, sends or drops Retry-After, or lets a SANDBOX
// token through on the PRODUCTION gateway. Transparent, every such check passes through it.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "conformance/suite.h"
#include "scenario_engine/target.h"

namespace pistesim::conformance {
namespace {

const std::string kControl = "/__pistesim";

class MisbehavingProxy {
 public:
  MisbehavingProxy(const std::string& origin, std::string fault)
      : upstream_(origin), fault_(std::move(fault)) {
    upstream_.set_keep_alive(true);
    auto forward = [this](const httplib::Request& req, httplib::Response& res) {
      on_request(req, res);
    };
    server_.Get(".*", forward);
    server_.Post(".*", forward);
    server_.Put(".*", forward);
    server_.Delete(".*", forward);
    server_.Patch(".*", forward);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~MisbehavingProxy() {
    server_.stop();
    thread_.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  bool is(const char* f) const { return fault_ == f; }

  void on_request(const httplib::Request& req, httplib::Response& res) {
    std::string method = req.method, target = req.target, body = req.body;
    const bool control = req.path.starts_with(kControl);
    if (is("revoke_ignored") && control && req.path == kControl + "/tokens/revoke") {
      res.set_content(R"({"revoked":1})", "application/json");  // says it did; did nothing
      return;
    }
    if (is("clock_frozen") && control && req.path == kControl + "/clock/advance") {
      method = "GET";  // answers with the time, which did not move
      target = kControl + "/clock";
      body.clear();
    }
    if (is("day_turns_an_hour_early") && control && req.path == kControl + "/clock/advance") {
      // A server whose quota day is UTC+2 all year: in winter its day turns at 23:00 Paris.
      // Seen from the client, its clock runs an hour ahead once the check heads for midnight.
      auto j = nlohmann::json::parse(body, nullptr, false);
      if (j.is_object() && j.value("to", "") == "23:59:59") body = R"({"to":"00:59:59"})";
    }
    if (is("channels_shared") && target.starts_with("/production/api/"))
      target = "/sandbox/api/" + target.substr(std::string("/production/api/").size());

    httplib::Headers headers;
    for (const auto& [k, v] : req.headers)
      if (k != "Host" && k != "Content-Length" && k != "REMOTE_ADDR" && k != "REMOTE_PORT" &&
          k != "LOCAL_ADDR" && k != "LOCAL_PORT")
        headers.emplace(k, v);
    httplib::Request up;
    up.method = method;
    up.path = target;
    up.headers = headers;
    up.body = body;
    std::unique_lock lock(mutex_);  // one upstream connection, one exchange at a time
    httplib::Result r = upstream_.send(up);
    lock.unlock();
    if (!r) {
      res.status = 502;
      return;
    }
    res.status = r->status;
    for (const auto& [k, v] : r->headers)
      if (k != "Content-Length" && k != "Transfer-Encoding" && k != "Connection")
        res.headers.emplace(k, v);
    res.body = r->body;

    const bool gateway =
        req.path.starts_with("/sandbox/api/") || req.path.starts_with("/production/api/");
    if (!gateway) return;
    if (res.status == 429) {
      if (is("quota_one_extra") && !extra_given_) {
        extra_given_ = true;
        res.status = 200;
        res.headers.erase("Retry-After");
      }
      if (is("retry_after_sent")) res.set_header("Retry-After", "3600");
      if (is("retry_after_dropped")) res.headers.erase("Retry-After");
      refusing_ = true;
    } else if (is("quota_never_resets") && refusing_ && res.status == 200) {
      res.status = 429;  // once refused, refused for good: the window never ends
      res.body.clear();
    }
  }

  httplib::Client upstream_;
  std::string fault_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  bool extra_given_ = false;
  bool refusing_ = false;
};

const LoadedChecks& checks() {
  static const LoadedChecks loaded =
      load_checks({std::string(PISTESIM_SOURCE_DIR) + "/conformance/checks"});
  return loaded;
}

// The check against the simulator (behaviour `profile`) seen through the proxy.
CheckResult run_through_proxy(const std::string& id, const std::string& fault,
                              const std::string& profile_name) {
  scenario::TargetOptions embedded;
  embedded.world = std::string(PISTESIM_SOURCE_DIR) + "/conformance/world.toml";
  embedded.profile = profile_name == "rfc" ? Profile::Rfc : Profile::Piste;
  auto made = scenario::make_target(embedded);
  if (!made) {
    ADD_FAILURE() << made.error().message;
    return {};
  }
  const auto& simulator = *made;
  auto urls = simulator->socket_urls();
  if (!urls) {
    ADD_FAILURE() << urls.error().message;
    return {};
  }
  MisbehavingProxy proxy(urls->control.substr(0, urls->control.size() - kControl.size()), fault);

  auto read =
      load_profile_file(std::string(PISTESIM_SOURCE_DIR) + "/conformance/profiles/pistesim.toml");
  if (!read) {
    ADD_FAILURE() << read.error().message;
    return {};
  }
  TargetProfile profile = std::move(read).value();
  profile.target = proxy.base();
  profile.admin_token = simulator->admin_token();
  profile.profile = profile_name;
  SuiteOptions only;
  only.only = {id};
  auto suite = run_suite(checks().checks, profile, only);
  EXPECT_EQ(suite.results.size(), 1u) << id;
  return suite.results.empty() ? CheckResult{} : suite.results.front();
}

struct Case {
  const char* id;
  const char* fault;
  const char* profile;
};

class ControlChecksThroughProxy : public ::testing::TestWithParam<Case> {};

TEST_P(ControlChecksThroughProxy, PassWhenTheProxyIsTransparent) {
  const Case c = GetParam();
  CheckResult r = run_through_proxy(c.id, "", c.profile);
  EXPECT_EQ(r.verdict, Verdict::Pass) << c.id << " (" << c.profile << "): " << r.evidence;
}

TEST_P(ControlChecksThroughProxy, FailOnTheirMisbehaviour) {
  const Case c = GetParam();
  CheckResult r = run_through_proxy(c.id, c.fault, c.profile);
  RecordProperty("evidence", r.evidence);  // in --gtest_output=xml: why the check failed
  EXPECT_EQ(r.verdict, Verdict::Fail) << c.id << " with " << c.fault << ": " << r.evidence;
  EXPECT_FALSE(r.evidence.empty());
}

INSTANTIATE_TEST_SUITE_P(EachCheck, ControlChecksThroughProxy,
                         ::testing::Values(Case{"F3b", "revoke_ignored", "piste"},
                                           Case{"F9", "clock_frozen", "piste"},
                                           Case{"G1", "quota_one_extra", "piste"},
                                           Case{"G2", "retry_after_sent", "piste"},
                                           Case{"G2", "retry_after_dropped", "rfc"},
                                           Case{"G3", "quota_never_resets", "piste"},
                                           Case{"G3", "clock_frozen", "piste"},
                                           Case{"G4", "day_turns_an_hour_early", "piste"},
                                           Case{"G5", "channels_shared", "piste"}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.id) + "_" + info.param.fault + "_" +
                                  info.param.profile;
                         });

// The list above covers every check that needs the control API: a new one needs its case.
TEST(ControlChecksThroughProxy, EveryControlCheckHasAMisbehaviour) {
  std::set<std::string> covered = {"F3b", "F9", "G1", "G2", "G3", "G4", "G5"};
  for (const auto& c : checks().checks) {
    bool control = false;
    for (const auto& n : c.needs) control = control || n == "control";
    if (control) {
      EXPECT_TRUE(covered.count(c.id)) << c.id << " has no broken-target case";
    }
  }
}

}  // namespace
}  // namespace pistesim::conformance
