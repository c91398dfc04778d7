#include "verify/line_diff.h"

#include <algorithm>
#include <cstdlib>

namespace gaggle {
namespace {

using Lines = std::vector<std::string_view>;

struct Snake {
  size_t x1, y1, x2, y2;  // the diagonal run (x1, y1) .. (x2, y2), possibly empty
};

class Differ {
 public:
  Differ(const Lines& a, const Lines& b) : a_(a), b_(b) {}

  std::vector<LineDiffEdit> Run() {
    Diff(0, a_.size(), 0, b_.size());
    return std::move(out_);
  }

 private:
  void Equal(size_t x, size_t y, size_t n) {
    for (size_t i = 0; i < n; ++i) out_.push_back({LineDiffOp::kEqual, x + i, y + i});
  }

  // Diffs a[alo, ahi) against b[blo, bhi).
  void Diff(size_t alo, size_t ahi, size_t blo, size_t bhi) {
    size_t prefix = 0;
    while (alo + prefix < ahi && blo + prefix < bhi && a_[alo + prefix] == b_[blo + prefix]) ++prefix;
    Equal(alo, blo, prefix);
    alo += prefix;
    blo += prefix;
    size_t suffix = 0;
    while (ahi - suffix > alo && bhi - suffix > blo && a_[ahi - suffix - 1] == b_[bhi - suffix - 1]) ++suffix;
    ahi -= suffix;
    bhi -= suffix;
    if (alo == ahi || blo == bhi) {
      for (size_t x = alo; x < ahi; ++x) out_.push_back({LineDiffOp::kDelete, x, blo});
      for (size_t y = blo; y < bhi; ++y) out_.push_back({LineDiffOp::kInsert, ahi, y});
    } else {
      const Snake s = MiddleSnake(alo, ahi, blo, bhi);
      if ((s.x1 == alo && s.y1 == blo && s.x2 == alo && s.y2 == blo) ||
          (s.x1 == ahi && s.y1 == bhi && s.x2 == ahi && s.y2 == bhi)) {
        // Cannot happen for a shortest path of length >= 2; never loop if it does.
        for (size_t x = alo; x < ahi; ++x) out_.push_back({LineDiffOp::kDelete, x, blo});
        for (size_t y = blo; y < bhi; ++y) out_.push_back({LineDiffOp::kInsert, ahi, y});
      } else {
        Diff(alo, s.x1, blo, s.y1);
        Equal(s.x1, s.y1, s.x2 - s.x1);
        Diff(s.x2, ahi, s.y2, bhi);
      }
    }
    Equal(ahi, bhi, suffix);
  }

  // The middle snake of a shortest edit path (Myers 1986, section 4b).
  Snake MiddleSnake(size_t alo, size_t ahi, size_t blo, size_t bhi) {
    const long n = static_cast<long>(ahi - alo), m = static_cast<long>(bhi - blo);
    const long delta = n - m;
    const bool odd = (delta & 1) != 0;
    const long max_d = (n + m + 1) / 2;
    const long off = max_d + std::abs(delta) + 2;
    vf_.assign(static_cast<size_t>(2 * off + 1), 0);
    vb_.assign(static_cast<size_t>(2 * off + 1), 0);
    auto f = [&](long k) -> long& { return vf_[static_cast<size_t>(k + off)]; };
    auto r = [&](long k) -> long& { return vb_[static_cast<size_t>(k + off)]; };
    auto eq = [&](long x, long y) { return a_[alo + static_cast<size_t>(x)] == b_[blo + static_cast<size_t>(y)]; };
    f(1) = 0;
    r(delta - 1) = n + 1;  // unused slot keeps the first backward step in bounds
    r(delta + 1) = n + 1;
    for (long d = 0; d <= max_d; ++d) {
      for (long k = -d; k <= d; k += 2) {
        long x = (k == -d || (k != d && f(k - 1) < f(k + 1))) ? f(k + 1) : f(k - 1) + 1;
        long y = x - k;
        const long sx = x, sy = y;
        while (x < n && y < m && eq(x, y)) ++x, ++y;
        f(k) = x;
        if (odd && k >= delta - (d - 1) && k <= delta + (d - 1) && r(k) <= x) {
          return {alo + static_cast<size_t>(sx), blo + static_cast<size_t>(sy), alo + static_cast<size_t>(x),
                  blo + static_cast<size_t>(y)};
        }
      }
      for (long kk = delta - d; kk <= delta + d; kk += 2) {
        long x;
        if (kk == delta - d) {
          x = r(kk + 1) - 1;
        } else if (kk == delta + d) {
          x = r(kk - 1);
        } else {
          x = std::min(r(kk + 1) - 1, r(kk - 1));
        }
        long y = x - kk;
        const long ex = x, ey = y;
        while (x > 0 && y > 0 && eq(x - 1, y - 1)) --x, --y;
        r(kk) = x;
        if (!odd && kk >= -d && kk <= d && f(kk) >= x) {
          return {alo + static_cast<size_t>(x), blo + static_cast<size_t>(y), alo + static_cast<size_t>(ex),
                  blo + static_cast<size_t>(ey)};
        }
      }
    }
    return {alo, blo, alo, blo};  // unreachable for valid input
  }

