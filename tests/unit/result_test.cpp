#include "base/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

namespace pistesim {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return Error{std::string("not a digit: ") + c};
  return c - '0';
}

TEST(Result, HoldsTheValueOrTheError) {
  const Result<int> seven = parse_digit('7');
  ASSERT_TRUE(seven.ok());
  EXPECT_TRUE(static_cast<bool>(seven));
  EXPECT_EQ(seven.value(), 7);
  EXPECT_EQ(*seven, 7);

  const Result<int> x = parse_digit('x');
  ASSERT_FALSE(x.ok());
  EXPECT_FALSE(static_cast<bool>(x));
  EXPECT_EQ(x.error().message, "not a digit: x");
}

TEST(Result, ReadingTheValueOfAnErrorThrowsRatherThanReadingGarbage) {
  const Result<int> x = parse_digit('x');
  EXPECT_THROW((void)x.value(), std::bad_variant_access);
  const Result<int> seven = parse_digit('7');
  EXPECT_THROW((void)seven.error(), std::bad_variant_access);
}

// A string value and an Error are told apart by type, not by content.
TEST(Result, AStringValueIsNotAnError) {
  const Result<std::string> value = std::string("boom");
  const Result<std::string> error = Error{"boom"};
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value.value(), "boom");
  EXPECT_EQ(value->size(), 4u);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().message, "boom");
}

// The scenario engine's values are JSON documents, which convert from almost anything.
TEST(Result, AJsonValueIsNotAnError) {
  const Result<nlohmann::json> value = nlohmann::json{{"a", 1}};
  const Result<nlohmann::json> error = Error{"no such node"};
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value.value()["a"], 1);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().message, "no such node");
}

TEST(Result, CarriesAMoveOnlyValueOut) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
}

Result<void> check_even(int n) {
  if (n % 2 != 0) return Error{std::to_string(n) + " is odd"};
  return {};
}

TEST(Result, VoidSucceedsWithNothingOrFailsWithAnError) {
  const Result<void> ok = check_even(4);
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  const Result<void> odd = check_even(3);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().message, "3 is odd");
}

// A caller may give its own error type (the portal's carries a code and an HTTP kind).
struct Refusal {
  int code = 0;
  std::string why;
};

TEST(Result, TakesAnErrorTypeOfTheCallersOwn) {
  const Result<std::string, Refusal> refused = Refusal{409, "taken"};
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, 409);
  EXPECT_EQ(refused.error().why, "taken");
  const Result<void, Refusal> fine;
  EXPECT_TRUE(fine.ok());
}

// Forgetting to look at a result is a compiler warning (-Wall turns [[nodiscard]] on).
static_assert(!std::is_convertible_v<Result<int>, int>);
static_assert(!std::is_convertible_v<Result<int>, bool>);

}  // namespace
}  // namespace pistesim
