// CsvTokenizer: splits a TextInput into RFC 4180 records and fields.
//
// Grammar accepted:
//  - Records end at LF, CRLF or a lone CR; the last record may lack a terminator.
//  - A field that starts with the quote character is quoted: it runs to the next lone
//    quote, may hold delimiters, CR and LF, and "" stands for one quote. After the
//    closing quote only a delimiter, a record terminator or end of file may follow.
//  - A quote character inside an unquoted field is an ordinary character (lenient:
//    5'11" style data is common and unambiguous).
//  - A UTF-8 byte order mark at the very start of the file is skipped.
//  - An empty line is a record with one empty unquoted field (blank_line()); the
//    reader decides whether that is a null value or a line to skip.
// Errors (Corruption, naming file, line and byte offset): unterminated quoted field at
// end of file, a character after a closing quote, a record above the input's window cap.
//
// Fields returned by field(i) are views into the input buffer or into a scratch
// buffer (fields with "" escapes) and stay valid until the next NextRecord() call.
// Mark()/Rewind() let the reader look at the first rows (header, type inference) and
// then read them again: bytes after the mark are kept in memory until Rewind() or
// ClearMark().
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "formats/text_input.h"

namespace gaggle {

class CsvTokenizer {
 public:
  CsvTokenizer(TextInput* input, char delimiter, char quote);

  // Reads the next record; false at end of input. After an error, do not call again.
  Result<bool> NextRecord();

  size_t num_fields() const { return fields_.size(); }
  std::string_view field(size_t i) const { return fields_[i]; }
  bool quoted(size_t i) const { return quoted_[i] != 0; }
  // The record came from an empty line.
  bool blank_line() const { return fields_.size() == 1 && fields_[0].empty() && !quoted_[0]; }
  // 1-based line on which the current record starts, and its byte offset in the file.
  uint64_t line() const { return record_line_; }
  uint64_t byte_offset() const { return record_offset_; }
  const std::string& path() const { return input_->path(); }

  // Remembers the position before the next record; Rewind() returns there.
  void Mark();
  void Rewind();
  // Bytes read since Mark() (the memory the mark pins).
  size_t bytes_since_mark() const { return pos_ - mark_; }

 private:
  enum class Scan { kRecord, kNeedMore, kEnd, kError };
  Scan ScanRecord();
  Scan Fail(uint64_t line, size_t window_index, const std::string& what);

  TextInput* input_;
  char delimiter_;
  char quote_;
  bool special_[256] = {};  // bytes that end an unquoted field: delimiter, CR, LF

  size_t pos_ = 0;  // window index of the next record
  uint64_t line_ = 1;
  bool bom_checked_ = false;
  bool marked_ = false;
  size_t mark_ = 0;
  uint64_t mark_line_ = 1;
  bool mark_bom_checked_ = false;

  uint64_t record_line_ = 0;
  uint64_t record_offset_ = 0;
  std::vector<std::string_view> fields_;
  std::vector<uint8_t> quoted_;
  // Fields with "" escapes are unescaped into scratch_; (field index, scratch offset).
  std::string scratch_;
  std::vector<std::pair<size_t, size_t>> scratch_fields_;
  Status error_;
};

}  // namespace gaggle
