// Random secrets and constant-time comparison (simulator/crypto/secrets.h), which the token
// endpoint relies on for D6 (unguessable, never repeated tokens) and B11 (secret comparison).
// Statistical checks use bounds many standard deviations wide: they catch a broken generator
// (a missing symbol, a stuck byte), never a fair one.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <set>
#include <string>

#include "crypto/secrets.h"

namespace pistesim {
namespace {

constexpr std::string_view kAlphanumerics =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

TEST(Secrets, ConstantTimeEqualsIsTrueForEqualStrings) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e86",
                                   "6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e86"));
  EXPECT_TRUE(constant_time_equals(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST(Secrets, ConstantTimeEqualsIsFalseWhereverTheStringsDiffer) {
  const std::string secret = "6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e86";
  for (size_t i = 0; i < secret.size(); ++i) {
    std::string other = secret;
    other[i] ^= 0x01;
    EXPECT_FALSE(constant_time_equals(secret, other)) << "differing at " << i;
  }
  EXPECT_FALSE(constant_time_equals(secret, "6F2E9D41-8C3B-47A5-B0E9-1D5C7A3F2E86"));
}

TEST(Secrets, ConstantTimeEqualsIsFalseForStringsOfAnotherLength) {
  const std::string secret = "6f2e9d41";
  for (const std::string& other :
       {std::string(""), std::string("6f2e9d4"), std::string("6f2e9d411"),
        std::string("6f2e9d41\0", 9), std::string("\0", 1)}) {
    SCOPED_TRACE(testing::PrintToString(other));
    EXPECT_FALSE(constant_time_equals(secret, other));
    EXPECT_FALSE(constant_time_equals(other, secret));
  }
  EXPECT_FALSE(constant_time_equals("", std::string("\0", 1)));
}

TEST(Secrets, RandomAlphanumericHasTheLengthAskedFor) {
  for (size_t n : {0u, 1u, 54u, 127u, 128u, 129u, 1000u}) {
    SCOPED_TRACE(n);
    std::string s = random_alphanumeric(n);
    EXPECT_EQ(s.size(), n);
    EXPECT_EQ(s.find_first_not_of(kAlphanumerics), std::string::npos) << s;
  }
}

// 620 000 draws: each symbol is expected 10 000 times (σ ≈ 99); the bounds are 6σ away. A lost
// symbol would show, and so would the modulo bias that rejection sampling avoids (8 symbols
// drawn 5/256 of the time instead of 4/256: about 12 100 each).
TEST(Secrets, RandomAlphanumericDrawsAll62SymbolsEvenly) {
  std::map<char, int> counts;
  for (int i = 0; i < 620; ++i)
    for (char c : random_alphanumeric(1'000)) ++counts[c];
  ASSERT_EQ(counts.size(), 62u);
  for (auto [symbol, count] : counts) {
    EXPECT_NE(kAlphanumerics.find(symbol), std::string_view::npos) << symbol;
    EXPECT_GT(count, 9'400) << symbol;
    EXPECT_LT(count, 10'600) << symbol;
  }
}

TEST(Secrets, RandomAlphanumericDoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(seen.insert(random_alphanumeric(54)).second);
}

// Random bytes are drawn from OpenSSL a block at a time and buffered per thread. A forked child
// inherits that buffer: it must not hand out the values its parent is about to.
TEST(Secrets, AForkedChildDoesNotRepeatItsParentsDraws) {
  (void)random_alphanumeric(54);  // the buffer now holds bytes not handed out yet
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string drawn;
    for (int i = 0; i < 8; ++i) drawn += random_alphanumeric(54);
    ssize_t written = write(fds[1], drawn.data(), drawn.size());
    _exit(written == static_cast<ssize_t>(drawn.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string in_child(8 * 54, '\0');
  size_t got = 0;
  while (got < in_child.size()) {
    ssize_t n = read(fds[0], in_child.data() + got, in_child.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, in_child.size());
  std::string in_parent;
  for (int i = 0; i < 8; ++i) in_parent += random_alphanumeric(54);
  for (size_t i = 0; i < 8; ++i)
    EXPECT_EQ(in_parent.find(in_child.substr(i * 54, 54)), std::string::npos)
        << "the child repeated the parent's token " << i;
}

TEST(Secrets, RandomHexIsLowerCaseHexOfTheByteCountAskedFor) {
  for (size_t bytes : {0u, 1u, 16u, 33u}) {
    SCOPED_TRACE(bytes);
    std::string h = random_hex(bytes);
    EXPECT_EQ(h.size(), bytes * 2);
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
  }
  std::set<char> digits;
  for (int i = 0; i < 100; ++i)
    for (char c : random_hex(16)) digits.insert(c);
  EXPECT_EQ(digits.size(), 16u);
}

// RFC 4122 §4.4: version 4 in the 13th hex digit, variant 10xx in the 17th.
TEST(Secrets, RandomUuidHasTheVersion4Shape) {
  static const std::regex kUuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  std::set<char> variants;
  for (int i = 0; i < 1'000; ++i) {
    std::string u = random_uuid();
    ASSERT_TRUE(std::regex_match(u, kUuid)) << u;
    ASSERT_TRUE(seen.insert(u).second) << "repeated " << u;
    variants.insert(u[19]);
  }
  EXPECT_EQ(variants, (std::set<char>{'8', '9', 'a', 'b'}));
}

}  // namespace
}  // namespace pistesim
