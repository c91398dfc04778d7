// Line diffs: the shortest edit script between two texts' lines (Myers' O(ND)
// algorithm in linear space; within a change, deletions come before insertions)
// and its rendering as a unified diff that GNU patch and `git apply` accept.
//
// A line is the text up to and including its '\n'; a last line without '\n' is a
// different line from the same text with one, and is rendered with the
// "\ No newline at end of file" marker. Hunks carry `context` unchanged lines on
// each side; hunks closer than 2 * context lines are merged. Line numbers are
// 1-based; an empty range is written "L,0" with L the line before it.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gaggle {

enum class LineDiffOp { kEqual, kDelete, kInsert };

struct LineDiffEdit {
  LineDiffOp op = LineDiffOp::kEqual;
  size_t a = 0;  // index into a's lines (kEqual, kDelete)
  size_t b = 0;  // index into b's lines (kEqual, kInsert)
};

// The lines of `text`, each with its '\n' (the last may lack it). "" has none.
std::vector<std::string_view> SplitLines(std::string_view text);

// A shortest edit script turning `a` into `b`, in order.
std::vector<LineDiffEdit> DiffLines(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b);

// "--- a_name\n+++ b_name\n@@ ... @@\n..." or "" when the texts are equal.
std::string UnifiedDiff(std::string_view a_text, std::string_view b_text, const std::string& a_name,
                        const std::string& b_name, int context = 3);

}  // namespace gaggle
