// "Did you mean ...?" for misspelled keys, types, columns and function names.
//
// EditDistance is the optimal-string-alignment distance (insertions, deletions,
// substitutions and adjacent transpositions each cost 1), compared case-insensitively.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gaggle {

size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a likely typo
// (distance <= 2, and less than half of the word's length for short words); "" otherwise.
// Ties go to the earliest candidate.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" when nothing is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace gaggle
