// Interned strings (base/interned.h) and the world index's position table
// (base/position_table.h): the two pieces that keep a large world near 1 KB an application.
#include "base/interned.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/position_table.h"

namespace pistesim {
namespace {

TEST(Interned, EqualStringsShareOnePooledString) {
  const Interned a("owner@example.test");
  const Interned b(std::string("owner@") + "example.test");
  const Interned c(std::string_view("other@example.test"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.data(), b.data());  // one copy, whoever interned it
  EXPECT_NE(a, c);
  EXPECT_EQ(sizeof(Interned), sizeof(void*));
}

TEST(Interned, EmptyIsTheDefaultAndTakesNoPoolEntry) {
  const size_t before = Interned::pool_size();
  const Interned none, empty(""), also(std::string{});
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none, empty);
  EXPECT_EQ(none, also);
  EXPECT_EQ(none.str(), "");
  EXPECT_EQ(none.size(), 0u);
  EXPECT_STREQ(none.c_str(), "");
  EXPECT_EQ(Interned::pool_size(), before);
}

TEST(Interned, ReadsLikeTheStringItHolds) {
  Interned org = "mtes";
  const std::string s = "mtes";
  EXPECT_TRUE(org == s);
  EXPECT_TRUE(s == org);
  EXPECT_TRUE(org == "mtes");
  EXPECT_TRUE(std::string_view("mtes") == org);
  EXPECT_FALSE(org == "mtes2");
  EXPECT_EQ("org:" + org, "org:mtes");
  EXPECT_EQ(org + "/x", "mtes/x");
  const std::string& ref = org;
  EXPECT_EQ(ref, "mtes");
  const std::string_view view = org;
  EXPECT_EQ(view.size(), 4u);
  org = std::string("dila");  // assigning interns the new value
  EXPECT_EQ(org.str(), "dila");
  EXPECT_TRUE(Interned("a") < Interned("b"));
  EXPECT_TRUE(Interned("b") > "a");
  EXPECT_EQ(nlohmann::json(org), nlohmann::json("dila"));
  EXPECT_EQ(nlohmann::json(std::vector<Interned>{"x", "y"}), nlohmann::json({"x", "y"}));
}

TEST(Interned, ThreadsInterningTheSameStringsGetTheSamePooledStrings) {
  constexpr int kThreads = 8, kStrings = 2000;
  const size_t before = Interned::pool_size();
  std::vector<std::vector<const char*>> seen(kThreads, std::vector<const char*>(kStrings));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kStrings; ++i) {
        // Each thread walks the strings in its own order, so that they race on every one.
        const int n = (i * 7 + t * 131) % kStrings;
        seen[t][n] = Interned("interned-thread-test-" + std::to_string(n)).data();
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(Interned::pool_size(), before + kStrings);
  for (int n = 0; n < kStrings; ++n) {
    const char* pooled = Interned("interned-thread-test-" + std::to_string(n)).data();
    for (int t = 0; t < kThreads; ++t) ASSERT_EQ(seen[t][n], pooled) << t << " " << n;
  }
}

TEST(PositionTable, FindsWhatItHoldsAndTheFirstOfTwoEqualKeysStays) {
  const std::vector<std::string> keys = {"a", "b", "c", "b", "dd"};
  auto key_of = [&](PositionTable::Position p) { return std::string_view(keys[p.first]); };
  PositionTable table(keys.size());
  for (uint32_t i = 0; i < keys.size(); ++i) table.insert({i, i * 10}, key_of);
  ASSERT_TRUE(table.find("b", key_of));
  EXPECT_EQ(table.find("b", key_of)->first, 1u);  // not 3
  EXPECT_EQ(table.find("dd", key_of)->second, 40u);
  EXPECT_FALSE(table.find("d", key_of));
  EXPECT_FALSE(table.find("", key_of));
  EXPECT_FALSE(PositionTable().find("a", key_of));  // never sized
}

TEST(PositionTable, HoldsManyKeysWithCollidingSlots) {
  std::vector<std::string> keys;
  for (int i = 0; i < 50000; ++i) keys.push_back("client-" + std::to_string(i));
  auto key_of = [&](PositionTable::Position p) { return std::string_view(keys[p.first]); };
  PositionTable table(keys.size());
  for (uint32_t i = 0; i < keys.size(); ++i) table.insert({i, 0}, key_of);
  for (uint32_t i = 0; i < keys.size(); ++i) {
    auto p = table.find(keys[i], key_of);
    ASSERT_TRUE(p) << keys[i];
    EXPECT_EQ(p->first, i);
  }
  EXPECT_FALSE(table.find("client-50000", key_of));
}

}  // namespace
}  // namespace pistesim
