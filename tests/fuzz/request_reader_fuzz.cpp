// Fuzz target: the HTTP server's request reader (Beast's parser under the server's own checks).
// Any bytes a client sends must end in a request, a refusal with an RFC status, or a wish for
// more bytes; never a crash, never both. The same bytes are also fed as a connection receives
// them, in two pieces split where the first byte says, keeping what was not consumed.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "http/request_reader.h"

using namespace pistesim;
using pistesim::http::ReaderLimits;
using pistesim::http::RequestReader;

namespace {

void check_outcome(RequestReader& reader, const ReaderLimits& limits) {
  static const std::set<int> kRefusals = {400, 405, 413, 414, 417, 431, 501, 505};
  if (reader.refusal() != 0) {
    FUZZ_CHECK(kRefusals.count(reader.refusal()) == 1, "a refusal has an RFC status");
    FUZZ_CHECK(!reader.refusal_reason().empty(), "a refusal says why");
    return;
  }
  if (!reader.done()) return;
  Request r = reader.take_request();
  static const std::set<std::string> kServed = {"GET",   "HEAD",   "POST",   "PUT",
                                                "PATCH", "DELETE", "OPTIONS"};
  FUZZ_CHECK(kServed.count(r.method) == 1, "a served request has a served method");
  FUZZ_CHECK(r.path.starts_with('/') || (r.method == "OPTIONS" && r.path == "*"),
             "a served request has an origin-form path");
  FUZZ_CHECK(r.body.size() <= limits.max_body_bytes, "a body within the limit");
  FUZZ_CHECK(r.headers.size() <= limits.max_header_count, "header fields within the limit");
  FUZZ_CHECK(r.headers.count("Host") <= 1, "at most one Host");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ReaderLimits limits;
  limits.max_body_bytes = 4096;  // small, so that fuzzed bodies reach it
  limits.max_header_bytes = 2048;
  limits.max_request_line = 1024;

  std::string whole(reinterpret_cast<const char*>(data), size);
  {
    RequestReader reader(limits);
    size_t used = reader.feed(whole.data(), whole.size());
    FUZZ_CHECK(used <= whole.size(), "never more consumed than given");
    check_outcome(reader, limits);
  }
  if (size > 1) {
    // As a connection would: the first piece, then what it kept plus the rest.
    size_t split = 1 + data[0] % (size - 1);
    std::string buffer = whole.substr(0, split);
    RequestReader reader(limits);
    size_t used = reader.feed(buffer.data(), buffer.size());
    FUZZ_CHECK(used <= buffer.size(), "never more consumed than given");
    if (reader.refusal() == 0 && !reader.done()) {
      buffer = buffer.substr(used) + whole.substr(split);
      used = reader.feed(buffer.data(), buffer.size());
      FUZZ_CHECK(used <= buffer.size(), "never more consumed than given");
    }
    check_outcome(reader, limits);
  }
  return 0;
}
