#include "agent/dead_letter_writer.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "columnar/value_format.h"

namespace gaggle {
namespace {

nlohmann::ordered_json ValueToJson(const Column& c, size_t i) {
  if (c.IsNull(i)) return nullptr;
  switch (c.type().id) {
    case TypeId::kBool: return c.Get<uint8_t>(i) != 0;
    case TypeId::kInt32: return c.Get<int32_t>(i);
    case TypeId::kInt64: return c.Get<int64_t>(i);
    case TypeId::kFloat: {
      float v = c.Get<float>(i);
      if (!std::isfinite(v)) return FormatFloat(v);
      return v;
    }
    case TypeId::kDouble: {
      double v = c.Get<double>(i);
      if (!std::isfinite(v)) return FormatDouble(v);
      return v;
    }
    case TypeId::kString: return std::string(c.GetString(i));
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: {
      // ValueToString renders nested values as JSON; embed them as JSON, not as a string.
      nlohmann::ordered_json nested = nlohmann::ordered_json::parse(c.ValueToString(i), nullptr, false);
      if (nested.is_discarded()) return c.ValueToString(i);
      return nested;
    }
    default: return c.ValueToString(i);
  }
}

}  // namespace

Status DeadLetterWriter::Add(const std::string& file, int64_t row, const std::string& reason, const RecordBatch& batch,
                             size_t batch_row) {
  if (!file_) {
    GAGGLE_ASSIGN_OR_RETURN(file_, fs_->OpenWritable(path_));
  }
  nlohmann::ordered_json record = nlohmann::ordered_json::object();
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    record[batch.schema->field(c).name] = ValueToJson(batch.columns[c], batch_row);
  }
  nlohmann::ordered_json line = {{"file", file}, {"row", row}, {"reason", reason}, {"record", std::move(record)}};
  // Invalid UTF-8 in a source string must not make the dead-letter file itself unwritable.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  GAGGLE_RETURN_IF_ERROR(file_->Append(text));
  ++count_;
  return Status::OK();
}

Status DeadLetterWriter::Finish() {
  if (!file_) return Status::OK();
  Status st = file_->Close();
  file_.reset();
  return st;
}

}  // namespace gaggle
