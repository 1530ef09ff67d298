// A world as large as PISTE's (14 000 applications, about 7 MB of TOML) loads, from text and from
// a file: worlds are not held to the 4 MiB that guards scenario and profile files.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "world/default_world.h"
#include "world/world_loader.h"
#include "world/world_writer.h"

namespace pistesim {
namespace {

std::string world_of(size_t applications) {
  std::string text(default_world_text());
  char app[512];
  for (size_t i = 0; i < applications; ++i) {
    std::snprintf(app, sizeof app,
                  "\n[[applications]]\nid = \"fleet-%06zu\"\nname = \"fleet-%06zu-app\"\n"
                  "channel = \"PRODUCTION\"\norganisation = \"mtes\"\n"
                  "owner = \"demo@pistesim.test\"\ndescription = \"Application de la flotte\"\n"
                  "email = \"demo@pistesim.test\"\n\n[[applications.oauth_clients]]\n"
                  "client_id = \"c1000000-0000-4000-8000-%012zx\"\n"
                  "client_secret = \"5e000000-0000-4000-8000-%012zx\"\n\n"
                  "[[applications.api_keys]]\nkey = \"a4000000-0000-4000-8000-%012zx\"\n\n"
                  "[[applications.subscriptions]]\napi = \"legifrance\"\n",
                  i, i, i, i, i);
    text += app;
  }
  return text;
}

TEST(WorldSize, AWorldAsLargeAsPistesLoadsFromText) {
  const std::string text = world_of(14000);
  ASSERT_GT(text.size(), kMaxInputFileBytes);
  WorldLoadResult r = load_world_string(text, "fleet.toml");
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  EXPECT_GE(r.world.applications.size(), 14000u);
}

TEST(WorldSize, AWorldAsLargeAsPistesLoadsFromAFile) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("pistesim-fleet-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << world_of(14000);
  WorldLoadResult r = load_world_file(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  EXPECT_GE(r.world.applications.size(), 14000u);
}

// A snapshot of such a world writes each application's clients, keys and subscriptions as inline
// arrays (the TOML library is quadratic in nested [[…]] headers), and reads back equal.
TEST(WorldSize, ASnapshotOfALargeWorldUsesInlineArraysAndReadsBack) {
  WorldLoadResult r = load_world_string(world_of(14000), "fleet.toml");
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  const std::string snapshot = write_world_toml(r.world, {});
  EXPECT_EQ(snapshot.find("[[applications."), std::string::npos);
  EXPECT_NE(snapshot.find("oauth_clients = [{ client_id = \"c1000000-0000-4000-8000-"),
            std::string::npos);
  EXPECT_NE(snapshot.find("subscriptions = [{ api = \"legifrance\", status = \"approved\" }]"),
            std::string::npos);
  WorldLoadResult back = load_world_string(snapshot, "snapshot.toml");
  ASSERT_TRUE(back.ok()) << back.errors.front().to_string();
  EXPECT_EQ(back.world, r.world);
}

}  // namespace
}  // namespace pistesim
