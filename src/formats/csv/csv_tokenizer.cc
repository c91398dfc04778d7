#include "formats/csv/csv_tokenizer.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gaggle {
namespace {

// First byte at or after p that ends an unquoted field (delimiter, CR, LF).
// REQUIRES: such a byte exists before the end of readable memory, and at least 15
// readable bytes follow it (the sentinel LF at the window end, followed by padding).
inline const char* FindFieldEnd(const char* p, const bool* special, char delimiter) {
#if defined(__SSE2__)
  // SSE2 is part of x86-64, so no run-time dispatch is needed: 16 bytes per step.
  const __m128i d = _mm_set1_epi8(delimiter);
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  while (true) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, cr));
    int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#else
  (void)delimiter;
  while (!special[static_cast<uint8_t>(*p)]) ++p;
  return p;
#endif
}

}  // namespace

CsvTokenizer::CsvTokenizer(TextInput* input, char delimiter, char quote)
    : input_(input), delimiter_(delimiter), quote_(quote) {
  special_[static_cast<uint8_t>(delimiter)] = true;
  special_[static_cast<uint8_t>('\n')] = true;
  special_[static_cast<uint8_t>('\r')] = true;
}

void CsvTokenizer::Mark() {
  marked_ = true;
  mark_ = pos_;
  mark_line_ = line_;
  mark_bom_checked_ = bom_checked_;
}

void CsvTokenizer::Rewind() {
  if (!marked_) return;
  marked_ = false;
  pos_ = mark_;
  line_ = mark_line_;
  bom_checked_ = mark_bom_checked_;
}

CsvTokenizer::Scan CsvTokenizer::Fail(uint64_t line, size_t window_index, const std::string& what) {
  error_ = Status::Corruption(TextLocation(input_->path(), line, input_->FileOffset(window_index)) + what);
  return Scan::kError;
}

Result<bool> CsvTokenizer::NextRecord() {
  while (true) {
    if (!bom_checked_ && (input_->size() - pos_ >= 3 || input_->eof())) {
      bom_checked_ = true;
      if (input_->FileOffset(pos_) == 0 && input_->size() - pos_ >= 3 &&
          std::memcmp(input_->data() + pos_, "\xEF\xBB\xBF", 3) == 0) {
        pos_ += 3;
      }
    }
    Scan scan = bom_checked_ ? ScanRecord() : Scan::kNeedMore;
    switch (scan) {
      case Scan::kRecord: return true;
      case Scan::kEnd: return false;
      case Scan::kError: return error_;
      case Scan::kNeedMore: break;
    }
    size_t shift = 0;
    GAGGLE_ASSIGN_OR_RETURN(size_t added, input_->Refill(marked_ ? mark_ : pos_, &shift));
    (void)added;  // at end of file ScanRecord sees eof() and finishes the record
    pos_ -= shift;
    if (marked_) mark_ -= shift;
  }
}

CsvTokenizer::Scan CsvTokenizer::ScanRecord() {
  const bool eof = input_->eof();
  char* base = input_->data();
  const size_t size = input_->size();
  if (pos_ >= size) return eof ? Scan::kEnd : Scan::kNeedMore;
  const char* end = base + size;
  base[size] = '\n';  // sentinel in the padding: the unquoted-field loop needs no bounds check
  const char* p = base + pos_;
  fields_.clear();
  quoted_.clear();
  scratch_.clear();
  scratch_fields_.clear();
  uint64_t inner_newlines = 0;

  while (true) {
    if (p < end && *p == quote_) {
      const char* start = ++p;
      bool escaped = false;
      const char* q;
      while (true) {
        q = static_cast<const char*>(std::memchr(p, quote_, static_cast<size_t>(end - p)));
        if (q == nullptr) {
          if (!eof) return Scan::kNeedMore;
          return Fail(line_, pos_,
                      "unterminated quoted field (the record starts here and the file ends inside quotes)");
        }
        if (q + 1 == end && !eof) return Scan::kNeedMore;  // is it "" or the closing quote?
        if (q + 1 < end && q[1] == quote_) {
          escaped = true;
          p = q + 2;
          continue;
        }
        break;
      }
      size_t len = static_cast<size_t>(q - start);
      inner_newlines += static_cast<uint64_t>(std::count(start, q, '\n'));
      if (escaped) {
        size_t offset = scratch_.size();
        for (const char* s = start; s < q;) {
          const char* next = static_cast<const char*>(std::memchr(s, quote_, static_cast<size_t>(q - s)));
          if (next == nullptr) {
            scratch_.append(s, static_cast<size_t>(q - s));
            break;
          }
          scratch_.append(s, static_cast<size_t>(next - s) + 1);  // keep one quote of the pair
          s = next + 2;
        }
        scratch_fields_.emplace_back(fields_.size(), offset);
        fields_.emplace_back(scratch_.data(), scratch_.size() - offset);  // pointer fixed up below
      } else {
        fields_.emplace_back(start, len);
      }
      quoted_.push_back(1);
      p = q + 1;
      if (p == end) break;  // eof: checked above
      if (*p == delimiter_) {
        ++p;
        continue;
      }
      if (*p != '\n' && *p != '\r') {
        return Fail(line_ + inner_newlines, static_cast<size_t>(p - base),
                    "unexpected character " + QuoteForMessage(std::string_view(p, 1)) +
                        " after a closing quote (a quote inside a quoted field must be doubled)");
      }
    } else {
      const char* start = p;
      p = FindFieldEnd(p, special_, delimiter_);
      if (p == end && !eof) return Scan::kNeedMore;
      fields_.emplace_back(start, static_cast<size_t>(p - start));
      quoted_.push_back(0);
      if (p == end) break;
      if (*p == delimiter_) {
        ++p;
        continue;
      }
    }
    // Record terminator at p: LF, CRLF or CR.
    if (*p == '\r') {
      if (p + 1 == end && !eof) return Scan::kNeedMore;  // CR now, LF in the next chunk?
      ++p;
      if (p < end && *p == '\n') ++p;
    } else {
      ++p;
    }
    break;
  }

  for (const auto& [index, offset] : scratch_fields_) {
    fields_[index] = std::string_view(scratch_.data() + offset, fields_[index].size());
  }
  record_line_ = line_;
  record_offset_ = input_->FileOffset(pos_);
  line_ += 1 + inner_newlines;
  pos_ = static_cast<size_t>(p - base);
  return Scan::kRecord;
}

}  // namespace gaggle
