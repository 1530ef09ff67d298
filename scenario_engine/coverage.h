// Which behaviour IDs the scenarios cover (`pistesim run --coverage`): pistesim's own
// (docs/behaviours.md) and those a scenario author declares in a behaviours file
// (docs/scenarios.md, "Your own behaviour IDs").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario_engine/loader.h"
#include "scenario_engine/model.h"

namespace pistesim::scenario {

// Every behaviour ID pistesim reproduces, in docs/behaviours.md order ("ACC-1" … "WIRE-12").
const std::vector<std::string>& known_behaviour_ids();

// The name of a behaviours file found beside scenarios: a directory walk reads it as a
// catalogue, never as a scenario.
inline constexpr std::string_view kBehavioursFileName = "behaviours.toml";

// A behaviour a scenario author declares for their own system.
struct UserBehaviour {
  std::string id;        // "MY-1"
  std::string title;     // "An invoice is submitted once"
  SourceLocation where;  // its `id` in the behaviours file
};

// The IDs a scenario's `covers` may name: pistesim's own and those of the behaviours files
// added. Not thread-safe while files are added; read-only use afterwards is.
class BehaviourCatalogue {
 public:
  // pistesim's IDs only (what a scenario may name when no behaviours file is given).
  static const BehaviourCatalogue& builtin();

  // Adds the behaviours of a file:
  //   [[behaviour]]
  //   id = "MY-1"
  //   title = "…"
  // A file with any mistake adds nothing; each mistake is appended to `errors` with its
  // file:line:column. Returns whether the file was added.
  bool add_file(const std::string& path, std::vector<LoadError>* errors);
  // The same from text; `path` names it in errors.
  bool add_text(const std::string& text, const std::string& path, std::vector<LoadError>* errors);

  // nullopt when a scenario may name `id`; otherwise what is wrong and which IDs it could
  // have meant, from pistesim's list and the user's.
  std::optional<std::string> check(std::string_view id) const;

  const std::vector<UserBehaviour>& user() const { return user_; }
  const std::vector<std::string>& files() const { return files_; }  // as added

 private:
  std::vector<UserBehaviour> user_;
  std::vector<std::string> files_;
};

// The behaviours files `pistesim run` reads besides --behaviours: every behaviours.toml under a
// directory it walks (outside lib/), and the one beside a scenario file named directly, in the
// order found, each once.
std::vector<std::string> find_behaviour_files(const std::vector<std::string>& paths);

struct Coverage {
  std::vector<std::string> covered;         // pistesim's IDs some scenario covers
  std::vector<std::string> uncovered;       // pistesim's IDs none covers
  std::vector<std::string> user_covered;    // the user's IDs some scenario covers
  std::vector<std::string> user_uncovered;  // the user's IDs none covers
  std::vector<std::string> unknown;         // IDs scenarios name that neither list has
};
Coverage compute_coverage(const std::vector<Scenario>& scenarios,
                          const BehaviourCatalogue& catalogue = BehaviourCatalogue::builtin());

}  // namespace pistesim::scenario
