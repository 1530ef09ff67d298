// The load generator's own per-request costs, which bound its ceiling (docs/performance.md):
// writing a request, parsing a response, recording a latency, attributing a call to its quota
// window, checking a token response, and a socket write and read through Conn beside the same
// bare system calls (what its Result values cost on the hot path, docs/design.md "Errors").
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "loadgen/connection.h"
#include "loadgen/histogram.h"
#include "loadgen/http_wire.h"
#include "loadgen/protocol_checks.h"
#include "loadgen/quota_ledger.h"

namespace {

using namespace pistesim::loadgen;

void BM_WriteRequest(benchmark::State& state) {
  std::string out;
  const std::string auth =
      "Authorization: Bearer 0123456789012345678901234567890123456789012345678901234\r\n";
  for (auto _ : state) {
    out.clear();
    write_request(out, "GET", "/production/api/dila/legifrance/lf-engine-app/consult/ping",
                  "127.0.0.1:8080", auth, "");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteRequest);

void BM_ParseGatewayResponse(benchmark::State& state) {
  const std::string bytes =
      "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: "
      "x-correlation-id, x-rate-limit\r\nContent-Length: 4\r\nContent-Type: text/plain\r\n"
      "Keep-Alive: timeout=5, max=100000\r\nx-correlation-id: 3f-9a0c1b2d0000000000001a2b\r\n"
      "x-rate-limit: [{\"window\": 1, \"type\": \"throttle\", \"remaining\": 19}]\r\n\r\npong";
  ResponseParser p;
  for (auto _ : state) {
    p.reset();
    size_t used = 0;
    auto s = p.feed(bytes.data(), bytes.size(), &used);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseGatewayResponse);

void BM_HistogramRecord(benchmark::State& state) {
  LatencyHistogram h;
  int64_t v = 123456;
  for (auto _ : state) {
    h.record(v);
    v = (v * 7 + 13) & ((int64_t{1} << 30) - 1);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_QuotaLedgerRecord(benchmark::State& state) {
  QuotaLedger l("app", pistesim::QuotaSpec{20, pistesim::QuotaWindow::Second});
  pistesim::Millis t = 1795428000000;
  for (auto _ : state) {
    l.record(QuotaOutcome::Admitted, t, t + 1);
    t += 3;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuotaLedgerRecord);

void BM_CheckTokenResponse(benchmark::State& state) {
  ResponseHead h;
  h.status = 200;
  h.content_type = "application/json";
  h.cache_control = "no-store";
  h.pragma = "no-cache";
  const std::string body =
      R"({"access_token":"aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ","token_type":"Bearer","expires_in":3600,"scope":"openid"})";
  for (auto _ : state) benchmark::DoNotOptimize(check_token_response(h, body));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckTokenResponse);

// 64 bytes one way and back over a socket pair: Conn::write_some and Conn::read_some, or, with
// `bare`, send and recv themselves.
void socket_round_trip(benchmark::State& state, bool bare) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  Conn c;
  c.fd = sv[0];
  const std::string message(64, 'x');
  char buf[256];
  for (auto _ : state) {
    if (bare) {
      benchmark::DoNotOptimize(::send(c.fd, message.data(), message.size(), MSG_NOSIGNAL));
      benchmark::DoNotOptimize(::recv(sv[1], buf, sizeof buf, 0));
      benchmark::DoNotOptimize(::send(sv[1], buf, message.size(), MSG_NOSIGNAL));
      benchmark::DoNotOptimize(::recv(c.fd, buf, sizeof buf, 0));
    } else {
      auto sent = c.write_some(message.data(), message.size());
      benchmark::DoNotOptimize(sent);
      benchmark::DoNotOptimize(::recv(sv[1], buf, sizeof buf, 0));
      benchmark::DoNotOptimize(::send(sv[1], buf, message.size(), MSG_NOSIGNAL));
      auto got = c.read_some(buf, sizeof buf);
      benchmark::DoNotOptimize(got);
    }
  }
  ::close(sv[0]);
  ::close(sv[1]);
  state.SetItemsProcessed(state.iterations());
}
void BM_SocketRoundTripThroughConn(benchmark::State& state) {
  socket_round_trip(state, false);
}
void BM_SocketRoundTripBare(benchmark::State& state) {
  socket_round_trip(state, true);
}
BENCHMARK(BM_SocketRoundTripThroughConn);
BENCHMARK(BM_SocketRoundTripBare);

}  // namespace

BENCHMARK_MAIN();
