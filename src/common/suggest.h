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
// (distance 1 for words of up to 4 characters, else 2, and less than the word's
// length); "" otherwise.
// Ties go to the earliest candidate.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" when nothing is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace gaggle
