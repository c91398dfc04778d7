#include "formats/jsonl/jsonl_reader.h"

#include <simdjson.h>

#include <cfloat>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "formats/jsonl/json_shape_guess.h"
#include "formats/jsonl/json_source_text.h"
#include "formats/jsonl/parallel_jsonl_reader.h"
#include "formats/text_typing.h"

// Why simdjson's DOM API (and not On Demand): the Debian package builds On Demand
// into our code with the portable "fallback" kernel unless we compile for AVX2, while
// the DOM parser in libsimdjson picks the best kernel at run time (haswell/icelake);
// on 1M typical lines DOM was ~30% faster (97 ms vs 138 ms per 100 MB). DOM also
// validates the whole line, so a half-read line is never accepted. Each line is
// parsed in place inside the input window (the window keeps 64 padding bytes after its
// end), values go straight from the tape into the batch's columns, and the parser's
// buffers are reused for every line. On Demand is used only off the hot path
// (json_source_text.h) for exact source text and error offsets.

namespace gaggle {
namespace {

namespace sj = simdjson;
namespace dom = simdjson::dom;

static_assert(TextInput::kPadding >= sj::SIMDJSON_PADDING, "simdjson parses lines in place");

constexpr size_t kNoMember = static_cast<size_t>(-1);

const char* JsonTypeName(dom::element_type t) {
  switch (t) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

std::string NestedUnsupported(const std::string& key, dom::element_type type, const DataType& column) {
  return "key '" + key + "' holds " + JsonTypeName(type) + " but the column is " + column.ToString() +
         "; nested values read into nested columns, or as JSON text into string columns";
}

class JsonlReader final : public BatchReader {
 public:
  JsonlReader(std::unique_ptr<TextInput> input, const ReadOptions& options, const JsonlBlock& block = {})
      : input_(std::move(input)), options_(options), block_(block), next_line_(block.first_line) {}

  Status Init();
  std::shared_ptr<const Schema> schema() const override { return schema_; }
  Result<bool> Next(RecordBatch* batch) override;

 private:
  // Line splitting over the input window; Mark()/Rewind() replay the inference sample.
  Result<bool> NextLine();
  void Mark() {
    marked_ = true;
    mark_ = pos_;
    mark_line_ = next_line_;
    mark_bom_checked_ = bom_checked_;
  }
  void Rewind() {
    marked_ = false;
    pos_ = mark_;
    next_line_ = mark_line_;
    bom_checked_ = mark_bom_checked_;
  }

  // An error in the current line, located at the value of member `member` (or the line start).
  Status Located(StatusCode code, size_t member, const std::string& what);
  Status ParseLine(dom::object* object);
  int FindColumn(std::string_view key);
  int AddColumn(std::string_view key);
  Status InferSchema();
  Status ReadRow(RecordBatch* batch);
  Status AppendValue(dom::element value, size_t column_index, size_t member, Column* column);
  // One value into a column of any type; `name` names the column (a dotted path inside nested ones).
  Status AppendAny(dom::element value, const std::string& name, bool nullable, size_t member, Column* column);
  Status AppendNested(dom::element value, const std::string& name, size_t member, Column* column);
  Status AppendStruct(dom::object object, const std::string& name, size_t member, Column* column);
  Status AppendMap(dom::object object, const std::string& name, size_t member, Column* column);
  Status AppendSourceText(const std::string& name, size_t member, Column* column);

  std::unique_ptr<TextInput> input_;
  ReadOptions options_;
  const JsonlBlock block_;
  std::shared_ptr<const Schema> schema_;
  dom::parser parser_;
  JsonSourceText source_;

  size_t pos_ = 0;
  uint64_t next_line_;
  bool marked_ = false;
  size_t mark_ = 0;
  uint64_t mark_line_ = 1;
  bool mark_bom_checked_ = false;
  bool bom_checked_ = false;
  std::string_view line_;  // current line (in the window), without its terminator
  uint64_t line_no_ = 0;
  uint64_t line_offset_ = 0;

  std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> index_;
  bool declared_ = false;
  size_t last_column_ = 0;
  std::vector<uint64_t> seen_;  // per column, the row stamp of its last key: duplicate and missing keys
  uint64_t row_stamp_ = 0;
  std::string scratch_;
  std::vector<size_t> path_;  // inside a nested value: member index, then indices down to the value
  // Per nesting depth, the keys of the map being read there (views into the line's DOM).
  std::vector<std::unordered_set<std::string_view>> map_keys_;
  Status error_;
  bool done_ = false;
};

Result<bool> JsonlReader::NextLine() {
  while (true) {
    if (!bom_checked_ && (input_->size() - pos_ >= 3 || input_->eof())) {
      bom_checked_ = true;
      if (block_.offset + input_->FileOffset(pos_) == 0 && input_->size() - pos_ >= 3 &&
          std::memcmp(input_->data() + pos_, "\xEF\xBB\xBF", 3) == 0) {
        pos_ += 3;
      }
    }
    if (bom_checked_) {
      const char* start = input_->data() + pos_;
      size_t avail = input_->size() - pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', avail));
      if (nl != nullptr || (input_->eof() && avail > 0)) {
        size_t len = nl ? static_cast<size_t>(nl - start) : avail;
        line_ = std::string_view(start, len);
        if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
        line_no_ = next_line_++;
        line_offset_ = block_.offset + input_->FileOffset(pos_);
        pos_ += nl ? len + 1 : len;
        return true;
      }
      if (input_->eof()) return false;
    }
    size_t shift = 0;
    GAGGLE_ASSIGN_OR_RETURN(size_t added, input_->Refill(marked_ ? mark_ : pos_, &shift));
    (void)added;  // at end of file the loop above returns the last line or false
    pos_ -= shift;
    if (marked_) mark_ -= shift;
  }
}

Status JsonlReader::Located(StatusCode code, size_t member, const std::string& what) {
  uint64_t offset = line_offset_;
  if (member != kNoMember) {
    std::optional<std::string_view> text = source_.MemberText(line_, member);
    if (text) offset += static_cast<uint64_t>(text->data() - line_.data());
  }
  std::string msg = TextLocation(input_->path(), line_no_, offset) + what;
  if (code == StatusCode::kUnsupported) return Status::Unsupported(msg);
  return Status(code, msg);
}

Status JsonlReader::ParseLine(dom::object* object) {
  dom::element root;
  if (sj::error_code error = parser_.parse(line_.data(), line_.size(), false).get(root)) {
    std::optional<size_t> at = source_.ErrorOffset(line_);
    return Status::Corruption(TextLocation(input_->path(), line_no_, line_offset_ + at.value_or(0)) +
                              "malformed JSON: " + sj::error_message(error));
  }
  if (root.type() != dom::element_type::OBJECT) {
    return Located(StatusCode::kCorruption, kNoMember,
                   std::string("expected a JSON object, found ") + JsonTypeName(root.type()));
  }
  *object = root.get_object().value_unsafe();
  return Status::OK();
}

int JsonlReader::FindColumn(std::string_view key) {
  // Lines usually list keys in the same order: try the column after the previous one.
  size_t guess = last_column_ + 1 < names_.size() ? last_column_ + 1 : 0;
  if (guess < names_.size() && names_[guess] == key) return static_cast<int>(last_column_ = guess);
  auto it = index_.find(std::string(key));
  if (it == index_.end()) return -1;
  last_column_ = it->second;
  return static_cast<int>(it->second);
}

int JsonlReader::AddColumn(std::string_view key) {
  names_.emplace_back(key);
  index_.emplace(names_.back(), names_.size() - 1);
  seen_.push_back(0);
  last_column_ = names_.size() - 1;
  return static_cast<int>(last_column_);
}

Status JsonlReader::InferSchema() {
  std::vector<JsonShapeGuess> guesses;
  size_t rows = 0;
  Mark();
  while (rows < options_.infer_rows && pos_ - mark_ < kJsonlMaxSampleBytes) {
    GAGGLE_ASSIGN_OR_RETURN(bool got, NextLine());
    if (!got) break;
    if (IsBlank(line_)) continue;
    ++rows;
    ++row_stamp_;
    dom::object object;
    GAGGLE_RETURN_IF_ERROR(ParseLine(&object));
    size_t member = 0;
    for (dom::key_value_pair kv : object) {
      int col = FindColumn(kv.key);
      if (col < 0) {
        col = AddColumn(kv.key);
        guesses.emplace_back();
      }
      size_t c = static_cast<size_t>(col);
      if (seen_[c] == row_stamp_) return Located(StatusCode::kCorruption, member, "duplicate key '" + names_[c] + "'");
      seen_[c] = row_stamp_;
      if (kv.value.type() == dom::element_type::UINT64) {
        return Located(StatusCode::kCorruption, member,
                       "key '" + names_[c] + "': integer " + std::to_string(kv.value.get_uint64().value_unsafe()) +
                           " does not fit in int64");
      }
      guesses[c].Observe(kv.value);
      ++member;
    }
  }
  Rewind();
  std::vector<Field> fields;
  for (size_t i = 0; i < names_.size(); ++i) fields.push_back(Field{names_[i], guesses[i].Guess(), true});
  schema_ = std::make_shared<Schema>(std::move(fields));
  return Status::OK();
}

Status JsonlReader::Init() {
  if (options_.batch_rows == 0) return Status::InvalidArgument("batch_rows must be positive");
  if (!options_.schema) return InferSchema();
  declared_ = !block_.schema_inferred;
  schema_ = std::make_shared<Schema>(*options_.schema);
  for (size_t i = 0; i < schema_->num_fields(); ++i) {
    if (FindColumn(schema_->field(i).name) >= 0) {
      return Status::InvalidArgument(input_->path() + ": the schema names column '" + schema_->field(i).name +
                                     "' twice");
    }
    AddColumn(schema_->field(i).name);
  }
  return Status::OK();
}

// The value's text exactly as written in the line (nested values, decimals, numbers in string columns).
Status JsonlReader::AppendSourceText(const std::string& name, size_t member, Column* column) {
  std::optional<std::string_view> text =
      path_.empty() ? source_.MemberText(line_, member) : source_.ValueText(line_, path_);
  if (!text) return Located(StatusCode::kInternal, member, "cannot recover the text of '" + name + "'");
  if (column->type().id == TypeId::kString) {
    column->AppendString(*text);
    return Status::OK();
  }
  if (!AppendText(column, *text, &scratch_)) {
    return Located(StatusCode::kCorruption, member,
                   "column '" + name + "': cannot read " + QuoteForMessage(*text) + " as " + column->type().ToString());
  }
  return Status::OK();
}

Status JsonlReader::AppendValue(dom::element value, size_t c, size_t member, Column* column) {
  return AppendAny(value, names_[c], schema_->field(c).nullable, member, column);
}

Status JsonlReader::AppendAny(dom::element value, const std::string& name, bool nullable, size_t member,
                              Column* column) {
  const TypeId id = column->type().id;
  const dom::element_type type = value.type();
  auto mismatch = [&](const std::string& shown) {
    return Located(
        StatusCode::kCorruption, member,
        "column '" + name + "': cannot read " + JsonTypeName(type) + " " + shown + " as " + column->type().ToString());
  };
  switch (type) {
    case dom::element_type::STRING: {
      std::string_view s = value.get_string().value_unsafe();
      if (id == TypeId::kString) {
        column->AppendString(s);
      } else if (!AppendText(column, s, &scratch_)) {
        return mismatch(QuoteForMessage(s));
      }
      return Status::OK();
    }
    case dom::element_type::INT64: {
      int64_t v = value.get_int64().value_unsafe();
      switch (id) {
        case TypeId::kInt64: column->Append<int64_t>(v); return Status::OK();
        case TypeId::kDouble: column->Append<double>(static_cast<double>(v)); return Status::OK();
        case TypeId::kInt32:
          if (v < INT32_MIN || v > INT32_MAX) return mismatch(std::to_string(v));
          column->Append<int32_t>(static_cast<int32_t>(v));
          return Status::OK();
        case TypeId::kFloat: column->Append<float>(static_cast<float>(v)); return Status::OK();
        case TypeId::kString:
        case TypeId::kDecimal: {
          // The integer's digits are its exact text (JSON has one spelling for an integer, up to "-0").
          std::string digits = std::to_string(v);
          if (id == TypeId::kString) {
            column->AppendString(digits);
          } else if (!AppendText(column, digits, &scratch_)) {
            return mismatch(digits);
          }
          return Status::OK();
        }
        default: return mismatch(std::to_string(v));
      }
    }
    case dom::element_type::UINT64: {
      uint64_t v = value.get_uint64().value_unsafe();
      if (id == TypeId::kDouble) {
        column->Append<double>(static_cast<double>(v));
        return Status::OK();
      }
      if (id == TypeId::kString || id == TypeId::kDecimal) return AppendSourceText(name, member, column);
      return Located(StatusCode::kCorruption, member,
                     "column '" + name + "': integer " + std::to_string(v) + " does not fit in int64");
    }
    case dom::element_type::DOUBLE: {
      double v = value.get_double().value_unsafe();
      if (id == TypeId::kDouble) {
        column->Append<double>(v);
        return Status::OK();
      }
      if (id == TypeId::kFloat) {
        if (v > FLT_MAX || v < -FLT_MAX) return mismatch(std::to_string(v));
        column->Append<float>(static_cast<float>(v));
        return Status::OK();
      }
      if (id == TypeId::kString || id == TypeId::kDecimal) return AppendSourceText(name, member, column);
      return mismatch(std::to_string(v));
    }
    case dom::element_type::BOOL: {
      bool b = value.get_bool().value_unsafe();
      if (id == TypeId::kBool) {
        column->Append<uint8_t>(b ? 1 : 0);
      } else if (id == TypeId::kString) {
        column->AppendString(b ? "true" : "false");
      } else {
        return mismatch(b ? "true" : "false");
      }
      return Status::OK();
    }
    case dom::element_type::NULL_VALUE:
      if (!nullable)
        return Located(StatusCode::kCorruption, member, "column '" + name + "' is not nullable but is null");
      column->AppendNull();
      return Status::OK();
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT:
      if (column->type().is_nested()) {
        if (!path_.empty()) return AppendNested(value, name, member, column);
        path_.assign(1, member);
        Status st = AppendNested(value, name, member, column);
        path_.clear();
        return st;
      }
      if (id != TypeId::kString) {
        return Located(StatusCode::kUnsupported, member, NestedUnsupported(name, type, column->type()));
      }
      return AppendSourceText(name, member, column);
  }
  return Status::Internal("unknown JSON element type");
}

// A JSON object or array into a struct, list or map column; path_ locates the value in the line.
Status JsonlReader::AppendNested(dom::element value, const std::string& name, size_t member, Column* column) {
  const DataType& type = column->type();
  const dom::element_type json = value.type();
  auto mismatch = [&] {
    return Located(StatusCode::kCorruption, member,
                   "column '" + name + "': cannot read " + JsonTypeName(json) + " as " + type.ToString());
  };
  switch (type.id) {
    case TypeId::kStruct:
    case TypeId::kMap: {
      dom::object object;
      if (json != dom::element_type::OBJECT || value.get_object().get(object)) return mismatch();
      return type.id == TypeId::kStruct ? AppendStruct(object, name, member, column)
                                        : AppendMap(object, name, member, column);
    }
    case TypeId::kList: {
      if (json != dom::element_type::ARRAY) return mismatch();
      const Field& element = type.list_element();
      const std::string element_name = name + "[]";
      dom::array array;
      if (value.get_array().get(array)) return mismatch();
      size_t k = 0;
      for (dom::element e : array) {
        path_.push_back(k++);
        Status st = AppendAny(e, element_name, element.nullable, member, &column->child(0));
        path_.pop_back();
        GAGGLE_RETURN_IF_ERROR(st);
      }
      column->CommitList();
      return Status::OK();
    }
    default: return mismatch();
  }
}

Status JsonlReader::AppendStruct(dom::object object, const std::string& name, size_t member, Column* column) {
  const DataType& type = column->type();
  const size_t n = type.num_children();
  std::vector<uint8_t> seen(n, 0);
  size_t k = 0, guess = 0;
  for (dom::key_value_pair kv : object) {
    // Objects usually list their keys in the struct's order: try the next field first.
    size_t f = guess < n && type.child(guess).name == kv.key ? guess : n;
    for (size_t i = 0; f == n && i < n; ++i) {
      if (type.child(i).name == kv.key) f = i;
    }
    if (f == n) {
      return Located(declared_ ? StatusCode::kSchemaMismatch : StatusCode::kCorruption, member,
                     "column '" + name + "': key " + QuoteForMessage(kv.key) + " is not a field of " + type.ToString() +
                         (declared_ ? "" : " (inferred from the first lines; pass a schema)"));
    }
    if (seen[f])
      return Located(StatusCode::kCorruption, member,
                     "column '" + name + "': duplicate key '" + std::string(kv.key) + "'");
    seen[f] = 1;
    guess = f + 1;
    path_.push_back(k++);
    Status st = AppendAny(kv.value, name + "." + type.child(f).name, type.child(f).nullable, member, &column->child(f));
    path_.pop_back();
    GAGGLE_RETURN_IF_ERROR(st);
  }
  for (size_t f = 0; f < n; ++f) {
    if (seen[f]) continue;
    if (!type.child(f).nullable) {
      return Located(StatusCode::kCorruption, member,
                     "column '" + name + "." + type.child(f).name + "' is not nullable but its key is missing");
    }
    column->child(f).AppendNull();
  }
  column->CommitStruct();
  return Status::OK();
}

Status JsonlReader::AppendMap(dom::object object, const std::string& name, size_t member, Column* column) {
  const DataType& type = column->type();
  Column& entries = column->child(0);
  Column& keys = entries.child(0);
  // One set per depth: a map inside this map's values must not clear this one.
  if (map_keys_.size() <= path_.size()) map_keys_.resize(path_.size() + 1);
  std::unordered_set<std::string_view>& seen = map_keys_[path_.size()];
  seen.clear();
  size_t k = 0;
  for (dom::key_value_pair kv : object) {
    if (!seen.insert(kv.key).second) {
      return Located(StatusCode::kCorruption, member,
                     "column '" + name + "': duplicate key " + QuoteForMessage(kv.key));
    }
    if (keys.type().id == TypeId::kString) {
      keys.AppendString(kv.key);
    } else if (!AppendText(&keys, kv.key, &scratch_)) {
      return Located(
          StatusCode::kCorruption, member,
          "column '" + name + "': cannot read key " + QuoteForMessage(kv.key) + " as " + keys.type().ToString());
    }
    path_.push_back(k++);
    Status st =
        AppendAny(kv.value, name + "." + std::string(kv.key), type.map_value().nullable, member, &entries.child(1));
    path_.pop_back();
    GAGGLE_RETURN_IF_ERROR(st);
    entries.CommitStruct();
  }
  column->CommitList();
  return Status::OK();
}

Status JsonlReader::ReadRow(RecordBatch* batch) {
  ++row_stamp_;
  dom::object object;
  GAGGLE_RETURN_IF_ERROR(ParseLine(&object));
  size_t member = 0;
  for (dom::key_value_pair kv : object) {
    int col = FindColumn(kv.key);
    if (col < 0) {
      if (declared_) {
        return Located(
            StatusCode::kSchemaMismatch, member,
            "key " + QuoteForMessage(kv.key) + " is not a column of the schema (" + schema_->ToString() + ")");
      }
      return Located(StatusCode::kCorruption, member,
                     "key " + QuoteForMessage(kv.key) + " was not among the keys of the first " +
                         std::to_string(options_.infer_rows) + " lines used to infer the columns; pass a schema");
    }
    size_t c = static_cast<size_t>(col);
    if (seen_[c] == row_stamp_) return Located(StatusCode::kCorruption, member, "duplicate key '" + names_[c] + "'");
    seen_[c] = row_stamp_;
    GAGGLE_RETURN_IF_ERROR(AppendValue(kv.value, c, member, &batch->columns[c]));
    ++member;
  }
  for (size_t c = 0; c < names_.size(); ++c) {
    if (seen_[c] == row_stamp_) continue;
    if (!schema_->field(c).nullable) {
      return Located(StatusCode::kCorruption, kNoMember,
                     "column '" + names_[c] + "' is not nullable but its key is missing");
    }
    batch->columns[c].AppendNull();
  }
  return Status::OK();
}

Result<bool> JsonlReader::Next(RecordBatch* batch) {
  if (batch->schema != schema_ || batch->columns.size() != schema_->num_fields()) {
    *batch = RecordBatch::Empty(schema_);
  } else {
    batch->Clear();
  }
  if (!error_.ok()) return error_;
  if (done_) return false;
  size_t rows = 0;
  while (rows < options_.batch_rows) {
    Result<bool> got = NextLine();
    if (!got.ok()) return error_ = got.status();
    if (!*got) {
      done_ = true;
      break;
    }
    if (IsBlank(line_)) continue;
    Status st = ReadRow(batch);
    if (!st.ok()) return error_ = st;
    ++rows;
  }
  return rows > 0;
}

}  // namespace

Result<std::unique_ptr<BatchReader>> OpenJsonlBlockReader(std::unique_ptr<TextInput> input, const ReadOptions& options,
                                                          const JsonlBlock& block) {
  auto reader = std::make_unique<JsonlReader>(std::move(input), options, block);
  GAGGLE_RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<BatchReader>(std::move(reader));
}

Result<std::unique_ptr<BatchReader>> OpenJsonlReader(std::unique_ptr<TextInput> input, const ReadOptions& options) {
  auto reader = std::make_unique<JsonlReader>(std::move(input), options);
  GAGGLE_RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<BatchReader>(std::move(reader));
}

Result<std::unique_ptr<BatchReader>> OpenJsonlReader(FileSystem* fs, const std::string& path,
                                                     const ReadOptions& options) {
  if (options.threads > 1) return OpenParallelJsonlReader(fs, path, options);
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenSequential(path));
  return OpenJsonlReader(std::make_unique<TextInput>(std::move(file)), options);
}

}  // namespace gaggle