  const Lines& a_;
  const Lines& b_;
  std::vector<LineDiffEdit> out_;
  std::vector<long> vf_, vb_;
};

std::string Range(size_t before, size_t count) {
  if (count == 1) return std::to_string(before + 1);
  if (count == 0) return std::to_string(before) + ",0";
  return std::to_string(before + 1) + "," + std::to_string(count);
}

void AppendLine(std::string* out, char mark, std::string_view line) {
  out->push_back(mark);
  out->append(line);
  if (line.empty() || line.back() != '\n') out->append("\n\\ No newline at end of file\n");
}

}  // namespace

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::vector<LineDiffEdit> DiffLines(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::vector<LineDiffEdit> edits = Differ(a, b).Run();
  // Within each run of changes, deletions first, as diff(1) writes them.
  for (size_t i = 0; i < edits.size();) {
    size_t j = i;
    while (j < edits.size() && edits[j].op != LineDiffOp::kEqual) ++j;
    std::stable_partition(edits.begin() + static_cast<long>(i), edits.begin() + static_cast<long>(j),
                          [](const LineDiffEdit& e) { return e.op == LineDiffOp::kDelete; });
    i = j + 1;
  }
  return edits;
}

std::string UnifiedDiff(std::string_view a_text, std::string_view b_text, const std::string& a_name,
                        const std::string& b_name, int context) {
  const Lines a = SplitLines(a_text), b = SplitLines(b_text);
  const std::vector<LineDiffEdit> edits = DiffLines(a, b);
  const size_t ctx = static_cast<size_t>(std::max(context, 0));
  std::string out;
  size_t i = 0;
  while (i < edits.size()) {
    // The next change, and the hunk around it and every change close after it.
    size_t first = i;
    while (first < edits.size() && edits[first].op == LineDiffOp::kEqual) ++first;
    if (first == edits.size()) break;
    size_t start = first >= ctx ? first - ctx : 0;
    start = std::max(start, i);
    size_t end = first;
    for (;;) {
      while (end < edits.size() && edits[end].op != LineDiffOp::kEqual) ++end;
      size_t equal = end;
      while (equal < edits.size() && edits[equal].op == LineDiffOp::kEqual) ++equal;
      if (equal < edits.size() && equal - end <= 2 * ctx) {
        end = equal;
        continue;
      }
      end = std::min(edits.size(), end + ctx);
      break;
    }
    size_t a_before = 0, b_before = 0, a_count = 0, b_count = 0;
    for (size_t k = 0; k < start; ++k) {
      a_before += edits[k].op != LineDiffOp::kInsert;
      b_before += edits[k].op != LineDiffOp::kDelete;
    }
    for (size_t k = start; k < end; ++k) {
      a_count += edits[k].op != LineDiffOp::kInsert;
      b_count += edits[k].op != LineDiffOp::kDelete;
    }
    if (out.empty()) out = "--- " + a_name + "\n+++ " + b_name + "\n";
    out += "@@ -" + Range(a_before, a_count) + " +" + Range(b_before, b_count) + " @@\n";
    for (size_t k = start; k < end; ++k) {
      const LineDiffEdit& e = edits[k];
      if (e.op == LineDiffOp::kEqual) AppendLine(&out, ' ', a[e.a]);
      if (e.op == LineDiffOp::kDelete) AppendLine(&out, '-', a[e.a]);
      if (e.op == LineDiffOp::kInsert) AppendLine(&out, '+', b[e.b]);
    }
    i = end;
  }
  return out;
}

}  // namespace gaggle
