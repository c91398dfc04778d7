#include "common/suggest.h"

#include <algorithm>

namespace gaggle {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  // Rows of the dynamic-programming table: two previous rows are needed for transpositions.
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) && Lower(a[i - 2]) == Lower(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  // Very long words are not typos of short keys; skip the quadratic work.
  if (word.empty() || word.size() > 256) return "";
  size_t best = SIZE_MAX;
  const std::string* found = nullptr;
  for (const std::string& c : candidates) {
    if (c.size() > 256) continue;
    size_t d = EditDistance(word, c);
    if (d < best) {
      best = d;
      found = &c;
    }
  }
  if (found == nullptr) return "";
  if (best == 0) return *found;  // differs only in case
  // Short words allow one edit, longer ones two; never a complete rewrite ("c" is not a typo of "a").
  size_t limit = word.size() <= 4 ? 1 : 2;
  return best <= limit && best < word.size() ? *found : "";
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string m = ClosestMatch(word, candidates);
  if (m.empty() || m == word) return "";
  return " (did you mean '" + m + "'?)";
}

}  // namespace gaggle
