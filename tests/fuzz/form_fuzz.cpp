// Fuzz target: application/x-www-form-urlencoded bodies and query strings (parse_form) and the
// encodings under them (percent-encoding, base64, UTF-8, path normalisation). Besides not
// crashing, each decoder must agree with its encoder: what is encoded decodes back unchanged.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "wire/encoding.h"

using namespace pistesim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  if (auto params = parse_form(in)) {
    // A parsed form, encoded again, parses to the same pairs.
    std::string again;
    for (const auto& p : *params) {
      FUZZ_CHECK(is_valid_utf8(p.name) && is_valid_utf8(p.value), "parse_form yields UTF-8");
      if (!again.empty()) again += '&';
      again += form_encode(p.name) + "=" + form_encode(p.value);
    }
    auto reparsed = parse_form(again);
    FUZZ_CHECK(reparsed && reparsed->size() == params->size(), "re-encoded form parses alike");
    for (size_t i = 0; i < params->size(); ++i)
      FUZZ_CHECK(
          (*reparsed)[i].name == (*params)[i].name && (*reparsed)[i].value == (*params)[i].value,
          "re-encoded form parses to the same pairs");
  }

  auto plain = percent_decode(percent_encode(in), false);
  FUZZ_CHECK(plain && *plain == in, "percent_decode(percent_encode(x)) == x");
  auto form = percent_decode(form_encode(in), true);
  FUZZ_CHECK(form && *form == in, "percent_decode(form_encode(x), plus) == x");
  if (auto decoded = percent_decode(in, true)) FUZZ_CHECK(decoded->size() <= in.size(), "shrinks");

  auto b64 = base64_decode(base64_encode(in));
  FUZZ_CHECK(b64 && *b64 == in, "base64_decode(base64_encode(x)) == x");
  if (auto decoded = base64_decode(in))
    FUZZ_CHECK(decoded->size() <= in.size() / 4 * 3, "base64 decodes 4 characters to 3 bytes");

  (void)is_valid_utf8(in);
  (void)is_scope_token(in);

  std::string once = normalize_path(in);
  FUZZ_CHECK(normalize_path(once) == once, "normalize_path is idempotent");
  return 0;
}
