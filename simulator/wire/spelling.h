// Suggestions for a misspelt name: scenario files, control API bodies and query parameters
// refuse an unknown key and say which known one it most plausibly meant.
#pragma once

#include <string_view>
#include <vector>

namespace pistesim {

// Levenshtein distance (insertions, deletions, substitutions); 64 for words over 64 characters,
// which are never worth comparing.
size_t edit_distance(std::string_view a, std::string_view b);

// The option `word` is most plausibly a misspelling of: the closest one, at most 2 edits away and
// no more than a third of its length (at least 1); empty when none is that close.
std::string_view closest_spelling(std::string_view word,
                                  const std::vector<std::string_view>& options);

}  // namespace pistesim
