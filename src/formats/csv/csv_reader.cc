#include "formats/csv/csv_reader.h"

#include <unordered_set>

#include "formats/csv/csv_tokenizer.h"
#include "formats/text_typing.h"

namespace gaggle {
namespace {

// Inference stops early once the sample pins this many bytes, so a file of huge rows
// cannot make the first rows cost more than a few chunks of memory.
constexpr size_t kMaxSampleBytes = size_t{16} << 20;

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += "'" + n + "'";
  }
  return out;
}

class CsvReader final : public BatchReader {
 public:
  CsvReader(std::unique_ptr<TextInput> input, const ReadOptions& options)
      : input_(std::move(input)),
        options_(options),
        tokenizer_(input_.get(), options.csv.delimiter, options.csv.quote) {}

  Status Init();
  std::shared_ptr<const Schema> schema() const override { return schema_; }
  Result<bool> Next(RecordBatch* batch) override;

 private:
  bool IsNull(size_t i) const {
    if (tokenizer_.quoted(i)) return false;
    return tokenizer_.field(i) == options_.csv.null_text;
  }
  Status FieldCountError() const {
    return Status::Corruption(TextLocation(tokenizer_.path(), tokenizer_.line(), tokenizer_.byte_offset()) +
                              "expected " + std::to_string(num_file_columns_) + " fields, found " +
                              std::to_string(tokenizer_.num_fields()));
  }
  Status ReadHeader(std::vector<std::string>* names);
  Status BindDeclaredSchema(const std::vector<std::string>& names);
  Status InferSchema(const std::vector<std::string>& names);
  Status AppendRecord(RecordBatch* batch);

  std::unique_ptr<TextInput> input_;
  ReadOptions options_;
  CsvTokenizer tokenizer_;
  std::shared_ptr<const Schema> schema_;
  size_t num_file_columns_ = 0;
  std::vector<size_t> target_;  // file column -> schema field
  std::string scratch_;
  Status error_;
  bool done_ = false;
};

Status CsvReader::ReadHeader(std::vector<std::string>* names) {
  const std::string& path = input_->path();
  if (!options_.csv.header) {
    // Peek at the first record for the column count, then read it again as data.
    tokenizer_.Mark();
    GAGGLE_ASSIGN_OR_RETURN(bool got, tokenizer_.NextRecord());
    size_t n = got ? tokenizer_.num_fields() : 0;
    tokenizer_.Rewind();
    if (options_.schema && got && n != options_.schema->num_fields()) {
      return Status::SchemaMismatch(path + ": the file has " + std::to_string(n) + " columns, the schema has " +
                                    std::to_string(options_.schema->num_fields()) +
                                    " (no header: matched by position)");
    }
    if (options_.schema) n = options_.schema->num_fields();
    for (size_t i = 0; i < n; ++i)
      names->push_back(options_.schema ? options_.schema->field(i).name : "c" + std::to_string(i));
    return Status::OK();
  }
  GAGGLE_ASSIGN_OR_RETURN(bool got, tokenizer_.NextRecord());
  if (!got) return Status::OK();  // zero-byte file: no columns (or the declared ones)
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < tokenizer_.num_fields(); ++i) {
    std::string name(tokenizer_.field(i));
    if (name.empty()) name = "c" + std::to_string(i);
    if (!seen.insert(name).second) {
      return Status::Corruption(TextLocation(path, tokenizer_.line(), tokenizer_.byte_offset()) +
                                "duplicate column name '" + name + "' in the header");
    }
    names->push_back(std::move(name));
  }
  return Status::OK();
}

Status CsvReader::BindDeclaredSchema(const std::vector<std::string>& names) {
  const Schema& declared = *options_.schema;
  target_.assign(names.size(), 0);
  std::vector<std::string> extra, missing;
  std::vector<bool> found(declared.num_fields(), false);
  for (size_t i = 0; i < names.size(); ++i) {
    int f = declared.FindField(names[i]);
    if (f < 0) {
      extra.push_back(names[i]);
      continue;
    }
    target_[i] = static_cast<size_t>(f);
    found[static_cast<size_t>(f)] = true;
  }
  // A zero-byte file has no header: it holds zero rows of the declared schema.
  if (!names.empty()) {
    for (size_t f = 0; f < declared.num_fields(); ++f) {
      if (!found[f]) missing.push_back(declared.field(f).name);
    }
  }
  if (!missing.empty() || !extra.empty()) {
    std::string msg = input_->path() + ": the CSV header does not match the schema;";
    if (!missing.empty()) msg += " columns missing from the file: " + JoinNames(missing) + ";";
    if (!extra.empty()) msg += " columns in the file but not in the schema: " + JoinNames(extra) + ";";
    msg.pop_back();
    return Status::SchemaMismatch(msg);
  }
  num_file_columns_ = names.size();
  schema_ = std::make_shared<Schema>(declared);
  return Status::OK();
}

