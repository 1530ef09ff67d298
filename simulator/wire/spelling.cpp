#include "wire/spelling.h"

#include <algorithm>

namespace pistesim {

size_t edit_distance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return 64;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string_view closest_spelling(std::string_view word,
                                  const std::vector<std::string_view>& options) {
  std::string_view best;
  size_t best_d = 3;
  for (auto o : options) {
    size_t d = edit_distance(word, o);
    // Short names tolerate one edit: "to" must not suggest "at".
    if (d < best_d && d <= std::max<size_t>(1, o.size() / 3)) best = o, best_d = d;
  }
  return best;
}

}  // namespace pistesim
