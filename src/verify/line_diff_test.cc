#include "verify/line_diff.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace gaggle {
namespace {

using Lines = std::vector<std::string_view>;

std::string Numbered(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += "l" + std::to_string(i) + "\n";
  return out;
}

TEST(LineDiffTest, SplitLinesKeepsNewlines) {
  EXPECT_EQ(SplitLines(""), Lines{});
  EXPECT_EQ(SplitLines("a"), Lines{"a"});
  EXPECT_EQ(SplitLines("a\n\nb"), (Lines{"a\n", "\n", "b"}));
  EXPECT_EQ(SplitLines("a\nb\n"), (Lines{"a\n", "b\n"}));
}

TEST(LineDiffTest, EqualTextsHaveNoDiff) {
  EXPECT_EQ(UnifiedDiff("", "", "a/x", "b/x"), "");
  EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\n", "a/x", "b/x"), "");
}

TEST(LineDiffTest, OneChangeWithThreeLinesOfContext) {
  std::string a = Numbered(1, 10), b = a;
  b.replace(b.find("l5\n"), 3, "L5\n");
  EXPECT_EQ(UnifiedDiff(a, b, "a/q.sql", "b/q.sql"),
            "--- a/q.sql\n+++ b/q.sql\n@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+L5\n l6\n l7\n l8\n");
}

TEST(LineDiffTest, ChangesAtTheEdges) {
  EXPECT_EQ(UnifiedDiff("b\nc\n", "a\nb\nc\n", "a", "b"), "--- a\n+++ b\n@@ -1,2 +1,3 @@\n+a\n b\n c\n");
  EXPECT_EQ(UnifiedDiff("a\nb\nc\n", "a\nb\n", "a", "b"), "--- a\n+++ b\n@@ -1,3 +1,2 @@\n a\n b\n-c\n");
  EXPECT_EQ(UnifiedDiff("", "x\n", "a", "b"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
  EXPECT_EQ(UnifiedDiff("x\ny\n", "", "a", "b"), "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n");
  // Insertion after line 5 of 9: the empty old range names the line before it.
  std::string a = Numbered(1, 9), b = Numbered(1, 5) + "new\n" + Numbered(6, 9);
  EXPECT_EQ(UnifiedDiff(a, b, "a", "b"), "--- a\n+++ b\n@@ -3,6 +3,7 @@\n l3\n l4\n l5\n+new\n l6\n l7\n l8\n");
}

TEST(LineDiffTest, MissingFinalNewlineIsMarked) {
  EXPECT_EQ(UnifiedDiff("a\nb", "a\nb\n", "a", "b"),
            "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

TEST(LineDiffTest, NearbyChangesShareAHunkDistantOnesDoNot) {
  std::string a = Numbered(1, 20);
  std::string near = a, far = a;
  near.replace(near.find("l3\n"), 3, "X3\n");
  near.replace(near.find("l9\n"), 3, "X9\n");  // 5 equal lines between: one hunk
  EXPECT_EQ(UnifiedDiff(a, near, "a", "b"),
            "--- a\n+++ b\n@@ -1,12 +1,12 @@\n l1\n l2\n-l3\n+X3\n l4\n l5\n l6\n l7\n l8\n-l9\n+X9\n l10\n l11\n"
            " l12\n");
  far.replace(far.find("l3\n"), 3, "X3\n");
  far.replace(far.find("l11\n"), 4, "X11\n");  // 7 equal lines between: two hunks
  EXPECT_EQ(UnifiedDiff(a, far, "a", "b"),
            "--- a\n+++ b\n@@ -1,6 +1,6 @@\n l1\n l2\n-l3\n+X3\n l4\n l5\n l6\n"
            "@@ -8,7 +8,7 @@\n l8\n l9\n l10\n-l11\n+X11\n l12\n l13\n l14\n");
}

// Length of a longest common subsequence, by dynamic programming.
size_t Lcs(const Lines& a, const Lines& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

TEST(LineDiffTest, EditScriptsAreShortestAndValid) {
  std::mt19937 rng(11);
  const Lines alphabet = {"a\n", "b\n", "c\n", "d\n"};
  for (int round = 0; round < 2000; ++round) {
    Lines a, b;
    const size_t na = rng() % 14, nb = rng() % 14;
    for (size_t i = 0; i < na; ++i) a.push_back(alphabet[rng() % (round % 3 + 2)]);
    for (size_t i = 0; i < nb; ++i) b.push_back(alphabet[rng() % (round % 3 + 2)]);
    const auto edits = DiffLines(a, b);
    size_t changes = 0, ai = 0, bi = 0;
    for (const LineDiffEdit& e : edits) {
      if (e.op == LineDiffOp::kEqual) {
        ASSERT_EQ(e.a, ai);
        ASSERT_EQ(e.b, bi);
        ASSERT_EQ(a[e.a], b[e.b]);
        ++ai, ++bi;
      } else if (e.op == LineDiffOp::kDelete) {
        ASSERT_EQ(e.a, ai);
        ++ai, ++changes;
      } else {
        ASSERT_EQ(e.b, bi);
        ++bi, ++changes;
      }
    }
    ASSERT_EQ(ai, a.size());
    ASSERT_EQ(bi, b.size());
    ASSERT_EQ(changes, a.size() + b.size() - 2 * Lcs(a, b)) << "round " << round;
  }
}

TEST(LineDiffTest, LargeDissimilarInputsStayFast) {
  std::string a, b;
  for (int i = 0; i < 2000; ++i) {
    a += "a" + std::to_string(i) + "\n";
    b += "b" + std::to_string(i) + "\n";
  }
  const auto edits = DiffLines(SplitLines(a), SplitLines(b));
  EXPECT_EQ(edits.size(), 4000u);
}

}  // namespace
}  // namespace gaggle