Status CsvReader::InferSchema(const std::vector<std::string>& names) {
  num_file_columns_ = names.size();
  std::vector<TextTypeGuess> guesses(names.size());
  tokenizer_.Mark();
  size_t rows = 0;
  while (rows < options_.infer_rows && tokenizer_.bytes_since_mark() < kMaxSampleBytes) {
    GAGGLE_ASSIGN_OR_RETURN(bool got, tokenizer_.NextRecord());
    if (!got) break;
    if (tokenizer_.blank_line() && num_file_columns_ != 1) continue;
    if (tokenizer_.num_fields() != num_file_columns_) return FieldCountError();
    for (size_t i = 0; i < num_file_columns_; ++i) {
      if (!IsNull(i)) guesses[i].Observe(tokenizer_.field(i));
    }
    ++rows;
  }
  tokenizer_.Rewind();
  std::vector<Field> fields;
  for (size_t i = 0; i < names.size(); ++i) fields.push_back(Field{names[i], guesses[i].Guess(), true});
  schema_ = std::make_shared<Schema>(std::move(fields));
  target_.resize(names.size());
  for (size_t i = 0; i < names.size(); ++i) target_[i] = i;
  return Status::OK();
}

Status CsvReader::Init() {
  const CsvOptions& csv = options_.csv;
  auto bad = [](char c) { return c == '\n' || c == '\r'; };
  if (csv.delimiter == csv.quote || bad(csv.delimiter) || bad(csv.quote)) {
    return Status::InvalidArgument(input_->path() + ": CSV delimiter and quote must differ and not be CR or LF");
  }
  if (options_.batch_rows == 0) return Status::InvalidArgument("batch_rows must be positive");
  if (options_.schema) {
    for (const Field& f : options_.schema->fields()) {
      if (f.type.is_nested()) {
        return Status::Unsupported(input_->path() + ": CSV column '" + f.name + "' is declared " + f.type.ToString() +
                                   "; CSV holds no nested values (gaggle writes them as JSON text: declare the column "
                                   "string, or read the data as JSON lines)");
      }
    }
  }
  std::vector<std::string> names;
  GAGGLE_RETURN_IF_ERROR(ReadHeader(&names));
  if (options_.schema) return BindDeclaredSchema(names);
  return InferSchema(names);
}

Status CsvReader::AppendRecord(RecordBatch* batch) {
  for (size_t i = 0; i < num_file_columns_; ++i) {
    size_t f = target_[i];
    Column& column = batch->columns[f];
    if (IsNull(i)) {
      if (!schema_->field(f).nullable) {
        return Status::Corruption(TextLocation(tokenizer_.path(), tokenizer_.line(), tokenizer_.byte_offset()) +
                                  "column '" + schema_->field(f).name + "' is not nullable but the value is null");
      }
      column.AppendNull();
      continue;
    }
    if (!AppendText(&column, tokenizer_.field(i), &scratch_)) {
      return Status::Corruption(TextLocation(tokenizer_.path(), tokenizer_.line(), tokenizer_.byte_offset()) +
                                "column '" + schema_->field(f).name + "': cannot parse " +
                                QuoteForMessage(tokenizer_.field(i)) + " as " + column.type().ToString());
    }
  }
  return Status::OK();
}

Result<bool> CsvReader::Next(RecordBatch* batch) {
  if (batch->schema != schema_ || batch->columns.size() != schema_->num_fields()) {
    *batch = RecordBatch::Empty(schema_);
  } else {
    batch->Clear();
  }
  if (!error_.ok()) return error_;
  if (done_ || num_file_columns_ == 0) return false;
  size_t rows = 0;
  while (rows < options_.batch_rows) {
    Result<bool> got = tokenizer_.NextRecord();
    if (!got.ok()) {
      error_ = got.status();
      return error_;
    }
    if (!*got) {
      done_ = true;
      break;
    }
    if (tokenizer_.num_fields() != num_file_columns_) {
      if (tokenizer_.blank_line()) continue;
      error_ = FieldCountError();
      return error_;
    }
    Status st = AppendRecord(batch);
    if (!st.ok()) {
      error_ = st;
      return error_;
    }
    ++rows;
  }
  return rows > 0;
}

}  // namespace

Result<std::unique_ptr<BatchReader>> OpenCsvReader(std::unique_ptr<TextInput> input, const ReadOptions& options) {
  auto reader = std::make_unique<CsvReader>(std::move(input), options);
  GAGGLE_RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<BatchReader>(std::move(reader));
}

Result<std::unique_ptr<BatchReader>> OpenCsvReader(FileSystem* fs, const std::string& path,
                                                   const ReadOptions& options) {
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenSequential(path));
  return OpenCsvReader(std::make_unique<TextInput>(std::move(file)), options);
}

}  // namespace gaggle
